"""Neo4j side of newsgraph: constraints, batched idempotent writes,
retraction, summaries and fingerprints.

A `GraphStore` holds one driver with an explicit lifecycle (`open`/`close`, or
`with GraphStore(conn) as graph:`). The functions below take either an open
store or a `Connection`; for a bare `Connection` they use the process's shared
store for that server, opened on first use and closed by `close_drivers()`, so
a Prefect task on any worker can name its server without holding a driver.

Every call of the ingest (the schema, the look-up of known documents, a
batch's load) and every write that changes documents is bounded: the server
is given a transaction timeout, and the caller stops waiting after
`Connection.timeout` seconds (a stalled connection would otherwise block a
read for ever: the driver has no read timeout) with a `Neo4jTimeout`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

from neo4j import READ_ACCESS, WRITE_ACCESS, Driver, GraphDatabase, ManagedTransaction, Query, unit_of_work
from neo4j.spatial import WGS84Point
from neo4j.time import Date as Neo4jDate
from neo4j.time import DateTime as Neo4jDateTime

from graphstore import cypher, resolution, stories
from graphstore.evidence import DOCUMENT_FIELD, EVIDENCE_FIELDS
from graphstore.plan import LoadPlan
from schema import shingles
from schema.geo import wkt_point

log = logging.getLogger(__name__)

# Rows per UNWIND call: thousands, as Neo4j's performance guide advises.
CHUNK_ROWS = 5000

T = TypeVar("T")


@dataclass(frozen=True)
class Connection:
    """Which server, as whom, and how long to wait for it (seconds; the
    driver's own defaults unless the settings say otherwise)."""

    uri: str
    user: str
    password: str
    database: str
    retry_seconds: float = 30.0  # the driver's retries of one transaction on transient errors
    connect_timeout: float = 30.0  # opening a connection
    acquire_timeout: float = 60.0  # waiting for a free connection in the pool
    timeout: float | None = 120.0  # one bounded call (see the module's docstring); None: unbounded

    def __repr__(self) -> str:  # never show the password
        return f"Connection(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"


class Neo4jTimeout(TimeoutError):
    """Neo4j did not answer within the bound: the server or the network stalled."""


class GraphStore:
    """One Neo4j driver for one server: `open()` connects and checks the login,
    `close()` releases it; as a context manager it does both."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._driver: Driver | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GraphStore({self.conn!r}, open={self._driver is not None})"

    @property
    def database(self) -> str:
        return self.conn.database

    @property
    def driver(self) -> Driver:
        if self._driver is None:
            raise RuntimeError(f"{self!r} is not open")
        return self._driver

    @property
    def is_open(self) -> bool:
        return self._driver is not None

    def open(self) -> GraphStore:
        with self._lock:
            if self._driver is None:
                conn = self.conn
                # Server notifications (hints such as "property key does not exist" on a
                # fresh graph) are not for the operator's terminal.
                driver = GraphDatabase.driver(
                    conn.uri, auth=(conn.user, conn.password), notifications_min_severity="OFF",
                    max_transaction_retry_time=conn.retry_seconds, connection_timeout=conn.connect_timeout,
                    connection_acquisition_timeout=conn.acquire_timeout,
                )
                try:
                    driver.verify_connectivity()
                except Exception:
                    driver.close()
                    raise
                self._driver = driver
        return self

    def close(self) -> None:
        with self._lock:
            driver, self._driver = self._driver, None
        if driver is not None:
            driver.close()

    def __enter__(self) -> GraphStore:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- bounded calls
    def _timeout(self, what: str) -> Neo4jTimeout:
        return Neo4jTimeout(f"no answer from Neo4j at {self.conn.uri} within {self.conn.timeout:g} s while {what}: "
                            "the server or the network stalled (NEWSGRAPH_NEO4J_TIMEOUT)")

    def bounded(self, what: str, call: Callable[[], T], abandoned: threading.Event | None = None) -> T:
        """`call()`, or a Neo4jTimeout once it has taken `conn.timeout` seconds.

        The call runs in a thread of its own, the caller waits for it: a thread
        blocked reading a socket that says nothing cannot be interrupted, only
        left behind (`abandoned` is set then). The driver it was using is
        dropped (closed in the background) and the next call opens a fresh one."""
        limit = self.conn.timeout
        if not limit:
            return call()
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = call()
            except BaseException as exc:  # handed to the waiting caller below
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name=f"neo4j {what}", daemon=True).start()
        if not done.wait(limit):
            if abandoned is not None:
                abandoned.set()
            self._abandon()
            raise self._timeout(what)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def _abandon(self) -> None:
        with self._lock:
            driver, self._driver = self._driver, None
        if driver is not None:
            threading.Thread(target=driver.close, name="neo4j close", daemon=True).start()

    def write(self, what: str, work: Callable[..., T], *args: Any) -> T:
        """`work(tx, *args)` in one write transaction, bounded.

        A transaction given up on must not commit later, when the network comes
        back and the left-behind thread carries on (or the driver retries it):
        it then fails before its commit and is rolled back. The server is told
        the same timeout, so it does not hold an abandoned transaction's locks
        for longer either. (A stall while the commit itself is under way leaves
        it open whether the batch landed; the next run sees it either way.)"""
        abandoned = threading.Event()

        def guarded(tx: ManagedTransaction, *work_args: Any) -> T:
            if abandoned.is_set():  # the driver retrying after the caller gave up
                raise self._timeout(what)
            result = work(tx, *work_args)
            if abandoned.is_set():
                raise self._timeout(what)
            return result

        def call() -> T:
            self.open()
            with self.driver.session(database=self.database, default_access_mode=WRITE_ACCESS) as session:
                return session.execute_write(unit_of_work(timeout=self.conn.timeout)(guarded), *args)

        return self.bounded(what, call, abandoned)

    def query(self, what: str, statement: str, *, write: bool = False, **params: Any) -> list[Any]:
        """One statement in an auto-committed transaction, bounded; its records."""
        def call() -> list[Any]:
            self.open()
            records, _, _ = self.driver.execute_query(
                Query(statement, timeout=self.conn.timeout), params, database_=self.database,
                routing_="w" if write else "r",
            )
            return list(records)

        return self.bounded(what, call)


Target = Connection | GraphStore

# The process's shared stores, one per server named by a bare Connection.
_SHARED: dict[Connection, GraphStore] = {}
_SHARED_LOCK = threading.Lock()


def using(target: Target) -> GraphStore:
    """The open store for `target`: itself, or the shared store of a Connection."""
    if isinstance(target, GraphStore):
        return target.open()
    with _SHARED_LOCK:
        graph = _SHARED.get(target)
        if graph is None:
            graph = _SHARED[target] = GraphStore(target)
    try:
        return graph.open()
    except Exception:
        with _SHARED_LOCK:
            _SHARED.pop(target, None)
        raise


def get_driver(target: Target) -> Driver:
    """The driver of `target`'s store, connected and checked."""
    return using(target).driver


def close_drivers() -> None:
    """Close the shared stores (the ones opened for bare Connections)."""
    with _SHARED_LOCK:
        stores = list(_SHARED.values())
        _SHARED.clear()
    for graph in stores:
        graph.close()


def ensure_schema(target: Target) -> None:
    graph = using(target)
    for statement in (*cypher.CONSTRAINTS, *cypher.INDEXES, *cypher.STORY_INDEXES):
        graph.query("schema", statement, write=True)


@overload
def existing_documents(target: Target, ids: list[str]) -> dict[str, str]: ...


@overload
def existing_documents(
    target: Target, ids: list[str], *, versions: Literal[True]
) -> dict[str, tuple[str, str | None]]: ...


def existing_documents(target: Target, ids: list[str], *, versions: bool = False) -> Mapping[str, Any]:
    """source id → sha256 of the documents already loaded (one query per batch);
    with `versions`, → (sha256, the extractor version that read it, or None)."""
    if not ids:
        return {}
    records = using(target).query("looking up known documents", cypher.EXISTING_DOCUMENTS, ids=ids)
    if versions:
        return {r["id"]: (r["sha256"], r["version"]) for r in records}
    return {r["id"]: r["sha256"] for r in records}


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK_ROWS):
        yield rows[i : i + CHUNK_ROWS]


