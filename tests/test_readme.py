"""The README is true: what it says `make demo`, `why` and `extract` print is what they print on
examples/, and every command and option it shows exists.

The demo runs once, as a user runs it (a `newsgraph demo examples` process on an empty graph);
the README's figures are read from the README itself, so changing a number there, or a change
to extraction or loading that changes what the demo prints, fails here until the two agree.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# The console script the package installs, next to this interpreter: the name the README uses
# (the module itself where the interpreter has no scripts beside it).
_SCRIPT = Path(sys.executable).parent / "newsgraph"
NEWSGRAPH = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "newsgraph.cli"]
ELIDED = "…"


# ------------------------------------------------------------ reading the README
def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _section(heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    text = _readme()
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1:]
    following = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: following.start()] if following else rest


def _code_blocks(text: str, lang: str | None = None) -> list[str]:
    """The fenced blocks in text (those of one language when lang is given), each with its final newline."""
    blocks: list[tuple[str, list[str]]] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            inside = not inside
            if inside:
                blocks.append((line[3:].strip(), []))
        elif inside:
            blocks[-1][1].append(line)
    return ["".join(lines) for info, lines in blocks if lang is None or info == lang]


def _tables(block: str) -> dict[str, dict[str, str]]:
    """Rich's two-column tables as printed (a title line, then `│ key │ value │` rows), by title."""
    tables: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in block.splitlines():
        row = re.fullmatch(r"│ ([^│]+?) +│ ([^│]+?) +│", line.strip())
        if row:
            assert current is not None, f"a table row before any title: {line!r}"
            current[row.group(1)] = row.group(2)
        elif line.strip() and line.strip()[0] not in "┌└├┏┗┡━─":
            current = tables.setdefault(line.strip(), {})
    return tables


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # Wide, so no table cell is folded; Rich reads COLUMNS even when stdout is a pipe.
    result = subprocess.run([*NEWSGRAPH, *args], capture_output=True, text=True, cwd=ROOT, timeout=600,
                            env={**os.environ, "COLUMNS": "200"})
    if result.returncode != 0:
        raise AssertionError(f"newsgraph {' '.join(args)}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


# ------------------------------------------------------------ the demo, once
@pytest.fixture(scope="module")
def demo(conn: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """An empty graph, `newsgraph demo examples` run on it as on a fresh clone, and what it printed."""
    from graphstore import store

    store.reset(conn)
    store.ensure_schema(conn)
    # A fresh embedded Prefect, as on a new machine, whatever PREFECT_API_URL this shell has.
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path_factory.mktemp("prefect")), COLUMNS="200")
    result = subprocess.run([*NEWSGRAPH, "demo", "examples"], capture_output=True, text=True, cwd=ROOT,
                            timeout=600, env=env)
    assert result.returncode == 0, f"demo failed\n{result.stdout}\n{result.stderr}"
    yield conn, result.stdout


@pytest.mark.integration
def test_the_demo_prints_the_readme_summary_and_totals(demo: tuple[Any, str]) -> None:
    _, printed = demo
    shown = _tables(_code_blocks(_section("### What the demo prints"))[0])
    ran = _tables(printed)
    assert set(shown) == {"Ingest summary", "Graph"}, f"README's demo block has tables {sorted(shown)}"
    for title, rows in shown.items():
        assert "documents read" in rows or "documents" in rows, f"README's {title} table has no documents row"
        # Seconds are the one figure a run does not repeat.
        expected = {k: v for k, v in rows.items() if k != "seconds"}
        actual = {k: v for k, v in ran[title].items() if k != "seconds"}
        assert actual == expected, f"{title}: the demo printed {actual}, the README says {expected}"
    assert "seconds" in ran["Ingest summary"]


