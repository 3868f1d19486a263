"""`newsgraph bench`: newsgraph against stock tools, on real news.

In one run, on the first documents of the Reuters-21578 corpus
(../shared/corpora/reuters21578.jsonl, read in place and streamed), it measures

- extract: newsgraph's extraction (words/s) against stock spaCy `nlp.pipe` with
  the same model's default components, with 1 and 2 processes;
- load: triples/s (and nodes and relationships per second) of newsgraph's loader
  (graphstore.plan.plan_from_graph → graphstore.store.load_plan, on the batch
  graphs schema.batch.build_batch made beforehand and timed apart) into an
  empty Neo4j, against Neo4j Labs' rdflib-neo4j (`Neo4jStore`, batching on)
  loading the same RDF into an empty Neo4j;
- end to end: documents/s of the Prefect ingest flow against stock `nlp.pipe`
  alone, with the same number of processes;
- re-ingest: the same documents again, unchanged, against the first ingest;
- memory: peak RSS of the ingest process at 1,000 documents and at `--docs`
  (each in a subprocess of its own);
- queries: p50/p95 latency of the cookbook's recipes on the graph just built.

The graph it measures on is emptied many times. By default the bench starts a
Neo4j of its own (bolt 7694, http 7481, data in services/neo4j/run-bench,
git-ignored) and stops it afterwards, so the graph `NEO4J_URI` names is never
touched; `use_configured=True` (`--use-configured --yes`) runs against the
configured server instead and EMPTIES ITS GRAPH.

    newsgraph bench [--docs N] [--json]     (the command: tools/cli.py)
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsgraph.config import PROJECT_ROOT, Settings, configure_prefect, load_settings

CORPUS = PROJECT_ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
# The bench's own Neo4j: ports and home of its own, so no other graph is touched.
BENCH_NEO4J: dict[str, Any] = {
    "neo4j_uri": "bolt://127.0.0.1:7694",
    "neo4j_bolt_port": 7694,
    "neo4j_http_port": 7481,
    "neo4j_home": PROJECT_ROOT / "services" / "neo4j" / "run-bench",
    "neo4j_user": "neo4j",
    "neo4j_database": "neo4j",
    "neo4j_password": "newsgraph-bench",  # a server on 127.0.0.1 that only the bench uses
}
MEMORY_SMALL_DOCS = 1000
E2E_PROCESSES = (1, 2)  # end to end is measured with each (`end_to_end.by_processes`)
# The targets of issues 5 and 12, on a 2-core machine.
TARGETS = {
    "end_to_end_ratio": 0.85,  # ≥ 0.85 × stock nlp.pipe docs/s, each with the same number of processes
    "extract_2_ratio": 0.9,  # extraction with 2 processes ≥ 0.9 × stock nlp.pipe with 2
    "load_ratio": 10.0,  # ≥ 10 × rdflib-neo4j triples/s
    "load_triples_per_s": 30_000.0,
    "reingest_speedup": 50.0,
    "memory_ratio": 1.1,  # issue 12: RSS at --docs ≤ 1.1 × RSS at 1,000
    "queries_p95_ms": 50.0,
    "load_growth": 1.2,  # issue 12: the last tenth of the graph loads at ≤ 1.2× the first's s/1,000 triples
    "dask_speedup": 1.7,  # issue 12: a local Dask cluster of 2 workers ingests ≥ 1.7× faster than 1 process
}

Log = Callable[[str], None]


class BenchSkipped(Exception):
    """The corpus is not there: nothing to measure."""


@dataclass(frozen=True)
class BenchOptions:
    docs: int = 10_000  # end to end, re-ingest, memory (large), queries
    extract_docs: int = 1_000  # extraction against stock spaCy, 1 and 2 processes
    load_docs: int = 1_000  # loader against rdflib-neo4j (at most extract_docs)
    processes: int = 1  # spaCy processes for end to end (stock gets as many)
    query_runs: int = 20  # timed runs per cookbook recipe
    dask_workers: int = 2  # end to end on a local Dask cluster of this many workers (0: not measured)
    growth_docs: int | None = None  # loaded in ten slices for load.growth (None: `docs`)
    corpus: Path = CORPUS
    use_configured: bool = False  # True: the Neo4j of NEO4J_URI (its graph is emptied)


# ------------------------------------------------------------------ helpers


def _documents(corpus: Path, n: int) -> Iterator[Any]:
    from newsgraph.readers import DocumentReader

    return itertools.islice(iter(DocumentReader([corpus])), n)


def _words(text: str) -> int:
    return len(text.split())


def _rate(amount: float, seconds: float) -> float:
    return round(amount / seconds, 1) if seconds > 0 else 0.0


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b > 0 else 0.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine() -> dict[str, Any]:
    """nproc, RAM and CPU model, for the record."""
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {"nproc": os.cpu_count(), "ram_gb": ram_gb, "cpu": cpu, "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


# ------------------------------------------------------------------- Neo4j


@contextlib.contextmanager
def bench_neo4j(use_configured: bool, log: Log) -> Iterator[Settings]:
    """The Neo4j the bench may empty: its own local server (started here and
    stopped after, unless it already ran), or the configured one."""
    if use_configured:
        settings = load_settings()
        log(f"WARNING: using the configured Neo4j at {settings.neo4j_uri}; its graph is emptied.")
        yield settings
        return
    from tools import localneo4j

    # The configured settings with the bench's server in place of the configured
    # one; the ingest subprocesses are handed the same (ingest_in_subprocess).
    settings = replace(load_settings(), **BENCH_NEO4J)
    started = False
    try:
        log(f"starting the bench's own Neo4j at {settings.neo4j_uri} (data in {settings.neo4j_home}) ...")
        started = localneo4j.start(settings, timeout=300)
        yield settings
    finally:
        from graphstore.store import close_drivers

        close_drivers()
        if started:
            localneo4j.stop(settings)


def _empty(conn: Any) -> None:
    from graphstore import store

    store.reset(conn)
    store.ensure_schema(conn)


def _graph_size(conn: Any) -> tuple[int, int]:
    from graphstore.store import run_query

    nodes = run_query(conn, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    rels = run_query(conn, "MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return int(nodes), int(rels)


def _drop_schema(conn: Any) -> None:
    """Constraints and indexes off, for a loader that brings its own."""
    from graphstore.store import get_driver

    driver = get_driver(conn)
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name", database_=conn.database)
    for r in records:
        driver.execute_query(f"DROP CONSTRAINT `{r['name']}` IF EXISTS", database_=conn.database)
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", database_=conn.database
    )
    for r in records:
        driver.execute_query(f"DROP INDEX `{r['name']}` IF EXISTS", database_=conn.database)


# ------------------------------------------------------------- extraction


def bench_extract(docs: list[Any], model_name: str, log: Log) -> tuple[dict[str, Any], list[Any]]:
    """words/s of newsgraph's extraction and of stock nlp.pipe, 1 and 2 processes.
    Returns the result and the 1-process extractions (for the loader bench)."""
    import spacy

    from extractors.pipeline import extract_documents, load_pipeline

    words = sum(_words(d.text) for d in docs)
    texts = [d.text for d in docs]
    stock = spacy.load(model_name)
    load_pipeline(model_name)
    for _ in stock.pipe(texts[:5]):  # warm both up
        pass
    list(extract_documents(docs[:5], model_name=model_name))
    by_processes: dict[str, Any] = {}
    extractions: list[Any] = []
    for n in (1, 2):
        started = time.perf_counter()
        for _ in stock.pipe(texts, n_process=n, batch_size=64):
            pass
        stock_s = time.perf_counter() - started
        started = time.perf_counter()
        out = list(extract_documents(docs, model_name=model_name, n_process=n))
        ours_s = time.perf_counter() - started
        if n == 1:
            extractions = out
        by_processes[str(n)] = {
            "words_per_s": _rate(words, ours_s),
            "stock_words_per_s": _rate(words, stock_s),
            "ratio": _ratio(words / ours_s, words / stock_s),
        }
        log(f"extract, {n} process(es): {by_processes[str(n)]}")
    one = by_processes["1"]
    return {**one, "documents": len(docs), "words": words, "stock_components": stock.pipe_names,
            "by_processes": by_processes}, extractions


# ----------------------------------------------------------------- loading


def bench_load(conn: Any, extractions: list[Any], batch_words: int, log: Log) -> dict[str, Any]:
    """newsgraph's loader against rdflib-neo4j, each into an empty Neo4j."""
    from rdflib import Graph

    from graphstore import store
    from graphstore.plan import plan_from_graph
    from newsgraph.readers import batches_by_words
    from schema.batch import build_batch

    by_id = {x.document.id: x for x in extractions}
    batches = [[by_id[d.id] for d in b] for b in batches_by_words([x.document for x in extractions], batch_words)]

    # Both loaders start from the same RDF graphs, built (mapped and SHACL-checked)
    # beforehand; that step is timed on its own, it is not loading.
    started = time.perf_counter()
    graphs: list[Graph] = [build_batch(batch)[0] for batch in batches]
    map_seconds = time.perf_counter() - started
    triples = sum(len(g) for g in graphs)

    def newsgraph_load() -> float:
        started = time.perf_counter()
        for graph in graphs:
            store.load_plan(conn, plan_from_graph(graph))
        return time.perf_counter() - started

    # Each loader is timed warm, as a long ingest runs: one whole pass first (every
    # statement planned, the JVM's JIT warmed up on it), the graph emptied, then the
    # timed pass. A warm-up of one batch was not enough: the first pass still ran at
    # about half the speed of the next ones. The first pass's rate is kept (`cold`).
    _empty(conn)
    cold = newsgraph_load()
    _empty(conn)
    seconds = newsgraph_load()
    nodes, rels = _graph_size(conn)
    ours = {"seconds": round(seconds, 2), "triples": triples, "nodes": nodes, "relationships": rels,
            "triples_per_s": _rate(triples, seconds), "nodes_per_s": _rate(nodes, seconds),
            "relationships_per_s": _rate(rels, seconds), "cold_triples_per_s": _rate(triples, cold),
            "map_validate_s": round(map_seconds, 2), "map_validate_triples_per_s": _rate(triples, map_seconds)}
    log(f"load, newsgraph: {ours}")

    union = Graph()
    for g in graphs:
        union += g
    # Subject by subject, as a Turtle file would give them (rdflib-neo4j's best case).
    triples_sorted = sorted(union, key=lambda t: str(t[0]))
    _empty(conn)
    _drop_schema(conn)
    started = time.perf_counter()
    _rdflib_neo4j_load(conn, triples_sorted)  # warm-up: a whole pass, as for newsgraph's loader
    cold = time.perf_counter() - started
    store.reset(conn)
    started = time.perf_counter()
    _rdflib_neo4j_load(conn, triples_sorted)
    seconds = time.perf_counter() - started
    nodes, rels = _graph_size(conn)
    theirs = {"seconds": round(seconds, 2), "triples": len(triples_sorted), "nodes": nodes, "relationships": rels,
              "triples_per_s": _rate(len(triples_sorted), seconds), "nodes_per_s": _rate(nodes, seconds),
              "relationships_per_s": _rate(rels, seconds), "cold_triples_per_s": _rate(len(triples_sorted), cold)}
    log(f"load, rdflib-neo4j: {theirs}")
    _drop_schema(conn)
    _empty(conn)
    return {
        "triples_per_s": ours["triples_per_s"],
        "cold_triples_per_s": ours["cold_triples_per_s"],  # the first pass, on a server not yet warm
        "rdflib_neo4j_triples_per_s": theirs["triples_per_s"],
        "ratio": _ratio(ours["triples_per_s"], theirs["triples_per_s"]),
        "documents": len(extractions),
        "newsgraph": ours,
        "rdflib_neo4j": theirs,
    }


