"""The ingest loop, plain: select → extract → map → load over batches of documents.

No Prefect here. Each stage is a `Stage`: a function run inline, or a Prefect
task handed to the flow's task runner with `.submit()` (flows.ingest chooses
which). Either way the loop sees an outcome with `.result()`, so one loop
serves the sequential run, the overlapped one and the Dask one, and a test can
drive it with plain functions.

Loads go one at a time in reading order, so the graph is the one a strictly
sequential run builds. What happens to a batch is recorded in one place,
`IngestReport.fail_batch` for a failure and `_Run.count` for a load.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from neo4j.exceptions import ServiceUnavailable, SessionExpired

from extractors.types import Document

# Called after each batch, and once at the end, with (documents read, documents failed).
Progress = Callable[[int, int], None]


class ReadingFailure(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def reason(self) -> str: ...


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

    def fail_batch(self, batch: Sequence[Document], reason: str) -> None:
        """Every document of the batch is named as not loaded, with why."""
        self.failed.extend((d.id, f"not loaded: {reason}") for d in batch)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def neo4j_down(exc: BaseException) -> str | None:
    """Why no later batch can load either (Neo4j gone even after retries, or
    stalled past the time bound), or None for a failure of this batch only."""
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return f"Neo4j unavailable ({type(exc).__name__})"
    if isinstance(exc, TimeoutError):  # the store's Neo4jTimeout, or Prefect's bound on the task
        return f"Neo4j timed out: {exc}"
    return None


class Outcome(Protocol):
    def result(self) -> Any: ...


class _Done:
    """The outcome of a stage run inline: its value, or the exception it raised
    (kept, as a future keeps it, so a failure is recorded where a submitted
    stage's would be)."""

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


@dataclass(frozen=True)
class Stage:
    """One step of the loop. `fn` is a function, or a Prefect task; with
    `submit`, the task is handed to the flow's task runner (`fn.submit`), which
    runs it in a worker while the loop goes on, and takes the outcomes of
    earlier stages as arguments without waiting for them here."""

    fn: Any
    submit: bool = False
    options: tuple[Any, ...] = ()  # the run's options, passed after the batch's data

    def __call__(self, *args: Any) -> Outcome:
        if self.submit:
            outcome: Outcome = self.fn.submit(*args, *self.options)
            return outcome
        values = []
        for arg in args:
            if isinstance(arg, _Done):
                if arg.error is not None:
                    return arg  # an earlier stage failed: this one does not run, as with the task runner
                arg = arg.value
            values.append(arg)
        try:
            return _Done(self.fn(*values, *self.options))
        except Exception as exc:
            return _Done(error=exc)


@dataclass(frozen=True)
class Stages:
    """The loop's steps, each given the batch's data then its `options`:
    select(batch) → the documents to extract (a flows.tasks.Selection);
    extract(selection) → extractions; map(extractions) → a flows.tasks.MappedBatch;
    load(plan) → counts."""

    select: Stage
    extract: Stage
    map: Stage
    load: Stage


@dataclass
class _Pending:
    """A batch on its way through select → extract → map."""

    batch: list[Document]
    selection: Outcome
    mapped: Outcome


@dataclass
class _Loading:
    batch: list[Document]
    selection: Any
    mapped: Any
    outcome: Outcome


class _Run:
    """The state of one ingest: the report, what is written, the batch being loaded."""

    def __init__(self, stages: Stages, reading_failures: Sequence[ReadingFailure], progress: Progress | None,
                 logger: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        self.stages, self.reading_failures, self.progress, self.logger = stages, reading_failures, progress, logger
        self.report = IngestReport()
        self.down: str | None = None  # set once Neo4j is gone: no later batch is tried
        self.loading: _Loading | None = None
        self.seen_failures = 0
        self.entity_keys: dict[str, set[int]] = {}
        self.relationship_counts: Counter[str] = Counter()

    def merge_reading_failures(self) -> None:
        # The reader collects them as it goes; they join the report in reading order.
        new = self.reading_failures[self.seen_failures:]
        self.report.failed.extend((f.source, f.reason) for f in new)
        self.seen_failures += len(new)

    def tick(self) -> None:
        if self.progress is not None:
            self.progress(self.report.read, len(self.report.failed))

    def fail(self, batch: list[Document], exc: Exception) -> None:
        down = neo4j_down(exc)
        if down is not None and self.down is None:
            # The first cause found stands: a later batch's failure to reach a
            # Neo4j that already stalled or went away is a symptom of it.
            self.down = down
            self.logger.error("%s; the remaining documents are not loaded", down)
        elif self.down is None:
            self.logger.error("batch of %d documents failed: %s", len(batch), exc)
        # Once Neo4j is gone, that is why every batch still on its way fails.
        self.report.fail_batch(batch, self.down or f"{type(exc).__name__}: {exc}")

    def start(self, batch: list[Document]) -> _Pending:
        selection = self.stages.select(batch)
        extractions = self.stages.extract(selection)
        return _Pending(batch, selection, self.stages.map(extractions))

    def settle(self, pending: _Pending) -> None:
        """Wait for a batch's mapping, then hand it to the load once the previous
        batch's load is over."""
        try:
            selection = pending.selection.result()
            self.report.skipped += len(pending.batch) - len(selection)
            self.report.kept_old_version += len(getattr(selection, "kept_old", ()))
            mapped = pending.mapped.result()
        except Exception as exc:
            # The previous batch's load is settled first, so that failures are
            # recorded in reading order: when Neo4j stalls under that load, the
            # stall, not this batch's failed look-up behind it, is the cause.
            self.settle_load()
            self.fail(pending.batch, exc)
            self.tick()
            return
        self.settle_load()  # loads go one at a time, in reading order
        if self.down is not None:
            self.report.fail_batch(pending.batch, self.down)
        elif selection:
            self.report.failed.extend(mapped.failures)
            self.loading = _Loading(pending.batch, selection, mapped, self.stages.load(mapped.plan))
            if not self.stages.load.submit:
                self.settle_load()  # it ran inline: its outcome is known, record it now
        self.tick()

    def settle_load(self) -> None:
        loading, self.loading = self.loading, None
        if loading is None:
            return
        try:
            loading.outcome.result()
        except Exception as exc:
            self.fail(loading.batch, exc)
            return
        self.count(loading.selection, loading.mapped)

    def count(self, selection: Any, mapped: Any) -> None:
        report = self.report
        report.loaded += len(mapped.plan.documents)
        # Only those that made it into the graph: one that fails mapping was not re-extracted into it.
        loaded_ids = set(mapped.plan.document_ids)
        report.reextracted += sum(1 for doc_id in getattr(selection, "reextracted", ()) if doc_id in loaded_ids)
        report.triples += mapped.triples
        for label, rows in mapped.plan.entities.items():
            self.entity_keys.setdefault(label, set()).update(hash(r["uri"]) for r in rows)
        for rel_type, rows in mapped.plan.relationships.items():
            self.relationship_counts[rel_type] += len(rows)


def ingest(
    batches: Iterable[list[Document]],
    stages: Stages,
    *,
    reading_failures: Sequence[ReadingFailure] = (),
    in_flight: int = 1,
    progress: Progress | None = None,
    logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
) -> IngestReport:
    """Each batch goes select → extract → map, at most `in_flight` batches ahead
    of the oldest unfinished one, then to the load, one batch at a time in
    reading order. With a submitted load, a batch's load overlaps the next
    batch's extraction. Once Neo4j is found gone, no later batch is tried and
    each is named as not loaded. `reading_failures` is the reader's list,
    growing as the batches are read; `progress` is called after each batch."""
    run = _Run(stages, reading_failures, progress, logger or logging.getLogger(__name__))
    report = run.report
    window: deque[_Pending] = deque()
    for batch in batches:
        report.read += len(batch)
        run.merge_reading_failures()
        if run.down is not None:
            report.fail_batch(batch, run.down)
            run.tick()
            continue
        window.append(run.start(batch))
        while len(window) >= max(1, in_flight):
            run.settle(window.popleft())
    while window:
        run.settle(window.popleft())
    run.settle_load()
    run.merge_reading_failures()
    report.entities = {label: len(keys) for label, keys in sorted(run.entity_keys.items())}
    report.relationships = dict(sorted(run.relationship_counts.items()))
    run.tick()
    return report
