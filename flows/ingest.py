"""The ingest flow: read → extract → map → validate → load, over batches.

Reads like the pipeline diagram in DESIGN.md. Documents stream from the
readers in batches sized by words, so the corpus is never held whole.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from neo4j.exceptions import ServiceUnavailable, SessionExpired
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.tasks import NEO4J_RETRIES, extract_batch, load_batch, map_batch, select_changed
from graphstore import store
from newsgraph.config import load_settings
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
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document or file, reason)
    entities: dict[str, int] = field(default_factory=dict)  # distinct entities written, by label
    relationships: dict[str, int] = field(default_factory=dict)  # relationships written, by type
    triples: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@task(name="ensure-schema", cache_policy=NO_CACHE, **NEO4J_RETRIES)  # type: ignore[call-overload]
def ensure_schema() -> None:
    store.ensure_schema(connection())


def _tick(report: IngestReport) -> None:
    if progress_hook is not None:
        progress_hook(report.read, len(report.failed))


@flow(name="newsgraph-ingest", log_prints=False)
def ingest_flow(
    paths: list[str], force: bool = False, n_process: int = 1, batch_words: int | None = None,
    resolve: bool = True,
) -> dict[str, Any]:
    """`resolve=False` leaves cross-document resolution out (to measure what it adds)."""
    logger = get_run_logger()
    settings = load_settings()
    started = time.perf_counter()
    report = IngestReport()
    entity_keys: dict[str, set[int]] = {}
    relationship_counts: Counter[str] = Counter()

    ensure_schema()
    reader = DocumentReader(paths, max_doc_bytes=settings.max_doc_bytes)
    seen_failures = 0
    neo4j_down: str | None = None
    for batch in batches_by_words(reader, batch_words or settings.batch_words):
        report.read += len(batch)
        # Reading failures are collected by the reader as it goes.
        report.failed.extend((f.source, f.reason) for f in reader.failures[seen_failures:])
        seen_failures = len(reader.failures)
        if neo4j_down is not None:
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
            _tick(report)
            continue
        try:
            todo = select_changed(batch, force)
            report.skipped += len(batch) - len(todo)
            if todo:
                extractions = extract_batch(todo, settings.spacy_model, n_process)
                mapped = map_batch(extractions)
                report.failed.extend(mapped.failures)
                load_batch(mapped.plan, resolve)
                report.loaded += len(mapped.plan.documents)
                report.triples += mapped.triples
                for label, rows in mapped.plan.entities.items():
                    entity_keys.setdefault(label, set()).update(hash(r["uri"]) for r in rows)
                for rel_type, rows in mapped.plan.relationships.items():
                    relationship_counts[rel_type] += len(rows)
        except (ServiceUnavailable, SessionExpired) as exc:
            # Neo4j is gone even after retries: name every document not loaded.
            neo4j_down = f"Neo4j unavailable ({type(exc).__name__})"
            logger.error("%s; the remaining documents are not loaded", neo4j_down)
            report.failed.extend((d.id, f"not loaded: {neo4j_down}") for d in batch)
        except Exception as exc:
            logger.error("batch of %d documents failed: %s", len(batch), exc)
            report.failed.extend((d.id, f"not loaded: {type(exc).__name__}: {exc}") for d in batch)
        _tick(report)
    report.failed.extend((f.source, f.reason) for f in reader.failures[seen_failures:])
    report.entities = {label: len(keys) for label, keys in sorted(entity_keys.items())}
    report.relationships = dict(sorted(relationship_counts.items()))
    report.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "read %d, skipped %d, loaded %d, failed %d", report.read, report.skipped, report.loaded, len(report.failed)
    )
    _tick(report)
    return report.to_dict()
