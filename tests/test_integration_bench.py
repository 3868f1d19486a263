"""`newsgraph bench` end to end on a few Reuters articles, against the test Neo4j.

A short run of the real thing: stock spaCy, newsgraph's loader and rdflib-neo4j
into the same server, ingests in subprocesses, the cookbook's queries. The
figures of a few documents mean nothing; the test checks that every figure the
issue asks for is there and consistent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def test_bench_reports_every_figure(empty_graph, tmp_path: Path) -> None:
    if not CORPUS.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    proc = subprocess.run(
        [sys.executable, "-m", "newsgraph.cli", "bench", "--docs", "12", "--extract-docs", "8", "--load-docs", "8",
         "--query-runs", "1", "--use-configured", "--yes", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    required = {
        "extract": {"words_per_s", "stock_words_per_s", "ratio"},
        "load": {"triples_per_s", "rdflib_neo4j_triples_per_s", "ratio"},
        "end_to_end": {"docs_per_s", "stock_docs_per_s", "ratio"},
        "reingest": {"first_s", "again_s", "speedup"},
        "memory": {"rss_1k_mb", "rss_10k_mb", "ratio"},
        "queries": {"p50_ms", "p95_ms"},
    }
    for section, keys in required.items():
        assert keys <= result[section].keys(), section
        assert all(isinstance(result[section][k], int | float) and result[section][k] > 0 for k in keys), section
    # Both loaders were given the same triples, and both wrote something.
    assert result["load"]["newsgraph"]["triples"] == result["load"]["rdflib_neo4j"]["triples"] > 0
    assert result["load"]["newsgraph"]["nodes"] > 0 and result["load"]["rdflib_neo4j"]["nodes"] > 0
    # The second ingest found everything unchanged.
    again = result["reingest"]["again"]["report"]
    assert again["read"] == 12 and again["skipped"] == 12 and again["loaded"] == 0
    assert result["end_to_end"]["ingest"]["report"]["loaded"] == 12
    assert result["queries"]["p95_ms"] >= result["queries"]["p50_ms"]
    assert set(result["targets"]) and all("reached" in t for t in result["targets"].values())
