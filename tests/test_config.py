"""Settings: every variable of the README's configuration table is honoured,
from the environment and from `.env` alike, and read in one place."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from newsgraph.config import DEFAULTS, ENV_FILE_VARIABLE, Settings, load_settings
from newsgraph.connection import connection

ROOT = Path(__file__).resolve().parent.parent

# A value other than the default for each variable, and what the settings make of it.
CHANGED: dict[str, tuple[str, str, Any]] = {
    "NEO4J_URI": ("bolt://graph.example.org:7999", "neo4j_uri", "bolt://graph.example.org:7999"),
    "NEO4J_USER": ("ingest", "neo4j_user", "ingest"),
    "NEO4J_PASSWORD": ("not-the-default", "neo4j_password", "not-the-default"),
    "NEO4J_DATABASE": ("news", "neo4j_database", "news"),
    "NEO4J_BOLT_PORT": ("7999", "neo4j_bolt_port", 7999),
    "NEO4J_HTTP_PORT": ("7998", "neo4j_http_port", 7998),
    "NEO4J_HEAP": ("2g", "neo4j_heap", "2g"),
    "NEO4J_PAGECACHE": ("1g", "neo4j_pagecache", "1g"),
    "NEWSGRAPH_NEO4J_HOME": ("/srv/neo4j", "neo4j_home", Path("/srv/neo4j")),
    "NEWSGRAPH_SPACY_MODEL": ("en_core_web_md", "spacy_model", "en_core_web_md"),
    "NEWSGRAPH_BATCH_WORDS": ("500", "batch_words", 500),
    "NEWSGRAPH_MAX_DOC_BYTES": ("1000", "max_doc_bytes", 1000),
    "NEWSGRAPH_RETRY_DELAYS": ("0.5,1", "retry_delays", (0.5, 1.0)),
    "NEWSGRAPH_NEO4J_RETRY_SECONDS": ("3", "neo4j_retry_seconds", 3.0),
    "NEWSGRAPH_NEO4J_CONNECT_TIMEOUT": ("4", "neo4j_connect_timeout", 4.0),
    "NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT": ("5", "neo4j_acquire_timeout", 5.0),
    "NEWSGRAPH_NEO4J_TIMEOUT": ("6", "neo4j_timeout", 6.0),
    "NEWSGRAPH_REEXTRACT": ("false", "reextract", False),
    "NEWSGRAPH_MIN_CONFIDENCE": ("0.25", "min_confidence", 0.25),
    "NEWSGRAPH_STORY_THRESHOLD": ("0.9", "story_threshold", 0.9),
}


def _readme_variables() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No newsgraph variable in the environment; returns where a .env may be written."""
    for name in (*DEFAULTS, ENV_FILE_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / ".env"


def test_the_readme_table_and_the_settings_name_the_same_variables() -> None:
    documented = set(_readme_variables())
    assert documented - {ENV_FILE_VARIABLE} == set(DEFAULTS) == set(CHANGED)


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_each_variable_is_honoured_from_the_environment(name: str, clean_env: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    value, attribute, expected = CHANGED[name]
    assert getattr(load_settings(clean_env), attribute) != expected
    monkeypatch.setenv(name, value)
    assert getattr(load_settings(clean_env), attribute) == expected


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_each_variable_is_honoured_from_the_env_file(name: str, clean_env: Path) -> None:
    value, attribute, expected = CHANGED[name]
    clean_env.write_text(f"{name}={value}\n", encoding="utf-8")
    assert getattr(load_settings(clean_env), attribute) == expected


def test_the_env_file_is_the_one_newsgraph_env_file_names(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text("NEWSGRAPH_RETRY_DELAYS=1,2\n", encoding="utf-8")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(clean_env))
    assert load_settings().retry_delays == (1.0, 2.0)


def test_the_environment_wins_over_the_env_file(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text("NEWSGRAPH_NEO4J_RETRY_SECONDS=7\n", encoding="utf-8")
    monkeypatch.setenv("NEWSGRAPH_NEO4J_RETRY_SECONDS", "9")
    assert load_settings(clean_env).neo4j_retry_seconds == 9.0


def test_the_defaults(clean_env: Path) -> None:
    settings = load_settings(clean_env)
    assert settings.neo4j_uri == "bolt://127.0.0.1:7687"
    assert settings.retry_delays == (2.0, 5.0, 15.0)
    assert settings.neo4j_retry_seconds == 30.0
    assert (settings.neo4j_connect_timeout, settings.neo4j_acquire_timeout, settings.neo4j_timeout) == (30, 60, 120)


@pytest.mark.parametrize("where", ["environment", "env file"])
def test_the_local_uri_follows_the_bolt_port(where: str, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if where == "environment":
        monkeypatch.setenv("NEO4J_BOLT_PORT", "7777")
    else:
        clean_env.write_text("NEO4J_BOLT_PORT=7777\n", encoding="utf-8")
    settings = load_settings(clean_env)
    assert (settings.neo4j_bolt_port, settings.neo4j_uri) == (7777, "bolt://127.0.0.1:7777")


def test_a_given_uri_is_kept_whatever_the_port(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env.write_text("NEO4J_URI=neo4j://graph.example.org:7687\n", encoding="utf-8")
    monkeypatch.setenv("NEO4J_BOLT_PORT", "7777")
    assert load_settings(clean_env).neo4j_uri == "neo4j://graph.example.org:7687"


@pytest.mark.parametrize(("name", "value"), [
    ("NEWSGRAPH_RETRY_DELAYS", "soon"), ("NEWSGRAPH_RETRY_DELAYS", "2,-1"),
    ("NEWSGRAPH_NEO4J_RETRY_SECONDS", "long"), ("NEWSGRAPH_NEO4J_TIMEOUT", "-5"),
    ("NEWSGRAPH_BATCH_WORDS", "many"), ("NEO4J_BOLT_PORT", "x"),
    ("NEWSGRAPH_REEXTRACT", "maybe"), ("NEWSGRAPH_MIN_CONFIDENCE", "1.5"),
    ("NEWSGRAPH_MIN_CONFIDENCE", "high"),
])
def test_a_bad_value_is_named_in_the_error(name: str, value: str, clean_env: Path) -> None:
    clean_env.write_text(f"{name}={value}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=name):
        load_settings(clean_env)


def test_the_connection_carries_the_time_bounds(clean_env: Path) -> None:
    clean_env.write_text("NEWSGRAPH_NEO4J_TIMEOUT=6\nNEWSGRAPH_NEO4J_CONNECT_TIMEOUT=4\n"
                         "NEWSGRAPH_NEO4J_ACQUIRE_TIMEOUT=5\nNEWSGRAPH_NEO4J_RETRY_SECONDS=3\n", encoding="utf-8")
    conn = connection(load_settings(clean_env))
    assert (conn.timeout, conn.connect_timeout, conn.acquire_timeout, conn.retry_seconds) == (6, 4, 5, 3)
    clean_env.write_text("NEWSGRAPH_NEO4J_TIMEOUT=0\n", encoding="utf-8")
    assert connection(load_settings(clean_env)).timeout is None  # 0: unbounded


def test_a_child_process_environment_gives_the_same_server(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(**{**vars(load_settings(clean_env)), "neo4j_uri": "bolt://127.0.0.1:7694",
                           "neo4j_bolt_port": 7694, "neo4j_password": "pw-for-the-child"})
    for name, value in settings.neo4j_environment().items():
        monkeypatch.setenv(name, value)
    assert load_settings(clean_env) == settings


def test_no_module_reads_newsgraph_variables_from_the_environment() -> None:
    """Settings are read in newsgraph/config.py only (the extractors' own
    NEWSGRAPH_NER_MODEL and NEWSGRAPH_TRUECASE_TABLE are theirs)."""
    pattern = re.compile(r"os\.environ(\.get)?[\[(]\s*[\"'](NEO4J_|NEWSGRAPH_)|getenv\(\s*[\"'](NEO4J_|NEWSGRAPH_)")
    offenders = []
    for package in ("graphstore", "flows", "newsgraph", "schema", "tools"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "newsgraph" / "config.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
