"""What story detection finds and costs, on real repeated wire items.

`near_duplicates` signs the first documents of a JSONL corpus (Reuters-21578
by default), pairs them through the same LSH bands the graph uses and checks
the pairs against exact shingle Jaccard (every pair compared exactly on a
smaller prefix, for recall). `load_cost` loads documents, without extraction,
into an emptied graph and times what story grouping adds to the load. Both
return plain dicts a benchmark can report. `python -m tools.stories` prints the
first; with `--load` also the second, which empties the graph NEO4J_URI names
(point it at a test server).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsgraph.config import PROJECT_ROOT

CORPUS = PROJECT_ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def _documents(path: Path, limit: int) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, limit):
            row = json.loads(line)
            yield str(row["id"]), str(row["text"])


def near_duplicates(path: Path = CORPUS, limit: int = 3000, threshold: float = 0.8,
                    exact_prefix: int = 1200) -> dict[str, Any]:
    from schema import shingles

    docs = list(_documents(path, limit))
    started = time.perf_counter()
    signatures = {doc_id: shingles.signature(text) for doc_id, text in docs}
    sign_ms = (time.perf_counter() - started) * 1000 / max(len(docs), 1)
    grams = {doc_id: shingles.shingles(text) for doc_id, text in docs}
    index = shingles.new_index()
    for doc_id, sig in signatures.items():
        if sig is not None:
            index.insert(doc_id, sig)
    pairs: dict[tuple[str, str], tuple[float, float]] = {}
    for doc_id, sig in signatures.items():
        if sig is None:
            continue
        for other in index.query(sig):
            pair = (min(doc_id, other), max(doc_id, other))
            if other != doc_id and pair not in pairs:
                estimate = shingles.similarity(sig, signatures[other])
                if estimate >= threshold:
                    pairs[pair] = (estimate, shingles.jaccard(grams[doc_id], grams[other]))
    prefix = sorted(doc_id for doc_id, _ in docs[:exact_prefix] if grams[doc_id])
    truth = {(a, b) for a, b in itertools.combinations(prefix, 2) if shingles.jaccard(grams[a], grams[b]) >= threshold}
    in_prefix = {p for p in pairs if p[0] in set(prefix) and p[1] in set(prefix)}
    exact = [j for _, j in pairs.values()]
    return {
        "documents": len(docs), "threshold": threshold, "pairs": len(pairs),
        "lowest_exact_jaccard": round(min(exact), 3) if exact else None,
        "exact_prefix": len(prefix), "exact_pairs": len(truth), "found_of_exact": len(in_prefix & truth),
        "found_below_threshold": len(in_prefix - truth), "sign_ms_per_document": round(sign_ms, 3),
        "examples": sorted(pairs)[:10],
    }


def load_cost(conn: Any, path: Path = CORPUS, limit: int = 2000, batch: int = 100) -> dict[str, Any]:
    """Empties the graph at `conn` (a test or bench server, never one with data to keep)."""
    from extractors.types import Document, Extraction
    from graphstore import store, stories
    from graphstore.plan import plan_from_graph
    from schema.batch import build_batch

    store.reset(conn)
    store.ensure_schema(conn)
    spent = [0.0]
    originals = {name: getattr(stories, name) for name in ("document_rows", "candidates", "group")}

    def timed(fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started
        return call

    docs = [Document(id=doc_id, text=text) for doc_id, text in _documents(path, limit)]
    total = 0.0
    try:
        for name, fn in originals.items():
            setattr(stories, name, timed(fn))
        for i in range(0, len(docs), batch):
            graph, _ = build_batch([Extraction(d, [], [], extractor_version="story-cost") for d in docs[i:i + batch]])
            plan = plan_from_graph(graph)
            started = time.perf_counter()
            store.load_plan(conn, plan)
            total += time.perf_counter() - started
        grouped = store.run_query(conn, "MATCH (d:Document) WITH d.story AS story, count(*) AS n WHERE n > 1 "
                                        "RETURN count(story) AS stories, sum(n) AS documents")[0]
    finally:
        for name, fn in originals.items():
            setattr(stories, name, fn)
    return {
        "documents": len(docs), "batch": batch, "load_ms_per_document": round(total * 1000 / max(len(docs), 1), 3),
        "stories_ms_per_document": round(spent[0] * 1000 / max(len(docs), 1), 3),
        "stories_of_several": grouped["stories"], "documents_in_them": grouped["documents"],
    }


if __name__ == "__main__":
    import sys

    print(json.dumps(near_duplicates(), indent=2))
    if "--load" in sys.argv[1:]:
        from newsgraph.connection import connection

        print(json.dumps(load_cost(connection()), indent=2))