def _retract(tx: ManagedTransaction, ids: list[str]) -> set[str]:
    touched: set[str] = set()
    tx.run(cypher.LOCK_EVIDENCE, ids=ids).consume()
    record = tx.run(cypher.RETRACT_EVIDENCE, ids=ids).single()
    if record is not None:
        touched.update(record["touched"])
    record = tx.run(cypher.RETRACT_MENTIONS, ids=ids).single()
    if record is not None:
        touched.update(record["touched"])
    return touched


def _tidy(tx: ManagedTransaction, touched: set[str], *, added: dict[str, set[str]] | None = None) -> None:
    """Entities touched by retraction: orphans go, aliases are recomputed from their
    mentions. Entities that only gained mentions (`added`: uri -> new mention
    texts) get those texts merged into their aliases, which gives the same list."""
    uris = sorted(touched | set(added or ()))
    tx.run(cypher.DELETE_ORPHANS, uris=uris).consume()
    tx.run(cypher.REFRESH_ALIASES, uris=sorted(touched)).consume()
    if added:
        rows = [{"uri": uri, "texts": sorted(texts)} for uri, texts in sorted(added.items()) if uri not in touched]
        for chunk in _chunks(rows):
            tx.run(cypher.ADD_ALIASES, rows=chunk).consume()


