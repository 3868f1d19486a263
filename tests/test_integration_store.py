"""The graph store against the real Neo4j: idempotent loads, replacement,
retraction, evidence and export."""

from __future__ import annotations

import pytest

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from graphstore import store
from graphstore.export import export_graph
from graphstore.plan import plan_from_graph
from schema.batch import build_batch
from schema.validation import validate_graph

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/newsgraph/id/"


def _doc(doc_id: str, sentences: list[str]) -> Extraction:
    """An extraction for text of the form '<country> <role> <person> ...' per sentence."""
    text = "\n".join(sentences)
    doc = Document(id=doc_id, text=text)
    entities: dict[str, Entity] = {}
    relations: list[Relation] = []
    offset = 0
    for index, sentence in enumerate(sentences):
        country, role, first, last = sentence.split()[:4]
        c0 = offset
        p0 = offset + len(country) + len(role) + 2
        person = f"{first} {last}"
        c = entities.setdefault(country, Entity(f"e{len(entities)}", "Country", country.title(),
                                                BASE + "country/" + country[:2].upper(),
                                                attributes={"iso_code": country[:2].upper()}))
        c.mentions.append(Mention(c0, c0 + len(country), country, index))
        p = entities.setdefault(person, Entity(f"e{len(entities)}", "Person", person.title(),
                                               BASE + "person/" + person.replace(" ", "-")))
        p.mentions.append(Mention(p0, p0 + len(person), person, index))
        relations.append(Relation(p.id, "HOLDS_ROLE", c.id, {"role": role}, 0.6,
                                  [Evidence(index, offset, offset + len(sentence))]))
        offset += len(sentence) + 1
    return Extraction(doc, list(entities.values()), relations, extractor_version="test-1")


def _load(conn: store.Connection, *extractions: Extraction) -> None:
    graph, failures = build_batch(list(extractions))
    assert failures == []
    store.load_plan(conn, plan_from_graph(graph))


def _roles(conn: store.Connection) -> list[dict]:
    return store.run_query(conn, "MATCH (p:Person)-[r:HOLDS_ROLE]->(c:Country) "
                                 "RETURN p.name AS p, r.role AS role, c.name AS c, r.documents AS docs, "
                                 "r.confidence AS confidence, r.evidence AS evidence ORDER BY p, role")


A = _doc("a.txt", ["germany chancellor olaf scholz spoke .", "france president emmanuel macron listened ."])
B = _doc("b.txt", ["germany chancellor olaf scholz travelled ."])


def test_load_twice_is_idempotent(empty_graph: store.Connection) -> None:
    _load(empty_graph, A)
    first = store.fingerprint(empty_graph)
    summary = store.summary(empty_graph)
    assert summary["documents"] == 1
    assert summary["entities"] == {"Country": 2, "Person": 2}
    assert summary["relationships"] == {"HOLDS_ROLE": 2}
    _load(empty_graph, A)
    assert store.fingerprint(empty_graph) == first
    assert store.summary(empty_graph) == summary


def test_evidence_and_support_on_relationship(empty_graph: store.Connection) -> None:
    _load(empty_graph, A, B)
    rows = {(r["p"], r["role"]): r for r in _roles(empty_graph)}
    scholz = rows[("Olaf Scholz", "chancellor")]
    assert sorted(scholz["docs"]) == ["a.txt", "b.txt"]
    assert "germany chancellor olaf scholz spoke ." in scholz["evidence"]
    # Two independent documents at 0.6 each: 1 - 0.4 * 0.4.
    assert scholz["confidence"] == pytest.approx(0.84)
    assert rows[("Emmanuel Macron", "president")]["confidence"] == pytest.approx(0.6)


def test_changed_document_replaces_its_contribution(empty_graph: store.Connection) -> None:
    _load(empty_graph, A)
    changed = _doc("a.txt", ["germany chancellor olaf scholz spoke ."])
    _load(empty_graph, changed)
    names = {r["p"] for r in _roles(empty_graph)}
    assert names == {"Olaf Scholz"}
    people = store.run_query(empty_graph, "MATCH (p:Person) RETURN p.name AS name")
    assert [p["name"] for p in people] == ["Olaf Scholz"]
    store.reset(empty_graph)
    _load(empty_graph, changed)
    alone = store.fingerprint(empty_graph)
    store.reset(empty_graph)
    _load(empty_graph, A)
    _load(empty_graph, changed)
    assert store.fingerprint(empty_graph) == alone


def test_forget_equals_never_loaded(empty_graph: store.Connection) -> None:
    _load(empty_graph, B)
    b_alone = store.fingerprint(empty_graph)
    store.reset(empty_graph)
    _load(empty_graph, A)
    _load(empty_graph, B)
    assert store.fingerprint(empty_graph) != b_alone
    assert store.forget_documents(empty_graph, ["a.txt"]) == 1
    assert store.fingerprint(empty_graph) == b_alone
    scholz = _roles(empty_graph)[0]
    assert scholz["docs"] == ["b.txt"]
    assert scholz["confidence"] == pytest.approx(0.6)


def test_existing_documents_by_hash(empty_graph: store.Connection) -> None:
    _load(empty_graph, A)
    known = store.existing_documents(empty_graph, ["a.txt", "nope.txt"])
    assert known == {"a.txt": A.document.sha256}


def test_export_validates_and_keeps_evidence(empty_graph: store.Connection) -> None:
    _load(empty_graph, A, B)
    graph = export_graph(empty_graph)
    report = validate_graph(graph)
    assert report.conforms, report.summary()
    original, _ = build_batch([A, B])
    from rdflib import RDF

    from schema.namespace import NG

    # Same assertions (same deterministic URIs) as the batch that was loaded.
    assert set(graph.subjects(RDF.type, NG.Assertion)) == set(original.subjects(RDF.type, NG.Assertion))
    assert set(graph.subjects(RDF.type, NG.Mention)) == set(original.subjects(RDF.type, NG.Mention))


def test_query_is_read_only_unless_write(empty_graph: store.Connection) -> None:
    from neo4j.exceptions import ClientError

    with pytest.raises(ClientError):
        store.run_query(empty_graph, "CREATE (:Person {uri: 'x', name: 'intruder'})")
    assert store.run_query(empty_graph, "MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    store.run_query(empty_graph, "CREATE (:Scratch {uri: 'x'})", write=True)
    assert store.run_query(empty_graph, "MATCH (n:Scratch) RETURN count(n) AS n")[0]["n"] == 1


def test_hostile_names_are_stored_verbatim(empty_graph: store.Connection) -> None:
    hostile = "x'}) MATCH (n) DETACH DELETE n //`{}"
    x = _doc("evil`'.txt", ["germany chancellor olaf scholz spoke ."])
    x.entities[1].name = hostile
    _load(empty_graph, x)
    rows = store.run_query(empty_graph, "MATCH (p:Person) RETURN p.name AS name")
    assert rows == [{"name": hostile}]
    assert store.summary(empty_graph)["documents"] == 1
