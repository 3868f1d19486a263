"""`newsgraph bench`'s parts that need no Neo4j: skipping, targets, the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tools import bench


def _newsgraph(*args: str) -> Result:
    from newsgraph.cli import app

    return CliRunner().invoke(app, list(args))


def test_missing_corpus_skips_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(bench.BenchSkipped):
        bench.run_bench(bench.BenchOptions(corpus=tmp_path / "absent.jsonl"))
    result = _newsgraph("bench", "--corpus", str(tmp_path / "absent.jsonl"))
    assert result.exit_code == 0
    assert "bench skipped" in result.stderr


def test_configured_server_needs_yes() -> None:
    result = _newsgraph("bench", "--use-configured")
    assert result.exit_code == 2
    assert "--yes" in result.stderr


def _result() -> dict:
    row = {"words_per_s": 2000.0, "stock_words_per_s": 2500.0, "ratio": 0.8}
    side = {"triples_per_s": 30000.0, "nodes_per_s": 3000.0, "relationships_per_s": 5000.0}
    return {
        "options": {"docs": 100}, "seconds": 10.0,
        "extract": {**row, "by_processes": {"1": row, "2": row}},
        "load": {"triples_per_s": 30000.0, "rdflib_neo4j_triples_per_s": 2000.0, "ratio": 15.0,
                 "newsgraph": side, "rdflib_neo4j": side, "growth": 1.5,
                 "growth_detail": {"slices": [{"s_per_1k_triples": 0.02}, {"s_per_1k_triples": 0.03}]}},
        "end_to_end": {"docs_per_s": 7.0, "stock_docs_per_s": 10.0, "ratio": 0.7, "processes": 1,
                       "by_processes": {"1": {"docs_per_s": 7.0, "stock_docs_per_s": 10.0, "ratio": 0.7},
                                        "2": {"docs_per_s": 13.0, "stock_docs_per_s": 14.0, "ratio": 0.93},
                                        "dask-2": {"docs_per_s": 11.0, "stock_docs_per_s": 14.0, "ratio": 0.79,
                                                   "speedup_vs_1": 1.57, "stock_speedup_vs_1": 1.4}}},
        "reingest": {"first_s": 100.0, "again_s": 1.0, "speedup": 100.0},
        "memory": {"rss_1k_mb": 500.0, "rss_10k_mb": 550.0, "ratio": 1.1, "small_docs": 10, "large_docs": 100},
        "queries": {"p50_ms": 2.0, "p95_ms": 60.0, "empty": ["family_ties"],
                    "recipes": {"family_ties": {"p95_ms": 1.0, "rows": 0, "params": {"person": "Nobody"},
                                                "picked_from_graph": False},
                                "busiest_dates": {"p95_ms": 3.0, "rows": 10, "params": {"limit": 10}}}},
    }


def test_targets_say_reached_or_missed() -> None:
    r = _result()
    t = bench.targets(r)
    assert t["end_to_end ≥ 0.85× stock"]["reached"] is False
    assert t["end_to_end, 2 processes ≥ 0.85× stock"]["reached"] is True
    assert t["extract, 2 processes ≥ 0.9× stock"]["reached"] is False
    assert t["load ≥ 10× rdflib-neo4j"]["reached"] is True
    assert t["load ≥ 30,000 triples/s"]["reached"] is True
    assert t["re-ingest ≥ 50× faster"]["reached"] is True
    assert t["RSS large ≤ 1.1× RSS 1k"]["reached"] is True
    assert t["cookbook p95 ≤ 50 ms"]["reached"] is False
    assert t["load growth ≤ 1.2 (last slice / first)"]["reached"] is False
    assert t["recipes without rows = 0"]["reached"] is False
    assert t["local Dask ≥ 1.7× one process"] == {"value": 1.57, "target": 1.7, "reached": False}
    r["targets"] = t
    assert bench.format_table(r).row_count > 10


def test_machine_is_described() -> None:
    m = bench.machine()
    assert m["nproc"] and m["cpu"]


def test_a_recipe_without_rows_fails_the_bench_by_name() -> None:
    queries = _result()["queries"]
    said = r"family_ties \{\"person\": \"Nobody\"\} \(the graph has no fact"
    with pytest.raises(bench.RecipeWithoutRows, match=said):
        bench.check_queries(queries)
    queries["empty"] = []
    bench.check_queries(queries)  # every recipe answered: no error


def test_every_recipe_naming_an_entity_has_a_picker() -> None:
    from graphstore.cookbook import recipes

    # Parameters that are not names of things in the graph keep their example values.
    generic = {"limit", "since", "min_documents"}
    for name, r in recipes().items():
        wanted = set(r.parameter_names) - generic
        if not wanted:
            assert name not in bench.PICKERS, name
            continue
        picker = bench.PICKERS[name]
        returned = picker[picker.rindex("RETURN "):]
        for param in wanted:
            assert re.search(rf"(\bAS|^RETURN) {param}\b", returned), (name, param)
