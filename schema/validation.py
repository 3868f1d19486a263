"""SHACL validation of a batch's RDF against shapes.ttl (with the ontology).

The shapes compiled to Python (`schema.shapes_check`) say quickly when a batch
certainly conforms; anything else goes to pySHACL, whose verdict and report stand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyshacl import validate
from rdflib import Graph
from rdflib.term import Node

from schema.ontology import load_ontology, load_shapes
from schema.shapes_check import compiled


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    text: str  # pySHACL's human-readable report; empty when it conforms

    def summary(self, max_lines: int = 12) -> str:
        lines = [ln for ln in self.text.splitlines() if ln.strip()]
        return "\n".join(lines[:max_lines])


def fast_conforms(triples: Iterable[tuple[Node, Node, Node]]) -> bool:
    """True when the compiled shapes find the triples conform; False: ask pySHACL."""
    check = compiled(load_shapes(), load_ontology().graph)
    return check is not None and check.conforms(triples)


def validate_graph(data: Graph) -> ValidationReport:
    if fast_conforms(data):
        return ValidationReport(conforms=True, text="")
    return validate_with_pyshacl(data)


def validate_with_pyshacl(data: Graph) -> ValidationReport:
    if not data.store.context_aware:  # pySHACL mixes the ontology in through a ConjunctiveGraph
        copy = Graph()
        copy.addN((s, p, o, copy) for s, p, o in data)
        data = copy
    conforms, _results, text = validate(
        data,
        shacl_graph=load_shapes(),
        ont_graph=load_ontology().graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
    )
    return ValidationReport(conforms=bool(conforms), text="" if conforms else str(text))