def _rdflib_neo4j_load(conn: Any, triples: list[Any]) -> None:
    """rdflib-neo4j set up as its README shows: Neo4jStoreConfig with our prefixes,
    vocabulary IRIs shortened to local names (IGNORE), batching on; it creates
    the n10s constraint on :Resource(uri) itself when opened."""
    from rdflib import Graph
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

    from schema.mapping import PREFIXES

    config = Neo4jStoreConfig(
        auth_data={"uri": conn.uri, "database": conn.database, "user": conn.user, "pwd": conn.password},
        custom_prefixes=dict(PREFIXES),
        handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE,
        batching=True,
    )
    with contextlib.redirect_stdout(io.StringIO()):  # it prints its progress
        # The store opens itself (rdflib's Store.__init__ calls open with create=True,
        # which runs CREATE CONSTRAINT n10s_unique_uri ... when it is missing).
        graph = Graph(store=Neo4jStore(config=config))
        for t in triples:
            graph.add(t)
        graph.close(True)
        driver = graph.store.driver  # type: ignore[attr-defined]
        if driver is not None:
            driver.close()


# ------------------------------------------------------------------ growth

GROWTH_SLICES = 10


def bench_growth(conn: Any, corpus: Path, n: int, model_name: str, processes: int, batch_words: int,
                 log: Log) -> dict[str, Any]:
    """The corpus's first `n` documents loaded into an empty graph in ten
    slices, each extracted, mapped and validated first (untimed), then loaded
    batch by batch as in bench_load (the same writes: evidence, retraction,
    resolution): each slice's load seconds per 1,000 triples (its load
    seconds over its triples, every batch counted), and `growth`, the last
    slice's over the first's. A load whose cost grows with the graph shows here
    as growth well above 1. Each slice's median batch is given beside it
    (`median_batch_s_per_1k_triples`, and `growth_median_batch` from them): a
    batch held up by the machine moves the totals, not the median."""
    from extractors.pipeline import extract_documents
    from graphstore import store
    from graphstore.plan import plan_from_graph
    from newsgraph.readers import batches_by_words
    from schema.batch import build_batch

    _empty(conn)
    docs = iter(_documents(corpus, n))
    size = max(1, n // GROWTH_SLICES)
    slices: list[dict[str, Any]] = []
    for index in range(GROWTH_SLICES):
        wanted = size if index < GROWTH_SLICES - 1 else n - size * (GROWTH_SLICES - 1)
        part = list(itertools.islice(docs, max(0, wanted)))
        if not part:
            break
        by_id = {x.document.id: x for x in extract_documents(part, model_name=model_name, n_process=processes)}
        graphs = [build_batch([by_id[d.id] for d in batch if d.id in by_id])[0]
                  for batch in batches_by_words(part, batch_words)]
        triples = sum(len(g) for g in graphs)
        batch_rates = []
        seconds = 0.0
        for graph in graphs:
            started = time.perf_counter()
            store.load_plan(conn, plan_from_graph(graph))
            took = time.perf_counter() - started
            seconds += took
            if len(graph):
                batch_rates.append(1000 * took / len(graph))
        row = {"documents": len(part), "triples": triples, "batches": len(graphs), "seconds": round(seconds, 3),
               "s_per_1k_triples": round(1000 * seconds / triples, 4) if triples else 0.0,
               # One batch held up by the machine (a checkpoint, a garbage
               # collection, another process) moves the total, not the median.
               "median_batch_s_per_1k_triples": round(statistics.median(batch_rates), 4) if batch_rates else 0.0}
        slices.append(row)
        log(f"growth, slice {index + 1}/{GROWTH_SLICES}: {row}")
    first, last = slices[0]["s_per_1k_triples"], slices[-1]["s_per_1k_triples"]
    documents = sum(int(r["documents"]) for r in slices)
    total_triples = sum(int(r["triples"]) for r in slices)
    total_seconds = sum(float(r["seconds"]) for r in slices)
    out = {"growth": _ratio(last, first),
           "growth_median_batch": _ratio(slices[-1]["median_batch_s_per_1k_triples"],
                                         slices[0]["median_batch_s_per_1k_triples"]),
           "slices": slices, "documents": documents, "triples": total_triples,
           "triples_per_doc": round(total_triples / documents, 1) if documents else 0.0,
           "s_per_1k_triples": round(1000 * total_seconds / total_triples, 4) if total_triples else 0.0}
    return out


def _folder_bytes(folder: Path) -> int:
    # Neo4j's id buffers (`*.tmp.*`) are scratch files, not the graph.
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and ".tmp" not in f.name)


