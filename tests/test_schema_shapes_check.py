"""The compiled shapes (schema/shapes_check.py) never say "conforms" when pySHACL says otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import GEO

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from schema.mapping import document_uri, to_graph
from schema.namespace import NG
from schema.ontology import load_ontology, load_shapes
from schema.shapes_check import compiled
from schema.validation import validate_graph, validate_with_pyshacl

TEXT = "germany chancellor olaf scholz met french president emmanuel macron in berlin on may 3 ."
PERSON = URIRef("https://w3id.org/newsgraph/id/person/olaf-scholz")
COUNTRY = URIRef("https://w3id.org/newsgraph/id/country/DE")
DATE = URIRef("https://w3id.org/newsgraph/id/date/XXXX-05-03")


def _span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def _extraction(doc_id: str = "a.txt", name: str = "Olaf Scholz", resolved: bool = False) -> Extraction:
    g0, g1 = _span("germany")
    p0, p1 = _span("olaf scholz")
    d0, d1 = _span("may 3")
    germany = Entity("e0", "Country", "Germany", str(COUNTRY), [Mention(g0, g1, "germany", 0)],
                     attributes={"iso_code": "DE", "iso3": "DEU", "wikidata": "Q183"})
    scholz = Entity("e1", "Person", name, str(PERSON), [Mention(p0, p1, "olaf scholz", 0)])
    may3 = Entity("e2", "Date", "May 3", str(DATE), [Mention(d0, d1, "may 3", 0)],
                  attributes={"value": "XXXX-05-03", "precision": "day", "resolved": resolved})
    role = Relation("e1", "HOLDS_ROLE", "e0", {"role": "chancellor"}, 0.9, [Evidence(0, 0, len(TEXT))])
    return Extraction(Document(id=doc_id, text=TEXT), [germany, scholz, may3], [role], extractor_version="test")


def _graph() -> Graph:
    return to_graph([_extraction("a.txt"), _extraction("b.txt")])


def _one(g: Graph, cls: URIRef) -> URIRef:
    return next(s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef))


def _set(g: Graph, s: URIRef, p: URIRef, o: object) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))  # type: ignore[arg-type]


MUTATIONS: dict[str, Callable[[Graph], None]] = {
    "no name": lambda g: g.remove((PERSON, NG.name, None)),
    "two names": lambda g: g.add((PERSON, NG.name, Literal("Scholz", datatype=XSD.string))),
    "empty alias": lambda g: g.add((PERSON, NG.alias, Literal("", datatype=XSD.string))),
    "name with a language": lambda g: _set(g, PERSON, NG.name, Literal("Olaf Scholz", lang="de")),
    "plain-literal name": lambda g: _set(g, PERSON, NG.name, Literal("Olaf Scholz")),
    "integer name": lambda g: _set(g, PERSON, NG.name, Literal(7)),
    "bad iso code": lambda g: _set(g, COUNTRY, NG.isoCode, Literal("germany", datatype=XSD.string)),
    "bad precision": lambda g: _set(g, DATE, NG.precision, Literal("fortnight", datatype=XSD.string)),
    "bad date value": lambda g: _set(g, DATE, NG.value, Literal("May 3", datatype=XSD.string)),
    "resolved as string": lambda g: _set(g, DATE, NG.resolved, Literal("no", datatype=XSD.string)),
    "confidence above 1": lambda g: _set(g, _one(g, NG.Assertion), NG.confidence,
                                         Literal("1.5", datatype=XSD.decimal)),
    "confidence as string": lambda g: _set(g, _one(g, NG.Assertion), NG.confidence,
                                           Literal("0.5", datatype=XSD.string)),
    "ill-typed integer": lambda g: _set(g, _one(g, NG.Mention), NG.sentence, Literal("x", datatype=XSD.integer)),
    "start after end": lambda g: _set(g, _one(g, NG.Mention), NG.start, Literal(999, datatype=XSD.integer)),
    "negative start": lambda g: _set(g, _one(g, NG.Mention), NG.start, Literal(-1, datatype=XSD.integer)),
    "mention of a non-entity": lambda g: _set(g, _one(g, NG.Mention), NG.refersTo, document_uri("a.txt")),
    "mention without document": lambda g: g.remove((_one(g, NG.Mention), NG.inDocument, None)),
    "assertion about a document": lambda g: _set(g, _one(g, NG.Assertion), RDF.subject, document_uri("a.txt")),
    "unknown predicate": lambda g: _set(g, _one(g, NG.Assertion), RDF.predicate, NG.refersTo),
    "role held in a person": lambda g: g.add((PERSON, NG.holdsRole, PERSON)),
    "date located somewhere": lambda g: g.add((DATE, NG.locatedIn, COUNTRY)),
    "blank-node document": lambda g: g.add((BNode(), RDF.type, NG.Document)),
    "untyped entity as object": lambda g: g.add((PERSON, NG.nationalOf, URIRef("https://example.org/x"))),
    "event without type": lambda g: g.add((URIRef("https://example.org/ev"), RDF.type, NG.Event)),
    "location as a string": lambda g: _set(g, COUNTRY, NG.location, Literal("POINT(13.4 52.5)", datatype=XSD.string)),
    "location not a point": lambda g: _set(g, COUNTRY, NG.location,
                                           Literal("LINESTRING(0 0, 1 1)", datatype=GEO.wktLiteral)),
    "two locations": lambda g: g.add((COUNTRY, NG.location, Literal("POINT(0 0)", datatype=GEO.wktLiteral))),
    "geonames id as a string": lambda g: _set(g, COUNTRY, NG.geonamesId, Literal("2921044", datatype=XSD.string)),
    "subclass in the data": lambda g: g.addN([
        (URIRef("https://example.org/Thing"), RDFS.subClassOf, NG.Entity, g),
        (URIRef("https://example.org/x"), RDF.type, URIRef("https://example.org/Thing"), g),
    ]),
}


def test_valid_batches_conform_on_the_fast_path() -> None:
    check = compiled(load_shapes(), load_ontology().graph)
    assert check is not None, "shapes.ttl should compile"
    g = _graph()
    assert check.conforms(g)
    assert validate_with_pyshacl(g).conforms


def test_batch_of_documents_that_disagree_on_a_name_conforms() -> None:
    g = to_graph([_extraction("a.txt", name="Olaf Scholz", resolved=False),
                  _extraction("b.txt", name="Olaf SCHOLZ", resolved=True)])
    assert validate_with_pyshacl(g).conforms
    assert {str(n) for n in g.objects(PERSON, NG.name)} == {"Olaf Scholz"}  # the first document's
    assert list(g.objects(DATE, NG.resolved)) == [Literal(False)]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_engines_agree_on_a_broken_batch(name: str) -> None:
    g = _graph()
    MUTATIONS[name](g)
    check = compiled(load_shapes(), load_ontology().graph)
    assert check is not None
    reference = validate_with_pyshacl(g)
    if not reference.conforms:
        assert not check.conforms(g), f"fast path says {name!r} conforms, pySHACL does not"
    fast = validate_graph(g)
    assert fast.conforms == reference.conforms
    assert fast.text == reference.text


def test_shapes_beyond_the_compiled_subset_go_to_pyshacl() -> None:
    shapes = Graph()
    for t in load_shapes():
        shapes.add(t)
    shape = URIRef("https://w3id.org/newsgraph/shapes#Extra")
    shapes.add((shape, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")))
    shapes.add((shape, URIRef("http://www.w3.org/ns/shacl#targetNode"), PERSON))
    assert compiled(shapes, load_ontology().graph) is None