@pytest.mark.integration
def test_the_three_queries_answer_as_the_readme_says(demo: tuple[Any, str]) -> None:
    from graphstore.store import run_query
    from newsgraph.demo import DEMO_QUERIES

    conn, printed = demo
    prose = " ".join(_section("### What the demo prints").split())
    claims = re.findall(r"\*\*([^*]+)\*\* \((\d+) rows?[^`]*?among them `([^`]+)`\)", prose)
    queries = dict(DEMO_QUERIES)
    assert [title for title, _, _ in claims] == list(queries), "README names the demo's three queries in order"
    pasted = _code_blocks(_section("### Three queries to paste into Neo4j Browser"), "cypher")
    for title, count, sample in claims:
        assert title in printed, f"the demo did not print {title!r}"
        statement = queries[title]
        assert statement + "\n" in pasted, f"README's queries to paste do not hold the demo's {title!r} verbatim"
        rows = run_query(conn, statement)
        assert len(rows) == int(count), f"{title}: {len(rows)} rows, the README says {count}"
        rendered = [_render(row) for row in rows]
        assert any(_same_row(sample, r) for r in rendered), f"{title}: no row {sample!r} among {rendered}"


def _render(row: dict[str, Any]) -> list[str]:
    return [", ".join(map(str, v)) if isinstance(v, list) else str(v).strip() for v in row.values()]


def _same_row(sample: str, row: list[str]) -> bool:
    cells = sample.split(" | ")
    if len(cells) != len(row):
        return False
    # A cell ending in "…" is a sentence cut short for the README: its start must match.
    return all(r.startswith(c[:-1].rstrip()) if c.endswith(ELIDED) else r == c for c, r in zip(cells, row, strict=True))


@pytest.mark.integration
def test_the_browser_login_is_printed_as_shown(demo: tuple[Any, str], neo4j_settings: Any) -> None:
    from newsgraph.config import DEFAULTS

    _, printed = demo
    shown = _code_blocks(_section("### What the demo prints"))[1]
    # The README shows the local defaults; the tests' server has its own ports and password.
    expected = (shown.replace(f":{DEFAULTS['NEO4J_HTTP_PORT']}/", f":{neo4j_settings.neo4j_http_port}/")
                .replace(f":{DEFAULTS['NEO4J_BOLT_PORT']},", f":{neo4j_settings.neo4j_bolt_port},"))
    if neo4j_settings.neo4j_password != DEFAULTS["NEO4J_PASSWORD"]:
        expected = expected.replace(f"password {DEFAULTS['NEO4J_PASSWORD']} (the local default)",
                                    "password: the value of NEO4J_PASSWORD")
    assert printed.endswith(expected), f"the demo ends\n{printed[-300:]}\nthe README shows\n{shown}"


# ------------------------------------------------------------ why
def _why_example() -> tuple[list[str], list[str]]:
    """The README's `$ newsgraph why ...` block: the command's arguments and the lines it prints."""
    for block in _code_blocks(_section("### Three queries to paste into Neo4j Browser")):
        first, *printed = block.splitlines()
        if first.startswith("$ newsgraph why "):
            return shlex.split(first)[3:], printed
    raise AssertionError("README shows no `$ newsgraph why` example")


@pytest.mark.integration
def test_the_why_example_prints_what_the_readme_shows(demo: tuple[Any, str]) -> None:
    args, shown = _why_example()
    examples = [shlex.split(c)[2:] for c in _readme_commands() if c.startswith("newsgraph why ") and "HEAD" not in c]
    examples = [e for e in examples if e]
    assert examples and all(e == args for e in examples), "every why example is the one shown with its output"
    printed = _run("why", *args).stdout.splitlines()
    assert printed == shown
    assert len(shown) >= 2, "the example shows at least one sentence"
    # The promise of the command table: each sentence with its document, sentence number, offsets, confidence.
    for line in shown[1:]:
        assert re.match(r"  \[\S+ sentence \d+, chars \d+-\d+, confidence [01]\.\d\d\] \S", line), line