def store_bytes(settings: Settings) -> dict[str, int] | None:
    """Bytes on disk of the graph's database: its records (nodes,
    relationships, properties, with their id files), its indexes, and its
    transaction logs; None when the server's files are not on this machine.
    True figures only once the server has stopped: a running one keeps recent
    changes in its page cache and transaction log until a checkpoint (and
    Neo4j Community has no procedure to ask for one)."""
    data = Path(settings.neo4j_home) / "data"
    database = data / "databases" / settings.neo4j_database
    if not database.is_dir():
        return None
    indexes = _folder_bytes(database / "schema")
    everything = _folder_bytes(database)
    return {"store_bytes": everything, "index_bytes": indexes, "record_bytes": everything - indexes,
            "transaction_log_bytes": _folder_bytes(data / "transactions" / settings.neo4j_database)}


def store_size(settings: Settings, documents: int, *, stopped: bool) -> dict[str, Any] | None:
    """store_bytes and store bytes per document (fixed sizes of files and
    indexes included: an upper bound for a small graph). Store files grow to
    the largest graph held since they were made (freed records are reused, not
    given back): the bench's largest graph is that of the end-to-end ingest,
    `documents`, unless an earlier run held a larger one."""
    sizes = store_bytes(settings)
    if sizes is None:
        return None
    return {**sizes, "documents": documents, "server_stopped": stopped,
            "store_bytes_per_doc": round(sizes["store_bytes"] / documents) if documents else 0,
            "heap": settings.neo4j_heap, "pagecache": settings.neo4j_pagecache}


