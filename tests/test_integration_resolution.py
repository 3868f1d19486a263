"""Cross-document resolution against the real Neo4j: merges need evidence, are
recorded, can be split, and leave the document lifecycle intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from graphstore import store
from graphstore.plan import plan_from_graph
from schema.batch import build_batch

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/newsgraph/id/"
PUTIN_A = "Russian President Vladimir Putin said on Monday that Moscow would not back down.\n"
PUTIN_B = "Putin said the talks had failed. Russia's president Putin met reporters in Moscow.\n"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsgraph.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=300)


def _ingest(*paths: Path, resolve: bool = True) -> None:
    from flows.ingest import ingest_flow

    report = ingest_flow([str(p) for p in paths], resolve=resolve)
    assert report["failed"] == []


def _people(conn: store.Connection) -> dict[str, list[str]]:
    rows = store.run_query(conn, "MATCH (p:Person) RETURN p.uri AS uri, p.aliases AS aliases")
    return {r["uri"].removeprefix(BASE + "person/"): sorted(r["aliases"]) for r in rows}


def _merges(conn: store.Connection) -> list[dict]:
    return store.run_query(conn, "MATCH (m:Merge) RETURN properties(m) AS m ORDER BY m.uri")


@pytest.fixture()
def putin_docs(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "a.txt").write_text(PUTIN_A, encoding="utf-8")
    (b / "b.txt").write_text(PUTIN_B, encoding="utf-8")
    return a, b


def test_surname_merges_with_evidence_and_is_recorded(empty_graph, prefect_harness, putin_docs) -> None:
    a, b = putin_docs
    _ingest(a, b)
    people = _people(empty_graph)
    assert "putin" not in people
    assert people["vladimir-putin"] == ["Putin", "Vladimir Putin"]
    role = store.run_query(empty_graph, "MATCH (:Person {name: 'Vladimir Putin'})-[r:HOLDS_ROLE]->"
                                        "(:Country {iso_code: 'RU'}) RETURN r.documents AS docs, r.support AS n")
    assert sorted(role[0]["docs"]) == ["a.txt", "b.txt"] and role[0]["n"] == 2
    [merge] = [r["m"] for r in _merges(empty_graph)]
    assert merge["rule"] == "shared_role" and merge["status"] == "applied"
    assert merge["alias_uri"] == BASE + "person/putin" and merge["target_uri"] == BASE + "person/vladimir-putin"
    assert merge["mention_documents"] == ["b.txt"]
    # Both "Putin" spans of b.txt moved, nothing of a.txt.
    starts = sorted(int(m.rsplit("=", 1)[1].split(",")[0]) for m in merge["mentions"])
    assert starts == [i for i in range(len(PUTIN_B)) if PUTIN_B.startswith("Putin", i)]


def test_order_does_not_matter_and_forget_undoes(empty_graph, prefect_harness, putin_docs) -> None:
    a, b = putin_docs
    _ingest(b)
    b_alone = store.fingerprint(empty_graph)
    assert "putin" in _people(empty_graph)
    _ingest(a)
    a_then_b = store.fingerprint(empty_graph)
    assert list(_people(empty_graph)) == ["vladimir-putin"]
    store.reset(empty_graph)
    _ingest(a)
    _ingest(b)
    assert store.fingerprint(empty_graph) == a_then_b
    result = _cli("forget", "a.txt")
    assert result.returncode == 0, result.stderr
    assert store.fingerprint(empty_graph) == b_alone
    assert _merges(empty_graph) == []


def test_split_restores_and_is_not_redone(empty_graph, prefect_harness, putin_docs, tmp_path: Path) -> None:
    a, b = putin_docs
    _ingest(a, b, resolve=False)
    unmerged = store.fingerprint(empty_graph)
    assert {"putin", "vladimir-putin"} <= set(_people(empty_graph))
    store.reset(empty_graph)
    _ingest(a, b)
    merged = store.fingerprint(empty_graph)
    assert merged != unmerged
    [merge] = [r["m"] for r in _merges(empty_graph)]
    result = _cli("split", merge["merge_id"])
    assert result.returncode == 0, result.stderr
    assert store.fingerprint(empty_graph) == unmerged
    assert _cli("split", merge["merge_id"]).returncode == 1  # already split
    # The veto holds when more about Putin arrives.
    c = tmp_path / "c"
    c.mkdir()
    (c / "c.txt").write_text("President Putin of Russia spoke in Moscow.\n", encoding="utf-8")
    _ingest(c)
    assert {"putin", "vladimir-putin"} <= set(_people(empty_graph))
    assert [r["m"]["status"] for r in _merges(empty_graph)] == ["split"]


def test_export_import_keeps_merges_undoable(empty_graph, prefect_harness, putin_docs, tmp_path: Path) -> None:
    a, b = putin_docs
    _ingest(a)
    a_alone = store.fingerprint(empty_graph)
    _ingest(b)
    merged = store.fingerprint(empty_graph)
    ttl = tmp_path / "graph.ttl"
    assert _cli("export", "-o", str(ttl)).returncode == 0
    store.reset(empty_graph)
    result = _cli("import", str(ttl))
    assert result.returncode == 0, result.stderr
    assert store.fingerprint(empty_graph) == merged
    assert _cli("forget", "b.txt").returncode == 0
    assert store.fingerprint(empty_graph) == a_alone


# ----------------------------------------------- hand-made extractions
def _person_doc(doc_id: str, people: list[tuple[str, str]]) -> Extraction:
    """One sentence per (name, country code): '<name> is a national of <code> .'
    with a NATIONAL_OF relation."""
    text = ""
    entities: dict[str, Entity] = {}
    relations = []
    for index, (name, code) in enumerate(people):
        sentence = f"{name} is a national of {code} ."
        p = entities.setdefault(name, Entity(f"e{len(entities)}", "Person", name,
                                             BASE + "person/" + name.lower().replace(" ", "-")))
        p.mentions.append(Mention(len(text), len(text) + len(name), name, index))
        c0 = len(text) + sentence.index(code)
        c = entities.setdefault(code, Entity(f"e{len(entities)}", "Country", code, BASE + "country/" + code,
                                             attributes={"iso_code": code}))
        c.mentions.append(Mention(c0, c0 + len(code), code, index))
        relations.append(Relation(p.id, "NATIONAL_OF", c.id, {}, 0.7,
                                  [Evidence(index, len(text), len(text) + len(sentence))]))
        text += sentence + "\n"
    return Extraction(Document(doc_id, text), list(entities.values()), relations, extractor_version="test-1")


def _load(conn: store.Connection, *extractions: Extraction) -> None:
    graph, failures = build_batch(list(extractions))
    assert failures == []
    store.load_plan(conn, plan_from_graph(graph))


JOHN = _person_doc("john.txt", [("John Smith", "GB")])
MARY = _person_doc("mary.txt", [("Mary Smith", "GB")])
SMITH = _person_doc("smith.txt", [("Smith", "GB")])


def test_two_full_names_with_the_surname_block_the_merge(empty_graph) -> None:
    _load(empty_graph, JOHN, MARY, SMITH)
    assert set(_people(empty_graph)) == {"john-smith", "mary-smith", "smith"}
    assert _merges(empty_graph) == []
    # Without Mary the surname is unique and the shared country is evidence.
    store.forget_documents(empty_graph, ["mary.txt"])
    assert set(_people(empty_graph)) == {"john-smith"}
    assert [r["m"]["rule"] for r in _merges(empty_graph)] == ["shared_country"]
    after_forget = store.fingerprint(empty_graph)
    store.reset(empty_graph)
    _load(empty_graph, SMITH)
    _load(empty_graph, JOHN)
    assert store.fingerprint(empty_graph) == after_forget


def test_no_merge_without_evidence(empty_graph) -> None:
    _load(empty_graph, JOHN, _person_doc("french.txt", [("Smith", "FR")]))
    assert set(_people(empty_graph)) == {"john-smith", "smith"}
    assert _merges(empty_graph) == []
