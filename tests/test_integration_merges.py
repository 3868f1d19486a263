"""Merges an analyst reviews, against the real Neo4j: resolution that is not
sure proposes a candidate, `newsgraph merges accept|reject` decides it,
`newsgraph split` undoes the decision, and organisations are resolved across
documents like people."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from graphstore import store
from graphstore.plan import plan_from_graph
from schema.batch import build_batch

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/newsgraph/id/"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsgraph.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "COLUMNS": "200"}, timeout=300)


def _doc(doc_id: str, facts: list[tuple[str, str, str, str, str]]) -> Extraction:
    """One sentence per fact (head name, head label, relation, tail name, tail
    label): '<head> <relation> <tail> .', the relation's evidence."""
    text = ""
    entities: dict[tuple[str, str], Entity] = {}
    relations = []
    for index, (head, head_label, rel_type, tail, tail_label) in enumerate(facts):
        sentence = f"{head} {rel_type.lower().replace('_', ' ')} {tail} ."
        ids = []
        for name, label, at in ((head, head_label, 0), (tail, tail_label, sentence.rindex(tail))):
            key = name if label == "Country" else name.lower().replace(" ", "-")
            attributes = {"iso_code": name} if label == "Country" else {}
            entity = entities.setdefault((label, name), Entity(f"e{len(entities)}", label, name,
                                                               f"{BASE}{label.lower()}/{key}",
                                                               attributes=attributes))
            entity.mentions.append(Mention(len(text) + at, len(text) + at + len(name), name, index))
            ids.append(entity.id)
        qualifiers = {"role": "leader"} if rel_type == "HOLDS_ROLE" else {}
        relations.append(Relation(ids[0], rel_type, ids[1], qualifiers, 0.7,
                                  [Evidence(index, len(text), len(text) + len(sentence))]))
        text += sentence + "\n"
    return Extraction(Document(doc_id, text), list(entities.values()), relations, extractor_version="test-1")


def _load(conn: store.Connection, *extractions: Extraction, resolve: bool = True) -> None:
    graph, failures = build_batch(list(extractions))
    assert failures == []
    store.load_plan(conn, plan_from_graph(graph), resolve=resolve)


def _nodes(conn: store.Connection, label: str) -> dict[str, list[str]]:
    rows = store.run_query(conn, f"MATCH (n:{label}) RETURN n.uri AS uri, n.aliases AS aliases")
    return {r["uri"].removeprefix(f"{BASE}{label.lower()}/"): sorted(r["aliases"]) for r in rows}


def _records(conn: store.Connection) -> list[dict]:
    return [r["m"] for r in store.run_query(conn, "MATCH (m:Merge) RETURN properties(m) AS m ORDER BY m.uri")]


