"""The evidence lists are named once (graphstore.evidence): the load plan, the
Cypher statements, export and fingerprints all follow that one definition."""

from __future__ import annotations

import re

import pytest

from graphstore import cypher, store
from graphstore.evidence import EVIDENCE, EVIDENCE_FIELDS
from graphstore.plan import plan_from_graph

# Every statement that rewrites a relationship's evidence lists.
WRITERS = {
    **{f"MERGE_RELATIONSHIPS[{t}]": s for t, s in cypher.MERGE_RELATIONSHIPS.items()},
    "RETRACT_EVIDENCE": cypher.RETRACT_EVIDENCE,
    "SET_EVIDENCE": cypher.SET_EVIDENCE,
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_each_evidence_writer_sets_every_list_once(name: str) -> None:
    assigned = re.findall(r"\br\.(evidence\w*) = ", WRITERS[name])
    assert sorted(assigned) == sorted(EVIDENCE_FIELDS), WRITERS[name]


def test_the_plan_fills_every_list() -> None:
    from test_integration_store import A  # an extraction made by hand, no spaCy

    from schema.batch import build_batch

    graph, invalid = build_batch([A])
    assert invalid == []
    rows = [row for rows in plan_from_graph(graph).relationships.values() for row in rows]
    assert rows
    for row in rows:
        assert set(EVIDENCE_FIELDS) <= set(row)
        assert len({len(row[f]) for f in EVIDENCE_FIELDS}) == 1, "the lists are parallel"


def test_fingerprints_compare_evidence_entries_whatever_their_order() -> None:
    entries = [tuple(f"{f.name}-{i}" for f in EVIDENCE) for i in range(3)]

    def props(order: list[int]) -> dict[str, object]:
        return {"support": 3, **{f.name: [entries[i][k] for i in order] for k, f in enumerate(EVIDENCE)}}

    a, b = store._canonical_rel_props(props([0, 1, 2])), store._canonical_rel_props(props([2, 0, 1]))
    assert a == b
    assert set(a) == {"support", "evidence_entries"}
    assert len(a["evidence_entries"]) == 3
