"""How well the graph keeps one node per real-world entity, measured on DWIE.

DWIE links most entities ("concepts") to a Wikipedia page; that link is the
gold identity across documents. The dev documents are ingested through the
normal flow into an empty graph, first without cross-document resolution,
then resolution runs over the whole graph. Each time, graph nodes are tied to
gold concepts through their mentions (document id and exactly the gold
mention's character span), and two shares are reported per type (Person,
Country, Organization, and all three together):

- one node: of the linked gold entities found at least once, the share whose
  found mentions all sit on exactly one node (higher is better);
- mixed nodes: of the nodes tied to at least one linked gold entity, the share
  tied to two or more (lower is better).
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from graphstore import cypher, store
from tools.datasets import GoldDocument, read_dataset

TYPES = ("Person", "Country", "Organization")


class GraphNotEmpty(RuntimeError):
    pass


def gold_spans(golds: list[GoldDocument]) -> dict[tuple[str, int, int], tuple[str, str]]:
    """(doc, start, end) → (Wikipedia link, type) for linked gold mentions of the scored types."""
    spans = {}
    for gold in golds:
        for m in gold.mentions:
            link = gold.concept_links.get(m.concept)
            if link and m.label in TYPES:
                spans[(gold.id, m.start, m.end)] = (link, m.label)
    return spans


def measure(rows: list[dict[str, Any]], spans: dict[tuple[str, int, int], tuple[str, str]]) -> dict[str, Any]:
    """The two shares from the graph's mentions (doc, start, end, node, label)."""
    nodes_of: dict[tuple[str, str], set[str]] = defaultdict(set)  # (type, link) → nodes
    links_of: dict[tuple[str, str], set[str]] = defaultdict(set)  # (label, node) → links
    for r in rows:
        gold = spans.get((r["doc"], r["start"], r["end"]))
        if gold is None:
            continue
        link, gold_type = gold
        nodes_of[(gold_type, link)].add(r["node"])
        links_of[(r["label"], r["node"])].add(link)

    def shares(gold_types: tuple[str, ...]) -> dict[str, Any]:
        found = [nodes for (t, _), nodes in nodes_of.items() if t in gold_types]
        tied = [links for (label, _), links in links_of.items() if label in gold_types]
        one = sum(1 for nodes in found if len(nodes) == 1)
        mixed = sum(1 for links in tied if len(links) > 1)
        return {
            "entities_found": len(found),
            "one_node": round(one / len(found), 4) if found else None,
            "nodes": len(tied),
            "mixed_nodes": round(mixed / len(tied), 4) if tied else None,
        }

    out = {t: shares((t,)) for t in TYPES}
    out["all"] = shares(TYPES)
    return out


def run_resolution_eval(conn: store.Target, path: Path, *, limit: int | None = None,
                        reset: bool = False) -> dict[str, Any]:
    """Ingest DWIE dev into the (empty) graph and measure before and after resolution."""
    from flows.ingest import ingest_flow

    if store.summary(conn)["documents"] and not reset:
        raise GraphNotEmpty("the graph is not empty; the measurement needs an empty one (use --reset)")
    store.reset(conn)
    store.ensure_schema(conn)
    golds = read_dataset("dwie", path, limit=limit)
    spans = gold_spans(golds)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "dwie-dev.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for gold in golds:
                f.write(json.dumps({"id": gold.id, "text": gold.text}) + "\n")
        report = ingest_flow([str(source)], resolve=False)
    before = measure(store.run_query(conn, cypher.MENTION_SPANS), spans)
    merges = store.resolve_all(conn)
    after = measure(store.run_query(conn, cypher.MENTION_SPANS), spans)
    candidates = store.merges_with_status(conn, "pending")
    return {"documents": len(golds), "failed": report["failed"], "merges": len(merges),
            "candidates": len(candidates), "before": before, "after": after}


def format_table(result: dict[str, Any]) -> str:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    lines = [
        f"DWIE dev, {result['documents']} documents; cross-document merges: {result['merges']}, "
        f"candidates left for review: {result.get('candidates', 0)}",
        "| type | gold entities found | one node: before → after | nodes | mixed nodes: before → after |",
        "|---|---|---|---|---|",
    ]
    for t in (*TYPES, "all"):
        b, a = result["before"][t], result["after"][t]
        lines.append(f"| {t} | {a['entities_found']} | {pct(b['one_node'])} → {pct(a['one_node'])} | "
                     f"{b['nodes']} → {a['nodes']} | {pct(b['mixed_nodes'])} → {pct(a['mixed_nodes'])} |")
    return "\n".join(lines)