def _pending() -> list[dict]:
    result = _cli("merges", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


MICHAEL = _doc("michael.txt", [("Michael", "Person", "NATIONAL_OF", "DE", "Country")])
SCHUMACHER = _doc("schumacher.txt", [("Michael Schumacher", "Person", "NATIONAL_OF", "DE", "Country")])
MICHAEL_AGAIN = _doc("michael2.txt", [("Michael", "Person", "NATIONAL_OF", "DE", "Country"),
                                      ("Michael", "Person", "LIVES_IN", "Monaco", "Place")])


def test_a_first_name_is_proposed_accepted_and_split(empty_graph) -> None:
    _load(empty_graph, MICHAEL, SCHUMACHER, resolve=False)
    unresolved = store.fingerprint(empty_graph)
    store.reset(empty_graph)
    _load(empty_graph, MICHAEL, SCHUMACHER)
    # Proposed, not merged: both nodes stay as they were.
    assert set(_nodes(empty_graph, "Person")) == {"michael", "michael-schumacher"}
    [candidate] = _pending()
    assert candidate["status"] == "pending" and candidate["rule"] == "shared_country"
    assert (candidate["alias_name"], candidate["target_name"]) == ("Michael", "Michael Schumacher")
    assert candidate["evidence_documents"] == ["michael.txt", "schumacher.txt"]
    assert candidate["evidence_sentences"] == ["michael.txt sentence 0: Michael national of DE .",
                                               "schumacher.txt sentence 0: Michael Schumacher national of DE ."]
    listed = _cli("merges")
    assert "'Michael' -> 'Michael Schumacher'" in listed.stdout and "michael.txt sentence 0" in listed.stdout

    accepted = _cli("merges", "accept", candidate["merge_id"], "--json")
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["status"] == "accepted"
    assert _nodes(empty_graph, "Person") == {"michael-schumacher": ["Michael", "Michael Schumacher"]}
    support = store.run_query(empty_graph, "MATCH (:Person {name: 'Michael Schumacher'})-[r:NATIONAL_OF]->() "
                                           "RETURN r.support AS n")
    assert support == [{"n": 2}]
    assert _pending() == []
    # More about Michael: the accepted decision holds for it too.
    _load(empty_graph, MICHAEL_AGAIN)
    assert set(_nodes(empty_graph, "Person")) == {"michael-schumacher"}
    assert [r["status"] for r in _records(empty_graph)] == ["accepted"]
    store.forget_documents(empty_graph, ["michael2.txt"])

    split = _cli("split", candidate["merge_id"])
    assert split.returncode == 0, split.stderr
    assert set(_nodes(empty_graph, "Person")) == {"michael", "michael-schumacher"}
    assert [r["status"] for r in _records(empty_graph)] == ["split"]
    assert store.fingerprint(empty_graph) == unresolved
    assert _pending() == []  # a split pair is not proposed again


def test_reject_vetoes_and_split_lifts_the_veto(empty_graph) -> None:
    _load(empty_graph, MICHAEL, SCHUMACHER)
    before = store.fingerprint(empty_graph)
    [candidate] = _pending()
    rejected = _cli("merges", "reject", candidate["merge_id"])
    assert rejected.returncode == 0, rejected.stderr
    assert [r["status"] for r in _records(empty_graph)] == ["rejected"]
    assert set(_nodes(empty_graph, "Person")) == {"michael", "michael-schumacher"}
    # Re-ingesting and more evidence do not propose the pair again.
    _load(empty_graph, _doc("michael.txt", [("Michael", "Person", "NATIONAL_OF", "DE", "Country"),
                                            ("Michael", "Person", "LIVES_IN", "Monaco", "Place")]))
    _load(empty_graph, MICHAEL_AGAIN)
    assert _pending() == []
    assert [r["status"] for r in _records(empty_graph)] == ["rejected"]
    # Lifting the veto resolves the pair again: it is pending once more.
    lifted = _cli("split", candidate["merge_id"])
    assert lifted.returncode == 0, lifted.stderr
    assert [c["merge_id"] for c in _pending()] == [candidate["merge_id"]]
    # With michael.txt back as first loaded, the graph is the one first proposed.
    store.forget_documents(empty_graph, ["michael2.txt"])
    _load(empty_graph, MICHAEL)
    assert store.fingerprint(empty_graph) == before


def test_wrong_ids_and_states_are_clear_errors(empty_graph) -> None:
    _load(empty_graph, MICHAEL, SCHUMACHER)
    [candidate] = _pending()
    unknown = _cli("merges", "accept", "nosuchmerge")
    assert unknown.returncode == 1 and "no merge record 'nosuchmerge'" in unknown.stderr
    not_yet = _cli("split", candidate["merge_id"])
    assert not_yet.returncode == 1 and "is pending" in not_yet.stderr
    assert _cli("merges", "accept", candidate["merge_id"]).returncode == 0
    twice = _cli("merges", "reject", candidate["merge_id"])
    assert twice.returncode == 1 and "is accepted, not pending" in twice.stderr


def test_a_candidate_goes_with_its_evidence(empty_graph) -> None:
    _load(empty_graph, MICHAEL, SCHUMACHER)
    assert len(_pending()) == 1
    store.forget_documents(empty_graph, ["schumacher.txt"])
    assert _records(empty_graph) == []
    # Only one document ties them: a candidate, never a merge.
    _load(empty_graph, _doc("both.txt", [("Michael Schumacher", "Person", "LIVES_IN", "Monaco", "Place"),
                                         ("Michael", "Person", "LIVES_IN", "Monaco", "Place"),
                                         ("Schumacher", "Person", "LIVES_IN", "Monaco", "Place")]))
    rules = sorted((r["alias_uri"].rsplit("/", 1)[1], r["rule"], r["status"]) for r in _records(empty_graph))
    assert rules == [("michael", "shared_document", "pending"), ("schumacher", "shared_document", "pending")]
    assert set(_nodes(empty_graph, "Person")) == {"michael", "michael-schumacher", "schumacher"}


LABOUR = _doc("labour.txt", [("Labour", "Organization", "LOCATED_IN", "GB", "Country")])
LABOUR_PARTY = _doc("labour-party.txt", [("Labour Party", "Organization", "LOCATED_IN", "GB", "Country")])
BARCLAYS = _doc("barclays.txt", [("Barclays", "Organization", "LOCATED_IN", "London", "Place")])
BARCLAYS_BANK = _doc("barclays-bank.txt", [("Barclays Bank", "Organization", "LOCATED_IN", "GB", "Country")])


def test_organisations_merge_or_are_proposed_by_the_rules(empty_graph) -> None:
    _load(empty_graph, LABOUR, BARCLAYS)
    _load(empty_graph, LABOUR_PARTY, BARCLAYS_BANK)
    orgs = _nodes(empty_graph, "Organization")
    # Labour: a shorter name, one longer name, the same country: merged.
    assert orgs["labour-party"] == ["Labour", "Labour Party"] and "labour" not in orgs
    located = store.run_query(empty_graph, "MATCH (:Organization {name: 'Labour Party'})-[r:LOCATED_IN]->"
                                           "(:Country {iso_code: 'GB'}) RETURN r.documents AS docs")
    assert sorted(located[0]["docs"]) == ["labour-party.txt", "labour.txt"]
    # Barclays: no shared evidence, only a name that matches: proposed.
    assert {"barclays", "barclays-bank"} <= set(orgs)
    [candidate] = _pending()
    assert (candidate["entity_label"], candidate["rule"]) == ("Organization", "matching_name")
    assert (candidate["alias_name"], candidate["target_name"]) == ("Barclays", "Barclays Bank")
    by_alias = {r["alias_name"]: r for r in _records(empty_graph)}
    assert by_alias["Labour"]["status"] == "applied" and by_alias["Labour"]["rule"] == "shared_country"
    # A second longer name: "Labour" is no longer sure of either.
    _load(empty_graph, _doc("union.txt", [("Labour Union", "Organization", "LOCATED_IN", "GB", "Country")]))
    assert {"labour", "labour-party", "labour-union"} <= set(_nodes(empty_graph, "Organization"))
    assert "Labour" not in {r["alias_name"] for r in _records(empty_graph)}
    accepted = _cli("merges", "accept", candidate["merge_id"])
    assert accepted.returncode == 0, accepted.stderr
    assert "barclays" not in _nodes(empty_graph, "Organization")


def test_people_tied_to_merged_organisations_undo_cleanly(empty_graph) -> None:
    # A person merge made with an organisation merge in place, then the
    # organisation group changes: forgetting gives the graph as never ingested.
    first = (_doc("a.txt", [("Keir Starmer", "Person", "HOLDS_ROLE", "Labour Party", "Organization"),
                            ("Labour Party", "Organization", "LOCATED_IN", "GB", "Country")]),)
    _load(empty_graph, *first)
    alone = store.fingerprint(empty_graph)
    _load(empty_graph, _doc("b.txt", [("Starmer", "Person", "HOLDS_ROLE", "Labour", "Organization"),
                                      ("Labour", "Organization", "LOCATED_IN", "GB", "Country")]))
    assert set(_nodes(empty_graph, "Person")) == {"keir-starmer"}
    assert set(_nodes(empty_graph, "Organization")) == {"labour-party"}
    assert sorted(r["rule"] for r in _records(empty_graph)) == ["shared_country", "shared_role"]
    _load(empty_graph, _doc("c.txt", [("Labour Union", "Organization", "LOCATED_IN", "GB", "Country")]))
    assert {"labour", "labour-party"} <= set(_nodes(empty_graph, "Organization"))
    store.forget_documents(empty_graph, ["b.txt", "c.txt"])
    assert store.fingerprint(empty_graph) == alone


def test_export_import_keeps_candidates_and_decisions(empty_graph, tmp_path: Path) -> None:
    _load(empty_graph, MICHAEL, SCHUMACHER, BARCLAYS, BARCLAYS_BANK)
    michael = next(c for c in _pending() if c["alias_name"] == "Michael")
    assert _cli("merges", "accept", michael["merge_id"]).returncode == 0
    before = store.fingerprint(empty_graph)
    ttl = tmp_path / "graph.ttl"
    exported = _cli("export", "-o", str(ttl))
    assert exported.returncode == 0, exported.stderr
    store.reset(empty_graph)
    imported = _cli("import", str(ttl))
    assert imported.returncode == 0, imported.stderr
    assert store.fingerprint(empty_graph) == before
    assert sorted((r["alias_name"], r["status"]) for r in _records(empty_graph)) == [
        ("Barclays", "pending"), ("Michael", "accepted")]
    # The imported accepted merge is still undoable.
    assert _cli("split", michael["merge_id"]).returncode == 0
    assert "michael" in _nodes(empty_graph, "Person")


def test_a_real_article_candidate_through_the_flow(empty_graph, prefect_harness, tmp_path: Path) -> None:
    from flows.ingest import ingest_flow

    # The example names "andres manuel lopez obrador" first and "lopez obrador" after: one shared
    # document is the only tie, so the pair is proposed, not merged.
    article = (ROOT / "examples" / "04_mexico_independence_day.txt").read_text(encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "mexico.txt").write_text(article, encoding="utf-8")
    assert ingest_flow([str(inbox)])["failed"] == []
    [candidate] = [c for c in _pending() if c["target_name"] == "Andres Manuel Lopez Obrador"]
    assert candidate["alias_name"] == "Lopez Obrador" and candidate["evidence_documents"] == ["mexico.txt"]
    people = set(_nodes(empty_graph, "Person"))
    assert {"lopez-obrador", "andres-manuel-lopez-obrador"} <= people

    assert _cli("merges", "accept", candidate["merge_id"]).returncode == 0
    assert set(_nodes(empty_graph, "Person")) == people - {"lopez-obrador"}
    assert _cli("split", candidate["merge_id"]).returncode == 0
    assert set(_nodes(empty_graph, "Person")) == people

    # Rejected instead: the changed article, re-ingested, does not bring the pair back.
    store.reset(empty_graph)
    assert ingest_flow([str(inbox)])["failed"] == []
    assert _cli("merges", "reject", candidate["merge_id"]).returncode == 0
    (inbox / "mexico.txt").write_text(article + "lopez obrador spoke again on friday .\n", encoding="utf-8")
    report = ingest_flow([str(inbox)])
    assert report["failed"] == [] and report["loaded"] == 1
    assert [c for c in _pending() if c["alias_name"] == "Lopez Obrador"] == []
    assert {r["status"] for r in _records(empty_graph) if r["alias_name"] == "Lopez Obrador"} == {"rejected"}
    assert {"lopez-obrador", "andres-manuel-lopez-obrador"} <= set(_nodes(empty_graph, "Person"))


def test_the_order_documents_arrive_in_does_not_matter(empty_graph) -> None:
    starmer = _doc("a.txt", [("Keir Starmer", "Person", "HOLDS_ROLE", "Labour Party", "Organization")])
    short = _doc("b.txt", [("Starmer", "Person", "HOLDS_ROLE", "Labour", "Organization"),
                           ("Labour", "Organization", "LOCATED_IN", "GB", "Country")])
    docs = [MICHAEL, SCHUMACHER, LABOUR_PARTY, BARCLAYS, BARCLAYS_BANK, starmer, short]
    _load(empty_graph, *docs)
    together = store.fingerprint(empty_graph)
    assert len(_pending()) == 2 and len(_records(empty_graph)) == 4
    for order in (docs[::-1], docs[3:] + docs[:3]):
        store.reset(empty_graph)
        for doc in order:
            _load(empty_graph, doc)
        assert store.fingerprint(empty_graph) == together
