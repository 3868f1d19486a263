"""The ingest flow: read → extract → map → validate → load, over batches.

Reads like the pipeline diagram in DESIGN.md. Documents stream from the
readers in batches sized by words, so the corpus is never held whole. The loop
over the batches is flows.loop.ingest, plain code; this flow reads the
settings, chooses how each stage runs (inline, or submitted to the task
runner) and passes the Prefect tasks in.

By default the batches run one after another, extracted in worker processes
(one unless `n_process` says more) while this process maps and loads the batch
before, so each core does a different job at once. With
`parallel=True` (see `run_ingest_flow`, which sets up Prefect's Dask task
runner) each batch's select → extract → map tasks are submitted to the task
runner, a bounded number of batches at a time; the loads go one at a time in
reading order, so the graph is the one the sequential run builds.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import opaque

from extractors.pipeline import start_workers
from extractors.types import Document
from flows.loop import IngestReport, Progress, Stage, Stages, ingest
from flows.tasks import (
    NEO4J_RETRIES,
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

__all__ = ["IngestReport", "LocalProgress", "Neo4jTasks", "ensure_schema", "ingest_flow", "run_ingest_flow"]


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


class _Unwalked:
    """A task whose arguments Prefect resolves (a future becomes its result) but
    does not walk: by default it visits every element of every argument, twice
    (to resolve futures, then to record task inputs), which for a batch's
    documents, extractions and load plan cost more of this process's time than
    mapping them."""

    def __init__(self, task: Any) -> None:
        self.task = task

    def submit(self, *args: Any) -> Any:
        return self.task.submit(*(opaque(arg) for arg in args))


def _first(docs: Iterable[Document], limit: int | None) -> Iterator[Document]:
    return iter(docs) if limit is None else itertools.islice(docs, limit)


class LocalProgress:
    """A progress callback to pass to the flow. Prefect sends the flow run's
    context, its parameters included, to a Dask worker with every task; a
    callback such as the CLI's progress bar holds a lock and a terminal, and
    only means something in the flow's own process. Pickled, it becomes a
    no-op, which no worker calls anyway (the loop runs in the flow)."""

    def __init__(self, fn: Progress | None) -> None:
        self.fn = fn

    def __call__(self, read: int, failed: int) -> None:
        if self.fn is not None:
            self.fn(read, failed)

    def __reduce__(self) -> tuple[type[LocalProgress], tuple[None]]:
        return (LocalProgress, (None,))


def run_ingest_flow(
    paths: list[str], *, runner: str = "sequential", dask_address: str | None = None,
    progress: Progress | None = None, **options: Any
) -> dict[str, Any]:
    """The ingest flow on the chosen task runner: "sequential" (in this process) or
    "dask" (Prefect's DaskTaskRunner on the cluster at `dask_address`, a
    scheduler address such as tcp://10.0.0.5:8786; a local cluster when None).
    `progress` is called with (documents read, documents failed) after each batch."""
    if progress is not None:
        options["progress"] = LocalProgress(progress)
    if runner == "sequential":
        # The extraction workers start before Prefect starts the flow run (and
        # its threads): they load the pipeline while Prefect gets ready.
        start_workers(load_settings().spacy_model, options.get("n_process", 1))
        return ingest_flow(paths, **options)
    if runner != "dask":
        raise ValueError(f"unknown runner {runner!r}; use sequential or dask")
    from prefect_dask import DaskTaskRunner

    on_dask = ingest_flow.with_options(task_runner=DaskTaskRunner(address=dask_address))  # type: ignore[arg-type]
    return on_dask(paths, parallel=True, **options)


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
    # Any, not Progress: Prefect validates a flow's parameters with pydantic, which
    # must resolve every annotation where a scheduled run loads the flow, and a
    # callback is an in-process value that no schedule ever passes anyway.
    progress: Any = None,
) -> dict[str, Any]:
    """`parallel`: submit batches to the flow's task runner (see run_ingest_flow);
    `limit`: read at most this many documents; `in_flight`: batches submitted
    ahead when parallel; `resolve=False` leaves cross-document resolution out
    (to measure what it adds); `reextract`: extract again the unchanged
    documents that another extractor version read, replacing their facts
    (None: the NEWSGRAPH_REEXTRACT setting, on by default; scheduled runs use it);
    `min_confidence`: entities and facts below it are not loaded (None: the
    NEWSGRAPH_MIN_CONFIDENCE setting, else the extractor's calibrated default;
    it applies to the documents this run extracts, not to unchanged ones it skips);
    `progress`: called with (documents read, documents failed) after each batch
    (the CLI's progress bar; on Dask, wrapped in a LocalProgress, as run_ingest_flow does)."""
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

    neo4j.schema()
    reader = DocumentReader(paths, max_doc_bytes=settings.max_doc_bytes)
    batches = batches_by_words(_first(reader, limit), batch_words or settings.batch_words)
    # Batches go through the task runner (Prefect's default runs tasks in
    # threads). Extraction runs in worker processes, one even when n_process is
    # 1: spaCy then has a core of its own while this process maps, validates and
    # loads the batches before, instead of sharing one interpreter with them.
    # Three batches in flight keep the workers fed while this process catches
    # up. Loads stay one at a time in reading order. The workers fork from this
    # process, which is only safe from its main thread: they are started here
    # (or already were, by run_ingest_flow), before any task runs; that costs a
    # fork, not a model load, so a re-ingest with nothing to extract stays quick.
    model = settings.spacy_model
    # (Not on Dask: its task runner sends the arguments to the cluster, where an
    # annotation does not arrive as one.)
    unwalked = _Unwalked if not parallel else (lambda task: task)
    if not parallel:
        start_workers(model, n_process)
    ahead = in_flight if parallel else 3
    stages = Stages(
        # A future passed on as an argument stays on the cluster until the task needs it.
        select=Stage(unwalked(neo4j.select), True, (force, model, reextract)),
        extract=Stage(unwalked(extract_batch), True, (model, n_process, min_confidence, not parallel)),
        map=Stage(unwalked(map_batch), True),
        load=Stage(unwalked(neo4j.load), True, (resolve, settings.story_threshold)),
    )
    report = ingest(batches, stages, reading_failures=reader.failures, in_flight=ahead,
                    progress=progress, logger=logger)
    report.unsupported = [str(path) for path in reader.unsupported]
    if report.unsupported:
        logger.info("%d files not read (not .txt, .story or .jsonl): %s", len(report.unsupported),
                    ", ".join(report.unsupported[:20]))
    report.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "read %d, skipped %d, loaded %d (re-extracted %d), failed %d",
        report.read, report.skipped, report.loaded, report.reextracted, len(report.failed),
    )
    return report.to_dict()
