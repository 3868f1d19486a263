"""Extraction → RDF, and SHACL validation of the result."""

from rdflib import RDF, URIRef

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from schema.batch import build_batch
from schema.mapping import document_uri, to_graph
from schema.namespace import NG
from schema.validation import validate_graph

TEXT = "germany chancellor olaf scholz met the press in berlin on may 3 ."


def _span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def _extraction(doc_id: str = "a.txt", iso: str = "DE") -> Extraction:
    doc = Document(id=doc_id, text=TEXT)
    g0, g1 = _span("germany")
    p0, p1 = _span("olaf scholz")
    germany = Entity("e0", "Country", "Germany", "https://w3id.org/newsgraph/id/country/DE",
                     [Mention(g0, g1, "germany", 0)], attributes={"iso_code": iso})
    scholz = Entity("e1", "Person", "Olaf Scholz", "https://w3id.org/newsgraph/id/person/olaf-scholz",
                    [Mention(p0, p1, "olaf scholz", 0)])
    d0, d1 = _span("may 3")
    may3 = Entity("e2", "Date", "May 3", "https://w3id.org/newsgraph/id/date/XXXX-05-03",
                  [Mention(d0, d1, "may 3", 0)],
                  attributes={"value": "XXXX-05-03", "precision": "day", "resolved": False})
    role = Relation("e1", "HOLDS_ROLE", "e0", {"role": "chancellor"}, 0.9, [Evidence(0, 0, len(TEXT))])
    return Extraction(doc, [germany, scholz, may3], [role], extractor_version="test")


def test_mapping_has_entities_mentions_and_assertions() -> None:
    g = to_graph([_extraction()])
    scholz = URIRef("https://w3id.org/newsgraph/id/person/olaf-scholz")
    germany = URIRef("https://w3id.org/newsgraph/id/country/DE")
    assert (scholz, RDF.type, NG.Person) in g
    assert (scholz, NG.holdsRole, germany) in g
    assertions = list(g.subjects(RDF.type, NG.Assertion))
    assert len(assertions) == 1
    a = assertions[0]
    assert str(g.value(a, NG.role)) == "chancellor"
    assert g.value(a, NG.supportedBy) == document_uri("a.txt")
    assert str(g.value(a, NG.evidenceText)) == TEXT
    mentions = list(g.subjects(NG.refersTo, scholz))
    assert len(mentions) == 1
    assert int(g.value(mentions[0], NG.start)) == TEXT.index("olaf")  # type: ignore[arg-type]


def test_mapping_is_deterministic() -> None:
    from datetime import UTC, datetime

    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    a = to_graph([_extraction()], stamp)
    b = to_graph([_extraction()], stamp)
    assert set(a) == set(b)


def test_valid_batch_conforms() -> None:
    assert validate_graph(to_graph([_extraction()])).conforms


def test_bad_iso_code_does_not_conform() -> None:
    report = validate_graph(to_graph([_extraction(iso="germany")]))
    assert not report.conforms
    assert "isoCode" in report.text or "pattern" in report.text


def test_wrong_range_does_not_conform() -> None:
    x = _extraction()
    x.relations[0] = Relation("e0", "HOLDS_ROLE", "e1", {"role": "chancellor"}, 0.9, [Evidence(0, 0, 5)])
    assert not validate_graph(to_graph([x])).conforms


def test_batch_keeps_good_documents_and_reports_bad_ones() -> None:
    graph, failures = build_batch([_extraction("good.txt"), _extraction("bad.txt", iso="xx1")])
    assert [doc for doc, _ in failures] == ["bad.txt"]
    assert "SHACL" in failures[0][1]
    docs = {str(g) for g in graph.subjects(RDF.type, NG.Document)}
    assert docs == {str(document_uri("good.txt"))}
    assert validate_graph(graph).conforms


def test_date_precision_outside_the_list_does_not_conform() -> None:
    x = _extraction()
    x.entities[2].attributes["precision"] = "fortnight"
    report = validate_graph(to_graph([x]))
    assert not report.conforms and "precision" in report.text


def test_equal_values_share_one_literal_and_keep_their_own_datatype() -> None:
    from rdflib import XSD

    from schema.mapping import _literal

    # True == 1 and hash(True) == hash(1) in Python: the literals made for them
    # must still be a boolean and an integer, whichever is asked for first.
    assert _literal(1).datatype == XSD.integer and _literal(True).datatype == XSD.boolean
    assert _literal(False).datatype == XSD.boolean and _literal(0).datatype == XSD.integer
    assert _literal(1).toPython() == 1 and _literal(True).toPython() is True
    assert _literal("1").datatype == XSD.string
    # One object serves every triple with the same value.
    assert _literal("Olaf Scholz") is _literal("Olaf Scholz")
    assert _literal(17) is _literal(17)
