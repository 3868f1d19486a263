"""SHACL validation of a batch's RDF against shapes.ttl (with the ontology)."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate
from rdflib import Graph

from schema.ontology import load_ontology, load_shapes


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    text: str  # pySHACL's human-readable report; empty when it conforms

    def summary(self, max_lines: int = 12) -> str:
        lines = [ln for ln in self.text.splitlines() if ln.strip()]
        return "\n".join(lines[:max_lines])


def validate_graph(data: Graph) -> ValidationReport:
    conforms, _results, text = validate(
        data,
        shacl_graph=load_shapes(),
        ont_graph=load_ontology().graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
    )
    return ValidationReport(conforms=bool(conforms), text="" if conforms else str(text))
