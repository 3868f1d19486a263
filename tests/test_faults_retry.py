"""Prefect retries transient Neo4j errors (unreachable, session lost, deadlock)
with backoff, and only those: a bad statement or a bug fails at once."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j.exceptions import (
    ClientError,
    ConstraintError,
    CypherSyntaxError,
    IncompleteCommit,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from prefect import flow

from flows import tasks
from graphstore.plan import LoadPlan


def _deadlock() -> TransientError:
    return TransientError._hydrate_neo4j(code="Neo.TransientError.Transaction.DeadlockDetected",
                                         message="ForsetiClient can't acquire ExclusiveLock")


@pytest.mark.parametrize("exc", [ServiceUnavailable("refused"), SessionExpired("gone"), IncompleteCommit("cut"),
                                 TransientError("busy"), _deadlock()], ids=type)
def test_transient_errors(exc: Exception) -> None:
    assert tasks.is_transient(exc)


def test_the_driver_retries_deadlocks_itself_too() -> None:
    """execute_write / execute_query retry an error whose is_retryable() is true
    for NEWSGRAPH_NEO4J_RETRY_SECONDS (30 s) before Prefect's retries take over."""
    assert _deadlock().is_retryable()
    assert not CypherSyntaxError("bad").is_retryable()


@pytest.mark.parametrize("exc", [CypherSyntaxError("bad"), ConstraintError("dup"), ClientError("no"),
                                 ValueError("bug"), KeyError("bug")], ids=type)
def test_other_errors_are_not_transient(exc: Exception) -> None:
    assert not tasks.is_transient(exc)


def test_neo4j_tasks_carry_the_retry_policy() -> None:
    from flows import ingest

    assert tasks.retry_delays() == [2.0, 5.0, 15.0]
    for task in (tasks.select_changed, tasks.load_batch, ingest.ensure_schema):
        assert task.retries == 3
        assert task.retry_delay_seconds == [2.0, 5.0, 15.0]
        assert task.retry_condition_fn is tasks.retry_if_transient


def test_retry_delays_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSGRAPH_RETRY_DELAYS", "0.5, 1,3")
    assert tasks.retry_delays() == [0.5, 1.0, 3.0]
    monkeypatch.setenv("NEWSGRAPH_RETRY_DELAYS", "soon")
    with pytest.raises(ValueError, match="NEWSGRAPH_RETRY_DELAYS"):
        tasks.retry_delays()


def _flaky(monkeypatch: pytest.MonkeyPatch, errors: list[Exception]) -> list[int]:
    calls: list[int] = []

    def load_plan(conn: Any, plan: LoadPlan, *, resolve: bool = True, story_threshold: float = 0.8) -> dict[str, int]:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return plan.counts()

    monkeypatch.setattr(tasks.store, "load_plan", load_plan)
    monkeypatch.setattr(tasks, "connection", lambda: None)
    return calls


@flow
def _load_once() -> dict[str, int]:
    return tasks.load_batch.with_options(retry_delay_seconds=[0.05, 0.05, 0.05])(LoadPlan())


@pytest.mark.parametrize("errors", [
    [ServiceUnavailable("refused"), SessionExpired("gone")],
    [_deadlock(), _deadlock(), _deadlock()],
], ids=["unavailable", "deadlocks"])
def test_transient_errors_are_retried(prefect_harness, monkeypatch: pytest.MonkeyPatch,
                                      errors: list[Exception]) -> None:
    n = len(errors)
    calls = _flaky(monkeypatch, errors)
    assert _load_once() == LoadPlan().counts()
    assert len(calls) == n + 1


def test_transient_errors_past_the_retries_fail(prefect_harness, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _flaky(monkeypatch, [ServiceUnavailable("refused")] * 5)
    with pytest.raises(ServiceUnavailable):
        _load_once()
    assert len(calls) == 4


def test_other_errors_are_not_retried(prefect_harness, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _flaky(monkeypatch, [CypherSyntaxError("bad"), CypherSyntaxError("bad")])
    with pytest.raises(CypherSyntaxError):
        _load_once()
    assert len(calls) == 1
