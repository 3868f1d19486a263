"""Document lifecycle and the RDF round trip, with real extraction, Prefect and Neo4j."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _ingest(*paths: Path) -> dict:
    from flows.ingest import ingest_flow

    report = ingest_flow([str(p) for p in paths])
    assert report["failed"] == []
    return report


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsgraph.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=300)


def test_forget_a_equals_b_alone(empty_graph, prefect_harness, tmp_path: Path) -> None:
    # Two articles that share facts (Macron is France's president in both).
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "g20.txt").write_text((EXAMPLES / "01_g20_rome_summit.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (b / "g7.txt").write_text((EXAMPLES / "05_g7_charlevoix_summit.txt").read_text(encoding="utf-8"),
                              encoding="utf-8")
    _ingest(b)
    b_alone = store.fingerprint(empty_graph)
    store.reset(empty_graph)
    _ingest(a, b)
    shared = store.run_query(empty_graph, "MATCH (:Person {name: 'Emmanuel Macron'})-[r:HOLDS_ROLE]->"
                                          "(:Country {name: 'France'}) RETURN r.documents AS docs")
    assert sorted(shared[0]["docs"]) == ["g20.txt", "g7.txt"]
    assert store.fingerprint(empty_graph) != b_alone
    result = _cli("forget", "g20.txt")
    assert result.returncode == 0, result.stderr
    assert store.fingerprint(empty_graph) == b_alone


def test_export_import_round_trip(empty_graph, prefect_harness, tmp_path: Path) -> None:
    from rdflib import Graph

    from schema.validation import validate_graph

    _ingest(EXAMPLES)
    before = store.fingerprint(empty_graph)
    ttl = tmp_path / "graph.ttl"
    assert _cli("export", "--format", "turtle", "-o", str(ttl)).returncode == 0
    assert validate_graph(Graph().parse(ttl, format="turtle")).conforms
    store.reset(empty_graph)
    assert store.summary(empty_graph)["documents"] == 0
    result = _cli("import", str(ttl))
    assert result.returncode == 0, result.stderr
    assert store.fingerprint(empty_graph) == before

    jsonld = tmp_path / "graph.jsonld"
    assert _cli("export", "--format", "json-ld", "-o", str(jsonld)).returncode == 0
    store.reset(empty_graph)
    assert _cli("import", str(jsonld)).returncode == 0
    assert store.fingerprint(empty_graph) == before


def test_import_refuses_a_file_that_breaks_the_shapes(empty_graph, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ng: <https://w3id.org/newsgraph/ontology#> .\n"
        "<https://w3id.org/newsgraph/id/country/XX> a ng:Country ; ng:isoCode \"not a code\" .\n",
        encoding="utf-8",
    )
    result = _cli("import", str(bad))
    assert result.returncode == 1
    assert "does not conform" in result.stderr
    assert store.summary(empty_graph)["entities"] == {}


def test_import_refusal_is_one_line_whatever_the_path_and_width(empty_graph, tmp_path: Path) -> None:
    bad = tmp_path / ("a-folder-with-a-long-name-" * 4) / "bad.ttl"
    bad.parent.mkdir()
    bad.write_text(
        "@prefix ng: <https://w3id.org/newsgraph/ontology#> .\n"
        "<https://w3id.org/newsgraph/id/country/XX> a ng:Country ; ng:isoCode \"not a code\" .\n",
        encoding="utf-8",
    )
    result = subprocess.run([sys.executable, "-m", "newsgraph.cli", "import", str(bad)], capture_output=True,
                            text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "40"}, timeout=300)
    assert result.returncode == 1
    assert f"error: {bad} does not conform to the shapes; nothing loaded:" in result.stderr.splitlines()


def test_why_prints_the_sentence(empty_graph, prefect_harness) -> None:
    _ingest(EXAMPLES / "05_g7_charlevoix_summit.txt")
    result = _cli("why", "Justin Trudeau", "HOLDS_ROLE", "Canada")
    assert result.returncode == 0, result.stderr
    assert "05_g7_charlevoix_summit.txt" in result.stdout
    assert "justin trudeau" in result.stdout
    missing = _cli("why", "Justin Trudeau", "RELATIVE_OF", "Canada")
    assert missing.returncode == 1 and "no RELATIVE_OF" in missing.stdout