# Offices one person holds at a time: a later report of another holder closes
# the earlier holder's role (see cypher.CLOSE_ROLES). A role word outside this
# list (member, striker, spokesman) is held by many at once and closes only when
# a sentence says it is over.
UNIQUE_OFFICES = frozenset({
    "president", "vice president", "prime minister", "deputy prime minister", "chancellor", "king", "queen",
    "emperor", "empress", "monarch", "premier", "first minister", "supreme leader", "leader", "pope",
    "ceo", "chief executive", "chairman", "chairwoman", "chair", "mayor", "governor", "secretary general",
    "secretary-general", "director-general", "director general", "manager", "head coach", "foreign minister",
    "finance minister", "defense minister", "defence minister", "interior minister", "home secretary",
    "foreign secretary", "chancellor of the exchequer", "secretary of state", "speaker",
})


def _close_roles(tx: ManagedTransaction, groups: set[tuple[str, str]]) -> None:
    """Recompute which roles of these (holder uri, role) groups ended, and by what evidence."""
    rows = [{"tail": tail, "role": role, "unique": role.lower() in UNIQUE_OFFICES} for tail, role in sorted(groups)]
    for chunk in _chunks(rows):
        tx.run(cypher.CLOSE_ROLES, groups=chunk).consume()


def _role_groups(tx: ManagedTransaction, uris: set[str]) -> set[tuple[str, str]]:
    if not uris:
        return set()
    return {(r["tail"], r["role"]) for r in tx.run(cypher.ROLE_GROUPS_OF, uris=sorted(uris))}


def _load(tx: ManagedTransaction, plan: LoadPlan, resolve: bool, story_threshold: float) -> None:
    # The load lock comes first of all: loads from other processes wait here for
    # this one to commit, and this one for theirs, so the look-up of
    # near-duplicates sees their documents (see cypher.LOAD_LOCK).
    # Then the batch's documents are write-locked, before anything reads them
    # (see LOCK_DOCUMENTS); only those already in the graph have anything to retract.
    # Only the look-up of near-duplicates comes between: it reads other documents,
    # and must run before the batch writes anything (see stories.candidates).
    # Merges in the surname groups this batch touches are undone next, so
    # retraction and loading see the graph as extraction left it.
    tx.run(cypher.LOAD_LOCK, uri=cypher.LOAD_LOCK_URI).consume()
    documents = stories.document_rows(plan.documents)
    detect = bool(documents) and not plan.stories_recorded
    found = stories.candidates(tx, documents) if detect else None
    present = [r["id"] for r in tx.run(cypher.LOCK_DOCUMENTS, rows=plan.documents) if r["present"]]
    groups = resolution.plan_groups(tx, plan)
    resolution.undo_groups(tx, groups)
    # A document's earlier contribution goes first, so a changed document
    # replaces what it said and loading the same plan twice changes nothing.
    touched = _retract(tx, present) if present else set()
    tx.run(cypher.MERGE_DOCUMENTS, rows=documents).consume()
    # Stories before facts: a fact's support counts its documents' stories.
    if found is not None:
        stories.group(tx, documents, found, story_threshold)
    elif documents:
        stories.restore(tx, documents, plan.story_links)
    added: dict[str, set[str]] = {}
    for label in sorted(plan.entities):
        label_rows = plan.entities[label]
        if label == "Person":
            label_rows = resolution.with_surnames(label_rows)
        elif label == "Organization":
            label_rows = resolution.with_first_tokens(label_rows)
        for rows in _chunks(label_rows):
            tx.run(cypher.MERGE_ENTITIES[label], rows=rows).consume()
            for r in rows:
                added.setdefault(r["uri"], set())
    for rows in _chunks(plan.mentions):
        tx.run(cypher.MERGE_MENTIONS, rows=rows).consume()
        for r in rows:
            text = r["props"].get("text")
            if text is not None:
                added.setdefault(r["entity"], set()).add(text)
    for rel_type in sorted(plan.relationships):
        for rows in _chunks(plan.relationships[rel_type]):
            tx.run(cypher.MERGE_RELATIONSHIPS[rel_type], rows=rows).consume()
    for rows in _chunks(resolution.merge_rows_with_surnames(plan.merges)):
        tx.run(cypher.RECORD_MERGES, rows=rows).consume()
    _tidy(tx, touched, added=added)
    if resolve:
        resolution.resolve_groups(tx, groups)
    roles = {(r["tail"], r["qualifier"]) for r in plan.relationships.get("HOLDS_ROLE", [])}
    _close_roles(tx, roles | _role_groups(tx, touched))