# -------------------------------------------------------------- end to end


def bench_stock_end_to_end(corpus: Path, n: int, model_name: str, processes: int) -> dict[str, Any]:
    import spacy

    stock = spacy.load(model_name)
    for _ in stock.pipe(["warm up"]):
        pass
    count = 0
    started = time.perf_counter()
    for _ in stock.pipe((d.text for d in _documents(corpus, n)), n_process=processes, batch_size=64):
        count += 1
    seconds = time.perf_counter() - started
    return {"documents": count, "seconds": round(seconds, 2), "docs_per_s": _rate(count, seconds)}


CHILD = "child-ingest"


def ingest_in_subprocess(corpus: Path, limit: int, processes: int, settings: Settings,
                         runner: str = "sequential") -> dict[str, Any]:
    """`newsgraph ingest`'s flow on the first `limit` documents, in a fresh process
    that loads into the Neo4j of `settings`: the report, wall time and peak RSS
    (the process's own, and the largest of its child processes: the embedded
    Prefect server, spaCy workers). `runner` "dask": on a local Dask cluster of
    `processes` workers, one thread each, instead of in-process spaCy workers."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tools.bench", CHILD, str(corpus), str(limit), str(processes), runner],
        capture_output=True, text=True, check=False, cwd=PROJECT_ROOT,
        env={**os.environ, **settings.neo4j_environment()},
    )
    wall = time.perf_counter() - started
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"ingest subprocess failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(lines[-1])
    out["wall_s"] = round(wall, 2)
    return out


def _peak_rss_kb() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _child_ingest(corpus: str, limit: int, processes: int, runner: str = "sequential") -> None:
    configure_prefect()
    from flows.ingest import run_ingest_flow

    if runner == "dask":
        report = _ingest_on_local_dask(corpus, limit, processes)
    else:
        report = run_ingest_flow([corpus], n_process=processes, limit=limit)
    # VmHWM: this process's own peak. (ru_maxrss would not do: Linux keeps it
    # across fork and exec, so it starts at the bench process's peak.)
    self_kb = _peak_rss_kb()
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = {k: report[k] for k in ("read", "skipped", "loaded", "triples", "seconds")}
    summary["failed"] = len(report["failed"])
    sys.stdout.write(json.dumps({"report": summary, "rss_mb": round(self_kb / 1024, 1),
                                 "children_rss_mb": round(children_kb / 1024, 1)}) + "\n")


def _ingest_on_local_dask(corpus: str, limit: int, workers: int) -> dict[str, Any]:
    """The ingest flow on Prefect's Dask task runner, on a local cluster of
    `workers` processes of one thread each. Each worker loads the pipeline
    before the flow starts, as the in-process workers do while Prefect starts,
    so both runs time the same work."""
    from distributed import Client, LocalCluster

    from extractors.pipeline import load_pipeline
    from flows.ingest import run_ingest_flow

    model = load_settings().spacy_model
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(lambda: bool(load_pipeline(model)))
        return run_ingest_flow([corpus], runner="dask", dask_address=cluster.scheduler_address, limit=limit)


# ----------------------------------------------------------------- queries

# Each recipe's entity parameters, picked from the graph being measured: the
# country, person, event, fact or pair with the most facts of the recipe's kind,
# so every recipe is timed on a real answer (and on one of its largest), never
# on a name the graph lacks. A picker returns one row, a column per parameter;
# the parameters it does not name (limits, dates) keep the recipe's examples.
# A recipe without entity parameters has no picker.
PICKERS: dict[str, str] = {
    "roles_in_country": """
MATCH (:Person)-[r:HOLDS_ROLE]->(c:Entity)
WITH c.name AS country, count(r) AS facts
RETURN country ORDER BY facts DESC, country LIMIT 1
""",
    "person_timeline": """
MATCH (p:Person)-[r:PARTICIPATES_IN]->(:Event)
WITH p.name AS person, count(r) AS facts
RETURN person ORDER BY facts DESC, person LIMIT 1
""",
    "event_participants": """
MATCH (:Entity)-[r:PARTICIPATES_IN]->(e:Event)
WITH e.name AS event, count(r) AS facts
RETURN event ORDER BY facts DESC, event LIMIT 1
""",
    "family_ties": """
MATCH (p:Person)-[r:RELATIVE_OF]-(:Person)
WITH p.name AS person, count(r) AS facts
RETURN person ORDER BY facts DESC, person LIMIT 1
""",
    # Two of the best-connected people around the entity most people are tied to.
    "shortest_path": """
