"""Hostile text cannot reach Cypher, and `newsgraph query` cannot write.

Entity names, roles, aliases and document ids made of quotes, backticks,
braces, `//`, `$params`, Cypher statements, control characters and Unicode
look-alikes go through every write path (the ingest flow, load, forget, reset,
export then import, the CLI's forget and import) against the real Neo4j: they
come back verbatim and the rest of the graph is untouched. tests/test_graphstore_cypher.py
checks the other half, that no statement is ever built from data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from graphstore import store
from graphstore.plan import plan_from_graph
from schema.batch import build_batch

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/newsgraph/id/"
HOSTILE = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'Robert"}); DROP CONSTRAINT person_uri; //',
    "`Person` {uri: 'evil'}) CREATE (:Evil",
    "$name ${uri} {{7*7}} %s {0}",
    "\\' OR 1=1 -- \\\\",
    "/* MATCH (n) SET n.pwned = true */",
    "Ｍａｃｒｏｎ",  # full-width
    "Macrоn",  # Cyrillic о
    "\u202eevil\u202c \u200b\u200d\ufeff",  # bidi override, zero-width, BOM
    "tab\tnewline\nreturn\r bell\x07 escape\x1b[0m",
    "😀 𝕄𝕒𝕔𝕣𝕠𝕟 \ue000",
    "nul\x00byte \x7f",
]
SAFE_DOC = "safe.txt"


def _extraction(doc_id: str, people: list[tuple[str, str]], country: str = "germany") -> Extraction:
    """'<country> <role> <person> .' per person, with the given (display name, role)."""
    sentences, entities, relations = [], [], []
    c = Entity("c", "Country", country.title(), BASE + "country/" + country[:2].upper(),
               attributes={"iso_code": country[:2].upper()})
    entities.append(c)
    offset = 0
    for i, (name, role) in enumerate(people):
        sentence = f"{country} {role} {name} ."
        c.mentions.append(Mention(offset, offset + len(country), country, i))
        p0 = offset + len(country) + len(role) + 2
        person = Entity(f"p{i}", "Person", name, f"{BASE}person/{doc_id.encode().hex()[:16]}-{i}")
        person.mentions.append(Mention(p0, p0 + len(name), name, i))
        entities.append(person)
        relations.append(Relation(person.id, "HOLDS_ROLE", c.id, {"role": role}, 0.7,
                                  [Evidence(i, offset, offset + len(sentence))]))
        sentences.append(sentence)
        offset += len(sentence) + 1
    return Extraction(Document(id=doc_id, text="\n".join(sentences)), entities, relations,
                      extractor_version="test-hostile")


def _load(conn: store.Connection, *extractions: Extraction) -> None:
    graph, failures = build_batch(list(extractions))
    assert failures == []
    store.load_plan(conn, plan_from_graph(graph))


def _schema(conn: store.Connection) -> list[dict]:
    constraints = store.run_query(conn, "SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
    indexes = store.run_query(conn, "SHOW INDEXES YIELD name RETURN name ORDER BY name")
    return constraints + indexes


def _hostile_docs() -> list[Extraction]:
    return [_extraction(f"{h}.txt", [(h, h), (f"Olaf {h} Scholz", "chancellor")]) for h in HOSTILE]


def _stored(conn: store.Connection) -> tuple[set[str], set[str], set[str], set[str]]:
    people = {r["n"] for r in store.run_query(conn, "MATCH (p:Person) RETURN p.name AS n")}
    aliases = {a for r in store.run_query(conn, "MATCH (p:Person) RETURN p.aliases AS a") for a in r["a"]}
    roles = {r["r"] for r in store.run_query(conn, "MATCH ()-[r:HOLDS_ROLE]->() RETURN r.role AS r")}
    docs = {r["d"] for r in store.run_query(conn, "MATCH (d:Document) RETURN d.source_id AS d")}
    return people, aliases, roles, docs


def test_every_write_path_keeps_hostile_values_verbatim(empty_graph: store.Connection, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from newsgraph.cli import app

    runner = CliRunner()
    schema_before = _schema(empty_graph)
    safe = _extraction(SAFE_DOC, [("Olaf Scholz", "chancellor"), ("Angela Merkel", "chancellor")])
    _load(empty_graph, safe)
    safe_only = store.fingerprint(empty_graph)

    # load
    _load(empty_graph, *_hostile_docs())
    people, aliases, roles, docs = _stored(empty_graph)
    assert set(HOSTILE) <= people and set(HOSTILE) <= aliases and set(HOSTILE) <= roles
    assert {f"{h}.txt" for h in HOSTILE} <= docs and SAFE_DOC in docs
    assert store.summary(empty_graph)["documents"] == len(HOSTILE) + 1
    assert _schema(empty_graph) == schema_before
    for h in HOSTILE:  # each value finds exactly its own node through a parameter
        rows = store.run_query(empty_graph, "MATCH (p:Person {name: $n})-[r:HOLDS_ROLE {role: $n}]->(c) "
                                            "RETURN p.name AS n, r.documents AS docs", {"n": h})
        assert rows == [{"n": h, "docs": [f"{h}.txt"]}]
    loaded = store.fingerprint(empty_graph)

    # export, reset, import (the CLI's import) gives the same graph back
    for fmt, suffix in (("turtle", "ttl"), ("json-ld", "jsonld")):
        exported = tmp_path / f"graph.{suffix}"
        result = runner.invoke(app, ["export", "--format", fmt, "-o", str(exported)])
        assert result.exit_code == 0, result.output
        # reset (the CLI's reset keeps constraints and indexes)
        result = runner.invoke(app, ["reset", "--yes"])
        assert result.exit_code == 0, result.output
        assert store.run_query(empty_graph, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
        assert _schema(empty_graph) == schema_before
        result = runner.invoke(app, ["import", str(exported)])
        assert result.exit_code == 0, result.output
        assert store.fingerprint(empty_graph) == loaded, f"{fmt} round trip changed the graph"

    # forget, through the library and through the CLI: the safe document is all that is left
    half = len(HOSTILE) // 2
    assert store.forget_documents(empty_graph, [f"{h}.txt" for h in HOSTILE[:half]]) == half
    result = runner.invoke(app, ["forget", *(f"{h}.txt" for h in HOSTILE[half:])])
    assert result.exit_code == 0, result.output
    assert store.fingerprint(empty_graph) == safe_only
    assert _schema(empty_graph) == schema_before


def test_hostile_jsonl_through_the_ingest_flow(empty_graph: store.Connection, prefect_harness,
                                               tmp_path: Path) -> None:
    from flows.ingest import ingest_flow

    lines = [json.dumps({"id": SAFE_DOC, "text": "germany chancellor olaf scholz met france president "
                                                 "emmanuel macron in paris .\n"})]
    for i, h in enumerate(HOSTILE):
        lines.append(json.dumps({"id": h, "title": h, "url": h,
                                 "text": f"{h} . president emmanuel macron of france said {h} in paris , "
                                         f"report {i} .\n"}, ensure_ascii=i % 2 == 0))
    (tmp_path / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_flow([str(tmp_path / "hostile.jsonl")])
    assert report["failed"] == [], report["failed"]
    rows = store.run_query(empty_graph, "MATCH (d:Document) RETURN d.source_id AS id, d.title AS title")
    assert {r["id"] for r in rows} == {SAFE_DOC, *HOSTILE}
    assert all(r["title"] == r["id"] for r in rows if r["id"] != SAFE_DOC)
    macron = store.run_query(empty_graph, "MATCH (p:Person {name: 'Emmanuel Macron'})<-[:REFERS_TO]-(m)"
                                          "-[:IN_DOCUMENT]->(d) RETURN count(DISTINCT d) AS n")
    assert macron == [{"n": len(HOSTILE) + 1}]


# `newsgraph query` without --write: not one of these changes the graph.
WRITES = [
    "MATCH (n) DETACH DELETE n",
    "CREATE (:Person {uri: 'intruder', name: 'intruder'})",
    "MATCH (p:Person) SET p.name = 'pwned'",
    "MATCH (p:Person) REMOVE p.name",
    "MERGE (:Scratch {uri: 'y'})",
    "MATCH (p:Person)-[r]->() DELETE r",
    "MATCH (n) WITH n LIMIT 1 CALL (n) { DETACH DELETE n } RETURN 1 AS x",
    "CALL { MATCH (n) DETACH DELETE n } IN TRANSACTIONS",
    "LOAD CSV FROM 'file:///etc/hostname' AS row CREATE (:Scratch {line: row[0]})",
    "CREATE INDEX evil IF NOT EXISTS FOR (n:Person) ON (n.evil)",
    "DROP CONSTRAINT person_uri",
    "CREATE DATABASE evil",
    "RETURN 1 AS x; MATCH (n) DETACH DELETE n",
    "MATCH (p:Person {name: $name}) SET p.name = 'pwned'",
]


def test_query_without_write_changes_nothing(empty_graph: store.Connection) -> None:
    from newsgraph.cli import app

    _load(empty_graph, _extraction(SAFE_DOC, [("Olaf Scholz", "chancellor")]), *_hostile_docs()[:3])
    before, schema = store.fingerprint(empty_graph), _schema(empty_graph)
    runner = CliRunner()
    for statement in WRITES:
        result = runner.invoke(app, ["query", statement, "--param", f"name={HOSTILE[0]}"])
        assert result.exit_code != 0, f"{statement!r} ran: {result.output}"
        assert store.fingerprint(empty_graph) == before, f"{statement!r} changed the graph"
    assert _schema(empty_graph) == schema
    # Hostile parameter values are data, also for reads.
    result = runner.invoke(app, ["query", "MATCH (p:Person {name: $name}) RETURN p.name AS name", "--json",
                                 "--param", f"name={HOSTILE[0]}"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"name": HOSTILE[0]}]
