"""`newsgraph bench` end to end on the examples' articles, against the test Neo4j.

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


def _examples_corpus(folder: Path) -> Path:
    """examples/ as one JSONL corpus: on it every cookbook recipe has an answer
    (tests/test_integration_cookbook.py), which the bench requires."""
    lines = [json.dumps({"id": f.name, "text": f.read_text(encoding="utf-8")})
             for f in sorted((ROOT / "examples").glob("*.txt"))]
    lines += (ROOT / "examples" / "more.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = folder / "examples.jsonl"
    corpus.write_text("\n".join(line for line in lines if line.strip()) + "\n", encoding="utf-8")
    return corpus


def test_bench_reports_every_figure(empty_graph, tmp_path: Path) -> None:
    corpus = _examples_corpus(tmp_path)
    docs = len(corpus.read_text(encoding="utf-8").splitlines())
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    proc = subprocess.run(
        [sys.executable, "-m", "newsgraph.cli", "bench", "--docs", str(docs), "--extract-docs", "8",
         "--load-docs", "8", "--query-runs", "1", "--use-configured", "--yes", "--json", "--corpus", str(corpus)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    required = {
        "extract": {"words_per_s", "stock_words_per_s", "ratio"},
        "load": {"triples_per_s", "cold_triples_per_s", "rdflib_neo4j_triples_per_s", "ratio", "growth"},
        "end_to_end": {"docs_per_s", "stock_docs_per_s", "ratio"},
        "reingest": {"first_s", "again_s", "speedup"},
        "memory": {"rss_1k_mb", "rss_10k_mb", "ratio"},
        "queries": {"p50_ms", "p95_ms"},
        "disk": {"store_bytes", "store_bytes_per_doc"},
    }
    for section, keys in required.items():
        assert keys <= result[section].keys(), section
        assert all(isinstance(result[section][k], int | float) and result[section][k] > 0 for k in keys), section
    # Both loaders were given the same triples, and both wrote something.
    assert result["load"]["newsgraph"]["triples"] == result["load"]["rdflib_neo4j"]["triples"] > 0
    assert result["load"]["newsgraph"]["nodes"] > 0 and result["load"]["rdflib_neo4j"]["nodes"] > 0
    # The growth slices cover the corpus, each with its load cost.
    growth = result["load"]["growth_detail"]
    assert sum(s["documents"] for s in growth["slices"]) == docs == growth["documents"]
    assert all(s["triples"] > 0 and s["s_per_1k_triples"] > 0 for s in growth["slices"])
    # A slice's figure is its load seconds over its triples (issue 12's definition),
    # and growth the last slice's over the first's; the median batch's is beside it.
    # (Tolerances: the report rounds seconds to 3 decimals, s/1,000 triples to 4, ratios to 2.)
    for s in growth["slices"]:
        rounding = 1000 * 0.0005 / s["triples"] + 0.0001
        assert s["s_per_1k_triples"] == pytest.approx(1000 * s["seconds"] / s["triples"], abs=rounding)
        assert s["median_batch_s_per_1k_triples"] > 0
    first, last = growth["slices"][0]["s_per_1k_triples"], growth["slices"][-1]["s_per_1k_triples"]
    assert result["load"]["growth"] == pytest.approx(last / first, rel=0.01, abs=0.0051)
    assert growth["growth_median_batch"] > 0
    # The second ingest found everything unchanged.
    again = result["reingest"]["again"]["report"]
    assert again["read"] == docs and again["skipped"] == docs and again["loaded"] == 0
    assert result["end_to_end"]["ingest"]["report"]["loaded"] == docs
    # End to end with one process and with two, each against stock spaCy with as many.
    # And on a local Dask cluster of two workers, against one process (issue 12's 1.7×).
    by_processes = result["end_to_end"]["by_processes"]
    assert set(by_processes) == {"1", "2", "dask-2"}
    assert all(row["docs_per_s"] > 0 and row["stock_docs_per_s"] > 0 and row["ratio"] > 0
               for row in by_processes.values())
    assert by_processes["dask-2"]["speedup_vs_1"] > 0 and by_processes["dask-2"]["stock_speedup_vs_1"] > 0
    assert "end_to_end, 2 processes ≥ 0.85× stock" in result["targets"]
    assert "local Dask ≥ 1.7× one process" in result["targets"]
    queries = result["queries"]
    assert queries["p95_ms"] >= queries["p50_ms"]
    # Every recipe answered, with parameters picked from the graph.
    assert queries["empty"] == [] and all(q["rows"] > 0 for q in queries["recipes"].values())
    assert set(result["targets"]) and all("reached" in t for t in result["targets"].values())
    # What each analyst feature costs per document: measured, so never negative, and the
    # examples name events and places (their look-ups ran) and were signed and loaded.
    features = result["features"]
    for key in ("event_identity_ms", "role_time_ms", "places_lookup_ms", "story_signature_ms"):
        assert isinstance(features[key], float) and features[key] >= 0, key
    assert features["event_identity_ms"] > 0 and features["story_signature_ms"] > 0
    assert features["story_load"]["documents"] == docs and features["story_load"]["load_ms_per_document"] > 0


def test_a_recipe_without_rows_is_named(empty_graph) -> None:
    from graphstore.cookbook import recipes
    from tools.bench import RecipeWithoutRows, bench_queries, check_queries

    # On an empty graph nothing answers: every recipe is named, none timed as a success.
    queries = bench_queries(empty_graph, 1)
    assert queries["empty"] == list(recipes())
    with pytest.raises(RecipeWithoutRows, match="family_ties"):
        check_queries(queries)