MATCH (x:Entity)<-[:HOLDS_ROLE|NATIONAL_OF]-(p:Person)
WITH x, count(DISTINCT p) AS people ORDER BY people DESC, x.uri LIMIT 1
MATCH (x)<-[:HOLDS_ROLE|NATIONAL_OF]-(p:Person)
WITH DISTINCT p
WITH p, COUNT { (p)-[:HOLDS_ROLE|NATIONAL_OF|RELATIVE_OF|LIVES_IN|LOCATED_IN|PARTICIPATES_IN]-() } AS facts
ORDER BY facts DESC, p.name
WITH collect(p.name) AS names
WITH [i IN range(0, size(names) - 1) WHERE i = 0 OR toLower(names[i]) <> toLower(names[0]) | names[i]] AS names
WHERE size(names) >= 2
RETURN names[0] AS a, names[1] AS b
""",
    "fact_evidence": """
MATCH (h:Entity)-[r]->(t:Entity)
WHERE r.support IS NOT NULL
RETURN h.name AS head, type(r) AS type, t.name AS tail
ORDER BY r.support DESC, size(r.evidence) DESC, head, type, tail LIMIT 1
""",
    "fact_stories": """
MATCH (h:Entity)-[r]->(t:Entity)
WHERE r.support IS NOT NULL
RETURN h.name AS head, type(r) AS type, t.name AS tail
ORDER BY r.support DESC, size(r.documents) DESC, head, type, tail LIMIT 1
""",
    "co_mentioned": """
MATCH (e:Entity)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)
WHERE NOT e:Date
WITH e.name AS name, count(DISTINCT d) AS documents
RETURN name ORDER BY documents DESC, name LIMIT 1
""",
    # The entity in most documents, and the one it shares most documents with.
    "documents_mentioning_both": """
MATCH (a:Entity)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)
WHERE NOT a:Date
WITH a, count(DISTINCT d) AS documents ORDER BY documents DESC, a.uri LIMIT 1
MATCH (a)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(b:Entity)
WHERE NOT b:Date AND toLower(b.name) <> toLower(a.name)
WITH a, b, count(DISTINCT d) AS together
RETURN a.name AS a, b.name AS b ORDER BY together DESC, b ASC LIMIT 1
""",
    "nationalities": """
MATCH (:Person)-[r:NATIONAL_OF|HOLDS_ROLE]->(c:Country)
WITH c.name AS country, count(r) AS facts
RETURN country ORDER BY facts DESC, country LIMIT 1
""",
    # The place with a point that most events are placed in, and a radius around it.
    "events_near_place": """
MATCH (:Event)-[r:LOCATED_IN]->(p:Place)
WHERE p.location IS NOT NULL
WITH p.name AS place, count(r) AS facts
RETURN place, 200 AS km ORDER BY facts DESC, place LIMIT 1
""",
    # The place with a point that the most people are active at, by the recipe's
    # own paths, and its country, with a radius that reaches it from the
    # country's point (a country's centre may lie far from every place named).
    "people_near_country": """
MATCH (p:Place)
WHERE p.location IS NOT NULL AND p.country_code IS NOT NULL
CALL (p) {
  MATCH (person:Person)-[:PARTICIPATES_IN]->(:Event)-[:LOCATED_IN]->(:Entity)-[:LOCATED_IN*0..1]->(p)
  RETURN person
  UNION
  MATCH (person:Person)-[:LIVES_IN]->(:Entity)-[:LOCATED_IN*0..1]->(p)
  RETURN person
  UNION
  MATCH (person:Person)-[:HOLDS_ROLE]->(:Organization)-[:LOCATED_IN]->(:Entity)-[:LOCATED_IN*0..1]->(p)
  RETURN person
}
WITH p, count(DISTINCT person) AS people
MATCH (c:Country)
WHERE c.iso_code = p.country_code AND c.location IS NOT NULL
WITH c, p, people ORDER BY people DESC, p.name LIMIT 1
RETURN c.name AS country, toInteger(ceil(point.distance(p.location, c.location) / 1000.0)) + 50 AS km
""",
    # The role of one holder reported most often, on the date of its latest report.
    "role_holders_on_date": """
MATCH (:Person)-[r:HOLDS_ROLE]->(x:Entity)
WHERE r.as_of IS NOT NULL
WITH r.role AS office, x.name AS of, count(r) AS facts, max(r.as_of) AS latest
RETURN office AS role, of AS holder, latest AS date ORDER BY facts DESC, role, holder LIMIT 1
""",
    "role_history": """
MATCH (p:Person)-[r:HOLDS_ROLE]->(:Entity)
WITH p.name AS person, count(r) AS facts
RETURN person ORDER BY facts DESC, person LIMIT 1
""",
    "event_occurrences": """
