"""The Neo4j connection named by the settings (environment / .env)."""

from __future__ import annotations

from graphstore.store import Connection
from newsgraph.config import Settings, load_settings


def connection(settings: Settings | None = None) -> Connection:
    """The server, login and time bounds of `settings` (read from the
    environment and .env when not given: a Prefect task on a worker names its
    server this way, so no secret travels as a task argument)."""
    s = settings or load_settings()
    return Connection(
        uri=s.neo4j_uri, user=s.neo4j_user, password=s.neo4j_password, database=s.neo4j_database,
        retry_seconds=s.neo4j_retry_seconds, connect_timeout=s.neo4j_connect_timeout,
        acquire_timeout=s.neo4j_acquire_timeout, timeout=s.neo4j_timeout or None,
    )
