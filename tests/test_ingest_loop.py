"""The ingest loop without Prefect: fake stages, plain functions run inline or
submitted to a thread pool, and what the report says about each batch."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from neo4j.exceptions import ServiceUnavailable

from extractors.types import Document
from flows.loop import IngestReport, Stage, Stages, ingest


def _doc(n: int) -> Document:
    return Document(id=f"d{n}", text=f"Document {n}.")


@dataclass
class _Plan:
    document_ids: list[str]
    entities: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    relationships: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def documents(self) -> list[str]:
        return self.document_ids


@dataclass
class _Mapped:
    plan: _Plan
    triples: int
    failures: list[tuple[str, str]] = field(default_factory=list)


def _select(batch: list[Document], skip: str = "") -> list[Document]:
    return [d for d in batch if d.id != skip]


def _extract(docs: list[Document]) -> list[str]:
    return [d.id for d in docs]


def _map(ids: list[str]) -> _Mapped:
    return _Mapped(_Plan(ids, entities={"Person": [{"uri": f"p:{i}"} for i in ids]},
                         relationships={"MENTIONS": [{"uri": i} for i in ids]}), triples=3 * len(ids))


class _Load:
    """Loads each plan; raises the given errors for the given batches (by their first document)."""

    def __init__(self, errors: dict[str, Exception] | None = None) -> None:
        self.errors = errors or {}
        self.loaded: list[list[str]] = []

    def __call__(self, plan: _Plan) -> dict[str, int]:
        error = self.errors.get(plan.document_ids[0])
        if error is not None:
            raise error
        self.loaded.append(plan.document_ids)
        return {"documents": len(plan.document_ids)}


def _stages(load: _Load, submit: Any = None, skip: str = "") -> Stages:
    """Inline stages, or with `submit` (a fake task runner) submitted ones."""
    def stage(fn: Any, *options: Any) -> Stage:
        return Stage(submit.task(fn) if submit else fn, submit is not None, options)

    return Stages(select=stage(_select, skip), extract=stage(_extract), map=stage(_map), load=stage(load))


class _Runner:
    """A task runner: `.submit` runs the function in a thread once the futures
    among its arguments are done (as Prefect's runner waits for upstream tasks)."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool

    def task(self, fn: Any) -> Any:
        pool = self.pool

        class _Task:
            @staticmethod
            def submit(*args: Any) -> Future[Any]:
                return pool.submit(lambda: fn(*(a.result() if isinstance(a, Future) else a for a in args)))

        return _Task()


BATCHES = [[_doc(0), _doc(1)], [_doc(2), _doc(3)], [_doc(4)]]


@pytest.fixture(params=["inline", "submitted"])
def runner(request: pytest.FixtureRequest) -> Any:
    if request.param == "inline":
        yield None
        return
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield _Runner(pool)


def test_every_batch_loads_in_reading_order(runner: Any) -> None:
    load = _Load()
    ticks: list[tuple[int, int]] = []
    report = ingest(BATCHES, _stages(load, runner, skip="d3"), in_flight=2,
                    progress=lambda read, failed: ticks.append((read, failed)))
    assert load.loaded == [["d0", "d1"], ["d2"], ["d4"]]
    assert (report.read, report.loaded, report.skipped, report.failed) == (5, 4, 1, [])
    assert report.entities == {"Person": 4} and report.relationships == {"MENTIONS": 4}
    assert report.triples == 12
    # Once per batch as it finishes (two batches read before the first does), then once at the end.
    assert ticks == [(4, 0), (5, 0), (5, 0), (5, 0)]


def test_a_failing_load_fails_its_batch_once_with_its_reason(runner: Any) -> None:
    load = _Load({"d2": ValueError("bad row")})
    ticks: list[tuple[int, int]] = []
    report = ingest(BATCHES, _stages(load, runner), progress=lambda read, failed: ticks.append((read, failed)))
    assert report.failed == [("d2", "not loaded: ValueError: bad row"), ("d3", "not loaded: ValueError: bad row")]
    assert load.loaded == [["d0", "d1"], ["d4"]]  # the batches after it still load
    assert (report.read, report.loaded) == (5, 3)
    assert len(ticks) == len(BATCHES) + 1 and ticks[-1] == (5, 2)


def test_neo4j_gone_fails_that_batch_and_every_later_one(runner: Any) -> None:
    load = _Load({"d0": ServiceUnavailable("refused")})
    report = ingest(BATCHES, _stages(load, runner))
    reason = "not loaded: Neo4j unavailable (ServiceUnavailable)"
    assert report.failed == [(f"d{n}", reason) for n in range(5)]
    assert load.loaded == [] and report.loaded == 0 and report.read == 5


def test_a_failing_stage_before_the_load_fails_its_batch(runner: Any) -> None:
    def select(batch: list[Document]) -> list[Document]:
        if batch[0].id == "d2":
            raise KeyError("no such")
        return batch

    load = _Load()
    stages = _stages(load, runner)
    stages = Stages(select=Stage(runner.task(select) if runner else select, runner is not None),
                    extract=stages.extract, map=stages.map, load=stages.load)
    report = ingest(BATCHES, stages)
    assert report.failed == [("d2", "not loaded: KeyError: 'no such'"), ("d3", "not loaded: KeyError: 'no such'")]
    assert load.loaded == [["d0", "d1"], ["d4"]]


def test_a_stall_under_a_load_is_the_reason_even_when_a_later_lookup_fails_first() -> None:
    """Neo4j stalls under the first batch's load; the next batch's look-up,
    running beside it, fails to connect before the load's time bound is up.
    The stall is the cause, and every document not loaded is named with it."""
    import threading

    lookup_failed = threading.Event()

    class _StalledLoad(_Load):
        def __call__(self, plan: _Plan) -> dict[str, int]:
            lookup_failed.wait(5)  # the bound runs out after the look-up has failed
            raise TimeoutError("no answer within 5 s while loading 2 documents")

    def select(batch: list[Document]) -> list[Document]:
        if batch[0].id != "d0":
            lookup_failed.set()
            raise ServiceUnavailable("no handshake")
        return batch

    with ThreadPoolExecutor(max_workers=4) as pool:
        runner = _Runner(pool)
        stages = _stages(_StalledLoad(), runner)
        stages = Stages(select=Stage(runner.task(select), True), extract=stages.extract, map=stages.map,
                        load=stages.load)
        report = ingest(BATCHES, stages, in_flight=2)
    assert lookup_failed.is_set(), "the later look-up never ran beside the load"
    reason = "not loaded: Neo4j timed out: no answer within 5 s while loading 2 documents"
    assert report.failed == [(f"d{n}", reason) for n in range(5)]
    assert report.loaded == 0


@dataclass(frozen=True)
class _ReadFailure:
    source: str
    reason: str


def test_reading_failures_join_the_report_as_they_are_found() -> None:
    found: list[_ReadFailure] = []

    def batches() -> Any:
        found.append(_ReadFailure("a.txt", "cannot read"))
        yield BATCHES[0]
        found.append(_ReadFailure("b.txt", "cannot read"))

    report = ingest(batches(), _stages(_Load()), reading_failures=found)
    assert report.failed == [("a.txt", "cannot read"), ("b.txt", "cannot read")]
    assert report.loaded == 2


def test_fail_batch_names_every_document() -> None:
    report = IngestReport()
    report.fail_batch([_doc(1), _doc(2)], "Neo4j timed out")
    assert report.failed == [("d1", "not loaded: Neo4j timed out"), ("d2", "not loaded: Neo4j timed out")]


def test_the_same_loop_through_real_prefect_tasks(prefect_harness: None) -> None:
    """The fake stages as Prefect tasks, submitted to the flow's task runner
    (threads) as flows.ingest does: the same report, and a failing load still
    recorded once."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    load = _Load({"d2": ValueError("bad row")})

    def as_task(fn: Any) -> Any:
        return task(fn, cache_policy=NO_CACHE, name=getattr(fn, "__name__", "load"))

    ticks: list[tuple[int, int]] = []

    @flow
    def run() -> IngestReport:
        stages = Stages(select=Stage(as_task(_select), True, ("d3",)), extract=Stage(as_task(_extract), True),
                        map=Stage(as_task(_map), True), load=Stage(as_task(load), True))
        return ingest(BATCHES, stages, in_flight=2, progress=lambda read, failed: ticks.append((read, failed)))

    report = run()
    # The whole batch is named, d3 too (unchanged, so not extracted, but its batch did not load).
    assert report.failed == [("d2", "not loaded: ValueError: bad row"), ("d3", "not loaded: ValueError: bad row")]
    assert load.loaded == [["d0", "d1"], ["d4"]]
    assert (report.read, report.loaded, report.skipped) == (5, 3, 1)
    assert ticks[-1] == (5, 2) and len(ticks) == len(BATCHES) + 1


def test_a_progress_callback_stays_in_the_flows_process() -> None:
    """Prefect sends the flow's parameters to each Dask worker: the callback goes as a no-op."""
    import pickle

    from flows.ingest import LocalProgress

    ticks: list[tuple[int, int]] = []
    progress = LocalProgress(lambda read, failed: ticks.append((read, failed)))
    progress(3, 1)
    assert ticks == [(3, 1)]
    pickle.loads(pickle.dumps(progress))(4, 2)
    assert ticks == [(3, 1)]


def test_the_flow_reports_progress_per_batch(empty_graph: Any, prefect_harness: None) -> None:
    """The ingest flow itself, with Neo4j: progress is a parameter, not a module global."""
    from pathlib import Path

    from flows.ingest import run_ingest_flow

    examples = Path(__file__).resolve().parent.parent / "examples"
    files = sorted(examples.glob("*.txt"))[:3]
    ticks: list[tuple[int, int]] = []
    report = run_ingest_flow([str(f) for f in files], batch_words=200,
                             progress=lambda read, failed: ticks.append((read, failed)))
    assert report["failed"] == [] and report["loaded"] == len(files)
    assert len(ticks) >= 2 and ticks[-1] == (len(files), 0)
    assert [read for read, _ in ticks] == sorted(read for read, _ in ticks)
