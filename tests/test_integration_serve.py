"""Scheduled ingestion of an inbox: new and changed files are ingested, unchanged ones skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration


def test_inbox_runs_pick_up_new_files_once(empty_graph, prefect_harness, tmp_path: Path) -> None:
    from flows.serve import inbox_flow

    (tmp_path / "one.txt").write_text("japan prime minister shinzo abe visited tokyo .\n", encoding="utf-8")
    first = inbox_flow(str(tmp_path))
    assert first["loaded"] == 1
    # A file arrives while nothing runs; the next scheduled run takes it, and only it.
    (tmp_path / "two.txt").write_text("brazil president jair bolsonaro spoke .\n", encoding="utf-8")
    second = inbox_flow(str(tmp_path))
    assert second["loaded"] == 1 and second["skipped"] == 1
    third = inbox_flow(str(tmp_path))
    assert third["loaded"] == 0 and third["skipped"] == 2
    assert store.summary(empty_graph)["documents"] == 2


def test_deployment_carries_the_cron_schedule(prefect_harness, tmp_path: Path) -> None:
    from flows.serve import DEPLOYMENT_NAME, inbox_flow

    deployment = inbox_flow.to_deployment(name=DEPLOYMENT_NAME, cron="*/5 * * * *",
                                          parameters={"inbox": str(tmp_path)})
    assert deployment.name == DEPLOYMENT_NAME
    assert deployment.parameters == {"inbox": str(tmp_path)}
    crons = [getattr(s.schedule, "cron", None) for s in deployment.schedules]
    assert crons == ["*/5 * * * *"]
