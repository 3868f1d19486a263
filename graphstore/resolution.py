"""Cross-document person resolution: one node per person across documents.

Extraction already keys people by their normalised full name (titles
stripped) and, inside one document, folds a lone surname into the one full
name that ends with it. Across documents a lone surname ("Putin") is its own
node, `person/putin`. Resolution merges such a partial node into a full-name
node (`person/vladimir-putin`); likewise a shorter name into the one longer
name that ends with it ("von Bothmer" into "Roland von Bothmer"). It merges when

- the fuller name is the only Person node whose key ends with the partial
  node's key (two full names with that surname: no merge), and
- the partial node has no relationship to another person (one to the full
  name says they are two people; one to anybody else would make the groups
  depend on each other), and
- nobody split that pair before (`newsgraph split` leaves a veto), and
- there is evidence, tried in this order (the first that holds is recorded):
  `shared_role` (the same role at the same country or organisation),
  `shared_country` (tied to the same country by NATIONAL_OF or HOLDS_ROLE),
  `shared_document` (one document mentions both nodes).

A merge moves the partial node's mentions and relationships (evidence entries
appended, support and confidence recomputed) onto the full-name node, deletes
the partial node and records a `Merge` node: the rule, its evidence, the
mentions and documents moved, and a snapshot to undo it exactly.

Resolution is a function of the graph's unmerged contents: before a batch
loads or documents are forgotten, the merges in every surname the change
touches are undone, and after it those surnames are resolved again. Surname
groups are independent (the rules look only at the group's own nodes and at
countries and organisations, which are never merged), so the graph does not
depend on the order documents arrived in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graphstore import cypher
from graphstore.plan import EVIDENCE_FIELDS, LoadPlan
from schema.namespace import ID_BASE
from schema.ontology import load_ontology

PERSON_BASE = ID_BASE + "person/"
MERGE_BASE = ID_BASE + "merge/"
RULES = ("shared_role", "shared_country", "shared_document")


def surname_of(uri: str) -> str | None:
    """The last token of a person's key: `person/vladimir-putin` → `putin`."""
    if not uri.startswith(PERSON_BASE):
        return None
    key = uri[len(PERSON_BASE):]
    return key.rsplit("-", 1)[-1] or None


def surnames(uris: Iterable[str]) -> set[str]:
    return {s for s in map(surname_of, uris) if s}


