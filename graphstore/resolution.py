"""Cross-document resolution: one node per person and per organisation.

Extraction already keys people by their normalised full name (titles
stripped) and, inside one document, folds a lone surname into the one full
name that ends with it. Across documents a lone surname ("Putin") is its own
node, `person/putin`. Resolution pairs such a partial node with a full-name
node (`person/vladimir-putin`); likewise a shorter name with the one longer
name that ends with it ("von Bothmer", "Roland von Bothmer"), a first name
alone with the one full name that starts with it ("Michael", "Michael
Schumacher"), and an organisation's shorter name with the one longer name
that starts with it ("Labour", "Labour Party"). A pair needs

- exactly one fuller name (two full names with that surname: no pair; a first
  name's fuller name must not itself be a partial of a longer one), and
- no relationship from the partial node to another node of its kind (one to
  the full name says they are two; one to anybody else would make the groups
  depend on each other), and
- no veto (a pair split or rejected by a person), and
- evidence, tried in this order (the first that holds is recorded):
  `shared_role` (people: the same role at the same country or organisation;
  organisations: the same person in the same role at both), `shared_country`
  (people: tied to the same country by NATIONAL_OF or HOLDS_ROLE;
  organisations: LOCATED_IN the same country), `shared_place` (organisations
  LOCATED_IN the same place), `shared_document` (one document mentions both),
  and for organisations with none of these, `matching_name` (the longer name
  only adds words such as "party" or "bank").

A sure pair is merged (status `applied`): a surname or shorter name, or an
organisation's shorter name, by `shared_role`, `shared_country` or
`shared_place`. Every other pair (a first name alone, a tie by one shared
document, organisation names that only match) is a candidate (status
`pending`): recorded, with its evidence, and the graph's entities untouched
until a person accepts it (`accepted`: merged as resolution would, whenever
both nodes exist) or rejects it (`rejected`: a veto, never proposed again).

A merge moves the partial node's mentions and relationships (evidence entries
appended, support and confidence recomputed) onto the full-name node, deletes
the partial node and records a `Merge` node: the rule, its evidence, the
mentions and documents moved, and a snapshot to undo it exactly.

Resolution is a function of the graph's unmerged contents and of the
decisions people recorded: before a batch loads or documents are forgotten,
the merges in every name group the change touches are undone (and its
candidates dropped), and after it those groups are resolved again. Groups are
independent: organisations are resolved first, looking only at their own
group, countries, places, documents and unmerged people (the people tied to a
touched organisation group are undone too); people are resolved after,
looking at their own groups, countries and organisations as resolved. So the
graph does not depend on the order documents arrived in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graphstore import cypher
from graphstore.plan import EVIDENCE_FIELDS, LoadPlan
from schema.namespace import ID_BASE
from schema.ontology import load_ontology

PERSON_BASE = ID_BASE + "person/"
ORG_BASE = ID_BASE + "organization/"
MERGE_BASE = ID_BASE + "merge/"
RULES = ("shared_role", "shared_country", "shared_place", "shared_document", "matching_name")
# Evidence that makes a merge sure; any other tie only proposes one.
SURE_RULES = frozenset({"shared_role", "shared_country", "shared_place"})
# Words an organisation's longer name may add to its shorter one and still be
# the same name ("Labour Party", "Barclays Bank", "Siemens AG").
GENERIC_ORG_WORDS = frozenset({
    "party", "bank", "group", "plc", "inc", "ltd", "limited", "corp", "corporation", "company", "co",
    "holdings", "ag", "sa", "se", "nv", "llc", "gmbh",
})
# A record's status: resolution writes `applied` and `pending`; a person
# `accepted`, `rejected` and (through `newsgraph split`) `split`.
VETOES = frozenset({"split", "rejected"})


def _key(uri: str, base: str) -> list[str] | None:
    if not uri.startswith(base):
        return None
    key = uri[len(base):]
    return key.split("-") if key else None


def surname_of(uri: str) -> str | None:
    """The last token of a person's key: `person/vladimir-putin` → `putin`."""
    tokens = _key(uri, PERSON_BASE)
    return tokens[-1] or None if tokens else None


