"""Extraction → rdflib.Graph: the RDF form of what one or more documents say.

Every relationship between entities becomes a plain triple plus one
ng:Assertion (a reified statement) per piece of evidence, carrying the
document, sentence, character offsets, confidence and extractor version.
URIs are deterministic so re-runs and parallel runs produce the same triples.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import GEO
from rdflib.term import Node

from extractors.types import Document, Entity, Extraction, Relation
from schema import shingles
from schema.geo import country_reference, place_reference
from schema.namespace import ID, NG
from schema.ontology import load_ontology

# Entity attributes produced by the extractors → ontology properties.
ATTRIBUTE_PROPERTIES: dict[str, URIRef] = {
    "iso_code": NG.isoCode,
    "iso3": NG.iso3,
    "wikidata": NG.wikidata,
    "geonames_id": NG.geonamesId,
    "country_code": NG.countryCode,
    "type": NG.eventType,
    "value": NG.value,
    "precision": NG.precision,
    "resolved": NG.resolved,
}

# Terms looked up once: a namespace's attribute access is a Python call with
# checks, and a batch of 150 documents maps some 11,000 triples, most of them
# a mention's seven.
_TYPE = RDF.type
_BOOLEAN, _INTEGER, _STRING, _DECIMAL, _DATETIME = XSD.boolean, XSD.integer, XSD.string, XSD.decimal, XSD.dateTime
_WKT = GEO.wktLiteral
_MENTION, _REFERS_TO, _IN_DOCUMENT = NG.Mention, NG.refersTo, NG.inDocument
_TEXT, _SENTENCE, _START, _END = NG.text, NG.sentence, NG.start, NG.end
_NAME, _ALIAS, _LOCATION, _GEONAMES_ID = NG.name, NG.alias, NG.location, NG.geonamesId
_ASSERTION, _SUPPORTED_BY, _CONFIDENCE = NG.Assertion, NG.supportedBy, NG.confidence
_EVIDENCE_TEXT, _EXTRACTOR_VERSION = NG.evidenceText, NG.extractorVersion
_SUBJECT, _PREDICATE, _OBJECT = RDF.subject, RDF.predicate, RDF.object

PREFIXES = {
    "ng": "https://w3id.org/newsgraph/ontology#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "geo": "http://www.opengis.net/ont/geosparql#",
}


def document_uri(doc_id: str) -> URIRef:
    return ID["document/" + quote(doc_id, safe="")]


def mention_uri(doc: URIRef, start: int, end: int) -> URIRef:
    # NIF's offset-based fragment identifiers.
    return URIRef(f"{doc}#char={start},{end}")


def assertion_uri(doc: URIRef, *parts: Any) -> URIRef:
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:20]
    return URIRef(f"{doc}/assertion/{digest}")


def new_graph(store: str = "default") -> Graph:
    """An empty graph with newsgraph's prefixes; `store="SimpleMemory"` for a batch
    graph that is only filled and read (rdflib's fastest in-memory store, no named graphs)."""
    g = Graph(store=store)
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    return g


# Literals made, by (Python type, value). rdflib's Literal() parses and checks
# its value each time, and a batch repeats most of its values (sentence indexes,
# offsets, names, the extractor version); a Literal is immutable, so one object
# serves every triple that needs it. The type is in the key because True == 1.
_LITERALS: dict[tuple[type, Any], Literal] = {}
# Emptied when full: a long ingest meets ever new names, and the process lives
# as long as the ingest. 1,000 Reuters articles make about 11,000 distinct
# literals (about 6 MB here); 200,000 had the ingest process 50 MB larger at
# 10,000 documents than at 1,000 (bench run G).
_LITERALS_MAX = 20_000


def _literal(value: Any) -> Literal:
    key = (type(value), value)
    found = _LITERALS.get(key)
    if found is not None:
        return found
    if isinstance(value, bool):
        made = Literal(value, datatype=_BOOLEAN)
    elif isinstance(value, int):
        made = Literal(value, datatype=_INTEGER)
    else:
        made = Literal(str(value), datatype=_STRING)
    if len(_LITERALS) >= _LITERALS_MAX:
        _LITERALS.clear()
    _LITERALS[key] = made
    return made


def _document_triples(
    doc: Document, uri: URIRef, ingested_at: datetime | None, extractor_version: str = ""
) -> list[tuple[Node, Node, Node]]:
    triples: list[tuple[Node, Node, Node]] = [
        (uri, RDF.type, NG.Document),
        (uri, NG.sourceId, _literal(doc.id)),
        (uri, NG.sha256, _literal(doc.sha256)),
    ]
    # Recorded on the document too, not only on its evidence: a document with
    # no relation still says which extractor read it, so re-ingest can tell
    # when a newer extractor should read it again.
    if extractor_version:
        triples.append((uri, NG.extractorVersion, _literal(extractor_version)))
    for prop, value in ((NG.title, doc.title), (NG.url, doc.url), (NG.published, doc.date)):
        if value:
            triples.append((uri, prop, _literal(value)))
    if ingested_at is not None:
        triples.append((uri, NG.ingestedAt, Literal(ingested_at.isoformat(), datatype=_DATETIME)))
    # What the graph store compares to group near-duplicates into stories.
    minhash = shingles.signature(doc.text)
    if minhash is not None:
        triples.append((uri, NG.minhashSignature, _literal(shingles.encode(minhash))))
    return triples


def _entity_triples(ent: Entity, doc_uri: URIRef) -> list[tuple[Node, Node, Node]]:
    ontology = load_ontology()
    if ent.label not in ontology.entity_labels:
        raise ValueError(f"entity {ent.name!r} has a label outside the ontology: {ent.label!r}")
    uri = URIRef(ent.uri)
    triples: list[tuple[Node, Node, Node]] = [
        (uri, _TYPE, NG[ent.label]),
        (uri, _NAME, _literal(ent.name)),
    ]
    for alias in sorted({m.text for m in ent.mentions} | set(ent.aliases)):
        if alias:
            triples.append((uri, _ALIAS, _literal(alias)))
    for key, value in sorted(ent.attributes.items()):
        prop = ATTRIBUTE_PROPERTIES.get(key)
        if prop is not None and value is not None and value != "":
            triples.append((uri, prop, _literal(value)))
    triples += _reference_triples(ent, uri)
    for m in ent.mentions:
        muri = mention_uri(doc_uri, m.start, m.end)
        triples += [
            (muri, _TYPE, _MENTION),
            (muri, _REFERS_TO, uri),
            (muri, _IN_DOCUMENT, doc_uri),
            (muri, _TEXT, _literal(m.text)),
            (muri, _SENTENCE, _literal(m.sentence)),
            (muri, _START, _literal(m.start)),
            (muri, _END, _literal(m.end)),
        ]
    return triples


def _reference_triples(ent: Entity, uri: URIRef) -> list[tuple[Node, Node, Node]]:
    """What GeoNames knows of a place or a country (schema.geo): its id and point.
    Properties of the entity, never relationships: no text said them."""
    ref = None
    if ent.label == "Place" and ent.attributes.get("geonames_id"):
        ref = place_reference(int(ent.attributes["geonames_id"]))
    elif ent.label == "Country" and ent.attributes.get("iso_code"):
        ref = country_reference(str(ent.attributes["iso_code"]))
    if ref is None:
        return []
    triples: list[tuple[Node, Node, Node]] = [(uri, _LOCATION, Literal(ref.wkt, datatype=_WKT))]
    if "geonames_id" not in ent.attributes:
        triples.append((uri, _GEONAMES_ID, _literal(ref.geonames_id)))
    return triples


def _relation_triples(
    rel: Relation, extraction: Extraction, doc_uri: URIRef
) -> list[tuple[Node, Node, Node]]:
    ontology = load_ontology()
    rel_type = ontology.relation_types.get(rel.type)
    if rel_type is None:
        raise ValueError(f"relation type outside the ontology: {rel.type!r}")
    head = URIRef(extraction.entity(rel.head).uri)
    tail = URIRef(extraction.entity(rel.tail).uri)
    qualifier_value = rel.properties.get(rel_type.qualifier_key) if rel_type.qualifier_key else None
    triples: list[tuple[Node, Node, Node]] = [(head, rel_type.predicate, tail)]
    text = extraction.document.text
    for ev in rel.evidence:
        a = assertion_uri(doc_uri, rel.type, head, tail, qualifier_value or "", ev.start, ev.end)
        triples += [
            (a, _TYPE, _ASSERTION),
            (a, _SUBJECT, head),
            (a, _PREDICATE, rel_type.predicate),
            (a, _OBJECT, tail),
            (a, _SUPPORTED_BY, doc_uri),
            (a, _CONFIDENCE, Literal(f"{rel.confidence:.4f}", datatype=_DECIMAL)),
            (a, _SENTENCE, _literal(ev.sentence)),
            (a, _START, _literal(ev.start)),
            (a, _END, _literal(ev.end)),
            (a, _EVIDENCE_TEXT, _literal(text[ev.start : ev.end])),
            (a, _EXTRACTOR_VERSION, _literal(extraction.extractor_version or "unknown")),
        ]
        if qualifier_value and rel_type.qualifier is not None:
            triples.append((a, rel_type.qualifier, _literal(qualifier_value)))
        triples += _time_triples(a, rel, extraction.document.date)
    return triples


def _time_triples(assertion: URIRef, rel: Relation, published: str | None) -> list[tuple[Node, Node, Node]]:
    """When the fact held, as its sentence says, and the date it was stated as of."""
    out: list[tuple[Node, Node, Node]] = []
    for key, prop in (("valid_from", NG.validFrom), ("valid_to", NG.validTo)):
        if rel.properties.get(key):
            out.append((assertion, prop, Literal(str(rel.properties[key]), datatype=_STRING)))
    if rel.properties.get("former"):
        out.append((assertion, NG.former, _literal(True)))
    if published:
        out.append((assertion, NG.asOf, Literal(published[:10], datatype=_STRING)))
    return out


def extraction_triples(
    extraction: Extraction, ingested_at: datetime | None = None
) -> list[tuple[Node, Node, Node]]:
    doc_uri = document_uri(extraction.document.id)
    triples = _document_triples(extraction.document, doc_uri, ingested_at, extraction.extractor_version)
    for ent in extraction.entities:
        triples += _entity_triples(ent, doc_uri)
    for rel in extraction.relations:
        triples += _relation_triples(rel, extraction, doc_uri)
    return triples


# An entity's properties that hold one value (sh:maxCount 1 in shapes.ttl, one
# Neo4j property). Documents of one batch may disagree about them ("Coleco
# Industries Inc" here, "Coleco Industries Inc." there; a date resolved in one
# article and not in another); the batch keeps the first document's value, so it
# conforms exactly when each of its documents does, and the property graph gets
# the same value whatever else the batch holds.
SINGLE_VALUED_ENTITY_PROPERTIES = frozenset({NG.name, NG.location, *ATTRIBUTE_PROPERTIES.values()})


def to_graph(extractions: Iterable[Extraction], ingested_at: datetime | None = None) -> Graph:
    """Map a batch of extractions to one graph (added in bulk)."""
    stamp = ingested_at or datetime.now(UTC)
    return graph_of_documents((x, extraction_triples(x, stamp)) for x in extractions)


def graph_of_documents(documents: Iterable[tuple[Extraction, list[tuple[Node, Node, Node]]]]) -> Graph:
    """One graph from each document's triples; where documents disagree about an
    entity's single-valued property, the first document's value is kept."""
    g = new_graph("SimpleMemory")
    earlier: dict[tuple[Node, Node], Node] = {}  # (entity, property) -> the value an earlier document gave
    for extraction, triples in documents:
        entities = {URIRef(e.uri) for e in extraction.entities}
        own: dict[tuple[Node, Node], set[Node]] = {}
        for s, p, o in triples:
            if p in SINGLE_VALUED_ENTITY_PROPERTIES and s in entities:
                own.setdefault((s, p), set()).add(o)
        # A document that gives two values itself keeps them (and stays invalid);
        # only a lone value that differs from an earlier document's is left out.
        drop = set()
        for key, values in own.items():
            value = next(iter(values))
            if len(values) == 1 and earlier.setdefault(key, value) != value:
                drop.add((key, value))
        g.addN((s, p, o, g) for s, p, o in triples if not (drop and ((s, p), o) in drop))
    return g
