"""Neo4j → rdflib.Graph: the graph back as RDF, the inverse of graphstore.plan.

Relationships come back as a plain triple plus one ng:Assertion per evidence
entry, with the same deterministic URIs the mapping gives, so exporting a
freshly loaded batch gives back the batch's triples (aliases included).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import GEO
from rdflib.term import Node

from graphstore import cypher
from graphstore.evidence import DOCUMENT_FIELD, EVIDENCE
from graphstore.store import Target, to_plain, using
from schema.mapping import assertion_uri, document_uri, new_graph
from schema.namespace import NG
from schema.ontology import load_ontology


def _literal(key: str, value: Any) -> Literal:
    if key == "confidence":
        return Literal(f"{float(value):.4f}", datatype=XSD.decimal)
    if key == "ingested_at":
        return Literal(str(value), datatype=XSD.dateTime)
    if key == "location":  # a point, as graphstore.store.to_plain writes it: WKT
        return Literal(str(value), datatype=GEO.wktLiteral)
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    return Literal(str(value), datatype=XSD.string)


def export_graph(target: Target) -> Graph:
    ontology = load_ontology()
    prop_of_key = {key: prop for prop, key in ontology.property_keys.items()}
    labels = set(ontology.labels)
    rel_types = ontology.relation_types
    g = new_graph()
    triples: list[tuple[Node, Node, Node]] = []
    graph = using(target)
    driver, database = graph.driver, graph.database

    nodes, _, _ = driver.execute_query(cypher.ALL_NODES, database_=database, routing_="r")
    for record in nodes:
        props = to_plain(record["props"])
        uri = props.pop("uri", None)
        if uri is None:
            continue
        subject = URIRef(uri)
        for label in record["labels"]:
            if label in labels and label != "Entity":
                triples.append((subject, RDF.type, NG[label]))
        for key, value in sorted(props.items()):
            prop = prop_of_key.get(key)
            if prop is None:
                continue
            for v in value if isinstance(value, list) else [value]:
                triples.append((subject, prop, _literal(key, v)))

    rels, _, _ = driver.execute_query(cypher.ALL_RELATIONSHIPS, database_=database, routing_="r")
    for record in rels:
        head, tail, props = URIRef(record["head"]), URIRef(record["tail"]), to_plain(record["props"])
        if record["type"] == "REFERS_TO":
            triples.append((head, NG.refersTo, tail))
            continue
        if record["type"] == "IN_DOCUMENT":
            triples.append((head, NG.inDocument, tail))
            continue
        if record["type"] == "SAME_STORY_AS":  # its similarity is computed again on import
            triples.append((head, NG.sameStoryAs, tail))
            continue
        rel_type = rel_types.get(record["type"])
        if rel_type is None:
            continue
        triples.append((head, rel_type.predicate, tail))
        qualifier = str(props.get(rel_type.qualifier_key, "")) if rel_type.qualifier_key else ""
        # a list a relationship lacks (written before its field existed) holds the defaults
        size = len(props.get(DOCUMENT_FIELD, []))
        columns = [props.get(f.name) or [f.default] * size for f in EVIDENCE]
        for values in zip(*columns, strict=False):
            entry = {f.name: v for f, v in zip(EVIDENCE, values, strict=True)}
            doc = document_uri(entry[DOCUMENT_FIELD])
            a = assertion_uri(doc, record["type"], head, tail, qualifier,
                              entry["evidence_start"], entry["evidence_end"])
            triples += [
                (a, RDF.type, NG.Assertion),
                (a, RDF.subject, head),
                (a, RDF.predicate, rel_type.predicate),
                (a, RDF.object, tail),
                (a, NG.supportedBy, doc),
            ]
            # Every other field is a literal of the assertion, under its ng:neo4jKey.
            triples += [(a, prop_of_key[f.key], _literal(f.key, entry[f.name])) for f in EVIDENCE
                        if f.key and not (f.optional and entry[f.name] in (f.default, None))]
            if qualifier and rel_type.qualifier is not None:
                triples.append((a, rel_type.qualifier, _literal("role", qualifier)))
    g.addN((s, p, o, g) for s, p, o in triples)
    return g
