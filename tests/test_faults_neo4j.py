"""Neo4j goes away in the middle of `newsgraph ingest`: nothing lost, nothing twice.

The test runs a Neo4j of its own (bolt 7692 and http 7479, beside the test
server's 7688/7475; data in services/neo4j/run-faults/, created with a
distinctive password), never the shared test server, and drives it like an
operator's bad day:

1. a clean ingest of a few hundred short Reuters articles (or generated ones
   when ../shared is absent) on the shared test server gives the reference
   fingerprint, meanwhile the fault server starts;
2. `newsgraph ingest` (a real process) loads them into the fault server, which
   is killed with SIGKILL while a batch is being written: the run exits 1 and
   names every document it did not load;
3. the server is started again (crash recovery): no document is half there;
4. the ingest runs again, through a TCP proxy that cuts every connection for a
   few seconds in the middle of a write: Prefect's retries ride it out, nothing
   fails and the graph equals the clean run's, with no duplicates.

The same runs (at DEBUG log level) are searched for the password, and the
server's sockets for anything not bound to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from graphstore import store
from newsgraph.config import Settings, load_settings
from newsgraph.connection import connection
from tools import localneo4j

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
HOME = ROOT / "services" / "neo4j" / "run-faults"
# Beside the test server's ports (7688/7475 → 7692/7479, proxy 7693), so that a
# checkout whose tests use other ports gets other fault ports too.
_TEST_SERVER = load_settings()
BOLT, HTTP = _TEST_SERVER.neo4j_bolt_port + 4, _TEST_SERVER.neo4j_http_port + 4
PROXY = BOLT + 1
PASSWORD = "nG-f4ult-Pw-Qz7xK2"  # distinctive: searched for in every output and log
N_DOCS, BATCH_WORDS = 200, 1000
CUT_SECONDS = 5

# The CLI with every newsgraph, Neo4j driver and Prefect logger at DEBUG, to stderr.
DEBUG_CLI = (
    "import logging, sys\n"
    "h = logging.StreamHandler(sys.stderr)\n"
    "h.setFormatter(logging.Formatter('%(levelname)s %(name)s %(message)s'))\n"
    "logging.getLogger().addHandler(h)\n"
    "for name in ('', 'neo4j', 'newsgraph', 'graphstore', 'flows', 'prefect'):\n"
    "    logging.getLogger(name).setLevel(logging.DEBUG)\n"
    "from newsgraph.cli import main\n"
    "sys.argv[0] = 'newsgraph'\n"
    "main()\n"
)
MENTIONS_BY_DOC = """
MATCH (d:Document) OPTIONAL MATCH (d)<-[:IN_DOCUMENT]-(m:Mention)
RETURN d.source_id AS id, d.sha256 AS sha256, count(m) AS mentions
"""
EVIDENCE_BY_DOC = """
MATCH ()-[r]->() WHERE r.evidence_doc IS NOT NULL
UNWIND r.evidence_doc AS doc
RETURN doc AS id, count(*) AS evidence
"""


def _corpus(folder: Path) -> Path:
    """N_DOCS short articles as one JSONL file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "news.jsonl"
    lines = []
    if CORPUS.is_file():
        with CORPUS.open(encoding="utf-8") as fh:
            for line in fh:
                if len(json.loads(line)["text"].split()) <= 60:
                    lines.append(line.rstrip("\n"))
                if len(lines) == N_DOCS:
                    break
    else:  # ../shared is not beside this checkout: generated news instead
        from test_faults_concurrent import article

        lines = [json.dumps({"id": f"gen-{i}", "text": article(i)}) for i in range(N_DOCS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _per_doc(conn: store.Connection) -> dict[str, tuple[str, int, int]]:
    """source id -> (sha256, mentions, evidence entries)."""
    evidence = {r["id"]: r["evidence"] for r in store.run_query(conn, EVIDENCE_BY_DOC)}
    return {r["id"]: (r["sha256"], r["mentions"], evidence.get(r["id"], 0))
            for r in store.run_query(conn, MENTIONS_BY_DOC)}


# ------------------------------------------------------------------ the proxy


class Proxy:
    """127.0.0.1:listen → 127.0.0.1:target, one thread pair per connection; `cut`
    resets every connection and refuses new ones until `restore`."""

    def __init__(self, listen: int, target: int) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", listen), reuse_port=False)
        self.up = threading.Event()
        self.up.set()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up.is_set():
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                upstream.settimeout(None)
            except OSError:
                self._reset(client)
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _reset(s: socket.socket) -> None:
        # shutdown first: close() alone would not wake a thread blocked in recv,
        # and the peer would wait forever on a connection that says nothing.
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)
        s.close()

    def cut(self) -> None:
        self.up.clear()
        self.cuts += 1
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    self._reset(s)
            self.sockets.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.server.close()
        self.cut()


# --------------------------------------------------------------- the scenario


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr_path: Path

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout.strip().splitlines()[-1])

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class Scenario:
    settings: Settings
    env: dict[str, str]
    corpus_ids: list[str]
    clean_fingerprint: str = ""
    clean_per_doc: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    killed: Run | None = None
    killed_mid_transaction: bool = False
    after_crash: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    after_crash_duplicates: list[Any] = field(default_factory=list)
    rerun: dict[str, Any] = field(default_factory=dict)  # the report
    rerun_escaped: list[str] = field(default_factory=list)
    proxy_cuts: int = 0
    cut_mid_transaction: bool = False
    outputs: list[str] = field(default_factory=list)  # everything the runs printed or logged


