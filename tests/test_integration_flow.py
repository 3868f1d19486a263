"""The Prefect ingest flow end to end: real spaCy, real Prefect, real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _ingest(paths: list[Path], **kw: object) -> dict:
    from flows.ingest import ingest_flow

    return ingest_flow([str(p) for p in paths], **kw)  # type: ignore[arg-type]


def _one(conn: store.Connection, statement: str, **params: object) -> list[dict]:
    return store.run_query(conn, statement, params)


def test_examples_ingest_and_reingest_is_identical(empty_graph, prefect_harness) -> None:
    report = _ingest([EXAMPLES])
    n_docs = len(list(EXAMPLES.glob("*.txt"))) + sum(
        1 for line in (EXAMPLES / "more.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    )
    assert report["failed"] == []
    assert report["read"] == n_docs and report["loaded"] == n_docs
    summary = store.summary(empty_graph)
    assert summary["documents"] == n_docs
    assert summary["entities"].get("Person", 0) >= 10
    assert summary["entities"].get("Country", 0) >= 5
    assert summary["relationships"].get("HOLDS_ROLE", 0) >= 5
    first = store.fingerprint(empty_graph)

    again = _ingest([EXAMPLES])
    assert again["skipped"] == n_docs and again["loaded"] == 0
    assert store.fingerprint(empty_graph) == first
    forced = _ingest([EXAMPLES], force=True)
    assert forced["loaded"] == n_docs
    assert store.fingerprint(empty_graph) == first
    assert store.summary(empty_graph) == summary


def test_changed_file_replaces_its_facts(empty_graph, prefect_harness, tmp_path: Path) -> None:
    doc = tmp_path / "story.txt"
    doc.write_text("germany chancellor olaf scholz visited paris on monday .\n", encoding="utf-8")
    _ingest([tmp_path])
    assert _one(empty_graph, "MATCH (p:Person {name: 'Olaf Scholz'}) RETURN p.name AS n")
    doc.write_text("france president emmanuel macron visited berlin .\n", encoding="utf-8")
    report = _ingest([tmp_path])
    assert report["loaded"] == 1
    people = {r["n"] for r in _one(empty_graph, "MATCH (p:Person) RETURN p.name AS n")}
    assert "Olaf Scholz" not in people
    assert "Emmanuel Macron" in people


def test_bad_input_is_reported_and_good_documents_load(
    empty_graph, prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest([EXAMPLES / "01_g20_rome_summit.txt"])
    monkeypatch.setenv("NEWSGRAPH_MAX_DOC_BYTES", "5000")
    (tmp_path / "huge.txt").write_text("the minister spoke .\n" * 400, encoding="utf-8")
    before = store.summary(empty_graph)["documents"]
    (tmp_path / "good.txt").write_text("italy prime minister mario draghi spoke in rome .\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.story").write_bytes(b"\x00\xff\x00\x13")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "docs.jsonl").write_text(
        json.dumps({"id": "j1", "text": "spain king felipe vi opened the fair ."}) + "\n{broken\n", encoding="utf-8"
    )
    report = _ingest([tmp_path])
    failed = {Path(source.split(":")[0]).name: reason for source, reason in report["failed"]}
    assert set(failed) == {"empty.txt", "binary.story", "latin1.txt", "docs.jsonl", "huge.txt"}
    assert "over the limit" in failed["huge.txt"]
    assert report["loaded"] == 2
    ids = {r["id"] for r in _one(empty_graph, "MATCH (d:Document) RETURN d.source_id AS id")}
    assert {"good.txt", "j1"} <= ids
    assert store.summary(empty_graph)["documents"] == before + 2


def test_seed_article(empty_graph, prefect_harness, seed_dir: Path) -> None:
    report = _ingest([seed_dir])
    assert report["failed"] == [] and report["loaded"] == 1
    people = {r["n"] for r in _one(empty_graph, "MATCH (p:Person) RETURN p.name AS n")}
    assert "Kim Jong Un" in people
    assert not {n for n in people if n.lower() in {"un", "supreme leader", "kim", "jong"}}
    countries = {r["n"]: r["iso"] for r in _one(empty_graph, "MATCH (c:Country) RETURN c.name AS n, c.iso_code AS iso")}
    assert countries.get("Russia") == "RU"
    assert countries.get("North Korea") == "KP"
    victory = _one(
        empty_graph,
        "MATCH (e:Event {name: 'Victory Day'})-[:ON_DATE]->(d:Date) "
        "MATCH (e)-[:LOCATED_IN]->(p:Place {name: 'Moscow'}) RETURN d.value AS value",
    )
    assert victory and any(r["value"].endswith("05-09") for r in victory)
    lavrov = _one(
        empty_graph,
        "MATCH (:Person {name: 'Sergey Lavrov'})-[r:HOLDS_ROLE {role: 'foreign minister'}]->"
        "(:Country {name: 'Russia'}) "
        "RETURN r.evidence AS evidence, r.documents AS docs",
    )
    assert lavrov, "Sergey Lavrov HOLDS_ROLE foreign minister of Russia is missing"
    assert any("sergey lavrov" in sentence for sentence in lavrov[0]["evidence"])
    kin = _one(
        empty_graph,
        "MATCH (:Person {name: 'Kim Il Sung'})-[r:RELATIVE_OF {kind: 'grandfather'}]->(:Person {name: 'Kim Jong Un'}) "
        "RETURN count(r) AS n",
    )
    assert kin[0]["n"] == 1