@pytest.mark.integration
def test_why_json_and_the_readme_cypher_give_the_same_evidence(demo: tuple[Any, str]) -> None:
    from graphstore.store import run_query

    conn, _ = demo
    args, shown = _why_example()
    rows = json.loads(_run("why", *args, "--json").stdout)
    assert rows, "why --json finds the README's fact"
    for row in rows:
        assert all(row[k] is not None for k in ("document", "sentence", "start", "end", "confidence", "text"))
    promised = [re.match(r"  \[(\S+) sentence (\d+), chars (\d+)-(\d+)", line).groups()  # type: ignore[union-attr]
                for line in shown[1:]]
    assert [(r["document"], str(r["sentence"]), str(r["start"]), str(r["end"])) for r in rows] == promised
    statement = next(b for b in _code_blocks(_section("### Three queries to paste into Neo4j Browser"), "cypher")
                     if "evidence_doc" in b)
    pasted = run_query(conn, statement)
    assert sorted((r["document"], str(r["sentence"]), str(r["start"]), str(r["end"])) for r in pasted) == promised


# ------------------------------------------------------------ extract
def test_the_extract_example_is_what_extract_prints() -> None:
    section = _section("## `extract` output")
    command = re.search(r"`(newsgraph extract [^`]+)`", section)
    assert command, "README names the command its extract example comes from"
    shown = json.loads(_code_blocks(section, "json")[0])
    lines = _run(*shlex.split(command.group(1))[1:]).stdout.splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert list(shown) == list(doc), "the example has the document's fields, in order"
    for key, value in shown.items():
        if key not in ("entities", "relations") and value != ELIDED:
            assert doc[key] == value, key
    entities = {e["id"]: e for e in doc["entities"]}
    assert shown["entities"] and shown["relations"]
    for entity in shown["entities"]:
        assert entities.get(entity["id"]) == entity, f"extract prints {entities.get(entity['id'])}"
    for relation in shown["relations"]:
        assert relation in doc["relations"], f"extract prints no {relation}"


# ------------------------------------------------------------ commands and options
def _readme_commands() -> list[str]:
    """Every `newsgraph SUBCOMMAND ...` the README shows: in inline code and at the start of code lines."""
    text = _readme()
    inline = re.findall(r"`(newsgraph [^`]+)`", text)
    lines = [line.strip().removeprefix("$ ") for block in _code_blocks(text) for line in block.splitlines()]
    return inline + [line for line in lines if line.startswith("newsgraph ")]


@cache
def _help(*subcommand: str) -> str:
    return _run(*subcommand, "--help").stdout


def _commands_in(help_text: str) -> set[str]:
    listed = help_text.split("\nCommands:\n", 1)[1]
    return {m.group(1) for m in re.finditer(r"^  (\S+)", listed, flags=re.M)}


def _options_in(help_text: str) -> set[str]:
    # An option's own line starts with two spaces and a dash; its names come before the description.
    names: set[str] = set()
    for line in help_text.splitlines():
        if re.match(r"  -", line):
            names.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", re.split(r"\s{2,}", line.strip())[0]))
    return names


def test_every_command_and_option_the_readme_shows_exists() -> None:
    shown = _readme_commands()
    assert any(c.startswith("newsgraph why ") for c in shown) and len(shown) > 20
    top = _commands_in(_help())
    for command in shown:
        words = command.replace("\\|", "|").split()
        name = words[1]
        assert name in top, f"README shows `{command}`; `newsgraph --help` has no {name!r}"
        path = [name]
        # A group (neo4j): the README names one or more of its commands, unless it shows
        # the group run alone with its own options (`newsgraph merges [--json]`).
        if "Commands:" in _help(name) and len(words) > 2 and not re.match(r"\[?-", words[2]):
            subcommands = words[2].split("|")
            for sub in subcommands:
                assert sub in _commands_in(_help(name)), f"`newsgraph {name} --help` has no {sub!r}"
            path.append(subcommands[0])
        options = {re.split(r"[=\]]", w.lstrip("["))[0] for w in words[2:] if re.match(r"\[?--?[A-Za-z]", w)}
        known = _options_in(_help(*path))
        assert options <= known, f"README shows `{command}`; `newsgraph {' '.join(path)} --help` lacks " \
                                 f"{sorted(options - known)}"


def test_every_make_target_the_readme_shows_exists() -> None:
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M))
    shown = set(re.findall(r"(?<![\w-])make ([a-z][\w-]*)", _readme()))
    assert "demo" in shown and shown <= targets, f"README shows make targets the Makefile lacks: {shown - targets}"
