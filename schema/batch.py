"""Map and validate a batch: the batch's RDF, minus the documents that break the shapes."""

from __future__ import annotations

from datetime import UTC, datetime

from rdflib import Graph
from rdflib.term import Node

from extractors.types import Extraction
from schema.mapping import extraction_triples, graph_of_documents, new_graph
from schema.validation import fast_conforms, validate_with_pyshacl


def build_batch(
    extractions: list[Extraction], ingested_at: datetime | None = None
) -> tuple[Graph, list[tuple[str, str]]]:
    """Returns the conforming graph and (document id, reason) for each document left out.

    Each document's RDF is checked against the shapes on its own, first by the
    compiled shapes (schema/shapes_check.py) and, when they cannot tell, by
    pySHACL, whose report names the reason; one bad document does not hold back
    the others. The documents that conform make the batch's graph, where an
    entity's single-valued properties (name, attributes) come from the first
    document that gives them, so the batch conforms as its documents do.
    """
    stamp = ingested_at or datetime.now(UTC)
    good: list[tuple[Extraction, list[tuple[Node, Node, Node]]]] = []
    failures: list[tuple[str, str]] = []
    for extraction in extractions:
        try:
            triples = extraction_triples(extraction, stamp)
        except Exception as exc:  # a mapping error is this document's fault, not the batch's
            failures.append((extraction.document.id, f"cannot map to RDF: {exc}"))
            continue
        if not fast_conforms(triples):
            single = new_graph()
            single.addN((s, p, o, single) for s, p, o in triples)
            report = validate_with_pyshacl(single)
            if not report.conforms:
                reason = " ".join(report.summary(40).split("Message:")[1:2]).strip() or "does not conform"
                failures.append((extraction.document.id, f"SHACL: {reason}"))
                continue
        good.append((extraction, triples))
    return graph_of_documents(good), failures
