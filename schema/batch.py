"""Map and validate a batch: the batch's RDF, minus the documents that break the shapes."""

from __future__ import annotations

from datetime import UTC, datetime

from rdflib import Graph

from extractors.types import Extraction
from schema.mapping import to_graph
from schema.validation import validate_graph


def build_batch(
    extractions: list[Extraction], ingested_at: datetime | None = None
) -> tuple[Graph, list[tuple[str, str]]]:
    """Returns the conforming graph and (document id, reason) for each document left out.

    The whole batch is validated at once; only when it fails is each document
    checked alone, so one bad document does not hold back the others.
    """
    stamp = ingested_at or datetime.now(UTC)
    graph = to_graph(extractions, stamp)
    report = validate_graph(graph)
    if report.conforms:
        return graph, []
    good: list[Extraction] = []
    failures: list[tuple[str, str]] = []
    for extraction in extractions:
        try:
            single = validate_graph(to_graph([extraction], stamp))
        except Exception as exc:  # a mapping error is this document's fault, not the batch's
            failures.append((extraction.document.id, f"cannot map to RDF: {exc}"))
            continue
        if single.conforms:
            good.append(extraction)
        else:
            reason = " ".join(single.summary(40).split("Message:")[1:2]).strip() or "does not conform"
            failures.append((extraction.document.id, f"SHACL: {reason}"))
    return to_graph(good, stamp), failures
