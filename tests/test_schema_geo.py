"""Where places and countries lie: reference data from GeoNames (schema/geo.py), carried by the
RDF mapping as properties, checked by the shapes.

The expected coordinates and ids are GeoNames' own published facts (Paris is GeoNames 2988507 at
48.85 N 2.35 E; France is 3017382; a country's point is its capital's), not values read back
from the code.
"""

from __future__ import annotations

import pytest
from rdflib import XSD, Literal, URIRef
from rdflib.namespace import GEO

from extractors.types import Document, Entity, Extraction, Mention
from schema.geo import country_reference, parse_wkt_point, place_reference, wkt_point
from schema.mapping import to_graph
from schema.namespace import NG
from schema.validation import validate_graph, validate_with_pyshacl

BASE = "https://w3id.org/newsgraph/id/"


def _near(ref: object, latitude: float, longitude: float) -> bool:
    return ref is not None and abs(ref.latitude - latitude) < 0.1 and abs(ref.longitude - longitude) < 0.1


def test_a_city_lies_at_its_geonames_point() -> None:
    assert _near(place_reference(2988507), 48.8566, 2.3522)  # Paris
    assert _near(place_reference(2655603), 52.4862, -1.8904)  # Birmingham, England
    assert place_reference(2988507).geonames_id == 2988507


@pytest.mark.parametrize(("iso", "geonames_id", "latitude", "longitude"), [
    ("FR", 3017382, 48.8566, 2.3522),    # Paris
    ("JP", 1861060, 35.6895, 139.6917),  # Tokyo
    ("CA", 6251999, 45.4215, -75.6972),  # Ottawa
    ("GB", 2635167, 51.5074, -0.1278),   # London
    ("AU", 2077456, -35.2809, 149.1300),  # Canberra, not Sydney
    ("BR", 3469034, -15.7939, -47.8828),  # Brasília: GeoNames spells the capital "Brasilia"
])
def test_a_country_has_its_geonames_id_and_its_capitals_point(iso: str, geonames_id: int, latitude: float,
                                                               longitude: float) -> None:
    ref = country_reference(iso)
    assert ref is not None and ref.geonames_id == geonames_id
    assert _near(ref, latitude, longitude)


def test_what_geonames_does_not_know_has_no_point() -> None:
    assert country_reference("SU") is None  # the Soviet Union: a historical state
    assert place_reference(-3) is None  # a region of extractors/data/regions.tsv (no GeoNames id)
    assert place_reference(5332921) is None  # California: a US state, no point in the tables
    # Hong Kong is a Place keyed by its GeoNames country id: it lies at its capital.
    assert _near(place_reference(1819729), 22.28, 114.17)


def test_wkt_puts_longitude_first_and_reads_back() -> None:
    assert wkt_point(48.85341, 2.3488) == "POINT(2.3488 48.85341)"
    assert wkt_point(51.5, -0.00001) == "POINT(-0.00001 51.5)"  # no exponent: the shapes' pattern
    assert parse_wkt_point("POINT(-0.00001 51.5)") == (51.5, -0.00001)
    with pytest.raises(ValueError):
        parse_wkt_point("LINESTRING(0 0, 1 1)")


TEXT = "birmingham in the united kingdom , at the alexander stadium"


def _extraction() -> Extraction:
    def span(word: str) -> Mention:
        return Mention(TEXT.index(word), TEXT.index(word) + len(word), word, 0)

    city = Entity("e0", "Place", "Birmingham", BASE + "place/geonames-2655603", [span("birmingham")],
                  attributes={"geonames_id": 2655603, "country_code": "GB"})
    country = Entity("e1", "Country", "United Kingdom", BASE + "country/GB", [span("united kingdom")],
                     attributes={"iso_code": "GB", "iso3": "GBR", "wikidata": "Q145"})
    venue = Entity("e2", "Place", "Alexander Stadium", BASE + "place/alexander-stadium", [span("alexander stadium")])
    return Extraction(Document(id="geo.txt", text=TEXT), [city, country, venue], [], extractor_version="test")


def test_the_mapping_carries_points_and_ids_as_properties() -> None:
    g = to_graph([_extraction()])
    city, country, venue = (URIRef(BASE + p) for p in ("place/geonames-2655603", "country/GB",
                                                      "place/alexander-stadium"))
    (city_point,) = g.objects(city, NG.location)
    assert city_point.datatype == GEO.wktLiteral
    latitude, longitude = parse_wkt_point(str(city_point))
    assert abs(latitude - 52.4862) < 0.05 and abs(longitude + 1.8904) < 0.05
    assert list(g.objects(city, NG.geonamesId)) == [Literal(2655603, datatype=XSD.integer)]
    (country_point,) = g.objects(country, NG.location)
    assert abs(parse_wkt_point(str(country_point))[0] - 51.5074) < 0.05  # London
    assert list(g.objects(country, NG.geonamesId)) == [Literal(2635167, datatype=XSD.integer)]
    assert list(g.objects(country, NG.wikidata)) == [Literal("Q145", datatype=XSD.string)]
    assert list(g.objects(venue, NG.location)) == [] and list(g.objects(venue, NG.geonamesId)) == []
    # Reference data is never dressed up as a fact: no relationship, no assertion comes with it.
    assert list(g.subjects(NG.locatedIn, None)) == [] and list(g.objects(city, NG.locatedIn)) == []
    assert validate_graph(g).conforms


@pytest.mark.parametrize("broken", [
    Literal("POINT(-1.9 52.5)", datatype=XSD.string),  # not a WKT literal
    Literal("POINT(52.5)", datatype=GEO.wktLiteral),  # one coordinate
    Literal("POLYGON((0 0, 1 0, 1 1, 0 0))", datatype=GEO.wktLiteral),  # not a point
])
def test_the_shapes_refuse_what_is_no_point(broken: Literal) -> None:
    g = to_graph([_extraction()])
    city = URIRef(BASE + "place/geonames-2655603")
    g.remove((city, NG.location, None))
    g.add((city, NG.location, broken))
    assert not validate_with_pyshacl(g).conforms
    assert not validate_graph(g).conforms


def test_the_shapes_refuse_two_points() -> None:
    g = to_graph([_extraction()])
    g.add((URIRef(BASE + "country/GB"), NG.location, Literal("POINT(0 0)", datatype=GEO.wktLiteral)))
    assert not validate_with_pyshacl(g).conforms
