"""Neo4j goes quiet in the middle of a load: the ingest ends within its bound.

A dropped network or a stalled server does not close the connection: the
driver would wait for an answer for ever (it has no read timeout). Here a local
TCP proxy between the ingest and the test server forwards faithfully, then,
once a batch's transaction holds its documents' locks, stops forwarding in
both directions without closing anything. The ingest must end within
NEWSGRAPH_NEO4J_TIMEOUT with the batch, and every document after it, named as
not loaded because Neo4j timed out; once the network is back, the next run
loads exactly what is missing.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphstore import cypher, store
from graphstore.plan import LoadPlan

pytestmark = pytest.mark.integration

N_DOCS, BATCH_WORDS = 12, 90  # about 3 documents a batch
BOUND = 5  # NEWSGRAPH_NEO4J_TIMEOUT for the runs through the proxy, seconds
# Beyond the bound: the batch being extracted meanwhile, the flow's own bookkeeping.
SLACK = 25


class StallingProxy:
    """127.0.0.1:<port> → 127.0.0.1:target. `stall()` stops moving bytes either
    way, on open and new connections alike, and closes nothing; `resume()`
    delivers what was held and carries on."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.stalls = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                return
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                # While stalled the bytes are held here and nothing more is read:
                # both peers see an open connection that has gone quiet.
                self.flowing.wait()
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def stall(self) -> None:
        self.stalls += 1
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.listener.close()
        self.flowing.set()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


@pytest.fixture
def proxy(neo4j_settings: Any) -> Iterator[StallingProxy]:
    p = StallingProxy(neo4j_settings.neo4j_bolt_port)
    try:
        yield p
    finally:
        p.close()


def _ingest_within(paths: list[str], limit: float) -> tuple[dict[str, Any], float]:
    """The ingest flow in a thread of its own, so that a hang fails this test
    instead of blocking it; the report and the seconds it took."""
    from flows.ingest import ingest_flow

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = ingest_flow(paths, batch_words=BATCH_WORDS)
        except BaseException as exc:
            outcome["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    took = time.monotonic() - started
    assert not thread.is_alive(), f"the ingest still runs after {limit:.0f} s: it hangs on the stalled connection"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"], took


def test_a_stalled_connection_fails_the_batch_within_the_bound_and_the_next_run_resumes(
    empty_graph: store.Connection, prefect_harness: None, proxy: StallingProxy, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_faults_concurrent import write_docs

    folder = write_docs(tmp_path / "in", range(N_DOCS))
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NEWSGRAPH_NEO4J_TIMEOUT", str(BOUND))
    monkeypatch.setenv("NEWSGRAPH_NEO4J_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT", "3")
    monkeypatch.setenv("NEWSGRAPH_NEO4J_RETRY_SECONDS", "1")
    monkeypatch.setenv("NEWSGRAPH_RETRY_DELAYS", "0.2")

    # The second batch's transaction takes its documents' locks, then the network goes quiet.
    real_load = store._load
    loads: list[float] = []
    stalled_at: list[float] = []

    def load_then_stall(tx: Any, plan: LoadPlan, *rest: Any) -> None:
        loads.append(time.monotonic())
        if len(loads) == 2 and not stalled_at:
            tx.run(cypher.LOCK_DOCUMENTS, rows=plan.documents).consume()
            stalled_at.append(time.monotonic())
            proxy.stall()
        real_load(tx, plan, *rest)

    monkeypatch.setattr(store, "_load", load_then_stall)
    report, _ = _ingest_within([str(folder)], limit=BOUND + SLACK + 120)
    ended = time.monotonic()
    assert proxy.stalls == 1, "the stall never happened"
    waited = ended - stalled_at[0]
    assert waited < BOUND + SLACK, f"the ingest ended {waited:.1f} s after the stall; the bound is {BOUND} s"
    print(f"the ingest ended {waited:.1f} s after the connection stalled (bound {BOUND} s)")

    # A clear failure: the stalled batch and every later document, each with the reason.
    assert report["read"] == N_DOCS
    assert report["loaded"] > 0, "the first batch loaded before the stall"
    failed = dict(report["failed"])
    assert len(failed) == N_DOCS - report["loaded"]
    for reason in failed.values():
        assert reason.startswith("not loaded: Neo4j timed out"), reason
        assert f"within {BOUND} s while " in reason and "stalled" in reason, reason
    loaded_first = report["loaded"]
    committed = store.run_query(empty_graph, "MATCH (d:Document) WHERE d.sha256 IS NOT NULL RETURN d.source_id AS id")
    assert len(committed) == loaded_first, "the stalled batch was not rolled back"
    assert not set(failed) & {r["id"] for r in committed}

    # The network is back: the next run (a scheduled one, in the same process) loads what is missing.
    proxy.resume()
    monkeypatch.setattr(store, "_load", real_load)
    again, _ = _ingest_within([str(folder)], limit=300)
    assert again["failed"] == []
    assert again["skipped"] == loaded_first
    assert again["loaded"] == N_DOCS - loaded_first
    ids = store.run_query(empty_graph, "MATCH (d:Document) RETURN count(d) AS n")
    assert ids == [{"n": N_DOCS}]
    from test_faults_concurrent import assert_no_duplicates

    assert_no_duplicates(empty_graph)
