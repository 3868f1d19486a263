"""Two `newsgraph ingest` processes at once on overlapping folders end with the
graph that one ingest of their union builds: uniqueness constraints, sorted
batched MERGE, document locks and deadlock retries, against the real Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
BATCH_WORDS = 90  # about 3 documents a batch: many small transactions that interleave

PEOPLE = [("germany", "chancellor", "olaf scholz"), ("france", "president", "emmanuel macron"),
          ("russia", "foreign minister", "sergey lavrov"), ("japan", "prime minister", "fumio kishida"),
          ("canada", "prime minister", "justin trudeau"), ("italy", "prime minister", "mario draghi"),
          ("spain", "king", "felipe vi"), ("india", "prime minister", "narendra modi")]
CITIES = ["paris", "berlin", "rome", "madrid", "tokyo", "ottawa", "moscow", "new delhi"]


def article(i: int) -> str:
    """Short articles whose people, countries and facts recur across documents."""
    a, b = PEOPLE[i % len(PEOPLE)], PEOPLE[(3 * i + 1) % len(PEOPLE)]
    city = CITIES[(5 * i) % len(CITIES)]
    return (f"{a[0]} {a[1]} {a[2]} met {b[0]} {b[1]} {b[2]} in {city} on monday .\n"
            f"{a[2]} said the talks in {city} went well , according to report {i} .\n")


def write_docs(folder: Path, numbers: range | list[int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        (folder / f"doc-{i:03d}.txt").write_text(article(i), encoding="utf-8")
    return folder


DUPLICATES = """
MATCH (n) UNWIND labels(n) AS label
WITH label, count(n) AS nodes, count(DISTINCT n.uri) AS uris
WHERE nodes <> uris RETURN label, nodes, uris
UNION ALL
MATCH (d:Document) WITH count(d) AS nodes, count(DISTINCT d.source_id) AS uris
WHERE nodes <> uris RETURN 'Document.source_id' AS label, nodes, uris
"""
DUPLICATE_RELATIONSHIPS = """
MATCH (a)-[r]->(b)
WITH a, b, type(r) AS type, coalesce(r.role, r.kind, '') AS qualifier, count(r) AS n
WHERE n > 1 RETURN a.uri AS head, type, b.uri AS tail, qualifier, n
"""
DUPLICATE_EVIDENCE = """
MATCH ()-[r]->() WHERE r.evidence_doc IS NOT NULL
WITH r, [i IN range(0, size(r.evidence_doc) - 1) |
         [r.evidence_doc[i], r.evidence_sentence[i], r.evidence_start[i], r.evidence_end[i]]] AS entries
UNWIND entries AS entry
WITH r, entry, count(*) AS n WHERE n > 1
RETURN type(r) AS type, entry, n
"""


def assert_no_duplicates(conn: store.Connection) -> None:
    """Every uniqueness key is unique, no relationship twice, no evidence entry twice."""
    assert store.run_query(conn, DUPLICATES) == []
    assert store.run_query(conn, DUPLICATE_RELATIONSHIPS) == []
    assert store.run_query(conn, DUPLICATE_EVIDENCE) == []


# `newsgraph` once everything is loaded and a signal file appears (argv: ready file, signal file, CLI args).
AT_THE_SIGNAL = """
import pathlib, sys, time
import flows.ingest
from extractors.pipeline import load_pipeline
from newsgraph.cli import main
from newsgraph.config import load_settings
load_pipeline(load_settings().spacy_model)
pathlib.Path(sys.argv[1]).touch()
while not pathlib.Path(sys.argv[2]).exists():
    time.sleep(0.01)
sys.argv = ["newsgraph", *sys.argv[3:]]
main()
"""


def _api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


def test_two_ingests_at_once_equal_one_ingest_of_the_union(empty_graph, prefect_harness, tmp_path: Path) -> None:
    from flows.ingest import ingest_flow

    union = write_docs(tmp_path / "union", range(36))
    # Both start on the same 18 documents, then go their own ways.
    first = write_docs(tmp_path / "first", range(27))
    second = write_docs(tmp_path / "second", [*range(18), *range(27, 36)])

    report = ingest_flow([str(union)], batch_words=BATCH_WORDS)
    assert report["failed"] == [] and report["loaded"] == 36
    expected = store.fingerprint(empty_graph)
    expected_summary = store.summary(empty_graph)
    assert_no_duplicates(empty_graph)

    store.reset(empty_graph)
    env = {**os.environ, "PREFECT_API_URL": _api_url(), "NEWSGRAPH_RETRY_DELAYS": "0.5,1,2,4"}
    go = tmp_path / "go"
    runs = []
    for folder in (first, second):
        ready = tmp_path / f"{folder.name}.ready"
        args = [str(ready), str(go), "ingest", str(folder), "--batch-words", str(BATCH_WORDS), "--json"]
        runs.append((ready, subprocess.Popen([sys.executable, "-c", AT_THE_SIGNAL, *args], cwd=ROOT, env=env,
                                             text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready, _ in runs) and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()  # both have spaCy loaded: they start together
    outputs = [run.communicate(timeout=300) for _, run in runs]
    runs_ = [run for _, run in runs]
    for run, (stdout, stderr) in zip(runs_, outputs, strict=True):
        assert run.returncode == 0, stderr[-3000:]
        assert json.loads(stdout.strip().splitlines()[-1])["failed"] == []
    reports = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]
    print("concurrent runs:", [{k: r[k] for k in ("read", "loaded", "skipped", "seconds")} for r in reports])
    # Between them they read 54 documents: 18 twice (each run loaded or skipped them).
    assert sum(r["read"] for r in reports) == 54
    assert sum(r["loaded"] + r["skipped"] for r in reports) == 54

    assert_no_duplicates(empty_graph)
    assert store.summary(empty_graph) == expected_summary
    assert store.fingerprint(empty_graph) == expected
