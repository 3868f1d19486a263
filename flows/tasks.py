"""Prefect tasks: each body is one call into library code tested without Prefect.

Tasks take and return plain data (documents, extractions, load plans): never a
driver, a spaCy Language or an rdflib Graph; the Neo4j connection is built
inside from the settings, so no secret becomes a task argument.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired, TransientError
from prefect import task
from prefect.cache_policies import NO_CACHE

from extractors import pipeline
from extractors.pipeline import extract_documents
from extractors.types import Document, Extraction
from graphstore import store
from graphstore.plan import LoadPlan, plan_from_graph
from newsgraph.config import DEFAULTS, Settings, load_settings, parse_retry_delays
from newsgraph.connection import connection
from schema import shingles
from schema.batch import build_batch
from schema.mapping import document_uri

DEFAULT_RETRY_DELAYS = parse_retry_delays(DEFAULTS["NEWSGRAPH_RETRY_DELAYS"])
RETRY_DELAYS_ENV = "NEWSGRAPH_RETRY_DELAYS"


def retry_delays(settings: Settings | None = None) -> list[float]:
    """Seconds between the attempts of a Neo4j task: NEWSGRAPH_RETRY_DELAYS
    ("2,5,15" by default; one retry per number), from the settings."""
    return list((settings or load_settings()).retry_delays)


def is_transient(exc: BaseException) -> bool:
    """Neo4j trouble that a later attempt can get past: the server unreachable or
    restarting, a lost connection, a deadlock or another TransientError.
    (A stall past the time bound is not: see load_timeout_seconds.)"""
    if isinstance(exc, ServiceUnavailable | SessionExpired | TransientError):
        return True
    return isinstance(exc, Neo4jError | DriverError) and exc.is_retryable()


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry_condition_fn: retry transient Neo4j errors only; a
    syntax error, a constraint violation or a bug fails at once."""
    result = state.result(raise_on_failure=False)
    return isinstance(result, BaseException) and is_transient(result)


def neo4j_task_options(settings: Settings | None = None) -> dict[str, Any]:
    """The retry policy of the Neo4j tasks: transient Neo4j trouble (connection
    refused, leader switch, deadlock) is retried with backoff before the batch
    counts as failed; other errors are not. The driver itself first retries
    each transaction (NEWSGRAPH_NEO4J_RETRY_SECONDS)."""
    delays = list(settings.retry_delays) if settings is not None else list(DEFAULT_RETRY_DELAYS)
    return {"retries": len(delays), "retry_delay_seconds": delays, "retry_condition_fn": retry_if_transient}


# Prefect's own bound on one attempt of the load task comes after the store's
# (graphstore.store.GraphStore.bounded: opening the driver, then the bounded
# write), so the store's clearer message is the one the user sees; a stall
# fails the batch at once, no retry (the next run, or the next scheduled one,
# starts again from what is committed).
_PREFECT_MARGIN_SECONDS = 10.0


def load_timeout_seconds(settings: Settings) -> float | None:
    """Prefect's `timeout_seconds` for one attempt of the flow's load task
    (flows.ingest.Neo4jTasks); None when NEWSGRAPH_NEO4J_TIMEOUT is 0 (unbounded)."""
    bound = settings.neo4j_timeout
    return bound + settings.neo4j_acquire_timeout + _PREFECT_MARGIN_SECONDS if bound else None


