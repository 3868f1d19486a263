"""A newer extractor refreshes the graph: an unchanged document that another
extractor version read is extracted again on the next ingest, its old facts
retracted; with re-extraction switched off it is skipped. Real spaCy, Prefect
and Neo4j; the "new model" is a different `extractor_version`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

STORY = "germany chancellor olaf scholz met france president emmanuel macron in berlin .\n"


def _ingest(path: Path, **kw: object) -> dict:
    from flows.ingest import ingest_flow

    return ingest_flow([str(path)], **kw)  # type: ignore[arg-type]


def _new_version(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    """What a retrained model or a new artifact looks like to ingest: another
    extractor version string (extract_documents and select_changed both ask)."""
    from extractors import pipeline

    monkeypatch.setattr(pipeline, "extractor_version", lambda model_name=pipeline.DEFAULT_MODEL: version)


def _document_version(conn: store.Connection) -> list[str | None]:
    return [r["v"] for r in store.run_query(conn, "MATCH (d:Document) RETURN d.extractor_version AS v")]


def _evidence(conn: store.Connection) -> list[tuple[str, str, str, list[str]]]:
    rows = store.run_query(conn, "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.evidence_doc IS NOT NULL "
                                 "RETURN a.uri AS a, type(r) AS t, b.uri AS b, r.evidence_version AS v")
    return sorted((r["a"], r["t"], r["b"], r["v"]) for r in rows)


def test_new_extractor_version_reextracts_and_replaces_facts(
    empty_graph, prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.pipeline import extractor_version

    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    first = _ingest(tmp_path)
    assert first["loaded"] == 1 and first["reextracted"] == 0
    assert _document_version(empty_graph) == [extractor_version()]
    before = _evidence(empty_graph)
    assert before, "the story should give at least one relationship"

    again = _ingest(tmp_path)  # same text, same extractor: nothing to do
    assert again["skipped"] == 1 and again["loaded"] == 0 and again["reextracted"] == 0

    _new_version(monkeypatch, "newsgraph-test/2")
    refreshed = _ingest(tmp_path)
    assert refreshed["loaded"] == 1 and refreshed["skipped"] == 0 and refreshed["reextracted"] == 1
    assert _document_version(empty_graph) == ["newsgraph-test/2"]
    after = _evidence(empty_graph)
    # The same facts, each backed once by the new version: the old entries were
    # retracted, not kept beside the new ones.
    assert [(a, t, b) for a, t, b, _ in after] == [(a, t, b) for a, t, b, _ in before]
    assert all(versions == ["newsgraph-test/2"] for *_, versions in after)

    settled = _ingest(tmp_path)
    assert settled["skipped"] == 1 and settled["reextracted"] == 0


def test_keeping_old_versions_skips_them(
    empty_graph, prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    _ingest(tmp_path)
    graph = store.fingerprint(empty_graph)

    _new_version(monkeypatch, "newsgraph-test/3")
    kept = _ingest(tmp_path, reextract=False)
    assert kept["skipped"] == 1 and kept["loaded"] == 0 and kept["reextracted"] == 0
    assert kept["kept_old_version"] == 1
    assert store.fingerprint(empty_graph) == graph

    # The setting does the same for runs that do not say (scheduled inbox runs).
    from flows.serve import inbox_flow

    monkeypatch.setenv("NEWSGRAPH_REEXTRACT", "false")
    scheduled = inbox_flow(str(tmp_path))
    assert scheduled["skipped"] == 1 and scheduled["reextracted"] == 0
    monkeypatch.setenv("NEWSGRAPH_REEXTRACT", "true")
    scheduled = inbox_flow(str(tmp_path))
    assert scheduled["reextracted"] == 1
    assert _document_version(empty_graph) == ["newsgraph-test/3"]


def test_reextraction_with_several_spacy_processes(
    empty_graph, prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Several extraction processes: workers started once, two batches in flight; the
    # version recorded is the flow's, whatever the workers were started with.
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "other.txt").write_text("japan prime minister shinzo abe visited tokyo .\n", encoding="utf-8")
    _ingest(tmp_path, n_process=2)
    _new_version(monkeypatch, "newsgraph-test/5")
    (tmp_path / "other.txt").write_text("brazil president jair bolsonaro spoke .\n", encoding="utf-8")
    report = _ingest(tmp_path, n_process=2)
    # other.txt changed: loaded, but as a changed text, not as a re-extraction
    assert report["loaded"] == 2 and report["reextracted"] == 1
    assert _document_version(empty_graph) == ["newsgraph-test/5"] * 2


def test_documents_loaded_before_versions_were_recorded_are_reextracted(
    empty_graph, prefect_harness, tmp_path: Path
) -> None:
    from extractors.pipeline import extractor_version

    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    _ingest(tmp_path)
    store.run_query(empty_graph, "MATCH (d:Document) REMOVE d.extractor_version", write=True)
    report = _ingest(tmp_path)
    assert report["reextracted"] == 1
    assert _document_version(empty_graph) == [extractor_version()]


def test_cli_says_how_many_were_reextracted(
    empty_graph, prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from newsgraph.cli import app

    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path), "--json"]).exit_code == 0

    _new_version(monkeypatch, "newsgraph-test/4")
    kept = runner.invoke(app, ["ingest", str(tmp_path), "--keep-old-versions", "--json"])
    assert kept.exit_code == 0, kept.output
    report = json.loads(kept.stdout.strip().splitlines()[-1])
    assert report["skipped"] == 1 and report["kept_old_version"] == 1 and report["reextracted"] == 0

    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "re-extracted (new extractor)" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "re-extracted" in line)
    assert re.findall(r"\d+", row) == ["1"]