def _fault_settings() -> Settings:
    return replace(load_settings(), neo4j_uri=f"bolt://127.0.0.1:{BOLT}", neo4j_bolt_port=BOLT,
                   neo4j_http_port=HTTP, neo4j_home=HOME, neo4j_password=PASSWORD, neo4j_heap="512m",
                   neo4j_pagecache="128m")


def _cli(args: list[str], env: dict[str, str], log: Path, timeout: float = 300) -> Run:
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.run([sys.executable, "-c", DEBUG_CLI, *args], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=err, timeout=timeout)
    return Run(proc.returncode, proc.stdout, log)


def _start_cli(args: list[str], env: dict[str, str], log: Path) -> tuple[subprocess.Popen[str], Path]:
    err = log.open("w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", DEBUG_CLI, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=err)
    err.close()
    return proc, log


def _when_writing(conn: store.Connection, at_least: int, then: Callable[[bool], None],
                  stop: threading.Event, patience: float = 1.0) -> threading.Thread:
    """Once `at_least` documents are committed, wait (up to `patience` seconds)
    for a load transaction to be running, then call `then(mid_transaction)`.
    A load of a small batch takes a few tens of milliseconds, most of a run is
    spaCy: waiting longer for one lets the run get too far."""

    def watch() -> None:
        from neo4j import GraphDatabase

        with GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password), connection_timeout=2,
                                  max_transaction_retry_time=0) as driver:
            while not stop.is_set():
                try:
                    n = driver.execute_query("MATCH (d:Document) WHERE d.sha256 IS NOT NULL RETURN count(d) AS n")
                    if n.records[0]["n"] >= at_least:
                        break
                except Exception:
                    pass
                time.sleep(0.1)
            mid, deadline = False, time.monotonic() + patience
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    rows = driver.execute_query(
                        "SHOW TRANSACTIONS YIELD currentQuery WITH trim(currentQuery) AS q "
                        "WHERE q STARTS WITH 'UNWIND $' OR q STARTS WITH 'CYPHER replan=skip UNWIND $' "
                        "RETURN count(*) AS n")
                    if rows.records[0]["n"] > 0:
                        mid = True
                        break
                except Exception:
                    pass
                time.sleep(0.01)
        if not stop.is_set():
            then(mid)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _java_pid(settings: Settings) -> int:
    return int(localneo4j.pid_file(settings).read_text().strip())


