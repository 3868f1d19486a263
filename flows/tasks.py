"""Prefect tasks: each body is one call into library code tested without Prefect.

Tasks take and return plain data (documents, extractions, load plans): never a
driver, a spaCy Language or an rdflib Graph; the Neo4j connection is built
inside from the settings, so no secret becomes a task argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import task
from prefect.cache_policies import NO_CACHE

from extractors.pipeline import extract_documents
from extractors.types import Document, Extraction
from graphstore import store
from graphstore.plan import LoadPlan, plan_from_graph
from newsgraph.connection import connection
from schema.batch import build_batch

# Transient Neo4j trouble (connection refused, leader switch, deadlock) is
# retried with backoff before the batch counts as failed.
NEO4J_RETRIES = {"retries": 3, "retry_delay_seconds": [2, 5, 15]}


@dataclass
class MappedBatch:
    plan: LoadPlan
    triples: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)


@task(name="select-changed", cache_policy=NO_CACHE, **NEO4J_RETRIES)  # type: ignore[call-overload]
def select_changed(docs: list[Document], force: bool) -> list[Document]:
    """Drop documents already loaded with the same content (one query per batch)."""
    if force:
        return docs
    known = store.existing_documents(connection(), [d.id for d in docs])
    return [d for d in docs if known.get(d.id) != d.sha256]


@task(name="extract", cache_policy=NO_CACHE)
def extract_batch(docs: list[Document], model_name: str, n_process: int) -> list[Extraction]:
    return list(extract_documents(docs, model_name=model_name, n_process=n_process))


@task(name="map-validate", cache_policy=NO_CACHE)
def map_batch(extractions: list[Extraction]) -> MappedBatch:
    """Extraction → RDF → SHACL → the rows the graph store writes."""
    graph, failures = build_batch(extractions)
    return MappedBatch(plan=plan_from_graph(graph), triples=len(graph), failures=failures)


@task(name="load", cache_policy=NO_CACHE, **NEO4J_RETRIES)  # type: ignore[call-overload]
def load_batch(plan: LoadPlan, resolve: bool = True) -> dict[str, int]:
    return store.load_plan(connection(), plan, resolve=resolve)
