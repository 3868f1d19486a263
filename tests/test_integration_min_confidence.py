"""The confidence cut-off decides what ingest loads, as it decides what
`extract` prints: `ingest --min-confidence` and NEWSGRAPH_MIN_CONFIDENCE reach
the flow's extract step. Real spaCy, Prefect and Neo4j, on examples/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _ingest_afresh(conn: store.Connection, *options: str) -> dict[str, Any]:
    """The examples ingested into an empty graph (so no document is skipped as
    unchanged), through the CLI as a user runs it; its JSON report."""
    from typer.testing import CliRunner

    from newsgraph.cli import app

    store.reset(conn)
    store.ensure_schema(conn)
    result = CliRunner().invoke(app, ["ingest", str(EXAMPLES), "--json", *options])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    return report


def _evidence_entries(conn: store.Connection) -> int:
    rows = store.run_query(conn, "MATCH ()-[r]->() WHERE r.evidence_doc IS NOT NULL "
                                 "RETURN coalesce(sum(size(r.evidence_doc)), 0) AS n")
    return int(rows[0]["n"])


def _extracted_relations(*options: str) -> int:
    from typer.testing import CliRunner

    from newsgraph.cli import app

    result = CliRunner().invoke(app, ["extract", str(EXAMPLES), *options])
    assert result.exit_code == 0, result.output
    return sum(len(json.loads(line)["relations"]) for line in result.stdout.splitlines() if line.strip())


def test_min_confidence_decides_what_ingest_loads(
    empty_graph, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractors.calibration import default_min_confidence

    monkeypatch.delenv("NEWSGRAPH_MIN_CONFIDENCE", raising=False)
    cutoff = default_min_confidence()
    assert cutoff > 0, "the calibrated default should leave some candidates out"
    # What extract prints is what the cut-off leaves: the same gap ingest must show.
    assert _extracted_relations("--min-confidence", "0") > _extracted_relations()

    default = _ingest_afresh(empty_graph)
    default_graph = store.fingerprint(empty_graph)
    default_evidence = _evidence_entries(empty_graph)

    everything = _ingest_afresh(empty_graph, "--min-confidence", "0")
    everything_graph = store.fingerprint(empty_graph)
    assert _evidence_entries(empty_graph) > default_evidence
    assert sum(everything["relationships"].values()) > sum(default["relationships"].values())

    # The setting does what the option does for a run that does not say...
    monkeypatch.setenv("NEWSGRAPH_MIN_CONFIDENCE", "0")
    _ingest_afresh(empty_graph)
    assert store.fingerprint(empty_graph) == everything_graph
    # A scheduled inbox run (`serve`) follows the setting too.
    from flows.serve import inbox_flow

    store.reset(empty_graph)
    store.ensure_schema(empty_graph)
    inbox_flow(str(EXAMPLES))
    assert store.fingerprint(empty_graph) == everything_graph
    # ...and the option wins over it.
    _ingest_afresh(empty_graph, "--min-confidence", str(cutoff))
    assert store.fingerprint(empty_graph) == default_graph


def test_a_cut_off_out_of_range_is_refused(empty_graph) -> None:
    from typer.testing import CliRunner

    from newsgraph.cli import app

    result = CliRunner().invoke(app, ["ingest", str(EXAMPLES), "--min-confidence", "1.5"])
    assert result.exit_code == 2
    assert _evidence_entries(empty_graph) == 0