class _ThreadTimeoutNotice(logging.Filter):
    """Prefect logs a warning on every run of a task with a timeout in a worker
    thread: that its timeout cannot interrupt blocking I/O. The load's own bound
    can (see load_timeout_seconds), so the warning would only be noise, once
    per batch, on the user's terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Timeout of") and "running in a worker thread" in message)


logging.getLogger("prefect.task_runs").addFilter(_ThreadTimeoutNotice())

# The tasks' defaults; the flow applies the settings' values (neo4j_task_options).
NEO4J_RETRIES = neo4j_task_options()


@dataclass
class MappedBatch:
    plan: LoadPlan
    triples: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)


class Selection(list[Document]):
    """The documents of a batch to extract, as a plain list (what extract_batch
    takes, even through a future), plus what the ingest report says about them:
    `reextracted`, the ids among them whose text is unchanged but whose facts
    came from another extractor version; `kept_old`, the ids of such documents
    left alone because re-extraction is switched off."""

    def __init__(self, docs: Iterable[Document] = (), reextracted: Iterable[str] = (),
                 kept_old: Iterable[str] = ()) -> None:
        super().__init__(docs)
        self.reextracted = list(reextracted)
        self.kept_old = list(kept_old)


@task(name="select-changed", cache_policy=NO_CACHE, **NEO4J_RETRIES)
def select_changed(docs: list[Document], force: bool, model_name: str = pipeline.DEFAULT_MODEL,
                   reextract: bool = True) -> Selection:
    """Drop documents already loaded with the same content (one query per batch),
    unless the extractor that read them is not the one running now and
    `reextract` is on: then they are extracted again and replace their facts."""
    if force:
        return Selection(docs)
    known = store.existing_documents(connection(), [d.id for d in docs], versions=True)
    todo: list[Document] = []
    stale: list[str] = []
    for doc in docs:
        sha256, version = known.get(doc.id, (None, None))
        if sha256 != doc.sha256:
            todo.append(doc)
        # Asked only when some text is unchanged: the version loads the model.
        elif version != pipeline.extractor_version(model_name):
            stale.append(doc.id)
            if reextract:
                todo.append(doc)
    return Selection(todo, reextracted=stale if reextract else [], kept_old=[] if reextract else stale)


@task(name="extract", cache_policy=NO_CACHE)
def extract_batch(docs: list[Document], model_name: str, n_process: int,
                  min_confidence: float | None = None, in_workers: bool = False) -> list[Extraction]:
    """`min_confidence` is the flow's cut-off, passed as an argument so a worker
    applies the one the run was started with (None: the calibrated default);
    `in_workers`: in worker processes even with one (see extract_documents)."""
    if not docs:  # all unchanged: no spaCy to load, and with several processes none to fork
        return []
    return list(extract_documents(docs, model_name=model_name, n_process=n_process, min_confidence=min_confidence,
                                  in_workers=in_workers))


# Neo4j cannot index a string much over 8 KB (uri and source id constraints, the
# name index); a longer one fails the whole batch's transaction. Such a document
# (a 50,000-character "name" from one endless token, an id of a deep path of
# non-ASCII folders) fails alone instead, before mapping.
MAX_INDEXED_BYTES = 4096


def unindexable(extraction: Extraction) -> str | None:
    """Why this document's keys cannot be indexed in Neo4j, or None."""
    size = len(str(document_uri(extraction.document.id)).encode("utf-8"))
    if size > MAX_INDEXED_BYTES:
        return f"document id too long to index ({size} bytes as a URI; the limit is {MAX_INDEXED_BYTES})"
    for entity in extraction.entities:
        size = max(len(entity.uri.encode("utf-8")), len(entity.name.encode("utf-8")))
        if size > MAX_INDEXED_BYTES:
            return (f"{entity.label} {entity.name[:40]!r}... too long to index "
                    f"({size} bytes; the limit is {MAX_INDEXED_BYTES})")
    return None


@task(name="map-validate", cache_policy=NO_CACHE)
def map_batch(extractions: list[Extraction]) -> MappedBatch:
    """Extraction → RDF → SHACL → the rows the graph store writes."""
    failures: list[tuple[str, str]] = []
    loadable = []
    for extraction in extractions:
        reason = unindexable(extraction)
        if reason is None:
            loadable.append(extraction)
        else:
            failures.append((extraction.document.id, reason))
    graph, invalid = build_batch(loadable)
    return MappedBatch(plan=plan_from_graph(graph), triples=len(graph), failures=failures + invalid)


# Its timeout is set by the flow from the settings (Prefect's with_options can
# add a timeout to a task, not take one away).
@task(name="load", cache_policy=NO_CACHE, **NEO4J_RETRIES)
def load_batch(plan: LoadPlan, resolve: bool = True,
               story_threshold: float = shingles.DEFAULT_THRESHOLD) -> dict[str, int]:
    return store.load_plan(connection(), plan, resolve=resolve, story_threshold=story_threshold)
