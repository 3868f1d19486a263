"""Scheduled ingestion: a Prefect deployment that ingests an inbox folder on a cron.

Unchanged files are skipped by content hash, so files that arrived while the
server was down are picked up by the next run and none is ingested twice.
Files that another extractor version read are extracted again unless
NEWSGRAPH_REEXTRACT=false (see flows.ingest.ingest_flow's `reextract`).
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.ingest import ingest_flow

DEPLOYMENT_NAME = "newsgraph-inbox"


@flow(name="newsgraph-inbox")
def inbox_flow(inbox: str) -> dict[str, Any]:
    return ingest_flow([inbox])


def serve_inbox(inbox: str, cron: str) -> None:
    """Blocks: serves the deployment until interrupted."""
    inbox_flow.serve(name=DEPLOYMENT_NAME, cron=cron, parameters={"inbox": inbox})