def load_plan(target: Target, plan: LoadPlan, *, resolve: bool = True,
              story_threshold: float = shingles.DEFAULT_THRESHOLD) -> dict[str, int]:
    """Write one batch in one transaction: all of it lands, or none of it.
    With `resolve`, cross-document resolution runs on the people it touches;
    an import loads merges as recorded instead. Documents whose shingles are at
    least `story_threshold` alike (estimated Jaccard) are one story; an import's
    stories are loaded as recorded."""
    if not plan.documents and not plan.merges:
        return plan.counts()
    using(target).write(f"loading {len(plan.documents)} documents", _load, plan, resolve, story_threshold)
    return plan.counts()


def _forget(tx: ManagedTransaction, ids: list[str]) -> int:
    groups = resolution.document_groups(tx, ids)
    resolution.undo_groups(tx, groups)
    touched = _retract(tx, ids)
    affected = stories.unlink(tx, ids)
    record = tx.run(cypher.DELETE_DOCUMENTS, ids=ids).single()
    # The copies left behind may no longer be linked to each other: their stories split.
    stories.regroup(tx, affected)
    _tidy(tx, touched)
    resolution.resolve_groups(tx, groups)
    _close_roles(tx, _role_groups(tx, touched))
    return int(record["deleted"]) if record else 0


def forget_documents(target: Target, ids: list[str]) -> int:
    """Remove documents and everything only they supported; returns how many existed."""
    return using(target).write(f"forgetting {len(ids)} documents", _forget, sorted(ids))


# Whole-graph work (resolution over every person, emptying the graph) takes as
# long as the graph is large: it is not bounded by Connection.timeout.


def resolve_all(target: Target) -> list[str]:
    """Run cross-document resolution over the whole graph; returns the merge ids."""
    graph = using(target)
    with graph.driver.session(database=graph.database) as session:
        session.execute_write(resolution.store_missing_surnames)
        return session.execute_write(resolution.resolve_all)