MATCH (e:Event)
WITH e.name AS event, count(e) AS occurrences
RETURN event ORDER BY occurrences DESC, event LIMIT 1
""",
}


class RecipeWithoutRows(RuntimeError):
    """A cookbook recipe answered nothing on the bench's graph: its time would
    be the time of finding nothing."""


def pick_parameters(conn: Any) -> dict[str, tuple[dict[str, Any], bool | None]]:
    """Each recipe's benchmark parameters, picked from the graph (see PICKERS),
    and whether its picker found them there (None: it has none); a recipe
    whose picker finds nothing keeps its example parameters."""
    from graphstore.cookbook import recipes
    from graphstore.store import run_query

    picked: dict[str, tuple[dict[str, Any], bool | None]] = {}
    for name, r in recipes().items():
        params = dict(r.params)
        found: bool | None = None
        picker = PICKERS.get(name)
        if picker is not None:
            rows = run_query(conn, picker)
            found = bool(rows)
            if rows:
                params.update(rows[0])
        picked[name] = (params, found)
    return picked


def bench_queries(conn: Any, runs: int) -> dict[str, Any]:
    """p50/p95 of each recipe with parameters picked from the graph, and the
    recipes that returned no rows (`empty`: the bench fails on them)."""
    from graphstore.cookbook import recipes
    from graphstore.store import run_query

    all_ms: list[float] = []
    per_recipe: dict[str, Any] = {}
    picked = pick_parameters(conn)
    for name, r in recipes().items():
        params, found = picked[name]
        rows = run_query(conn, r.cypher, params)  # plan and cache once
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            rows = run_query(conn, r.cypher, params)
            times.append((time.perf_counter() - started) * 1000)
        all_ms += times
        per_recipe[name] = {"p50_ms": round(statistics.median(times), 2),
                            "p95_ms": round(_percentile(times, 0.95), 2), "rows": len(rows), "params": params,
                            "picked_from_graph": found}
    empty = [name for name, q in per_recipe.items() if q["rows"] == 0]
    return {"p50_ms": round(statistics.median(all_ms), 2), "p95_ms": round(_percentile(all_ms, 0.95), 2),
            "max_recipe_p95_ms": max((float(q["p95_ms"]) for q in per_recipe.values()), default=0.0),
            "runs_per_recipe": runs, "recipes": per_recipe, "empty": empty}


def check_queries(queries: dict[str, Any]) -> None:
    """Raises RecipeWithoutRows naming every recipe that returned no rows."""
    empty = queries["empty"]
    if not empty:
        return

    def why(name: str) -> str:
        recipe = queries["recipes"][name]
        said = f"{name} {json.dumps(recipe['params'])}"
        if recipe.get("picked_from_graph") is False:
            return f"{said} (the graph has no fact of the kind it asks about: its picker found none)"
        return said

    raise RecipeWithoutRows("cookbook recipe(s) returned no rows on the bench's graph: "
                            + "; ".join(why(name) for name in empty))


# ------------------------------------------------------------ analyst features

FEATURE_DOCS = 200  # documents whose extraction and mapping are timed feature by feature
STORY_LOAD_DOCS = 500  # documents loaded (into the emptied graph) to time the story look-up


def _timing(component: Any, spent: list[float]) -> Any:
    """A component's class __call__, timed (spaCy calls a component as `proc(doc)`)."""
    original = type(component).__call__

    def call(self: Any, doc: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, doc)
        finally:
            spent[0] += time.perf_counter() - started
    return original, call


def bench_features(conn: Any, docs: list[Any], extractions: list[Any], corpus: Path, log: Log) -> dict[str, Any]:
    """What each analyst feature costs per document, in milliseconds: event
    identity and role time (their pipeline components, timed inside the real
    pipeline), places on a map (the reference look-ups of mapping), stories (the
    signature of mapping, and the band look-up of the load; the latter empties
    the graph). Merge review runs inside resolution, timed with the load."""
    from extractors.pipeline import extract_documents, load_pipeline
    from schema.geo import country_reference, place_reference
    from schema.shingles import signature
    from tools.stories import load_cost

    sample = docs[:FEATURE_DOCS]
    nlp = load_pipeline()
    out: dict[str, Any] = {"documents": len(sample)}
    for name, key in (("newsgraph_event_identity", "event_identity_ms"), ("newsgraph_role_time", "role_time_ms")):
        spent = [0.0]
        component = nlp.get_pipe(name)
        original, timed = _timing(component, spent)
        type(component).__call__ = timed  # type: ignore[method-assign]
        try:
            for _ in extract_documents(sample):
                pass
        finally:
            type(component).__call__ = original  # type: ignore[method-assign]
        out[key] = round(spent[0] * 1000 / max(1, len(sample)), 3)
    country_reference("GB")  # the tables load once per process (about 0.3 s): not a per-document cost
    started = time.perf_counter()
    for x in extractions[:FEATURE_DOCS]:
        for e in x.entities:
            if e.label == "Place" and e.attributes.get("geonames_id"):
                place_reference(int(e.attributes["geonames_id"]))
            elif e.label == "Country" and e.attributes.get("iso_code"):
                country_reference(str(e.attributes["iso_code"]))
    out["places_lookup_ms"] = round((time.perf_counter() - started) * 1000 / max(1, len(sample)), 3)
    started = time.perf_counter()
    for d in sample:
        signature(d.text)
    out["story_signature_ms"] = round((time.perf_counter() - started) * 1000 / max(1, len(sample)), 3)
    log(f"features: story look-up in the load, {STORY_LOAD_DOCS} documents ...")
    cost = load_cost(conn, corpus, limit=STORY_LOAD_DOCS)
    out["story_load"] = cost
    return out


# ------------------------------------------------------------------- whole


