"""Neo4j side of newsgraph: constraints, batched idempotent writes,
retraction, summaries and fingerprints. One driver per process."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from neo4j import READ_ACCESS, WRITE_ACCESS, Driver, GraphDatabase, ManagedTransaction, Query
from neo4j.time import Date as Neo4jDate
from neo4j.time import DateTime as Neo4jDateTime

from graphstore import cypher, resolution
from graphstore.evidence import DOCUMENT_FIELD, EVIDENCE_FIELDS
from graphstore.plan import LoadPlan

log = logging.getLogger(__name__)

# Rows per UNWIND call: thousands, as Neo4j's performance guide advises.
CHUNK_ROWS = 5000


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str
    database: str

    def __repr__(self) -> str:  # never show the password
        return f"Connection(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"


_DRIVERS: dict[Connection, Driver] = {}

RETRY_SECONDS_ENV = "NEWSGRAPH_NEO4J_RETRY_SECONDS"


def transaction_retry_seconds() -> float:
    """How long the driver retries one transaction on transient errors (server
    unreachable, leader switch, deadlock) before giving up: NEWSGRAPH_NEO4J_RETRY_SECONDS,
    30 by default (the driver's own default)."""
    raw = os.environ.get(RETRY_SECONDS_ENV, "").strip()
    try:
        return float(raw) if raw else 30.0
    except ValueError:
        raise ValueError(f"{RETRY_SECONDS_ENV} must be a number of seconds; got {raw!r}") from None


def get_driver(conn: Connection) -> Driver:
    """The process's one driver for this server, connected and checked."""
    driver = _DRIVERS.get(conn)
    if driver is None:
        # Server notifications (hints such as "property key does not exist" on a
        # fresh graph) are not for the operator's terminal.
        driver = GraphDatabase.driver(
            conn.uri, auth=(conn.user, conn.password), notifications_min_severity="OFF",
            max_transaction_retry_time=transaction_retry_seconds(),
        )
        try:
            driver.verify_connectivity()
        except Exception:
            driver.close()
            raise
        _DRIVERS[conn] = driver
    return driver


def close_drivers() -> None:
    while _DRIVERS:
        _, driver = _DRIVERS.popitem()
        driver.close()


def ensure_schema(conn: Connection) -> None:
    driver = get_driver(conn)
    for statement in (*cypher.CONSTRAINTS, *cypher.INDEXES):
        driver.execute_query(statement, database_=conn.database)


def existing_documents(conn: Connection, ids: list[str]) -> dict[str, str]:
    """source id → sha256 of the documents already loaded (one query per batch)."""
    if not ids:
        return {}
    records, _, _ = get_driver(conn).execute_query(
        cypher.EXISTING_DOCUMENTS, ids=ids, database_=conn.database, routing_="r"
    )
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


def _load(tx: ManagedTransaction, plan: LoadPlan, resolve: bool) -> None:
    # Merges in the surname groups this batch touches are undone first, so
    # retraction and loading see the graph as extraction left it.
    # The batch's documents are write-locked first, before anything reads them
    # (see LOCK_DOCUMENTS); only those already in the graph have anything to retract.
    present = [r["id"] for r in tx.run(cypher.LOCK_DOCUMENTS, rows=plan.documents) if r["present"]]
    groups = resolution.plan_surnames(plan) | resolution.document_surnames(tx, plan.document_ids)
    resolution.undo_groups(tx, groups)
    # A document's earlier contribution goes first, so a changed document
    # replaces what it said and loading the same plan twice changes nothing.
    touched = _retract(tx, present) if present else set()
    tx.run(cypher.MERGE_DOCUMENTS, rows=plan.documents).consume()
    added: dict[str, set[str]] = {}
    for label in sorted(plan.entities):
        for rows in _chunks(plan.entities[label]):
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
    for rows in _chunks(plan.merges):
        tx.run(cypher.RECORD_MERGES, rows=rows).consume()
    _tidy(tx, touched, added=added)
    if resolve:
        resolution.resolve_groups(tx, groups)


def load_plan(conn: Connection, plan: LoadPlan, *, resolve: bool = True) -> dict[str, int]:
    """Write one batch in one transaction: all of it lands, or none of it.
    With `resolve`, cross-document resolution runs on the people it touches;
    an import loads merges as recorded instead."""
    if not plan.documents and not plan.merges:
        return plan.counts()
    with get_driver(conn).session(database=conn.database, default_access_mode=WRITE_ACCESS) as session:
        session.execute_write(_load, plan, resolve)
    return plan.counts()


def _forget(tx: ManagedTransaction, ids: list[str]) -> int:
    groups = resolution.document_surnames(tx, ids)
    resolution.undo_groups(tx, groups)
    touched = _retract(tx, ids)
    record = tx.run(cypher.DELETE_DOCUMENTS, ids=ids).single()
    _tidy(tx, touched)
    resolution.resolve_groups(tx, groups)
    return int(record["deleted"]) if record else 0


def forget_documents(conn: Connection, ids: list[str]) -> int:
    """Remove documents and everything only they supported; returns how many existed."""
    with get_driver(conn).session(database=conn.database) as session:
        return session.execute_write(_forget, sorted(ids))


def resolve_all(conn: Connection) -> list[str]:
    """Run cross-document resolution over the whole graph; returns the merge ids."""
    with get_driver(conn).session(database=conn.database) as session:
        return session.execute_write(resolution.resolve_all)


def split_merge(conn: Connection, merge_id: str) -> dict[str, Any] | None:
    """Undo a recorded merge and veto it; the merge record's properties, or None."""
    with get_driver(conn).session(database=conn.database) as session:
        return session.execute_write(resolution.split, merge_id)


def reset(conn: Connection) -> None:
    """Delete every node and relationship; constraints and indexes stay."""
    with get_driver(conn).session(database=conn.database) as session:
        session.run(Query(cypher.RESET)).consume()


def summary(conn: Connection) -> dict[str, Any]:
    driver = get_driver(conn)
    docs, _, _ = driver.execute_query(cypher.COUNT_DOCUMENTS, database_=conn.database, routing_="r")
    labels, _, _ = driver.execute_query(cypher.COUNT_BY_LABEL, database_=conn.database, routing_="r")
    types, _, _ = driver.execute_query(cypher.COUNT_BY_TYPE, database_=conn.database, routing_="r")
    return {
        "documents": docs[0]["n"],
        "entities": {r["label"]: r["n"] for r in labels},
        "relationships": {r["type"]: r["n"] for r in types},
    }


def to_plain(value: Any) -> Any:
    """Neo4j values → JSON-friendly Python values."""
    if isinstance(value, Neo4jDateTime | Neo4jDate):
        return value.iso_format()
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


# Properties that say when, not what: left out of content fingerprints.
VOLATILE_PROPERTIES = {"ingested_at", "recorded_at"}


def _is_veto(labels: list[str], props: dict[str, Any]) -> bool:
    """A split merge's record: a decision about the graph, kept so the merge is
    not made again, but no part of what the documents say."""
    return "Merge" in labels and props.get("status") == "split"


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


def fingerprint(conn: Connection) -> str:
    """SHA-256 over the graph's content (labels, properties, relationships),
    independent of load order, of ingestion and merge times and of split
    merges' vetoes."""
    driver = get_driver(conn)
    h = hashlib.sha256()
    nodes, _, _ = driver.execute_query(cypher.ALL_NODES, database_=conn.database, routing_="r")
    node_lines = []
    for r in nodes:
        if _is_veto(r["labels"], r["props"]):
            continue
        props = {k: to_plain(v) for k, v in r["props"].items() if k not in VOLATILE_PROPERTIES}
        if isinstance(props.get("aliases"), list):
            props["aliases"] = sorted(props["aliases"])
        node_lines.append(json.dumps([sorted(r["labels"]), props], sort_keys=True, default=str))
    rels, _, _ = driver.execute_query(cypher.ALL_RELATIONSHIPS, database_=conn.database, routing_="r")
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
    conn: Connection, statement: str, params: dict[str, Any] | None = None, *, write: bool = False
) -> list[dict[str, Any]]:
    """An analyst's query. Read-only (a read transaction) unless write=True."""
    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [to_plain(dict(record)) for record in tx.run(statement, params or {})]

    access = WRITE_ACCESS if write else READ_ACCESS
    with get_driver(conn).session(database=conn.database, default_access_mode=access) as session:
        if write:
            return session.execute_write(work)
        return session.execute_read(work)
