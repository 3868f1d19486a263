"""The ingest flow: read → extract → map → validate → load, over batches.

Reads like the pipeline diagram in DESIGN.md. Documents stream from the
readers in batches sized by words, so the corpus is never held whole.

By default the batches run one after another in this process, each one's
load overlapping the next one's extraction (one spaCy process). With
`parallel=True` (see `run_ingest_flow`, which sets up Prefect's Dask task
runner) each batch's select → extract → map tasks are submitted to the task
runner, a bounded number of batches at a time; the loads go one at a time in
reading order, so the graph is the one the sequential run builds.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from neo4j.exceptions import ServiceUnavailable, SessionExpired
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extractors.types import Document
from flows.tasks import (
    NEO4J_RETRIES,
    MappedBatch,
    Selection,
    extract_batch,
    load_batch,
    load_timeout_seconds,
    map_batch,
    neo4j_task_options,
    select_changed,
)
from graphstore import store
from newsgraph.config import Settings, load_settings
from newsgraph.connection import connection
from newsgraph.readers import DocumentReader, batches_by_words

# Set by the CLI to draw a progress bar; called with (documents read, documents failed).
ProgressHook = Callable[[int, int], None]
progress_hook: ProgressHook | None = None


@dataclass
class IngestReport:
    read: int = 0
    skipped: int = 0  # unchanged since the last ingest
    loaded: int = 0
    reextracted: int = 0  # of those loaded: same text, read again by a newer extractor
    kept_old_version: int = 0  # of those skipped: extracted by another version, kept (re-extraction off)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document or file, reason)
    unsupported: list[str] = field(default_factory=list)  # files in the folders of a type not read
    entities: dict[str, int] = field(default_factory=dict)  # distinct entities written, by label
    relationships: dict[str, int] = field(default_factory=dict)  # relationships written, by type
    triples: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@task(name="ensure-schema", cache_policy=NO_CACHE, **NEO4J_RETRIES)
def ensure_schema() -> None:
    store.ensure_schema(connection())


@dataclass(frozen=True)
class Neo4jTasks:
    """The flow's Neo4j tasks with the settings' retry policy and time bound."""

    schema: Any
    select: Any
    load: Any

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jTasks:
        options = neo4j_task_options(settings)
        load_options = {**options, "timeout_seconds": load_timeout_seconds(settings)}
        return cls(schema=ensure_schema.with_options(**options), select=select_changed.with_options(**options),
                   load=load_batch.with_options(**load_options))


def _neo4j_down(exc: Exception) -> str | None:
    """Why no later batch can load either (Neo4j gone even after retries, or
    stalled past the time bound), or None for a failure of this batch only."""
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return f"Neo4j unavailable ({type(exc).__name__})"
    if isinstance(exc, TimeoutError):  # the store's Neo4jTimeout, or Prefect's bound on the task
        return f"Neo4j timed out: {exc}"
    return None


def _tick(report: IngestReport) -> None:
    if progress_hook is not None:
        progress_hook(report.read, len(report.failed))


def _first(docs: Iterable[Document], limit: int | None) -> Iterator[Document]:
    return iter(docs) if limit is None else itertools.islice(docs, limit)


def run_ingest_flow(
    paths: list[str], *, runner: str = "sequential", dask_address: str | None = None, **options: Any
) -> dict[str, Any]:
    """The ingest flow on the chosen task runner: "sequential" (in this process) or
    "dask" (Prefect's DaskTaskRunner on the cluster at `dask_address`, a
    scheduler address such as tcp://10.0.0.5:8786; a local cluster when None)."""
    if runner == "sequential":
        return ingest_flow(paths, **options)
    if runner != "dask":
        raise ValueError(f"unknown runner {runner!r}; use sequential or dask")
    from prefect_dask import DaskTaskRunner

    on_dask = ingest_flow.with_options(task_runner=DaskTaskRunner(address=dask_address))  # type: ignore[arg-type]
    return on_dask(paths, parallel=True, **options)


def _count_selection(report: IngestReport, batch: list[Document], todo: list[Document]) -> None:
    report.skipped += len(batch) - len(todo)
    report.kept_old_version += len(getattr(todo, "kept_old", ()))


def _count(
    report: IngestReport, mapped: MappedBatch, entity_keys: dict[str, set[int]], relationship_counts: Counter[str],
    todo: list[Document] | None = None,
) -> None:
    report.loaded += len(mapped.plan.documents)
    # Only those that made it into the graph: one that fails mapping was not re-extracted into it.
    loaded_ids = set(mapped.plan.document_ids)
    report.reextracted += sum(1 for doc_id in getattr(todo, "reextracted", ()) if doc_id in loaded_ids)
    report.triples += mapped.triples
    for label, rows in mapped.plan.entities.items():
        entity_keys.setdefault(label, set()).update(hash(r["uri"]) for r in rows)
    for rel_type, rows in mapped.plan.relationships.items():
        relationship_counts[rel_type] += len(rows)


def _ingest_in_parallel(
    batches: Iterable[list[Document]],
    reader: DocumentReader,
    report: IngestReport,
    force: bool,
    model_name: str,
    n_process: int,
    in_flight: int,
    entity_keys: dict[str, set[int]],
    relationship_counts: Counter[str],
    resolve: bool = True,
    reextract: bool = True,
    neo4j: Neo4jTasks | None = None,
    min_confidence: float | None = None,
) -> int:
    """Submit select → extract → map per batch, at most `in_flight` batches ahead
    of the oldest unfinished one; load in reading order, one batch at a time.
    Returns how many reading failures were reported."""
    logger = get_run_logger()
    neo4j = neo4j or Neo4jTasks(schema=ensure_schema, select=select_changed, load=load_batch)
    window: deque[tuple[list[Document], Any, Any]] = deque()
    loading: tuple[list[Document], MappedBatch, Any, Selection] | None = None
    seen_failures = 0
    neo4j_down: str | None = None

    def failed(batch: list[Document], exc: Exception) -> None:
        nonlocal neo4j_down
        down = _neo4j_down(exc)
        if down is not None:
            neo4j_down = down
            logger.error("%s; the remaining documents are not loaded", neo4j_down)
        if neo4j_down is not None:
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
        else:
            logger.error("batch of %d documents failed: %s", len(batch), exc)
            report.failed.extend((d.id, f"not loaded: {type(exc).__name__}: {exc}") for d in batch)

    def finish_load() -> None:
        nonlocal loading
        if loading is None:
            return
        batch, mapped, future, todo = loading
        loading = None
        try:
            future.result()
        except Exception as exc:
            failed(batch, exc)
            return
        _count(report, mapped, entity_keys, relationship_counts, todo)

    def finish_oldest() -> None:
        nonlocal loading
        batch, todo_future, map_future = window.popleft()
        try:
            todo = todo_future.result()
            _count_selection(report, batch, todo)
            mapped = map_future.result()
        except Exception as exc:
            failed(batch, exc)
            return
        finish_load()  # loads go one at a time, in reading order
        if neo4j_down is not None:
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
        elif todo:
            report.failed.extend(mapped.failures)
            loading = (batch, mapped, neo4j.load.submit(mapped.plan, resolve), todo)
        _tick(report)

    for batch in batches:
        report.read += len(batch)
        report.failed.extend((f.source, f.reason) for f in reader.failures[seen_failures:])
        seen_failures = len(reader.failures)
        if neo4j_down is not None:
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
            continue
        # A future passed on as an argument stays on the cluster until the task needs it.
        todo_future: Any = neo4j.select.submit(batch, force, model_name, reextract)
        extract_future: Any = extract_batch.submit(todo_future, model_name, n_process, min_confidence)
        map_future = map_batch.submit(extract_future)
        window.append((batch, todo_future, map_future))
        while len(window) >= max(1, in_flight):
            finish_oldest()
    while window:
        finish_oldest()
    finish_load()
    return seen_failures


@flow(name="newsgraph-ingest", log_prints=False)
def ingest_flow(
    paths: list[str],
    force: bool = False,
    n_process: int = 1,
    batch_words: int | None = None,
    parallel: bool = False,
    limit: int | None = None,
    in_flight: int = 8,
    resolve: bool = True,
    reextract: bool | None = None,
    min_confidence: float | None = None,
) -> dict[str, Any]:
    """`parallel`: submit batches to the flow's task runner (see run_ingest_flow);
    `limit`: read at most this many documents; `in_flight`: batches submitted
    ahead when parallel; `resolve=False` leaves cross-document resolution out
    (to measure what it adds); `reextract`: extract again the unchanged
    documents that another extractor version read, replacing their facts
    (None: the NEWSGRAPH_REEXTRACT setting, on by default; scheduled runs use it);
    `min_confidence`: entities and facts below it are not loaded (None: the
    NEWSGRAPH_MIN_CONFIDENCE setting, else the extractor's calibrated default;
    it applies to the documents this run extracts, not to unchanged ones it skips)."""
    logger = get_run_logger()
    # The flow is an entry point (the CLI, a deployment, a test): its settings
    # are read here once; its tasks get what they need from them.
    settings = load_settings()
    if reextract is None:
        reextract = settings.reextract
    if min_confidence is None:
        min_confidence = settings.min_confidence
    neo4j = Neo4jTasks.from_settings(settings)
    started = time.perf_counter()
    report = IngestReport()
    entity_keys: dict[str, set[int]] = {}
    relationship_counts: Counter[str] = Counter()

    neo4j.schema()
    reader = DocumentReader(paths, max_doc_bytes=settings.max_doc_bytes)
    seen_failures = 0
    neo4j_down: str | None = None
    batches = batches_by_words(_first(reader, limit), batch_words or settings.batch_words)
    # With one spaCy process, batches go through the task runner too (Prefect's
    # default runs tasks in threads): a batch is written to Neo4j while the next
    # one is parsed, so the load's time hides behind spaCy's. Loads stay one at a
    # time in reading order. Several spaCy processes fork from this process, which
    # is only safe from its main thread: that case stays strictly sequential.
    overlapped = parallel or n_process == 1
    if overlapped:
        seen_failures = _ingest_in_parallel(batches, reader, report, force, settings.spacy_model, n_process,
                                            in_flight if parallel else 1, entity_keys, relationship_counts,
                                            resolve, reextract, neo4j, min_confidence)
    for batch in () if overlapped else batches:
        report.read += len(batch)
        # Reading failures are collected by the reader as it goes.
        report.failed.extend((f.source, f.reason) for f in reader.failures[seen_failures:])
        seen_failures = len(reader.failures)
        if neo4j_down is not None:
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
            _tick(report)
            continue
        try:
            todo = neo4j.select(batch, force, settings.spacy_model, reextract)
            _count_selection(report, batch, todo)
            if todo:
                extractions = extract_batch(todo, settings.spacy_model, n_process, min_confidence)
                mapped = map_batch(extractions)
                report.failed.extend(mapped.failures)
                neo4j.load(mapped.plan, resolve)
                _count(report, mapped, entity_keys, relationship_counts, todo)
        except (ServiceUnavailable, SessionExpired, TimeoutError) as exc:
            # Neo4j is gone even after retries, or stalled: name every document not loaded.
            neo4j_down = _neo4j_down(exc)
            logger.error("%s; the remaining documents are not loaded", neo4j_down)
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
        except Exception as exc:
            logger.error("batch of %d documents failed: %s", len(batch), exc)
            report.failed.extend((d.id, f"not loaded: {type(exc).__name__}: {exc}") for d in batch)
        _tick(report)
    report.failed.extend((f.source, f.reason) for f in reader.failures[seen_failures:])
    report.unsupported = [str(path) for path in reader.unsupported]
    if report.unsupported:
        logger.info("%d files not read (not .txt, .story or .jsonl): %s", len(report.unsupported),
                       ", ".join(report.unsupported[:20]))
    report.entities = {label: len(keys) for label, keys in sorted(entity_keys.items())}
    report.relationships = dict(sorted(relationship_counts.items()))
    report.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "read %d, skipped %d, loaded %d (re-extracted %d), failed %d",
        report.read, report.skipped, report.loaded, report.reextracted, len(report.failed),
    )
    _tick(report)
    return report.to_dict()