def run_bench(options: BenchOptions, log: Log = lambda _m: None) -> dict[str, Any]:
    """Everything above, in order; returns one JSON-ready object."""
    from graphstore import store
    from newsgraph.connection import connection

    corpus = options.corpus
    if not corpus.is_file():
        raise BenchSkipped(f"corpus not found at {corpus}; the bench needs ../shared/corpora/reuters21578.jsonl")
    settings0 = load_settings()
    model_name = settings0.spacy_model
    result: dict[str, Any] = {"machine": machine(), "options": {
        "docs": options.docs, "extract_docs": options.extract_docs, "load_docs": min(options.load_docs,
                                                                                      options.extract_docs),
        "processes": options.processes, "batch_words": settings0.batch_words, "corpus": str(corpus),
        "growth_docs": options.growth_docs or options.docs,
        "model": model_name}}
    began = time.perf_counter()
    sample = list(_documents(corpus, min(options.extract_docs, options.docs)))
    log(f"extract: {len(sample)} documents, 1 and 2 processes ...")
    result["extract"], extractions = bench_extract(sample, model_name, log)

    with bench_neo4j(options.use_configured, log) as settings:
        conn = connection(settings)
        store.ensure_schema(conn)
        load_docs = extractions[: min(options.load_docs, len(extractions))]
        log(f"load: {len(load_docs)} documents, newsgraph then rdflib-neo4j ...")
        result["load"] = bench_load(conn, load_docs, settings.batch_words, log)
        log("features: what event identity, role time, places and stories cost per document ...")
        result["features"] = bench_features(conn, sample, extractions, corpus, log)
        del extractions, load_docs, sample

        growth_docs = options.growth_docs or options.docs
        log(f"growth: {growth_docs} documents loaded in {GROWTH_SLICES} slices into an empty graph ...")
        growth = bench_growth(conn, corpus, growth_docs, model_name, options.processes, settings.batch_words, log)
        result["load"]["growth"] = growth.pop("growth")
        result["load"]["growth_detail"] = growth

        log(f"end to end: stock nlp.pipe on {options.docs} documents, {options.processes} process(es) ...")
        stock = bench_stock_end_to_end(corpus, options.docs, model_name, options.processes)
        small = min(MEMORY_SMALL_DOCS, options.docs)
        log(f"memory: ingest of {small} documents into an empty graph ...")
        _empty(conn)
        first_small = ingest_in_subprocess(corpus, small, options.processes, settings)
        log(f"  {first_small}")
        log(f"end to end: ingest of {options.docs} documents into an empty graph ...")
        _empty(conn)
        first = ingest_in_subprocess(corpus, options.docs, options.processes, settings)
        log(f"  {first}")
        log("re-ingest: the same documents again, unchanged ...")
        again = ingest_in_subprocess(corpus, options.docs, options.processes, settings)
        log(f"  {again}")
        docs_per_s = _rate(first["report"]["read"], first["report"]["seconds"])
        by_processes = {str(options.processes): {"docs_per_s": docs_per_s, "stock_docs_per_s": stock["docs_per_s"],
                                                 "ratio": _ratio(docs_per_s, stock["docs_per_s"])}}
        stock_by_n = {options.processes: stock["docs_per_s"]}
        for n in E2E_PROCESSES:
            if str(n) in by_processes:
                continue
            log(f"end to end: stock nlp.pipe and an ingest into an empty graph, {n} processes ...")
            stock_by_n[n] = bench_stock_end_to_end(corpus, options.docs, model_name, n)["docs_per_s"]
            _empty(conn)
            run_n = ingest_in_subprocess(corpus, options.docs, n, settings)
            log(f"  {run_n}")
            rate = _rate(run_n["report"]["read"], run_n["report"]["seconds"])
            by_processes[str(n)] = {"docs_per_s": rate, "stock_docs_per_s": stock_by_n[n],
                                    "ratio": _ratio(rate, stock_by_n[n])}
        if options.dask_workers:
            n = options.dask_workers
            log(f"end to end: an ingest on a local Dask cluster of {n} workers into an empty graph ...")
            if n not in stock_by_n:
                stock_by_n[n] = bench_stock_end_to_end(corpus, options.docs, model_name, n)["docs_per_s"]
            _empty(conn)
            run_dask = ingest_in_subprocess(corpus, options.docs, n, settings, runner="dask")
            log(f"  {run_dask}")
            rate = _rate(run_dask["report"]["read"], run_dask["report"]["seconds"])
            by_processes[f"dask-{n}"] = {"docs_per_s": rate, "stock_docs_per_s": stock_by_n[n],
                                         "ratio": _ratio(rate, stock_by_n[n]),
                                         "stock_speedup_vs_1": _ratio(stock_by_n[n], stock_by_n.get(1, 0.0))}
        for row in by_processes.values():  # what more processes buy, against one
            row["speedup_vs_1"] = _ratio(row["docs_per_s"], by_processes.get("1", row)["docs_per_s"])
        result["end_to_end"] = {
            "docs_per_s": docs_per_s,
            "stock_docs_per_s": stock["docs_per_s"],
            "ratio": _ratio(docs_per_s, stock["docs_per_s"]),
            "processes": options.processes,
            "by_processes": by_processes,
            "ingest": first,
            "stock": stock,
        }
        first_s, again_s = first["report"]["seconds"], again["report"]["seconds"]
        result["reingest"] = {"first_s": first_s, "again_s": again_s, "speedup": _ratio(first_s, again_s),
                              "again": again}
        result["memory"] = {"rss_1k_mb": first_small["rss_mb"], "rss_10k_mb": first["rss_mb"],
                            "ratio": _ratio(first["rss_mb"], first_small["rss_mb"]),
                            "small_docs": small, "large_docs": options.docs,
                            "children_rss_mb": {"small": first_small["children_rss_mb"],
                                               "large": first["children_rss_mb"]}}
        log("queries: the cookbook's recipes on the graph just built ...")
        nodes, rels = _graph_size(conn)
        result["queries"] = {**bench_queries(conn, options.query_runs), "graph_documents": options.docs,
                             "graph_nodes": nodes, "graph_relationships": rels}
        loaded = first["report"]["loaded"]
    # Measured once the bench's own server has stopped (and so written everything to its store files).
    from tools.localneo4j import is_bolt_reachable

    result["disk"] = store_size(settings, loaded, stopped=not is_bolt_reachable(settings))
    result["seconds"] = round(time.perf_counter() - began, 1)
    result["targets"] = targets(result)
    return result


