"""The Python namespace and ontology.ttl name the same terms."""

from rdflib import OWL, RDF, URIRef

from schema.namespace import NG, ONTOLOGY_IRI
from schema.ontology import load_ontology


def _ontology_terms() -> set[str]:
    g = load_ontology().graph
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {
        str(s).removeprefix(ONTOLOGY_IRI)
        for kind in kinds
        for s in g.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_IRI)
    }


def test_namespace_equals_ontology() -> None:
    declared = set(NG.__annotations__)
    assert declared == _ontology_terms()


def test_namespace_refuses_unknown_terms() -> None:
    try:
        NG.NotATerm  # noqa: B018
    except AttributeError:
        return
    raise AssertionError("NG accepted a term that is not in the ontology")


def test_core_labels_and_types_present() -> None:
    onto = load_ontology()
    for label in ("Person", "Country", "Organization", "Place", "Event", "Date", "Document", "Mention"):
        assert label in onto.labels
    assert set(onto.relation_types) == {
        "HOLDS_ROLE", "NATIONAL_OF", "RELATIVE_OF", "LIVES_IN", "LOCATED_IN", "PARTICIPATES_IN", "ON_DATE",
    }
    assert onto.relation_types["HOLDS_ROLE"].qualifier_key == "role"
    assert onto.relation_types["RELATIVE_OF"].qualifier_key == "kind"
    assert onto.relation_types["NATIONAL_OF"].qualifier_key is None
