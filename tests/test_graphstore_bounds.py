"""The time bounds of the graph store and of the load task, without a server
(tests/test_faults_stall.py stalls a real connection)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from graphstore.store import Connection, GraphStore, Neo4jTimeout
from newsgraph.config import load_settings


def _store(timeout: float | None) -> GraphStore:
    return GraphStore(Connection(uri="bolt://127.0.0.1:1", user="neo4j", password="x", database="neo4j",
                                 timeout=timeout))


def test_a_call_past_the_bound_raises_a_clear_timeout() -> None:
    release = threading.Event()
    abandoned = threading.Event()
    started = time.monotonic()
    with pytest.raises(Neo4jTimeout, match=r"no answer from Neo4j at bolt://127.0.0.1:1 within 0.3 s while waiting"):
        _store(0.3).bounded("waiting", release.wait, abandoned)
    assert time.monotonic() - started < 2
    assert abandoned.is_set()
    release.set()


def test_a_call_within_the_bound_returns_or_raises_as_itself() -> None:
    graph = _store(5)
    assert graph.bounded("adding", lambda: 1 + 1) == 2
    with pytest.raises(KeyError):
        graph.bounded("looking", lambda: {}["missing"])


def test_no_bound_runs_the_call_in_place() -> None:
    assert _store(None).bounded("anything", threading.current_thread) is threading.current_thread()


def test_the_load_task_carries_prefect_s_bound_after_the_store_s(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import tasks
    from flows.ingest import Neo4jTasks

    assert Neo4jTasks.from_settings(load_settings()).load.timeout_seconds == 120 + 60 + 10  # the defaults
    assert tasks.load_batch.timeout_seconds is None  # outside the flow: the store's own bound only
    monkeypatch.setenv("NEWSGRAPH_NEO4J_TIMEOUT", "7")
    monkeypatch.setenv("NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT", "3")
    monkeypatch.setenv("NEWSGRAPH_RETRY_DELAYS", "1,1")
    neo4j = Neo4jTasks.from_settings(load_settings())
    assert neo4j.load.timeout_seconds == 7 + 3 + 10
    assert neo4j.load.retries == neo4j.select.retries == neo4j.schema.retries == 2
    monkeypatch.setenv("NEWSGRAPH_NEO4J_TIMEOUT", "0")
    assert Neo4jTasks.from_settings(load_settings()).load.timeout_seconds is None


def test_prefect_s_worker_thread_timeout_notice_is_not_shown() -> None:
    import flows.tasks  # noqa: F401  (installs the filter)

    logger = logging.getLogger("prefect.task_runs")

    def shown(message: str, *args: object) -> bool:
        record = logger.makeRecord(logger.name, logging.WARNING, __file__, 0, message, args, None)
        return bool(logger.filter(record))

    assert not shown("Timeout of %s seconds configured for this task, but the task is running in a worker "
                     "thread. Timeouts in worker threads cannot interrupt blocking operations", 190)
    assert shown("something else")
