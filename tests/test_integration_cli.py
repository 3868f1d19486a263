"""The `newsgraph` command as a user runs it: real processes, Prefect's embedded API, real Neo4j."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
NEWSGRAPH = [sys.executable, "-m", "newsgraph.cli"]


def _run(*args: str, tmp_home: Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(tmp_home)  # a fresh embedded Prefect, as on a new machine
    env.pop("PREFECT_API_URL", None)
    result = subprocess.run([*NEWSGRAPH, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def test_extract_prints_the_documented_json(tmp_path: Path) -> None:
    path = ROOT / "examples" / "05_g7_charlevoix_summit.txt"
    result = _run("extract", str(path), tmp_home=tmp_path, check=True)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    doc = lines[0]
    assert set(doc) >= {"id", "sha256", "entities", "relations"}
    text = path.read_text(encoding="utf-8")
    ids = set()
    for ent in doc["entities"]:
        assert set(ent) >= {"id", "label", "name", "uri", "mentions"}
        ids.add(ent["id"])
        for m in ent["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
        if ent["label"] == "Date":
            assert "value" in ent and "precision" in ent
        if ent["label"] == "Country":
            assert "iso_code" in ent
    for rel in doc["relations"]:
        assert rel["head"] in ids and rel["tail"] in ids
        assert 0 <= rel["confidence"] <= 1 and rel["evidence"]
    assert any(r["type"] == "HOLDS_ROLE" for r in doc["relations"])


def test_ingest_query_and_failures(neo4j_settings, empty_graph, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("canada prime minister justin trudeau met the press in ottawa .\n", encoding="utf-8")
    (inbox / "bad.txt").write_bytes(b"\x00\x00binary")
    result = _run("ingest", str(inbox), tmp_home=tmp_path / "prefect")
    assert result.returncode == 1, result.stderr
    assert "bad.txt" in result.stderr and "binary" in result.stderr
    assert "Traceback" not in result.stderr
    combined = result.stdout + result.stderr
    assert os.environ["NEO4J_PASSWORD"] not in combined
    assert "loaded" in result.stdout

    rows = _run("query", "MATCH (p:Person) RETURN p.name AS name ORDER BY name", "--json",
                tmp_home=tmp_path / "prefect", check=True)
    names = [r["name"] for r in json.loads(rows.stdout)]
    assert "Justin Trudeau" in names

    param = _run("query", "MATCH (p:Person {name: $name}) RETURN count(p) AS n", "--param", "name=Justin Trudeau",
                 "--json", tmp_home=tmp_path / "prefect", check=True)
    assert json.loads(param.stdout) == [{"n": 1}]

    refused = _run("query", "MATCH (n) DETACH DELETE n", tmp_home=tmp_path / "prefect")
    assert refused.returncode != 0
    assert "--write" in refused.stderr
    still = _run("query", "MATCH (d:Document) RETURN count(d) AS n", "--json", tmp_home=tmp_path / "prefect",
                 check=True)
    assert json.loads(still.stdout) == [{"n": 1}]

    no = _run("reset", tmp_home=tmp_path / "prefect")
    assert no.returncode == 2

    ttl = tmp_path / "graph.ttl"
    _run("export", "--format", "turtle", "-o", str(ttl), tmp_home=tmp_path / "prefect", check=True)
    from rdflib import Graph

    from schema.validation import validate_graph

    graph = Graph().parse(ttl, format="turtle")
    assert len(graph) > 10 and validate_graph(graph).conforms

    _run("reset", "--yes", tmp_home=tmp_path / "prefect", check=True)
    empty = _run("query", "MATCH (n) RETURN count(n) AS n", "--json", tmp_home=tmp_path / "prefect", check=True)
    assert json.loads(empty.stdout) == [{"n": 0}]


def test_unreachable_neo4j_gives_a_clear_error(tmp_path: Path) -> None:
    env_uri = os.environ["NEO4J_URI"]
    os.environ["NEO4J_URI"] = "bolt://127.0.0.1:1"
    try:
        result = _run("summary", tmp_home=tmp_path)
    finally:
        os.environ["NEO4J_URI"] = env_uri
    assert result.returncode == 1
    assert "cannot reach Neo4j" in result.stderr and "neo4j start" in result.stderr


def _login_works_again(settings: object, within: float = 60.0) -> None:
    """Neo4j locks a user for a few seconds after repeated wrong passwords."""
    import time

    from tools import localneo4j

    deadline = time.monotonic() + within
    while True:
        try:
            if localneo4j.is_bolt_reachable(settings):  # type: ignore[arg-type]
                return
        except localneo4j.PasswordMismatchError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the right password is still refused")
        time.sleep(1)


def test_wrong_password_is_one_line_even_when_rate_limited(neo4j_settings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    try:
        # Past three wrong logins in a row Neo4j answers AuthenticationRateLimit, not Unauthorized.
        runs = [_run(*args, tmp_home=tmp_path) for args in
                (("summary",), ("summary",), ("summary",), ("summary",),
                 ("ingest", str(ROOT / "examples" / "05_g7_charlevoix_summit.txt")), ("neo4j", "status"))]
    finally:
        monkeypatch.undo()
        _login_works_again(neo4j_settings)
    *refused, status = runs
    for result in refused:
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "refused the login for user 'neo4j'" in result.stderr and "NEO4J_PASSWORD" in result.stderr
        assert "not-the-password" not in result.stdout + result.stderr
    assert any("too many wrong logins" in r.stderr for r in refused)
    assert "Traceback" not in status.stdout + status.stderr
    assert "auth_ok: False" in status.stdout
    assert "refuses the login for user 'neo4j'" in status.stderr


def test_error_messages_are_not_wrapped_to_the_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    name = "a_recipe_whose_name_is_longer_than_the_terminal"
    result = _run("cookbook", name, tmp_home=tmp_path)
    assert result.returncode == 1
    assert f"error: no recipe '{name}'; `newsgraph cookbook` lists them" in result.stderr.splitlines()
    # Usage errors too: click's one line, not a panel wrapped to 30 columns.
    usage = _run("ingest", "--runner", tmp_home=tmp_path)
    assert usage.returncode == 2
    assert "Error: Option '--runner' requires an argument." in usage.stderr.splitlines()


def test_ingest_names_what_it_does_not_read_and_refuses_an_empty_folder(empty_graph, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.md").write_text("# canada prime minister justin trudeau\n", encoding="utf-8")
    (mixed / "b.json").write_text('{"id": "b", "text": "not a jsonl file"}\n', encoding="utf-8")
    (mixed / "c.TXT").write_text("canada prime minister justin trudeau met the press in ottawa .\n", encoding="utf-8")
    result = _run("ingest", str(mixed), tmp_home=tmp_path / "prefect")
    assert result.returncode == 0, result.stderr
    assert re.search(r"not read \(unsupported type\)\s*│ 2 ", result.stdout), result.stdout
    for name in ("a.md", "b.json"):
        assert f"not read {mixed / name}: unsupported file type" in result.stderr
    report = json.loads(_run("ingest", str(mixed), "--json", tmp_home=tmp_path / "prefect").stdout)
    assert report["read"] == 1 and report["unsupported"] == [str(mixed / "a.md"), str(mixed / "b.json")]

    empty = tmp_path / "empty"
    empty.mkdir()
    for command in ("ingest", "extract"):
        nothing = _run(command, str(empty), tmp_home=tmp_path / "prefect")
        assert nothing.returncode == 1, (command, nothing.stderr)
        assert f"error: no documents found in {empty}" in nothing.stderr, command
    only_other = _run("ingest", str(mixed / "a.md"), str(mixed / "b.json"), tmp_home=tmp_path / "prefect")
    assert only_other.returncode == 1 and "unsupported file type .md" in only_other.stderr
