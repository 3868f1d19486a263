"""The ingest flow on a Dask cluster (Prefect's DaskTaskRunner) builds the graph the sequential run builds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphstore import store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# Small batches, so the two workers have several to share.
BATCH_WORDS = 400


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    # Two worker processes with one thread each: spaCy is CPU bound.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        yield cluster.scheduler_address


def test_dask_runner_builds_the_sequential_graph(
    empty_graph, prefect_harness, dask_cluster: str, seed_dir: Path
) -> None:
    from flows.ingest import run_ingest_flow

    paths = [str(EXAMPLES), str(seed_dir)]
    sequential = run_ingest_flow(paths, batch_words=BATCH_WORDS)
    assert sequential["failed"] == [] and sequential["loaded"] == sequential["read"]
    expected = store.fingerprint(empty_graph)
    expected_summary = store.summary(empty_graph)

    store.reset(empty_graph)
    store.ensure_schema(empty_graph)
    on_dask = run_ingest_flow(paths, runner="dask", dask_address=dask_cluster, batch_words=BATCH_WORDS)
    assert on_dask["failed"] == []
    assert on_dask["read"] == sequential["read"] and on_dask["loaded"] == sequential["loaded"]
    assert on_dask["entities"] == sequential["entities"]
    assert on_dask["relationships"] == sequential["relationships"]
    assert on_dask["triples"] == sequential["triples"]
    assert store.fingerprint(empty_graph) == expected
    assert store.summary(empty_graph) == expected_summary

    again = run_ingest_flow(paths, runner="dask", dask_address=dask_cluster, batch_words=BATCH_WORDS)
    assert again["skipped"] == again["read"] and again["loaded"] == 0
    assert store.fingerprint(empty_graph) == expected


def test_dask_ingest_keeps_the_scheduler_quiet(empty_graph, tmp_path: Path) -> None:
    """`newsgraph ingest --runner dask` on its own local cluster: the summary, not
    the Dask scheduler's, nannies' and workers' INFO lines."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    result = subprocess.run([sys.executable, "-m", "newsgraph.cli", "ingest", "--runner", "dask",
                             str(EXAMPLES / "05_g7_charlevoix_summit.txt")],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout
    output = result.stdout + result.stderr
    assert "| INFO" not in output and "distributed.scheduler" not in output, result.stderr
