"""`newsgraph serve` for real: a local Prefect server, a cron schedule, runs that
fire on their own, and a restart that picks up what arrived while it was down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
# Overridable so two test runs on one machine do not fight over the port.
PREFECT_PORT = int(os.environ.get("NEWSGRAPH_TEST_PREFECT_PORT", "4317"))


def _start_serve(inbox: Path, prefect_home: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_HOME"] = str(prefect_home)
    # Poll and schedule more often than the defaults (10 s, 60 s) so the test
    # does not wait on Prefect's timers; what is scheduled stays the same.
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "5"
    env["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "10"
    return subprocess.Popen(
        [sys.executable, "-m", "newsgraph.cli", "serve", "--inbox", str(inbox), "--cron", "* * * * *",
         "--prefect-port", str(PREFECT_PORT)],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _documents(conn: store.Connection) -> dict[str, int]:
    rows = store.run_query(conn, "MATCH (d:Document) RETURN d.source_id AS id, d.ingested_at AS at")
    return {r["id"]: r["at"] for r in rows}


def _wait_for(conn: store.Connection, ids: set[str], timeout: float = 300) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        docs = _documents(conn)
        if ids <= set(docs):
            return docs
        time.sleep(3)
    raise AssertionError(f"{ids - set(_documents(conn))} not ingested within {timeout:.0f} s")


def _prefect_answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PREFECT_PORT}/api/health", timeout=2):
            return True
    except OSError:
        return False


def test_serve_runs_on_schedule_and_resumes_after_restart(empty_graph, tmp_path: Path) -> None:
    inbox, log = tmp_path / "inbox", tmp_path / "serve.log"
    inbox.mkdir()
    (inbox / "one.txt").write_text("spain king felipe vi opened the fair in madrid .\n", encoding="utf-8")
    serve = _start_serve(inbox, tmp_path / "prefect", log)
    try:
        first = _wait_for(empty_graph, {"one.txt"})
    finally:
        _stop(serve)
    assert not _prefect_answers(), "the local Prefect server outlived `newsgraph serve`"

    # While nothing runs, a file arrives; the restarted server takes it, and only it.
    (inbox / "two.txt").write_text("portugal president marcelo rebelo de sousa visited lisbon .\n",
                                   encoding="utf-8")
    serve = _start_serve(inbox, tmp_path / "prefect", log)
    try:
        second = _wait_for(empty_graph, {"one.txt", "two.txt"})
        time.sleep(5)  # let a run that is under way finish before comparing
    finally:
        _stop(serve)
    assert second["one.txt"] == first["one.txt"], "one.txt was ingested twice"
    assert len(_documents(empty_graph)) == 2
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