@pytest.fixture(scope="module")
def scenario(conn: store.Connection, prefect_harness: None,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    from prefect.settings import PREFECT_API_URL

    from flows.ingest import ingest_flow

    tmp = tmp_path_factory.mktemp("faults")
    corpus = _corpus(tmp / "in")
    settings = _fault_settings()
    localneo4j.stop(settings)  # a server left over by an interrupted run
    for port in (BOLT, HTTP, PROXY):
        if localneo4j._port_open(port):
            pytest.fail(f"port {port} on 127.0.0.1 is taken by another program; the fault tests need it")
    shutil.rmtree(HOME, ignore_errors=True)
    env = {**os.environ, "NEO4J_URI": settings.neo4j_uri, "NEO4J_BOLT_PORT": str(BOLT), "NEO4J_HTTP_PORT": str(HTTP),
           "NEWSGRAPH_NEO4J_HOME": str(HOME), "NEO4J_PASSWORD": PASSWORD, "NEO4J_HEAP": "512m",
           "NEO4J_PAGECACHE": "128m", "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "PREFECT_LOGGING_LEVEL": "DEBUG", "NEWSGRAPH_RETRY_DELAYS": "0.2,0.5,1",
           "NEWSGRAPH_NEO4J_RETRY_SECONDS": "1"}
    from newsgraph.readers import DocumentReader

    ids = [d.id for d in DocumentReader([corpus])]
    assert len(ids) == N_DOCS
    s = Scenario(settings=settings, env=env, corpus_ids=ids)
    proxy: Proxy | None = None
    began = time.monotonic()

    def mark(what: str) -> None:
        print(f"[faults] {time.monotonic() - began:6.1f}s {what}")

    with ThreadPoolExecutor(1) as pool:
        starting = pool.submit(localneo4j.start, settings, 300)
        try:
            # 1. the reference: a clean single run on the shared test server
            store.reset(conn)
            store.ensure_schema(conn)
            clean = ingest_flow([str(corpus)], batch_words=BATCH_WORDS)
            assert clean["failed"] == [] and clean["loaded"] == N_DOCS
            s.clean_fingerprint = store.fingerprint(conn)
            s.clean_per_doc = _per_doc(conn)
            mark("clean run")
        finally:
            starting.result()
            mark("fault server up")
    fault = connection(settings)
    try:
        # 2. SIGKILL the server while a batch is being written
        stop = threading.Event()
        args = ["ingest", str(corpus), "--batch-words", str(BATCH_WORDS), "--json"]
        proc, log = _start_cli(args, env, tmp / "killed.log")

        def kill(mid: bool) -> None:
            s.killed_mid_transaction = mid
            os.kill(_java_pid(settings), signal.SIGKILL)

        watcher = _when_writing(fault, N_DOCS // 4, kill, stop)
        try:
            stdout, _ = proc.communicate(timeout=300)
        finally:
            stop.set()
            watcher.join(10)
        s.killed = Run(proc.returncode, stdout, log)
        mark("killed run")
        s.outputs += [stdout, s.killed.stderr]

        # 3. start it again: crash recovery, then look
        localneo4j.start(settings, timeout=300)
        mark("restarted")
        s.after_crash = _per_doc(fault)
        from test_faults_concurrent import DUPLICATE_EVIDENCE, DUPLICATE_RELATIONSHIPS, DUPLICATES

        s.after_crash_duplicates = [store.run_query(fault, q) for q in
                                    (DUPLICATES, DUPLICATE_RELATIONSHIPS, DUPLICATE_EVIDENCE)]

        # 4. run again (in this process) through a proxy that cuts every
        # connection for CUT_SECONDS in the middle of a write
        proxy = Proxy(PROXY, BOLT)
        p = proxy
        stop = threading.Event()

        def cut(mid: bool) -> None:
            s.cut_mid_transaction = mid
            p.cut()
            time.sleep(CUT_SECONDS)
            p.restore()

        def noting(real: Callable[..., Any]) -> Callable[..., Any]:
            def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    return real(*args, **kwargs)
                except Exception as exc:  # what got past the driver's own retries
                    s.rerun_escaped.append(type(exc).__name__)
                    raise
            return call

        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("NEO4J_URI", f"bolt://127.0.0.1:{PROXY}")
            mp.setenv("NEO4J_PASSWORD", PASSWORD)
            # The cut outlasts the driver's own retries (1 s): only Prefect's retries get past it.
            mp.setenv("NEWSGRAPH_NEO4J_RETRY_SECONDS", "1")
            mp.setattr(store, "load_plan", noting(store.load_plan))
            mp.setattr(store, "existing_documents", noting(store.existing_documents))
            # Cut once a quarter of what is left has loaded, well inside the run.
            remaining = N_DOCS - len(s.after_crash)
            watcher = _when_writing(fault, len(s.after_crash) + max(1, remaining // 4), cut, stop)
            try:
                s.rerun = ingest_flow([str(corpus)], batch_words=BATCH_WORDS)
            finally:
                stop.set()
                watcher.join(15)
        mark("rerun")
        s.proxy_cuts = proxy.cuts
        yield s
    finally:
        if proxy is not None:
            proxy.close()
        # Its store is thrown away at the next start: no need to wait for a clean shutdown.
        with contextlib.suppress(OSError, ValueError):
            os.kill(_java_pid(settings), signal.SIGKILL)
        localneo4j.stop(settings)


# ------------------------------------------------------------------- the tests


def test_killed_server_fails_the_run_and_names_what_was_not_loaded(scenario: Scenario) -> None:
    run = scenario.killed
    assert run is not None
    assert run.returncode == 1, run.stderr[-3000:]
    report = run.report
    assert report["read"] == N_DOCS
    not_loaded = {doc for doc, reason in report["failed"] if reason.startswith("not loaded: Neo4j unavailable")}
    assert not_loaded, report["failed"]
    assert {doc for doc, _ in report["failed"]} == not_loaded, "only Neo4j's absence failed documents"
    # Nothing silently lost: every document is in the graph or named as not loaded.
    assert set(scenario.after_crash) | not_loaded == set(scenario.corpus_ids)
    assert report["loaded"] + len(not_loaded) == N_DOCS


def test_no_document_is_half_loaded_after_the_crash(scenario: Scenario) -> None:
    assert scenario.after_crash, "the kill came before anything was loaded"
    assert len(scenario.after_crash) < N_DOCS, "the kill came after everything was loaded"
    for doc, state in scenario.after_crash.items():
        assert state == scenario.clean_per_doc[doc], f"{doc} is half there: {state} != {scenario.clean_per_doc[doc]}"
    assert scenario.after_crash_duplicates == [[], [], []]
    print(f"killed while a load transaction ran: {scenario.killed_mid_transaction}; "
          f"{len(scenario.after_crash)} of {N_DOCS} documents had been committed")


def test_rerun_rides_out_a_network_cut_and_equals_the_clean_run(scenario: Scenario) -> None:
    report = scenario.rerun
    assert scenario.proxy_cuts == 1, "the connection cut never happened"
    # The cut outlasted the driver's own retries, so Neo4j errors reached Prefect,
    # whose task retries got the run past them.
    assert scenario.rerun_escaped, "no error got past the driver"
    assert set(scenario.rerun_escaped) <= {"ServiceUnavailable", "SessionExpired", "IncompleteCommit"}
    assert report["failed"] == []
    assert report["skipped"] == len(scenario.after_crash)
    assert report["loaded"] == N_DOCS - len(scenario.after_crash)
    fault = connection(scenario.settings)
    from test_faults_concurrent import assert_no_duplicates

    assert_no_duplicates(fault)
    assert _per_doc(fault) == scenario.clean_per_doc
    assert store.fingerprint(fault) == scenario.clean_fingerprint
    print(f"connections cut while a load transaction ran: {scenario.cut_mid_transaction}; "
          f"errors past the driver, retried by Prefect: {scenario.rerun_escaped}")


def test_password_never_printed_or_logged(scenario: Scenario, tmp_path: Path) -> None:
    env = scenario.env
    runs = [
        _cli(["query", "MATCH (d:Document) RETURN count(d) AS n", "--json"], env, tmp_path / "query.log"),
        _cli(["neo4j", "status", "--json"], env, tmp_path / "status.log"),
        # a wrong password is not echoed either
        _cli(["summary"], {**env, "NEO4J_PASSWORD": PASSWORD + "-wrong"}, tmp_path / "wrong.log"),
    ]
    assert [r.returncode for r in runs] == [0, 0, 1], [r.stderr[-2000:] for r in runs]
    assert json.loads(runs[0].stdout) == [{"n": N_DOCS}]
    assert json.loads(runs[1].stdout)["auth_ok"] is True
    assert "refused the login" in runs[2].stderr
    texts = [*scenario.outputs, *(r.stdout + r.stderr for r in runs)]
    assert sum(len(t) for t in texts) > 100_000, "expected the DEBUG logs of the runs"
    # The server's own files: config, logs (console, neo4j, debug, query, security), run folder.
    for path in HOME.rglob("*"):
        if path.is_file() and "data" not in path.relative_to(HOME).parts:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    assert not list((HOME / "run").glob(".pw-*")), "the password file outlived its use"
    pid = _java_pid(scenario.settings)
    texts.append(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"))
    for text in texts:
        assert PASSWORD not in text


def _listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every listening TCP socket the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if match := re.fullmatch(r"socket:\[(\d+)\]", target):
            inodes.add(match.group(1))
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A: LISTEN
                continue
            hex_addr, hex_port = cols[1].split(":")
            raw = bytes.fromhex(hex_addr)
            if width == 8:
                addr = socket.inet_ntop(socket.AF_INET, raw[::-1])
            else:  # four little-endian 32-bit words
                addr = socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
            found.append((addr, int(hex_port, 16)))
    return found


def test_local_server_listens_on_loopback_only(scenario: Scenario) -> None:
    """The rendered neo4j.conf is checked in tests/test_localneo4j.py; this checks the running server."""
    sockets = _listening(_java_pid(scenario.settings))
    assert {BOLT, HTTP} <= {port for _, port in sockets}, sockets
    for addr, port in sockets:
        assert addr in ("127.0.0.1", "::1", "::ffff:127.0.0.1"), f"Neo4j listens on {addr}:{port}"