def with_surnames(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Person rows for MERGE_ENTITIES with each one's `surname` among its
    properties: resolution looks people up by it, through its index."""
    return [{**row, "props": {**row["props"], "surname": surname_of(row["uri"])}} for row in rows]


def merge_rows_with_surnames(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge records for RECORD_MERGES with their partial name's `surname`
    (an imported record has none: export writes only the ontology's keys)."""
    return [{**row, "props": {**row["props"], "surname": surname_of(str(row["props"].get("alias_uri", "")))}}
            for row in rows]


def plan_surnames(plan: LoadPlan) -> set[str]:
    return surnames(row["uri"] for row in plan.entities.get("Person", []))


def document_surnames(tx: ManagedTransaction, doc_ids: list[str]) -> set[str]:
    if not doc_ids:
        return set()
    return surnames(r["uri"] for r in tx.run(cypher.PERSONS_OF_DOCUMENTS, ids=doc_ids))


def merge_id(alias: str, target: str) -> str:
    return hashlib.sha1(f"{alias}\x1f{target}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Decision:
    alias: str
    target: str
    rule: str
    reason: str


# ------------------------------------------------------------------ deciding
def _evidence(alias: dict[str, Any], target: dict[str, Any]) -> tuple[str, str] | None:
    """(rule, reason) of the first rule the two people satisfy, or None."""
    target_roles = {(r["role"], r["uri"]) for r in target["roles"]}
    for r in sorted(alias["roles"], key=lambda r: (str(r["role"]), r["uri"])):
        if (r["role"], r["uri"]) in target_roles:
            return "shared_role", f"both HOLDS_ROLE {r['role']} of {r['name']}"

    def countries(person: dict[str, Any]) -> dict[str, str]:
        tied = {r["uri"]: r["name"] for r in person["roles"] if r["country"]}
        tied.update({n["uri"]: n["name"] for n in person["nations"]})
        return tied

    alias_countries, target_countries = countries(alias), countries(target)
    shared = sorted(set(alias_countries) & set(target_countries))
    if shared:
        return "shared_country", f"both tied to {alias_countries[shared[0]]}"
    both = sorted(set(alias["documents"]) & set(target["documents"]))
    if both:
        return "shared_document", f"both mentioned in {both[0]}"
    return None


def decide(tx: ManagedTransaction, names: set[str]) -> list[Decision]:
    """The merges the rules call for in these surname groups (unmerged state)."""
    if not names:
        return []
    keys: dict[str, list[tuple[str, ...]]] = {}
    for r in tx.run(cypher.SURNAME_GROUPS, surnames=sorted(names)):
        keys.setdefault(r["surname"], []).append(tuple(r["uri"][len(PERSON_BASE):].split("-")))
    pairs: dict[str, str] = {}
    for group in keys.values():
        for key in group:
            fuller = [f for f in group if len(f) > len(key) and f[-len(key):] == key]
            # Exactly one fuller name: it cannot itself have a fuller one (that
            # would end with `key` too), so merges never chain.
            if len(fuller) == 1:
                pairs[PERSON_BASE + "-".join(key)] = PERSON_BASE + "-".join(fuller[0])
    if not pairs:
        return []
    vetoed = {
        (m["props"]["alias_uri"], m["props"]["target_uri"])
        for m in tx.run(cypher.MERGES_OF_SURNAMES, surnames=sorted(names))
        if m["props"].get("status") == "split"
    }
    uris = sorted(set(pairs) | set(pairs.values()))
    facts = {r["uri"]: dict(r) for r in tx.run(cypher.PERSON_FACTS, uris=uris)}
    decisions = []
    for alias, target in sorted(pairs.items()):
        if (alias, target) in vetoed or alias not in facts or target not in facts:
            continue
        if facts[alias]["related"]:
            # A family tie to the full name says they are two people; one to
            # anyone else would make this group's merge depend on another's.
            continue
        found = _evidence(facts[alias], facts[target])
        if found is not None:
            decisions.append(Decision(alias, target, *found))
    return decisions


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


def apply(tx: ManagedTransaction, decisions: list[Decision]) -> list[str]:
    """Carry out the merges and record them; returns the merge ids."""
    if not decisions:
        return []
    records = {r["uri"]: dict(r) for r in tx.run(cypher.PERSON_SNAPSHOT, uris=[d.alias for d in decisions])}
    now = datetime.now(UTC).isoformat()
    moves: list[dict[str, str]] = []
    relationships: dict[str, list[dict[str, Any]]] = {}
    merges: list[dict[str, Any]] = []
    for d in decisions:
        record = records[d.alias]
        snapshot = _snapshot(record)
        mentions = sorted(record["mentions"], key=lambda m: m["uri"])
        moves += [{"mention": m["uri"], "source": d.alias, "target": d.target} for m in mentions]
        for rel_type, rows in _relationship_rows(snapshot["relationships"], d.target).items():
            relationships.setdefault(rel_type, []).extend(rows)
        mid = merge_id(d.alias, d.target)
        merges.append({"uri": MERGE_BASE + mid, "props": {
            "merge_id": mid,
            "rule": d.rule,
            "reason": d.reason,
            "alias_uri": d.alias,
            "alias_name": str(record["props"].get("name", "")),
            "target_uri": d.target,
            "mentions": [m["uri"] for m in mentions],
            "mention_documents": sorted({m["document"] for m in mentions}),
            "surname": surname_of(d.alias),
            "status": "applied",
            "recorded_at": now,
            "undo": json.dumps(snapshot, sort_keys=True),
        }})
    tx.run(cypher.MOVE_MENTIONS, rows=moves).consume()
    for rel_type in sorted(relationships):
        tx.run(cypher.MERGE_RELATIONSHIPS[rel_type], rows=relationships[rel_type]).consume()
    tx.run(cypher.DELETE_PERSONS, uris=[d.alias for d in decisions]).consume()
    tx.run(cypher.REFRESH_ALIASES, uris=sorted({d.target for d in decisions})).consume()
    tx.run(cypher.RECORD_MERGES, rows=merges).consume()
    return [m["props"]["merge_id"] for m in merges]


# ------------------------------------------------------------------- undoing
def _undo(tx: ManagedTransaction, merges: list[dict[str, Any]]) -> None:
    """Put each merged partial node back exactly as its snapshot says."""
    if not merges:
        return
    snapshots = {m["uri"]: json.loads(m["undo"]) for m in merges}
    tx.run(cypher.MERGE_ENTITIES["Person"], rows=with_surnames(
        [{"uri": m["alias_uri"], "props": snapshots[m["uri"]]["node"]} for m in merges])).consume()
    tx.run(cypher.MOVE_MENTIONS, rows=[
        {"mention": mention, "source": m["target_uri"], "target": m["alias_uri"]}
        for m in merges for mention in m.get("mentions") or []
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


def undo_groups(tx: ManagedTransaction, names: set[str]) -> None:
    """Undo the applied merges in these surname groups (before a change to them)."""
    if not names:
        return
    merges = [r["props"] for r in tx.run(cypher.MERGES_OF_SURNAMES, surnames=sorted(names))]
    applied = [m for m in merges if m.get("status") == "applied"]
    _undo(tx, applied)
    tx.run(cypher.DELETE_MERGES, uris=[m["uri"] for m in applied]).consume()


def resolve_groups(tx: ManagedTransaction, names: set[str]) -> list[str]:
    """Merge what the rules call for in these surname groups; returns merge ids."""
    return apply(tx, decide(tx, names))


def store_missing_surnames(tx: ManagedTransaction) -> None:
    """Give a surname to the people and merge records written before surnames
    were stored (a graph loaded by an older newsgraph): whole-graph work, in a
    transaction of its own before `resolve_all`'s (Neo4j 5.26's index seek
    still returned a merge record deleted in the transaction that had set its
    surname)."""
    people = [{"uri": r["uri"], "surname": surname_of(r["uri"])} for r in tx.run(cypher.PERSONS_WITHOUT_SURNAME)]
    tx.run(cypher.SET_PERSON_SURNAMES, rows=people).consume()
    merges = [{"uri": r["uri"], "surname": surname_of(str(r["alias"] or ""))}
              for r in tx.run(cypher.MERGES_WITHOUT_SURNAME)]
    tx.run(cypher.SET_MERGE_SURNAMES, rows=merges).consume()


def all_surnames(tx: ManagedTransaction) -> set[str]:
    return {r["surname"] for r in tx.run(cypher.ALL_SURNAMES)}


def resolve_all(tx: ManagedTransaction) -> list[str]:
    """Resolve the whole graph afresh (undoing applied merges first)."""
    names = all_surnames(tx)
    undo_groups(tx, names)
    return resolve_groups(tx, names)


def split(tx: ManagedTransaction, wanted: str) -> dict[str, Any] | None:
    """Undo one applied merge and keep its record as a veto; None if there is
    no applied merge with that id (or URI)."""
    record = tx.run(cypher.FIND_MERGE, id=wanted).single()
    if record is None or record["props"].get("status") != "applied":
        return None
    merge = record["props"]
    _undo(tx, [merge])
    tx.run(cypher.MARK_SPLIT, uri=merge["uri"], now=datetime.now(UTC).isoformat()).consume()
    return merge
