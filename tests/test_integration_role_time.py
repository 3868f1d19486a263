"""Facts that know when they held: text-stated time, publication dates and roles
closed across documents, with real extraction, Prefect and Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphstore import store
from graphstore.cookbook import recipe

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent

# Articles written for this test: an office changes hands between them.
ARTICLES = [
    {"id": "visit-2021", "date": "2021-05-03",
     "text": "France's President Emmanuel Macron visited Berlin on Monday. Macron met Germany's Chancellor "
             "Angela Merkel, chancellor of Germany since 2005, at the chancellery."},
    {"id": "election-2029", "date": "2029-06-01",
     "text": "France's President Claire Dubois addressed parliament on Friday in Paris. Germany's former "
             "chancellor Angela Merkel attended the speech."},
]


def _write(tmp_path: Path, articles: list[dict]) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def _ingest(path: Path) -> None:
    from flows.ingest import ingest_flow

    report = ingest_flow([str(path)])
    assert report["failed"] == [], report


def _role(conn, person: str, country: str) -> dict:
    rows = store.run_query(conn, "MATCH (:Person {name: $p})-[r:HOLDS_ROLE]->(:Country {name: $c}) "
                                 "RETURN properties(r) AS r", {"p": person, "c": country})
    assert len(rows) == 1, rows
    return rows[0]["r"]


def _holders(conn, role: str, holder: str, date: str) -> list[str]:
    r = recipe("role_holders_on_date")
    return [row["person"] for row in store.run_query(conn, r.cypher, {"role": role, "holder": holder, "date": date})]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsgraph.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=300)


def test_roles_know_when_they_held_and_close_across_documents(empty_graph, prefect_harness,
                                                               tmp_path: Path) -> None:
    _ingest(_write(tmp_path, ARTICLES[:1]))
    macron = _role(empty_graph, "Emmanuel Macron", "France")
    assert macron["as_of"] == "2021-05-03" and not macron["closed"] and not macron["former"]
    merkel = _role(empty_graph, "Angela Merkel", "Germany")
    assert merkel["valid_from"] == "2005" and not merkel["closed"]
    assert _holders(empty_graph, "president", "France", "2021-06-01") == ["Emmanuel Macron"]

    # Eight years on another president is reported, and Merkel is called former:
    # both earlier roles are closed, not deleted, each with the evidence that closed it.
    _ingest(_write(tmp_path, ARTICLES))
    macron = _role(empty_graph, "Emmanuel Macron", "France")
    assert macron["closed"] and macron["closed_how"] == "succeeded by Claire Dubois"
    assert macron["closed_as_of"] == "2029-06-01" and macron["closed_by_doc"] == "election-2029"
    assert "claire dubois" in macron["closed_by_evidence"].lower()
    merkel = _role(empty_graph, "Angela Merkel", "Germany")
    assert merkel["former"] and merkel["closed_how"] == "reported former" and merkel["valid_from"] == "2005"
    assert _holders(empty_graph, "president", "France", "2021-06-01") == ["Emmanuel Macron"]
    assert _holders(empty_graph, "president", "France", "2029-07-01") == ["Claire Dubois"]
    assert _holders(empty_graph, "chancellor", "Germany", "2029-07-01") == []

    # why shows when each sentence says the fact held, and what closed it
    shown = _cli("why", "Emmanuel Macron", "HOLDS_ROLE", "France")
    assert shown.returncode == 0, shown.stderr
    # a document id is printed as text, never read as a style tag ("[visit-2021 ...]")
    assert "[visit-2021 sentence 0, chars " in shown.stdout and "as of 2021-05-03]" in shown.stdout
    assert "closed (succeeded by Claire Dubois) as of 2029-06-01: [election-2029]" in shown.stdout

    # forgetting the closing article reopens the role
    assert _cli("forget", "election-2029").returncode == 0
    macron = _role(empty_graph, "Emmanuel Macron", "France")
    assert not macron["closed"] and "closed_by_doc" not in macron


def test_a_role_held_by_many_is_not_closed_by_another_holder(empty_graph, prefect_harness, tmp_path: Path) -> None:
    # Two strikers of one club: neither report closes the other's role.
    _ingest(_write(tmp_path, [
        {"id": "a", "date": "2020-01-10", "text": "Chelsea striker Diego Costa scored twice on Saturday."},
        {"id": "b", "date": "2021-01-10", "text": "Chelsea striker Olivier Giroud scored on Sunday."},
    ]))
    rows = store.run_query(empty_graph, "MATCH (p:Person)-[r:HOLDS_ROLE]->(:Organization {name: 'Chelsea'}) "
                                        "RETURN p.name AS p, r.closed AS closed ORDER BY p")
    assert [(r["p"], r["closed"]) for r in rows] == [("Diego Costa", False), ("Olivier Giroud", False)]