def targets(r: dict[str, Any]) -> dict[str, Any]:
    t = TARGETS
    checks = {
        "end_to_end ≥ 0.85× stock": (r["end_to_end"]["ratio"], t["end_to_end_ratio"], True),
        "load ≥ 10× rdflib-neo4j": (r["load"]["ratio"], t["load_ratio"], True),
        "load ≥ 30,000 triples/s": (r["load"]["triples_per_s"], t["load_triples_per_s"], True),
        "re-ingest ≥ 50× faster": (r["reingest"]["speedup"], t["reingest_speedup"], True),
        "RSS large ≤ 1.1× RSS 1k": (r["memory"]["ratio"], t["memory_ratio"], False),
        "cookbook p95 ≤ 50 ms": (r["queries"]["p95_ms"], t["queries_p95_ms"], False),
        "load growth ≤ 1.2 (last slice / first)": (r["load"]["growth"], t["load_growth"], False),
        "recipes without rows = 0": (len(r["queries"]["empty"]), 0, False),
    }
    two_extract = r["extract"].get("by_processes", {}).get("2")
    if two_extract:
        checks["extract, 2 processes ≥ 0.9× stock"] = (two_extract["ratio"], t["extract_2_ratio"], True)
    two = r["end_to_end"].get("by_processes", {}).get("2")
    if two:
        checks["end_to_end, 2 processes ≥ 0.85× stock"] = (two["ratio"], t["end_to_end_ratio"], True)
    dask = next((row for name, row in r["end_to_end"].get("by_processes", {}).items() if name.startswith("dask-")),
                None)
    if dask:
        checks["local Dask ≥ 1.7× one process"] = (dask["speedup_vs_1"], t["dask_speedup"], True)
    return {name: {"value": v, "target": goal, "reached": (v >= goal) if at_least else (v <= goal)}
            for name, (v, goal, at_least) in checks.items()}


def format_table(r: dict[str, Any]) -> Any:
    from rich.table import Table

    e, ld, ee, ri, m, q = (r[k] for k in ("extract", "load", "end_to_end", "reingest", "memory", "queries"))
    table = Table(title=f"newsgraph bench ({r['options']['docs']} documents, {r['seconds']:.0f} s)")
    for col in ("measure", "newsgraph", "baseline", "ratio"):
        table.add_column(col)
    for n, row in e["by_processes"].items():
        table.add_row(f"extract words/s, {n} process(es)", f"{row['words_per_s']:,.0f}",
                      f"{row['stock_words_per_s']:,.0f} (stock nlp.pipe)", f"{row['ratio']:.2f}")
    table.add_row("load triples/s", f"{ld['triples_per_s']:,.0f}",
                  f"{ld['rdflib_neo4j_triples_per_s']:,.0f} (rdflib-neo4j)", f"{ld['ratio']:.2f}")
    for key in ("nodes_per_s", "relationships_per_s"):
        table.add_row(f"load {key.replace('_per_s', '')}/s", f"{ld['newsgraph'][key]:,.0f}",
                      f"{ld['rdflib_neo4j'][key]:,.0f}",
                      f"{_ratio(ld['newsgraph'][key], ld['rdflib_neo4j'][key]):.2f}")
    for n, row in ee.get("by_processes", {str(ee["processes"]): ee}).items():
        what = f"a local Dask cluster of {n[5:]} workers" if n.startswith("dask-") else f"{n} process(es)"
        table.add_row(f"end to end docs/s, {what}", f"{row['docs_per_s']:,.1f}",
                      f"{row['stock_docs_per_s']:,.1f} (stock nlp.pipe)", f"{row['ratio']:.2f}")
        if n.startswith("dask-"):
            table.add_row("  local Dask against one process", f"{row['speedup_vs_1']:.2f}× faster",
                          f"stock: {row['stock_speedup_vs_1']:.2f}× with as many processes", "")
    table.add_row("re-ingest unchanged, s", f"{ri['again_s']:.1f}", f"{ri['first_s']:.1f} (first ingest)",
                  f"{ri['speedup']:.1f}× faster")
    table.add_row(f"peak RSS MB, {m['large_docs']} docs", f"{m['rss_10k_mb']:.0f}",
                  f"{m['rss_1k_mb']:.0f} ({m['small_docs']} docs)", f"{m['ratio']:.2f}")
    slices = ld["growth_detail"]["slices"]
    table.add_row("load s/1,000 triples, last / first slice", f"{slices[-1]['s_per_1k_triples']}",
                  f"{slices[0]['s_per_1k_triples']}", f"{ld['growth']:.2f}")
    table.add_row("cookbook p50 / p95 ms", f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f}", "", "")
    for name, recipe in q["recipes"].items():
        table.add_row(f"  {name}: p95 ms, rows", f"{recipe['p95_ms']:.1f}", f"{recipe['rows']} rows", "")
    for name, t in r["targets"].items():
        table.add_row(f"target: {name}", str(t["value"]), "reached" if t["reached"] else "MISSED", "")
    return table


# The ingest subprocesses of `ingest_in_subprocess` (`python -m tools.bench child-ingest
# CORPUS LIMIT PROCESSES [RUNNER]`): the bench's own child, measured alone, not a command line.
if __name__ == "__main__":
    if sys.argv[1:2] != [CHILD] or len(sys.argv) not in (5, 6):
        sys.exit("the bench's ingest subprocess; run the bench with `newsgraph bench`")
    _child_ingest(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:6])