def _decision(tx: ManagedTransaction, work: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """A person's decision about a merge, then the roles of its two nodes closed
    again: relationships an undo puts back are written as a load writes them."""
    merge = work(tx, *args)
    rows = tx.run(cypher.RELATIONSHIPS_OF, uris=[merge["alias_uri"], merge["target_uri"]])
    _close_roles(tx, {(r["tail"], str(r["props"].get("role"))) for r in rows if r["type"] == "HOLDS_ROLE"})
    return merge


def split_merge(target: Target, merge_id: str) -> dict[str, Any]:
    """Undo a recorded decision (see graphstore.resolution.split); the merge
    record's properties as they were. MergeStateError: unknown id, or a record
    that is not an applied or accepted merge or a rejected candidate."""
    return using(target).write(f"splitting merge {merge_id}", _decision, resolution.split, merge_id)


def decide_merge(target: Target, merge_id: str, status: Literal["accepted", "rejected"]) -> dict[str, Any]:
    """Accept or reject a pending merge candidate; the record as it is now.
    MergeStateError: unknown id, or not pending."""
    return using(target).write(f"deciding merge {merge_id}", _decision, resolution.decide_candidate, merge_id,
                               status)


def merges_with_status(target: Target, status: str) -> list[dict[str, Any]]:
    """The merge records of one status (`newsgraph merges` lists the pending ones)."""
    return [to_plain(r["props"]) for r in using(target).query("listing merges", cypher.MERGES_WITH_STATUS,
                                                              status=status)]


def reset(target: Target) -> None:
    """Delete every node and relationship; constraints and indexes stay."""
    graph = using(target)
    with graph.driver.session(database=graph.database) as session:
        session.run(Query(cypher.RESET)).consume()


def summary(target: Target) -> dict[str, Any]:
    graph = using(target)
    driver, database = graph.driver, graph.database
    docs, _, _ = driver.execute_query(cypher.COUNT_DOCUMENTS, database_=database, routing_="r")
    labels, _, _ = driver.execute_query(cypher.COUNT_BY_LABEL, database_=database, routing_="r")
    types, _, _ = driver.execute_query(cypher.COUNT_BY_TYPE, database_=database, routing_="r")
    return {
        "documents": docs[0]["n"],
        "entities": {r["label"]: r["n"] for r in labels},
        "relationships": {r["type"]: r["n"] for r in types},
    }


def to_plain(value: Any) -> Any:
    """Neo4j values → JSON-friendly Python values."""
    if isinstance(value, Neo4jDateTime | Neo4jDate):
        return value.iso_format()
    if isinstance(value, WGS84Point):
        return wkt_point(value.latitude, value.longitude)  # the form the RDF mapping gives
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


# Properties that say when, not what: left out of content fingerprints.
VOLATILE_PROPERTIES = {"ingested_at", "recorded_at"}


def _is_veto(labels: list[str], props: dict[str, Any]) -> bool:
    """A split merge's or a rejected candidate's record: a decision about the
    graph, kept so the pair is not merged again, but no part of what the
    documents say."""
    return "Merge" in labels and props.get("status") in resolution.VETOES


def _canonical_rel_props(props: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in props.items() if k not in EVIDENCE_FIELDS and k != "documents"}
    if DOCUMENT_FIELD in props:
        # Evidence entries are parallel lists; their order depends on load order.
        columns = [props[f] for f in sorted(EVIDENCE_FIELDS) if f in props]
        entries = sorted(zip(*columns, strict=False))
        out["evidence_entries"] = entries
    if "documents" in props:
        out["documents"] = sorted(props["documents"])
    if "confidence" in out:
        out["confidence"] = round(float(out["confidence"]), 6)
    return out


def fingerprint(target: Target) -> str:
    """SHA-256 over the graph's content (labels, properties, relationships),
    independent of load order, of ingestion and merge times and of split
    merges' vetoes."""
    graph = using(target)
    driver, database = graph.driver, graph.database
    h = hashlib.sha256()
    nodes, _, _ = driver.execute_query(cypher.ALL_NODES, database_=database, routing_="r")
    node_lines = []
    for r in nodes:
        if _is_veto(r["labels"], r["props"]):
            continue
        props = {k: to_plain(v) for k, v in r["props"].items() if k not in VOLATILE_PROPERTIES}
        if isinstance(props.get("aliases"), list):
            props["aliases"] = sorted(props["aliases"])
        node_lines.append(json.dumps([sorted(r["labels"]), props], sort_keys=True, default=str))
    rels, _, _ = driver.execute_query(cypher.ALL_RELATIONSHIPS, database_=database, routing_="r")
    rel_lines = [
        json.dumps([r["head"], r["type"], r["tail"], _canonical_rel_props(to_plain(r["props"]))],
                   sort_keys=True, default=str)
        for r in rels
    ]
    for line in sorted(node_lines) + sorted(rel_lines):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def run_query(
    target: Target, statement: str, params: dict[str, Any] | None = None, *, write: bool = False
) -> list[dict[str, Any]]:
    """An analyst's query. Read-only (a read transaction) unless write=True;
    as long as it takes (an analyst's question may well take minutes)."""
    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [to_plain(dict(record)) for record in tx.run(statement, params or {})]

    access = WRITE_ACCESS if write else READ_ACCESS
    graph = using(target)
    with graph.driver.session(database=graph.database, default_access_mode=access) as session:
        if write:
            return session.execute_write(work)
        return session.execute_read(work)
