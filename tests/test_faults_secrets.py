"""Where secrets live: `.env` files are git-ignored, the examples are committed
and hold no real password. (The running system is searched for the password in
tests/test_faults_neo4j.py; docker/compose.yaml's auth from an env file and its
127.0.0.1 ports are checked in tests/test_docker_compose.py.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from graphstore.store import Connection
from newsgraph.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def git() -> None:
    if shutil.which("git") is None or _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        pytest.skip("not a git checkout")


@pytest.mark.parametrize("path", [".env", "docker/.env", "sub/folder/.env"])
def test_env_files_are_ignored(git: None, path: str) -> None:
    assert _git("check-ignore", "-q", path).returncode == 0, f"{path} is not git-ignored"


@pytest.mark.parametrize("path", [".env.example", "docker/.env.example"])
def test_env_examples_are_committed_and_not_ignored(git: None, path: str) -> None:
    assert _git("check-ignore", "-q", path).returncode == 1, f"{path} is git-ignored"
    assert _git("ls-files", "--error-unmatch", path).returncode == 0, f"{path} is not committed"


def test_no_env_file_is_committed(git: None) -> None:
    tracked = _git("ls-files").stdout.splitlines()
    assert [p for p in tracked if Path(p).name == ".env"] == []


def test_local_example_holds_only_the_documented_default() -> None:
    values = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                  if "=" in line and not line.lstrip().startswith("#"))
    assert values.get("NEO4J_PASSWORD") in (None, "newsgraph-local")


def test_settings_and_connection_never_show_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cret-Do-Not-Print-41"
    env_file = tmp_path / ".env"
    env_file.write_text(f"NEO4J_PASSWORD={secret}\n", encoding="utf-8")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    settings = load_settings(env_file)
    assert settings.neo4j_password == secret
    conn = Connection(uri="bolt://x", user="neo4j", password=secret, database="neo4j")
    for text in (repr(settings), str(settings), repr(conn), str(conn)):
        assert secret not in text
