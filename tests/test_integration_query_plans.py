"""Every statement a load runs finds its nodes through an index, never by
reading a whole label (or every relationship): a batch's cost must not grow
with the graph.

The statements are not listed by hand: a real scenario (loads, a merge, a
changed document that undoes it, a forgotten document, a split) runs against
the test Neo4j while every statement and its parameters are recorded, then
each is EXPLAINed with the parameters it ran with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import ManagedTransaction
from test_integration_resolution import _load, _person_doc  # the same hand-made documents

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from graphstore import cypher, store

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/newsgraph/id/"


def _org_doc(doc_id: str, orgs: list[tuple[str, str]]) -> Extraction:
    """One sentence per (organisation, country code), each a LOCATED_IN fact."""
    text = ""
    entities: dict[str, Entity] = {}
    relations = []
    for index, (name, code) in enumerate(orgs):
        sentence = f"{name} is located in {code} ."
        o = entities.setdefault(name, Entity(f"e{len(entities)}", "Organization", name,
                                             BASE + "organization/" + name.lower().replace(" ", "-")))
        o.mentions.append(Mention(len(text), len(text) + len(name), name, index))
        c0 = len(text) + sentence.index(code)
        c = entities.setdefault(code, Entity(f"e{len(entities)}", "Country", code, BASE + "country/" + code,
                                             attributes={"iso_code": code}))
        c.mentions.append(Mention(c0, c0 + len(code), code, index))
        relations.append(Relation(o.id, "LOCATED_IN", c.id, {}, 0.7,
                                  [Evidence(index, len(text), len(text) + len(sentence))]))
        text += sentence + "\n"
    return Extraction(Document(doc_id, text), list(entities.values()), relations, extractor_version="test-1")


def _names() -> dict[str, str]:
    """statement text -> its name in graphstore.cypher (for the failure message)."""
    named: dict[str, str] = {}
    for name, value in vars(cypher).items():
        if isinstance(value, str):
            named[value] = name
        elif isinstance(value, dict):
            named.update({text: f"{name}[{key}]" for key, text in value.items() if isinstance(text, str)})
    return named


def _operators(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["operatorType"].split("@", 1)[0]
    for child in plan.get("children", []):
        yield from _operators(child)


def _scans(conn: store.Connection, statement: str, params: dict[str, Any]) -> list[str]:
    """The operators of the statement's plan that read a whole label, index or
    relationship store (NodeByLabelScan, AllNodesScan, NodeIndexScan, ...), or
    an open range of an index (a prefix every key shares reads all of it)."""
    driver = store.get_driver(conn)
    with driver.session(database=conn.database) as session:
        plan = session.run("EXPLAIN " + statement, params).consume().plan
    assert plan, statement
    return [op for op in _operators(plan) if op.endswith("Scan") or "ByRange" in op]


@pytest.fixture()
def recorded(empty_graph: store.Connection, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Runs the scenario; every (statement, parameters) a store call ran in a
    transaction. Plans are cached from the first batch on an empty graph, where
    a planner may well start from a label that is empty then (the statements
    keep their plans: cypher.NO_REPLAN), as a new deployment's would be."""
    calls: list[tuple[str, dict[str, Any]]] = []
    run = ManagedTransaction.run
    conn = empty_graph
    store.run_query(conn, "CALL db.clearQueryCaches()", write=True)

    def recording(self: ManagedTransaction, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        calls.append((str(query), {**(parameters or {}), **kwargs}))
        return run(self, query, parameters, **kwargs)

    def _merge_ids() -> list[str]:
        with monkeypatch.context() as quiet:
            quiet.setattr(ManagedTransaction, "run", run)
            return [r["id"] for r in store.run_query(conn, "MATCH (m:Merge) RETURN m.merge_id AS id")]

    monkeypatch.setattr(ManagedTransaction, "run", recording)
    # Graph enough that the planner has statistics to weigh, unrelated to the scenario.
    _load(conn, *[_person_doc(f"crowd{i}.txt", [(f"Ann Jones{i}", "FR"), (f"Bob Lee{i}", "DE")])
                  for i in range(30)])
    _load(conn, _person_doc("john.txt", [("John Smith", "GB")]))
    _load(conn, _person_doc("smith.txt", [("Smith", "GB")]))  # merged into John Smith
    assert len(_merge_ids()) == 1, "the scenario must exercise a merge"
    # Changed text: the merge is undone, the document's old facts retracted.
    _load(conn, _person_doc("smith.txt", [("Smith", "GB"), ("Carl Weber", "DE")]))
    store.forget_documents(conn, ["john.txt"])
    _load(conn, _person_doc("john.txt", [("John Smith", "GB")]))
    [merge] = _merge_ids()
    assert store.split_merge(conn, merge) is not None
    _load(conn, _person_doc("smith.txt", [("Smith", "GB")]))  # the veto is read, no merge
    # Organisations: one sure merge (a shared country), one candidate (only the name matches).
    _load(conn, _org_doc("labour.txt", [("Labour", "GB"), ("Barclays", "FR")]))
    _load(conn, _org_doc("party.txt", [("Labour Party", "GB"), ("Barclays Bank", "GB")]))
    # A first name beside one full name: a candidate, accepted; a re-ingest
    # undoes and redoes the accepted merge; then a rejected one, its veto lifted.
    _load(conn, _person_doc("anna.txt", [("Anna", "IT")]), _person_doc("moretti.txt", [("Anna Moretti", "IT")]))
    with monkeypatch.context() as quiet:
        quiet.setattr(ManagedTransaction, "run", run)
        pending = store.merges_with_status(conn, "pending")
    assert {m["alias_name"] for m in pending} == {"Anna", "Barclays"}, "the scenario must exercise candidates"
    by_name = {m["alias_name"]: m["merge_id"] for m in pending}
    store.decide_merge(conn, by_name["Anna"], "accepted")
    _load(conn, _person_doc("anna.txt", [("Anna", "IT"), ("Carla Rossi", "IT")]))
    store.decide_merge(conn, by_name["Barclays"], "rejected")
    store.split_merge(conn, by_name["Barclays"])
    store.forget_documents(conn, ["party.txt"])
    monkeypatch.undo()
    return calls


def test_load_path_statements_seek_through_indexes(empty_graph: store.Connection, recorded) -> None:
    statements = {text for text, _ in recorded}
    # The scenario went through resolution's and retraction's statements.
    for expected in (cypher.SURNAME_GROUPS, cypher.MERGES_OF_SURNAMES, cypher.SET_EVIDENCE,
                     cypher.RETRACT_EVIDENCE, cypher.DELETE_DOCUMENTS, cypher.MOVE_MENTIONS, cypher.FIND_MERGE,
                     cypher.FIRST_NAME_GROUPS, cypher.ORG_GROUPS, cypher.ORGS_OF_DOCUMENTS,
                     cypher.PEOPLE_OF_ORG_GROUPS, cypher.ORG_FACTS, cypher.ORG_SNAPSHOT, cypher.MOVE_ORG_MENTIONS,
                     cypher.DELETE_ORGANIZATIONS, cypher.MERGES_OF_ORG_GROUPS, cypher.FORGET_MERGE_SNAPSHOTS,
                     cypher.NAMES_OF, cypher.PERSON_FACTS, cypher.RECORD_MERGES):
        assert expected in statements
    names = _names()
    scanning = {}
    for text, params in recorded:
        found = _scans(empty_graph, text, params)
        if found:
            scanning[names.get(text, text.strip()[:160])] = found
    known = [r["id"] for r in store.run_query(empty_graph, "MATCH (d:Document) RETURN d.source_id AS id")]
    found = _scans(empty_graph, cypher.EXISTING_DOCUMENTS, {"ids": known})
    if found:
        scanning["EXISTING_DOCUMENTS"] = found
    assert not scanning, "statements that scan:\n" + "\n".join(f"{k}: {v}" for k, v in sorted(scanning.items()))


def test_a_surname_found_from_the_uri_would_be_caught(empty_graph: store.Connection) -> None:
    # The form resolution used before surnames were stored: the check must see its scan.
    old = ("MATCH (p:Person) WHERE p.uri STARTS WITH $base "
           "WITH p, split(substring(p.uri, size($base)), '-') AS parts "
           "WHERE last(parts) IN $surnames RETURN p.uri AS uri")
    assert _scans(empty_graph, old, {"base": BASE + "person/", "surnames": ["smith"]})
    assert _scans(empty_graph, "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.id RETURN r",
                  {"rows": [{"id": "x"}]})


def test_people_and_merges_carry_their_surname(empty_graph: store.Connection) -> None:
    _load(empty_graph, _person_doc("john.txt", [("John Smith", "GB")]), _person_doc("smith.txt", [("Smith", "GB")]))
    people = store.run_query(empty_graph, "MATCH (p:Person) RETURN p.uri AS uri, p.surname AS surname")
    assert [(r["uri"].removeprefix(BASE), r["surname"]) for r in people] == [("person/john-smith", "smith")]
    merges = store.run_query(empty_graph, "MATCH (m:Merge) RETURN m.surname AS surname")
    assert [r["surname"] for r in merges] == ["smith"]


def test_whole_graph_resolution_gives_older_nodes_their_surname(empty_graph: store.Connection) -> None:
    # A graph loaded before surnames were stored: `newsgraph resolve` fills them in and merges.
    _load(empty_graph, _person_doc("john.txt", [("John Smith", "GB")]))
    _load(empty_graph, _person_doc("smith.txt", [("Smith", "GB")]), )
    store.run_query(empty_graph, "MATCH (n) WHERE n:Person OR n:Merge REMOVE n.surname", write=True)
    store.resolve_all(empty_graph)
    people = store.run_query(empty_graph, "MATCH (p:Person) RETURN p.uri AS uri, p.surname AS surname")
    assert [(r["uri"].removeprefix(BASE), r["surname"]) for r in people] == [("person/john-smith", "smith")]
    merges = store.run_query(empty_graph, "MATCH (m:Merge) RETURN m.surname AS surname, m.status AS status")
    assert merges == [{"surname": "smith", "status": "applied"}]
