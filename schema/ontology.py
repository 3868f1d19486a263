"""Reads ontology.ttl once and exposes its closed lists to the rest of the code.

The graph store takes labels, relationship types and property keys only from
here, so text from documents can never become a label or a type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, Graph, Literal, URIRef

from schema.namespace import NG, ONTOLOGY_IRI

SCHEMA_DIR = Path(__file__).resolve().parent
ONTOLOGY_PATH = SCHEMA_DIR / "ontology.ttl"
SHAPES_PATH = SCHEMA_DIR / "shapes.ttl"

ENTITY_CLASSES = ("Person", "Country", "Organization", "Place", "Event", "Date")


@dataclass(frozen=True)
class RelationType:
    predicate: URIRef  # ng:holdsRole
    neo4j_type: str  # HOLDS_ROLE
    qualifier: URIRef | None  # ng:role / ng:kind, the property that keys it
    qualifier_key: str | None  # role / kind


@dataclass(frozen=True)
class Ontology:
    graph: Graph
    labels: tuple[str, ...]  # every class local name, e.g. "Person"
    entity_labels: tuple[str, ...]
    relation_types: dict[str, RelationType]  # by Neo4j type: entity-to-entity only
    property_keys: dict[URIRef, str]  # datatype property -> Neo4j key

    def label_of(self, cls: URIRef) -> str:
        name = str(cls).removeprefix(ONTOLOGY_IRI)
        if name not in self.labels:
            raise ValueError(f"not a class of the ontology: {cls}")
        return name


@lru_cache(maxsize=1)
def load_ontology() -> Ontology:
    g = Graph()
    g.parse(ONTOLOGY_PATH, format="turtle")
    labels = tuple(
        sorted(str(c).removeprefix(ONTOLOGY_IRI) for c in g.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(ONTOLOGY_IRI))
    )
    property_keys: dict[URIRef, str] = {}
    for prop, key in g.subject_objects(NG.neo4jKey):
        if isinstance(prop, URIRef) and isinstance(key, Literal):
            property_keys[prop] = str(key)
    relation_types: dict[str, RelationType] = {}
    for prop, rel_type in g.subject_objects(NG.neo4jType):
        # Links to and between documents, not relationships between entities.
        if prop in (NG.refersTo, NG.inDocument, NG.sameStoryAs) or not isinstance(prop, URIRef):
            continue
        qualifier = g.value(prop, NG.qualifier)
        relation_types[str(rel_type)] = RelationType(
            predicate=prop,
            neo4j_type=str(rel_type),
            qualifier=qualifier if isinstance(qualifier, URIRef) else None,
            qualifier_key=property_keys.get(qualifier) if isinstance(qualifier, URIRef) else None,
        )
    return Ontology(
        graph=g,
        labels=labels,
        entity_labels=ENTITY_CLASSES,
        relation_types=relation_types,
        property_keys=property_keys,
    )


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES_PATH, format="turtle")
    return g
