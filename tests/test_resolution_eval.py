"""The one-node-per-entity measurement: its arithmetic, and a run on a few DWIE dev documents."""

from __future__ import annotations

import pytest

from tools.datasets import DATASETS_DIR
from tools.resolution_eval import GraphNotEmpty, measure, run_resolution_eval

DWIE = DATASETS_DIR / "dwie"


def test_measure_counts_split_entities_and_mixed_nodes() -> None:
    spans = {
        ("d1", 0, 5): ("Vladimir_Putin", "Person"),
        ("d2", 0, 5): ("Vladimir_Putin", "Person"),
        ("d2", 10, 15): ("Dmitry_Medvedev", "Person"),
        ("d3", 0, 6): ("Russia", "Country"),
    }
    rows = [
        {"doc": "d1", "start": 0, "end": 5, "node": "p/vladimir-putin", "label": "Person"},
        {"doc": "d2", "start": 0, "end": 5, "node": "p/putin", "label": "Person"},
        {"doc": "d2", "start": 10, "end": 15, "node": "p/putin", "label": "Person"},
        {"doc": "d3", "start": 0, "end": 6, "node": "c/RU", "label": "Country"},
        {"doc": "d3", "start": 20, "end": 26, "node": "c/RU", "label": "Country"},  # no gold span
    ]
    result = measure(rows, spans)
    # Putin sits on two nodes, Medvedev on one: half the people are one node.
    assert result["Person"]["entities_found"] == 2 and result["Person"]["one_node"] == 0.5
    # p/putin carries Putin and Medvedev: one of the two person nodes is mixed.
    assert result["Person"]["nodes"] == 2 and result["Person"]["mixed_nodes"] == 0.5
    assert result["Country"] == {"entities_found": 1, "one_node": 1.0, "nodes": 1, "mixed_nodes": 0.0}
    assert result["Organization"]["one_node"] is None
    assert result["all"]["entities_found"] == 3 and result["all"]["one_node"] == round(2 / 3, 4)


@pytest.mark.integration
def test_dwie_dev_before_and_after(empty_graph, prefect_harness) -> None:
    if not DWIE.is_dir():
        pytest.skip(f"DWIE not found at {DWIE} (../shared/datasets is not beside this checkout)")
    from graphstore import store

    result = run_resolution_eval(empty_graph, DWIE, limit=8)
    assert result["documents"] == 8 and result["failed"] == []
    before, after = result["before"], result["after"]
    assert after["all"]["entities_found"] > 0
    for t in ("Person", "Country", "Organization", "all"):
        # Merging nodes can only join an entity's mentions, never part them.
        if before[t]["one_node"] is not None:
            assert after[t]["one_node"] >= before[t]["one_node"]
        assert after[t]["nodes"] <= before[t]["nodes"]
        for share in (after[t]["one_node"], after[t]["mixed_nodes"]):
            assert share is None or 0.0 <= share <= 1.0
    merges = store.run_query(empty_graph, "MATCH (m:Merge {status: 'applied'}) RETURN count(m) AS n")
    assert merges[0]["n"] == result["merges"]
    with pytest.raises(GraphNotEmpty):
        run_resolution_eval(empty_graph, DWIE, limit=1)
