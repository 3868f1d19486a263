"""Prefect tasks: each body is one call into library code tested without Prefect.

Tasks take and return plain data (documents, extractions, load plans): never a
driver, a spaCy Language or an rdflib Graph; the Neo4j connection is built
inside from the settings, so no secret becomes a task argument.
"""

from __future__ import annotations

import os
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
from newsgraph.connection import connection
from schema.batch import build_batch
from schema.mapping import document_uri

DEFAULT_RETRY_DELAYS = (2.0, 5.0, 15.0)
RETRY_DELAYS_ENV = "NEWSGRAPH_RETRY_DELAYS"


def retry_delays() -> list[float]:
    """Seconds between the attempts of a Neo4j task: NEWSGRAPH_RETRY_DELAYS
    ("2,5,15" by default; one retry per number)."""
    raw = os.environ.get(RETRY_DELAYS_ENV, "").strip()
    if not raw:
        return list(DEFAULT_RETRY_DELAYS)
    try:
        delays = [float(part) for part in raw.split(",")]
    except ValueError:
        raise ValueError(f"{RETRY_DELAYS_ENV} must be comma-separated seconds, e.g. 2,5,15; got {raw!r}") from None
    if any(d < 0 for d in delays):
        raise ValueError(f"{RETRY_DELAYS_ENV} must not be negative; got {raw!r}")
    return delays


def is_transient(exc: BaseException) -> bool:
    """Neo4j trouble that a later attempt can get past: the server unreachable or
    restarting, a lost connection, a deadlock or another TransientError."""
    if isinstance(exc, ServiceUnavailable | SessionExpired | TransientError):
        return True
    return isinstance(exc, Neo4jError | DriverError) and exc.is_retryable()


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry_condition_fn: retry transient Neo4j errors only; a
    syntax error, a constraint violation or a bug fails at once."""
    result = state.result(raise_on_failure=False)
    return isinstance(result, BaseException) and is_transient(result)


# Transient Neo4j trouble (connection refused, leader switch, deadlock) is
# retried with backoff before the batch counts as failed; other errors are not.
# The driver itself first retries each transaction (NEWSGRAPH_NEO4J_RETRY_SECONDS).
_DELAYS = retry_delays()
NEO4J_RETRIES = {
    "retries": len(_DELAYS),
    "retry_delay_seconds": _DELAYS,
    "retry_condition_fn": retry_if_transient,
}


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


@task(name="select-changed", cache_policy=NO_CACHE, **NEO4J_RETRIES)  # type: ignore[call-overload]
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
def extract_batch(docs: list[Document], model_name: str, n_process: int) -> list[Extraction]:
    return list(extract_documents(docs, model_name=model_name, n_process=n_process))


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


@task(name="load", cache_policy=NO_CACHE, **NEO4J_RETRIES)  # type: ignore[call-overload]
def load_batch(plan: LoadPlan, resolve: bool = True) -> dict[str, int]:
    return store.load_plan(connection(), plan, resolve=resolve)
