"""rdflib.Graph → rows for the constant Cypher statements (a "load plan").

This is the documented mapping from newsgraph's RDF to the property graph
(in the manner of neosemantics): rdf:type → label, literal → property (named by
the ontology's ng:neo4jKey), object property → relationship (ng:neo4jType),
ng:Assertion (a reified statement) → one evidence entry on the relationship,
a geo:wktLiteral point → a Neo4j point.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from neo4j.spatial import WGS84Point
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import GEO
from rdflib.term import Node

from graphstore.evidence import EVIDENCE, EVIDENCE_FIELDS
from schema.geo import parse_wkt_point
from schema.namespace import NG
from schema.ontology import RelationType, load_ontology

# Terms looked up once, outside the per-triple loop: a namespace's attribute
# access is a Python call with checks, a batch some 11,000 triples. A term is
# tested by set membership (a C-level hash, equality only on a match), not ==,
# which rdflib implements in Python.
_TYPE, _ALIAS, _SAME_STORY_AS = frozenset({RDF.type}), frozenset({NG.alias}), frozenset({NG.sameStoryAs})
_WKT = GEO.wktLiteral

# Merge record properties that are lists in Neo4j (one literal per item in RDF).
LIST_KEYS = frozenset({"mentions", "mention_documents", "evidence_documents", "evidence_sentences"})


@dataclass
class LoadPlan:
    documents: list[dict[str, Any]] = field(default_factory=list)
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by label
    mentions: list[dict[str, Any]] = field(default_factory=list)
    relationships: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by type
    merges: list[dict[str, Any]] = field(default_factory=list)  # resolution's records (in exports)
    story_links: list[dict[str, str]] = field(default_factory=list)  # SAME_STORY_AS, {a, b} by uri (in exports)
    skipped_triples: int = 0  # entity-to-entity triples with no assertion behind them

    @property
    def stories_recorded(self) -> bool:
        """An export's documents carry their stories: loaded as recorded, not detected again."""
        return any("story" in d["props"] for d in self.documents)

    @property
    def document_ids(self) -> list[str]:
        return [d["props"]["source_id"] for d in self.documents]

    def counts(self) -> dict[str, int]:
        return {
            "documents": len(self.documents),
            "entities": sum(len(v) for v in self.entities.values()),
            "mentions": len(self.mentions),
            "relationships": sum(len(v) for v in self.relationships.values()),
            "merges": len(self.merges),
        }


def _python(value: Literal) -> Any:
    if value.datatype == _WKT:
        # a point in Neo4j (srid 4326, x longitude, y latitude), so the point index and
        # point.distance() work on it
        latitude, longitude = parse_wkt_point(str(value))
        return WGS84Point((longitude, latitude))
    v = value.toPython()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime | date | bool | int | float | str):
        return v
    return str(value)


def plan_from_graph(g: Graph) -> LoadPlan:
    ontology = load_ontology()
    keys = ontology.property_keys
    labels_by_class: dict[Node, str] = {NG[label]: label for label in ontology.labels}
    rel_by_predicate: dict[Node, RelationType] = {rt.predicate: rt for rt in ontology.relation_types.values()}

    types: dict[Node, str] = {}
    props: dict[Node, dict[str, Any]] = defaultdict(dict)
    links: dict[Node, dict[Node, Node]] = defaultdict(dict)
    direct: list[tuple[Node, Node, Node]] = []
    story_links: list[dict[str, str]] = []
    for s, p, o in g:
        if not isinstance(s, URIRef):
            continue
        if p in _TYPE:
            if o in labels_by_class:
                types[s] = labels_by_class[o]
        elif isinstance(o, Literal):
            if p in _ALIAS:
                continue  # aliases are recomputed from mentions in Neo4j
            key = keys.get(p) if isinstance(p, URIRef) else None
            if key in LIST_KEYS:
                props[s].setdefault(key, []).append(_python(o))
            elif key is not None:
                props[s][key] = _python(o)
        elif isinstance(o, URIRef):
            if p in _SAME_STORY_AS:
                story_links.append({"a": str(s), "b": str(o)})
            elif p in rel_by_predicate:
                direct.append((s, p, o))
            else:
                links[s][p] = o

    plan = LoadPlan()
    doc_ids: dict[Node, str] = {}
    for s, label in types.items():
        if label == "Document":
            doc_ids[s] = str(props[s].get("source_id", ""))
            plan.documents.append({"uri": str(s), "props": props[s]})
        elif label in ontology.entity_labels:
            plan.entities.setdefault(label, []).append({"uri": str(s), "props": props[s]})
        elif label == "Merge":
            record = {k: sorted(v) if k in LIST_KEYS else v for k, v in props[s].items()}
            plan.merges.append({"uri": str(s), "props": record})
        elif label == "Mention":
            link = links[s]
            plan.mentions.append(
                {
                    "uri": str(s),
                    "doc": str(link.get(NG.inDocument, "")),
                    "entity": str(link.get(NG.refersTo, "")),
                    "props": props[s],
                }
            )

    grouped: dict[tuple[str, str, str, str], dict[str, list[Any]]] = {}
    asserted: set[tuple[Node, Node, Node]] = set()
    for s, label in types.items():
        if label != "Assertion":
            continue
        link, values = links[s], props[s]
        head, predicate, tail = link.get(RDF.subject), link.get(RDF.predicate), link.get(RDF.object)
        rel_type = rel_by_predicate.get(predicate) if predicate is not None else None
        if rel_type is None or predicate is None or head is None or tail is None:
            continue
        asserted.add((head, predicate, tail))
        qualifier = str(values.get(rel_type.qualifier_key, "")) if rel_type.qualifier_key else ""
        entry = grouped.setdefault(
            (rel_type.neo4j_type, str(head), str(tail), qualifier), {f: [] for f in EVIDENCE_FIELDS}
        )
        supported_by = link.get(NG.supportedBy)
        for f in EVIDENCE:
            if f.key is not None:
                value = values.get(f.key, f.default)
            else:  # the supporting document, by its source id
                value = doc_ids.get(supported_by, f.default) if supported_by is not None else f.default
            entry[f.name].append(value)
    for (rel_type_name, head_uri, tail_uri, qualifier), evidence in sorted(grouped.items()):
        row: dict[str, Any] = {"head": head_uri, "tail": tail_uri, "qualifier": qualifier}
        row.update(evidence)
        plan.relationships.setdefault(rel_type_name, []).append(row)
    plan.skipped_triples = sum(1 for t in direct if t not in asserted)

    # Sorted keys: concurrent writers lock nodes in the same order.
    plan.documents.sort(key=lambda r: r["uri"])
    for rows in plan.entities.values():
        rows.sort(key=lambda r: r["uri"])
    plan.mentions.sort(key=lambda r: r["uri"])
    plan.merges.sort(key=lambda r: r["uri"])
    plan.story_links = sorted(story_links, key=lambda r: (r["a"], r["b"]))
    return plan