def first_token_of(uri: str) -> str | None:
    """The first token of a person's or organisation's key: `person/vladimir-putin`
    → `vladimir`, `organization/labour-party` → `labour`."""
    tokens = _key(uri, PERSON_BASE) or _key(uri, ORG_BASE)
    return tokens[0] or None if tokens else None


def surnames(uris: Iterable[str]) -> set[str]:
    return {s for s in map(surname_of, uris) if s}


def person_keys(uris: Iterable[str]) -> set[str]:
    """Every name group a person is in: its surname and its first name."""
    return {k for uri in uris for k in (surname_of(uri), first_token_of(uri)) if k}


def with_surnames(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Person rows for MERGE_ENTITIES with each one's `surname` and
    `first_token` among its properties: resolution looks people up by them,
    through their indexes."""
    return [{**row, "props": {**row["props"], "surname": surname_of(row["uri"]),
                              "first_token": first_token_of(row["uri"])}} for row in rows]


def with_first_tokens(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Organisation rows for MERGE_ENTITIES with their `first_token` (indexed)."""
    return [{**row, "props": {**row["props"], "first_token": first_token_of(row["uri"])}} for row in rows]


def merge_rows_with_surnames(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge records for RECORD_MERGES with their partial name's group: a
    person's `surname`, an organisation's `org_group` (an imported record has
    neither: export writes only the ontology's keys)."""
    out = []
    for row in rows:
        alias = str(row["props"].get("alias_uri", ""))
        org = alias.startswith(ORG_BASE)
        out.append({**row, "props": {**row["props"], "surname": surname_of(alias),
                                     "org_group": first_token_of(alias) if org else None}})
    return out


@dataclass
class Groups:
    """The name groups a change touches: person keys (surnames and first
    names) and organisation first tokens."""
    people: set[str] = field(default_factory=set)
    orgs: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.people or self.orgs)


def _closed(tx: ManagedTransaction, people: set[str], orgs: set[str]) -> Groups:
    """The groups to undo and resolve again for a change to these: the people
    tied to a touched organisation (their merges were made with it as it was),
    and the other group of every person in a touched one (a first name's full
    name may be a partial of a longer name in its surname's group)."""
    people = set(people)
    if orgs:
        people |= person_keys(r["uri"] for r in tx.run(cypher.PEOPLE_OF_ORG_GROUPS, keys=sorted(orgs)))
    if people:
        found = [r["uri"] for r in tx.run(cypher.SURNAME_GROUPS, surnames=sorted(people))]
        found += [r["uri"] for r in tx.run(cypher.FIRST_NAME_GROUPS, keys=sorted(people))]
        people |= person_keys(found)
    return Groups(people, set(orgs))


def plan_groups(tx: ManagedTransaction, plan: LoadPlan) -> Groups:
    """The groups of a batch: its people and organisations, and those of its
    documents as the graph has them now (a changed document's old names)."""
    people = person_keys(row["uri"] for row in plan.entities.get("Person", []))
    orgs = {k for k in (first_token_of(row["uri"]) for row in plan.entities.get("Organization", [])) if k}
    old = document_groups(tx, plan.document_ids, close=False)
    return _closed(tx, people | old.people, orgs | old.orgs)


def document_groups(tx: ManagedTransaction, doc_ids: list[str], *, close: bool = True) -> Groups:
    if not doc_ids:
        return Groups()
    people = person_keys(r["uri"] for r in tx.run(cypher.PERSONS_OF_DOCUMENTS, ids=doc_ids))
    orgs = {k for k in (first_token_of(r["uri"]) for r in tx.run(cypher.ORGS_OF_DOCUMENTS, ids=doc_ids)) if k}
    return _closed(tx, people, orgs) if close else Groups(people, orgs)


def pair_groups(tx: ManagedTransaction, alias: str, target: str) -> Groups:
    if alias.startswith(ORG_BASE):
        return _closed(tx, set(), {k for k in (first_token_of(alias),) if k})
    return _closed(tx, person_keys([alias, target]), set())


def merge_id(alias: str, target: str) -> str:
    return hashlib.sha1(f"{alias}\x1f{target}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Decision:
    alias: str
    target: str
    rule: str
    reason: str
    status: str = "applied"  # applied (sure), pending (a candidate) or accepted (by a person)
    documents: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()
    label: str = "Person"


# ------------------------------------------------------------------ deciding
def _said(rel: dict[str, Any]) -> list[str]:
    """A relationship's evidence sentences: 'doc sentence N: text'."""
    return [f"{doc} sentence {n}: {str(text).strip()}"
            for doc, n, text in zip(rel.get("docs") or [], rel.get("sentences") or [], rel.get("texts") or [],
                                    strict=False)]


def _tie(rule: str, reason: str, rels: list[dict[str, Any]]) -> Decision:
    docs = sorted({d for r in rels for d in r.get("docs") or []})
    sentences = sorted({s for r in rels for s in _said(r)})
    return Decision("", "", rule, reason, documents=tuple(docs), sentences=tuple(sentences))


def _shared_document(alias: dict[str, Any], target: dict[str, Any]) -> Decision | None:
    both = sorted({m["doc"] for m in alias["mentions"]} & {m["doc"] for m in target["mentions"]})
    if not both:
        return None
    sentences = sorted({f'{m["doc"]} sentence {m["sentence"]}: "{m["text"]}"'
                        for m in alias["mentions"] + target["mentions"] if m["doc"] in both})
    return Decision("", "", "shared_document", f"both mentioned in {both[0]}",
                    documents=tuple(both), sentences=tuple(sentences))


def _person_evidence(alias: dict[str, Any], target: dict[str, Any]) -> Decision | None:
    """The first rule the two people satisfy, with its evidence, or None."""
    target_roles = {(r["role"], r["uri"]): r for r in target["roles"]}
    for r in sorted(alias["roles"], key=lambda r: (str(r["role"]), r["uri"])):
        if (r["role"], r["uri"]) in target_roles:
            return _tie("shared_role", f"both HOLDS_ROLE {r['role']} of {r['name']}",
                        [r, target_roles[(r["role"], r["uri"])]])

    def countries(person: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        tied: dict[str, list[dict[str, Any]]] = {}
        for r in [r for r in person["roles"] if r["country"]] + person["nations"]:
            tied.setdefault(r["uri"], []).append(r)
        return tied

    alias_countries, target_countries = countries(alias), countries(target)
    shared = sorted(set(alias_countries) & set(target_countries))
    if shared:
        rels = alias_countries[shared[0]] + target_countries[shared[0]]
        return _tie("shared_country", f"both tied to {rels[0]['name']}", rels)
    return _shared_document(alias, target)


def _org_evidence(alias: dict[str, Any], target: dict[str, Any]) -> Decision | None:
    """The first rule the two organisations satisfy, with its evidence, or None."""
    target_holders = {(r["role"], r["uri"]): r for r in target["holders"]}
    for r in sorted(alias["holders"], key=lambda r: (str(r["role"]), r["uri"])):
        if (r["role"], r["uri"]) in target_holders:
            return _tie("shared_role", f"{r['name']} is {r['role']} of both",
                        [r, target_holders[(r["role"], r["uri"])]])
    target_places = {r["uri"]: r for r in target["places"]}
    for r in sorted(alias["places"], key=lambda r: (not r["country"], r["uri"])):
        if r["uri"] in target_places:
            return _tie("shared_country" if r["country"] else "shared_place", f"both located in {r['name']}",
                        [r, target_places[r["uri"]]])
    found = _shared_document(alias, target)
    if found is not None:
        return found
    extra = target["uri"][len(ORG_BASE):].split("-")[len(alias["uri"][len(ORG_BASE):].split("-")):]
    if extra and all(w in GENERIC_ORG_WORDS for w in extra):
        return Decision("", "", "matching_name", f"{target['name']} only adds {' '.join(extra)!r}")
    return None


def _fuller(group: list[tuple[str, ...]], key: tuple[str, ...], *, prefix: bool) -> list[tuple[str, ...]]:
    """The longer names of the group that end (or, with `prefix`, start) with `key`."""
    n = len(key)
    return [f for f in group if len(f) > n and (f[:n] if prefix else f[-n:]) == key]


def _person_pairs(tx: ManagedTransaction, names: set[str]) -> dict[str, tuple[str, bool]]:
    """partial uri -> (fuller uri, whether it is a first name alone)."""
    by_surname: dict[str, list[tuple[str, ...]]] = {}
    for r in tx.run(cypher.SURNAME_GROUPS, surnames=sorted(names)):
        by_surname.setdefault(r["surname"], []).append(tuple(r["uri"][len(PERSON_BASE):].split("-")))
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for r in tx.run(cypher.FIRST_NAME_GROUPS, keys=sorted(names)):
        by_first.setdefault(r["first_token"], []).append(tuple(r["uri"][len(PERSON_BASE):].split("-")))
    pairs: dict[str, tuple[str, bool]] = {}
    partials = set()
    for group in by_surname.values():
        for key in group:
            fuller = _fuller(group, key, prefix=False)
            if fuller:
                partials.add(key)
            # Exactly one fuller name: it cannot itself have a fuller one (that
            # would end with `key` too), so merges never chain.
            if len(fuller) == 1:
                pairs[PERSON_BASE + "-".join(key)] = (PERSON_BASE + "-".join(fuller[0]), False)
    for first, group in by_first.items():
        key = (first,)
        if key not in by_surname.get(first, []) or key in partials:
            continue  # no node of that name alone, or a surname with a full name
        # A full name that is itself a partial of a longer one is not a target:
        # a first name never joins a node that may be merged away.
        fuller = [f for f in _fuller(group, key, prefix=True) if f not in partials]
        if len(fuller) == 1:
            pairs[PERSON_BASE + first] = (PERSON_BASE + "-".join(fuller[0]), True)
    return pairs


def _org_pairs(tx: ManagedTransaction, groups: set[str]) -> dict[str, str]:
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for r in tx.run(cypher.ORG_GROUPS, keys=sorted(groups)):
        by_first.setdefault(r["first_token"], []).append(tuple(r["uri"][len(ORG_BASE):].split("-")))
    pairs = {}
    for group in by_first.values():
        for key in group:
            fuller = _fuller(group, key, prefix=True)
            # Exactly one longer name starting with `key`: it has no longer one
            # itself (that would start with `key` too), so merges never chain.
            if len(fuller) == 1:
                pairs[ORG_BASE + "-".join(key)] = ORG_BASE + "-".join(fuller[0])
    return pairs


def _records(tx: ManagedTransaction, groups: Groups) -> list[dict[str, Any]]:
    """The merge records of these groups, people's and organisations'."""
    records = []
    if groups.people:
        records += [r["props"] for r in tx.run(cypher.MERGES_OF_SURNAMES, surnames=sorted(groups.people))]
    if groups.orgs:
        records += [r["props"] for r in tx.run(cypher.MERGES_OF_ORG_GROUPS, keys=sorted(groups.orgs))]
    return records


def _as_decision(record: dict[str, Any], *, status: str) -> Decision:
    return Decision(record["alias_uri"], record["target_uri"], record["rule"], str(record.get("reason", "")),
                    status, tuple(record.get("evidence_documents") or ()),
                    tuple(record.get("evidence_sentences") or ()),
                    "Organization" if record["alias_uri"].startswith(ORG_BASE) else "Person")


def _decide(tx: ManagedTransaction, label: str, pairs: dict[str, tuple[str, bool]],
            records: list[dict[str, Any]]) -> list[Decision]:
    vetoed = {(m["alias_uri"], m["target_uri"]) for m in records if m.get("status") in VETOES}
    accepted = [m for m in records if m.get("status") == "accepted"]
    facts_statement = cypher.PERSON_FACTS if label == "Person" else cypher.ORG_FACTS
    uris = sorted({u for a, (t, _) in pairs.items() for u in (a, t)} | {u for m in accepted
                                                                        for u in (m["alias_uri"], m["target_uri"])})
    facts = {r["uri"]: dict(r) for r in tx.run(facts_statement, uris=uris)} if uris else {}
    # A person's decision stands whenever both nodes are there; nothing else may
    # merge its partial node, nor merge its full node away.
    decisions = [_as_decision(m, status="accepted") for m in accepted
                 if m["alias_uri"] in facts and m["target_uri"] in facts]
    taken = {d.alias for d in decisions} | {d.target for d in decisions}
    absorbed = {d.alias for d in decisions}
    evidence = _person_evidence if label == "Person" else _org_evidence
    for alias, (target, first_name) in sorted(pairs.items()):
        if (alias, target) in vetoed or alias in taken or target in absorbed or alias not in facts \
                or target not in facts:
            continue
        if facts[alias]["related"]:
            # A tie to the full name says they are two; one to anyone else of the
            # kind would make this group's merge depend on another's.
            continue
        found = evidence(facts[alias], facts[target])
        if found is None:
            continue
        sure = found.rule in SURE_RULES and not first_name
        decisions.append(Decision(alias, target, found.rule, found.reason, "applied" if sure else "pending",
                                  found.documents, found.sentences, label))
    return decisions


def decide(tx: ManagedTransaction, names: set[str]) -> list[Decision]:
    """The merges and candidates the rules call for in these person groups (unmerged state)."""
    if not names:
        return []
    records = [r["props"] for r in tx.run(cypher.MERGES_OF_SURNAMES, surnames=sorted(names))]
    return _decide(tx, "Person", _person_pairs(tx, names), records)


def decide_orgs(tx: ManagedTransaction, groups: set[str]) -> list[Decision]:
    """The merges and candidates the rules call for in these organisation groups."""
    if not groups:
        return []
    records = [r["props"] for r in tx.run(cypher.MERGES_OF_ORG_GROUPS, keys=sorted(groups))]
    return _decide(tx, "Organization", {a: (t, False) for a, t in _org_pairs(tx, groups).items()}, records)


# ------------------------------------------------------------------ applying
def _entries(props: dict[str, Any]) -> list[list[Any]]:
    """A relationship's evidence entries as rows, one per supporting span."""
    columns = [props.get(f) or [] for f in EVIDENCE_FIELDS]
    return [list(entry) for entry in zip(*columns, strict=False)]


def _columns(entries: list[list[Any]]) -> dict[str, list[Any]]:
    return {f: [e[i] for e in entries] for i, f in enumerate(EVIDENCE_FIELDS)}


def _snapshot(record: dict[str, Any]) -> dict[str, Any]:
    """What the partial node was: its own properties and relationships, in a
    canonical order so the same merge always gives the same record."""
    qualifiers = {t: rt.qualifier_key for t, rt in load_ontology().relation_types.items()}
    rels = []
    for rel in record["rels"]:
        key = qualifiers.get(rel["type"])
        if rel["type"] not in qualifiers:
            continue
        rels.append({
            "type": rel["type"],
            "outgoing": rel["outgoing"],
            "other": rel["other"],
            "qualifier": str(rel["props"].get(key, "")) if key else "",
            "entries": sorted(_entries(rel["props"]), key=json.dumps),
        })
    rels.sort(key=lambda r: (r["type"], r["outgoing"], r["other"], r["qualifier"]))
    node = {k: v for k, v in record["props"].items() if k not in ("uri", "aliases")}
    return {"node": node, "relationships": rels}


def _relationship_rows(rels: list[dict[str, Any]], node: str) -> dict[str, list[dict[str, Any]]]:
    """MERGE_RELATIONSHIPS rows that put these relationships on `node`."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for rel in rels:
        head, tail = (node, rel["other"]) if rel["outgoing"] else (rel["other"], node)
        row: dict[str, Any] = {"head": head, "tail": tail, "qualifier": rel["qualifier"]}
        row.update(_columns(rel["entries"]))
        by_type.setdefault(rel["type"], []).append(row)
    return by_type


# The statements that take a partial node's snapshot, move its mentions and
# delete it, per label merged.
_NODE_STATEMENTS = {
    "Person": (cypher.PERSON_SNAPSHOT, cypher.MOVE_MENTIONS, cypher.DELETE_PERSONS),
    "Organization": (cypher.ORG_SNAPSHOT, cypher.MOVE_ORG_MENTIONS, cypher.DELETE_ORGANIZATIONS),
}


def _record(d: Decision, now: str, alias_name: str, target_name: str) -> dict[str, Any]:
    mid = merge_id(d.alias, d.target)
    org = d.label == "Organization"
    props = {
        "merge_id": mid,
        "entity_label": d.label,
        "rule": d.rule,
        "reason": d.reason,
        "alias_uri": d.alias,
        "alias_name": alias_name,
        "target_uri": d.target,
        "target_name": target_name,
        "evidence_documents": list(d.documents),
        "evidence_sentences": list(d.sentences),
        "surname": None if org else surname_of(d.alias),
        "org_group": first_token_of(d.alias) if org else None,
        "status": d.status,
        "recorded_at": now,
    }
    # An empty list is no value in RDF: leaving it out keeps export and import equal.
    return {"uri": MERGE_BASE + mid, "props": {k: v for k, v in props.items() if v != []}}


def apply(tx: ManagedTransaction, decisions: list[Decision]) -> list[str]:
    """Carry out the merges, record them and the candidates; returns the ids of the merges made."""
    if not decisions:
        return []
    now = datetime.now(UTC).isoformat()
    names = {r["uri"]: r["name"] for r in tx.run(cypher.NAMES_OF, uris=sorted(
        {u for d in decisions for u in (d.alias, d.target)}))}
    merges = [_record(d, now, str(names.get(d.alias, "")), str(names.get(d.target, "")))
              for d in decisions if d.status == "pending"]
    for label, (snapshot_of, move, delete) in _NODE_STATEMENTS.items():
        chosen = [d for d in decisions if d.label == label and d.status != "pending"]
        if not chosen:
            continue
        records = {r["uri"]: dict(r) for r in tx.run(snapshot_of, uris=[d.alias for d in chosen])}
        moves: list[dict[str, str]] = []
        relationships: dict[str, list[dict[str, Any]]] = {}
        for d in chosen:
            record = records[d.alias]
            snapshot = _snapshot(record)
            mentions = sorted(record["mentions"], key=lambda m: m["uri"])
            moves += [{"mention": m["uri"], "source": d.alias, "target": d.target} for m in mentions]
            for rel_type, rows in _relationship_rows(snapshot["relationships"], d.target).items():
                relationships.setdefault(rel_type, []).extend(rows)
            merge = _record(d, now, str(record["props"].get("name", "")), str(names.get(d.target, "")))
            merge["props"].update({
                "mentions": [m["uri"] for m in mentions],
                "mention_documents": sorted({m["document"] for m in mentions}),
                "undo": json.dumps(snapshot, sort_keys=True),
            })
            merges.append(merge)
        tx.run(move, rows=moves).consume()
        for rel_type in sorted(relationships):
            tx.run(cypher.MERGE_RELATIONSHIPS[rel_type], rows=relationships[rel_type]).consume()
        tx.run(delete, uris=[d.alias for d in chosen]).consume()
        tx.run(cypher.REFRESH_ALIASES, uris=sorted({d.target for d in chosen})).consume()
    tx.run(cypher.RECORD_MERGES, rows=merges).consume()
    return [m["props"]["merge_id"] for m in merges if m["props"]["status"] != "pending"]


# ------------------------------------------------------------------- undoing
def _undo(tx: ManagedTransaction, merges: list[dict[str, Any]]) -> None:
    """Put each merged partial node back exactly as its snapshot says."""
    if not merges:
        return
    snapshots = {m["uri"]: json.loads(m["undo"]) for m in merges}
    people = [m for m in merges if not m["alias_uri"].startswith(ORG_BASE)]
    orgs = [m for m in merges if m["alias_uri"].startswith(ORG_BASE)]
    if people:
        tx.run(cypher.MERGE_ENTITIES["Person"], rows=with_surnames(
            [{"uri": m["alias_uri"], "props": snapshots[m["uri"]]["node"]} for m in people])).consume()
        tx.run(cypher.MOVE_MENTIONS, rows=[
            {"mention": mention, "source": m["target_uri"], "target": m["alias_uri"]}
            for m in people for mention in m.get("mentions") or []
        ]).consume()
    if orgs:
        tx.run(cypher.MERGE_ENTITIES["Organization"], rows=with_first_tokens(
            [{"uri": m["alias_uri"], "props": snapshots[m["uri"]]["node"]} for m in orgs])).consume()
        tx.run(cypher.MOVE_ORG_MENTIONS, rows=[
            {"mention": mention, "source": m["target_uri"], "target": m["alias_uri"]}
            for m in orgs for mention in m.get("mentions") or []
        ]).consume()
    # Take the partial node's evidence entries back out of the full node's relationships.
    targets = sorted({m["target_uri"] for m in merges})
    current = {}
    for r in tx.run(cypher.RELATIONSHIPS_OF, uris=targets):
        current[(r["head"], r["type"], r["tail"], _qualifier(r["type"], r["props"]))] = (r["id"], _entries(r["props"]))
    changed: dict[str, list[list[Any]]] = {}
    restore: dict[str, list[dict[str, Any]]] = {}
    for m in merges:
        rels = snapshots[m["uri"]]["relationships"]
        for rel in rels:
            head, tail = (m["target_uri"], rel["other"]) if rel["outgoing"] else (rel["other"], m["target_uri"])
            found = current.get((head, rel["type"], tail, rel["qualifier"]))
            if found is None:
                continue
            rel_id, entries = found
            remaining = changed.setdefault(rel_id, entries)
            for entry in rel["entries"]:
                if entry in remaining:
                    remaining.remove(entry)
        for rel_type, rows in _relationship_rows(rels, m["alias_uri"]).items():
            restore.setdefault(rel_type, []).extend(rows)
    ends = {rel_id: (head, tail) for (head, _, tail, _), (rel_id, _) in current.items()}
    rows = [{"id": rel_id, "head": ends[rel_id][0], "tail": ends[rel_id][1], **_columns(entries)}
            for rel_id, entries in sorted(changed.items())]
    tx.run(cypher.SET_EVIDENCE, rows=rows).consume()
    for rel_type in sorted(restore):
        tx.run(cypher.MERGE_RELATIONSHIPS[rel_type], rows=restore[rel_type]).consume()
    tx.run(cypher.REFRESH_ALIASES, uris=sorted(targets + [m["alias_uri"] for m in merges])).consume()


def _qualifier(rel_type: str, props: dict[str, Any]) -> str:
    rt = load_ontology().relation_types.get(rel_type)
    key = rt.qualifier_key if rt is not None else None
    return str(props.get(key, "")) if key else ""


def undo_groups(tx: ManagedTransaction, groups: Groups) -> None:
    """Undo the merges in these groups and drop their candidates (before a
    change to them): people's first, as they were made after organisations'.
    An accepted merge's record stays (a person's decision), without its snapshot."""
    if not groups:
        return
    records = _records(tx, groups)
    merged = [m for m in records if m.get("status") in ("applied", "accepted") and m.get("undo")]
    for org in (False, True):
        _undo(tx, [m for m in merged if m["alias_uri"].startswith(ORG_BASE) == org])
    dropped = [m["uri"] for m in records if m.get("status") in ("applied", "pending")]
    tx.run(cypher.DELETE_MERGES, uris=dropped).consume()
    kept = [m["uri"] for m in merged if m.get("status") == "accepted"]
    tx.run(cypher.FORGET_MERGE_SNAPSHOTS, uris=kept).consume()


def resolve_groups(tx: ManagedTransaction, groups: Groups) -> list[str]:
    """Merge (and propose) what the rules call for in these groups; returns the
    ids of the merges made. Organisations first: people's rules look at them as resolved."""
    ids = apply(tx, decide_orgs(tx, groups.orgs))
    return ids + apply(tx, decide(tx, groups.people))


def store_missing_surnames(tx: ManagedTransaction) -> None:
    """Give a surname (and first names) to the people, organisations and merge
    records written before they were stored (a graph loaded by an older
    newsgraph): whole-graph work, in a transaction of its own before
    `resolve_all`'s (Neo4j 5.26's index seek still returned a merge record
    deleted in the transaction that had set its surname)."""
    people = [{"uri": r["uri"], "surname": surname_of(r["uri"])} for r in tx.run(cypher.PERSONS_WITHOUT_SURNAME)]
    tx.run(cypher.SET_PERSON_SURNAMES, rows=people).consume()
    tokens = [{"uri": r["uri"], "first_token": first_token_of(r["uri"])}
              for r in tx.run(cypher.ENTITIES_WITHOUT_FIRST_TOKEN)]
    tx.run(cypher.SET_FIRST_TOKENS, rows=tokens).consume()
    merges = [{"uri": r["uri"], "surname": surname_of(str(r["alias"] or ""))}
              for r in tx.run(cypher.MERGES_WITHOUT_SURNAME) if not str(r["alias"] or "").startswith(ORG_BASE)]
    tx.run(cypher.SET_MERGE_SURNAMES, rows=merges).consume()


def all_groups(tx: ManagedTransaction) -> Groups:
    people = {r["surname"] for r in tx.run(cypher.ALL_SURNAMES)}
    orgs = {r["key"] for r in tx.run(cypher.ALL_ORG_GROUPS)}
    return _closed(tx, people, orgs)


def resolve_all(tx: ManagedTransaction) -> list[str]:
    """Resolve the whole graph afresh (undoing merges first)."""
    groups = all_groups(tx)
    undo_groups(tx, groups)
    return resolve_groups(tx, groups)


# ------------------------------------------------------- people's decisions
class MergeStateError(Exception):
    """A merge id that is unknown, or whose record is not in the state a command needs."""


def _find(tx: ManagedTransaction, wanted: str) -> dict[str, Any]:
    record = tx.run(cypher.FIND_MERGE, id=wanted).single()
    if record is None:
        raise MergeStateError(f"no merge record {wanted!r}")
    return dict(record["props"])


def decide_candidate(tx: ManagedTransaction, wanted: str, status: str) -> dict[str, Any]:
    """Accept or reject a pending candidate: record the decision and resolve the
    pair's groups again (an accepted pair is merged as resolution would)."""
    record = _find(tx, wanted)
    if record.get("status") != "pending":
        raise MergeStateError(f"merge {record['merge_id']} is {record.get('status')}, not pending")
    groups = pair_groups(tx, record["alias_uri"], record["target_uri"])
    undo_groups(tx, groups)
    decided = {**record, "status": status, "recorded_at": datetime.now(UTC).isoformat()}
    tx.run(cypher.RECORD_MERGES, rows=merge_rows_with_surnames([{"uri": record["uri"], "props": decided}])).consume()
    resolve_groups(tx, groups)
    return _find(tx, record["uri"])


def split(tx: ManagedTransaction, wanted: str) -> dict[str, Any]:
    """Undo one decision. An applied or accepted merge is undone and its record
    kept as a veto (status split); a rejected candidate's veto is lifted (the
    record goes) and the pair's groups are resolved again, so it may be
    proposed again. Returns the record as it was."""
    merge = _find(tx, wanted)
    status = merge.get("status")
    if status == "applied":
        _undo(tx, [merge])
        tx.run(cypher.MARK_SPLIT, uri=merge["uri"], now=datetime.now(UTC).isoformat()).consume()
        return merge
    if status not in ("accepted", "rejected"):
        raise MergeStateError(f"merge {merge['merge_id']} is {status}: only applied or accepted merges "
                              f"and rejected candidates can be split")
    groups = pair_groups(tx, merge["alias_uri"], merge["target_uri"])
    undo_groups(tx, groups)
    if status == "accepted":
        tx.run(cypher.MARK_SPLIT, uri=merge["uri"], now=datetime.now(UTC).isoformat()).consume()
    else:
        tx.run(cypher.DELETE_MERGES, uris=[merge["uri"]]).consume()
    resolve_groups(tx, groups)
    return merge
