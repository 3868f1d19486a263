"""Shared fixtures: a real Neo4j for the integration tests, and Prefect's test harness.

The tests use a Neo4j of their own (ports 7688/7475, data under
services/neo4j/run-test) so they never touch the graph `make demo` built. It is
started when not reachable and stopped afterwards only if the tests started it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"

# Before anything reads the settings: the test server, and no user .env.
os.environ.setdefault("NEO4J_URI", "bolt://127.0.0.1:7688")
os.environ.setdefault("NEO4J_BOLT_PORT", "7688")
os.environ.setdefault("NEO4J_HTTP_PORT", "7475")
os.environ.setdefault("NEWSGRAPH_NEO4J_HOME", str(ROOT / "services" / "neo4j" / "run-test"))
os.environ.setdefault("NEWSGRAPH_ENV_FILE", str(ROOT / "tests" / "no.env"))
os.environ.setdefault("NEO4J_PASSWORD", "newsgraph-test")


def _configure_prefect() -> None:
    from newsgraph.config import configure_prefect

    configure_prefect("WARNING", quiet_server=False)


_configure_prefect()


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[object]:
    from newsgraph.config import load_settings
    from tools import localneo4j

    settings = load_settings()
    started = False
    if not localneo4j.is_bolt_reachable(settings):
        started = localneo4j.start(settings, timeout=240)
    yield settings
    from graphstore.store import close_drivers

    close_drivers()
    if started:
        localneo4j.stop(settings)


@pytest.fixture(scope="session")
def conn(neo4j_settings: object) -> object:
    from newsgraph.connection import connection

    return connection(neo4j_settings)  # type: ignore[arg-type]


@pytest.fixture()
def empty_graph(conn: object) -> object:
    from graphstore import store

    store.reset(conn)  # type: ignore[arg-type]
    store.ensure_schema(conn)  # type: ignore[arg-type]
    return conn


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip(f"seed article not found at {SEEDS} (../shared is not beside this checkout)")
    return SEEDS
