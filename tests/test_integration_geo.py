"""Places on a map, against the real Neo4j: points with a point index, kept by export and import,
and never dressed up as facts.

Expected coordinates are GeoNames' published points (Birmingham 52.48 N 1.90 W, London, the
United Kingdom's capital, 51.51 N 0.13 W), and the distance between them (about 163 km) is the
great-circle distance any atlas gives, not a value read back from the code.
"""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import GEO

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation
from graphstore import store
from graphstore.cookbook import recipe
from graphstore.export import export_graph
from graphstore.plan import plan_from_graph
from schema.batch import build_batch
from schema.namespace import NG
from schema.validation import validate_graph

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/newsgraph/id/"
TEXT = "the games opened in birmingham , united kingdom , at the alexander stadium ."
BIRMINGHAM = BASE + "place/geonames-2655603"


def _extraction() -> Extraction:
    def span(word: str) -> Mention:
        return Mention(TEXT.index(word), TEXT.index(word) + len(word), word, 0)

    games = Entity("e0", "Event", "Games", BASE + "event/games", [span("games")], attributes={"type": "sports"})
    city = Entity("e1", "Place", "Birmingham", BIRMINGHAM, [span("birmingham")],
                  attributes={"geonames_id": 2655603, "country_code": "GB"})
    country = Entity("e2", "Country", "United Kingdom", BASE + "country/GB", [span("united kingdom")],
                     attributes={"iso_code": "GB", "iso3": "GBR", "wikidata": "Q145"})
    venue = Entity("e3", "Place", "Alexander Stadium", BASE + "place/alexander-stadium", [span("alexander stadium")])
    held = Relation("e0", "LOCATED_IN", "e1", {}, 0.75, [Evidence(0, 0, len(TEXT))])
    return Extraction(Document(id="geo.txt", text=TEXT), [games, city, country, venue], [held],
                      extractor_version="test")


def _load(conn: store.Connection) -> None:
    graph, failures = build_batch([_extraction()])
    assert failures == []
    store.load_plan(conn, plan_from_graph(graph))


POINTS = """
MATCH (n:Entity) WHERE n.location IS NOT NULL
RETURN n.name AS name, n.location.srid AS srid, n.location.latitude AS latitude,
       n.location.longitude AS longitude, n.geonames_id AS geonames_id
ORDER BY name
"""


def _points(conn: store.Connection) -> dict[str, dict]:
    return {r["name"]: r for r in store.run_query(conn, POINTS)}


def test_places_and_countries_are_points_with_geonames_ids(empty_graph: store.Connection) -> None:
    _load(empty_graph)
    points = _points(empty_graph)
    assert set(points) == {"Birmingham", "United Kingdom"}  # the stadium has no GeoNames point
    city, country = points["Birmingham"], points["United Kingdom"]
    assert city["srid"] == country["srid"] == 4326  # WGS-84
    assert abs(city["latitude"] - 52.4862) < 0.1 and abs(city["longitude"] + 1.8904) < 0.1
    assert abs(country["latitude"] - 51.5074) < 0.1 and abs(country["longitude"] + 0.1278) < 0.1  # London
    assert city["geonames_id"] == 2655603 and country["geonames_id"] == 2635167
    km = store.run_query(empty_graph, "MATCH (a:Place {name: 'Birmingham'}), (b:Country {name: 'United Kingdom'}) "
                                      "RETURN point.distance(a.location, b.location) / 1000.0 AS km")[0]["km"]
    assert 155 < km < 170
    # Reference data, not a fact: Birmingham has no relationship the text did not state.
    rels = store.run_query(empty_graph, "MATCH (p:Place {name: 'Birmingham'})-[r]-(:Entity) "
                                        "RETURN type(r) AS type, r.documents AS documents")
    assert rels == [{"type": "LOCATED_IN", "documents": ["geo.txt"]}]  # the games' venue, from the text


def test_a_point_index_answers_the_distance_recipes(empty_graph: store.Connection) -> None:
    indexes = store.run_query(empty_graph, "SHOW INDEXES YIELD type, labelsOrTypes, properties, state "
                                           "WHERE type = 'POINT' RETURN labelsOrTypes, properties, state")
    assert {(tuple(r["labelsOrTypes"]), tuple(r["properties"])) for r in indexes} >= {
        (("Place",), ("location",)), (("Country",), ("location",))}
    _load(empty_graph)
    for name in ("events_near_place", "people_near_country"):
        r = recipe(name)
        graph = store.using(empty_graph)
        with graph.driver.session(database=graph.database) as session:
            summary = session.run("EXPLAIN " + r.cypher, r.params).consume()
        details = str(summary.plan)
        assert "POINT INDEX p:Place(location)" in details, f"{name} does not seek the point index"


def test_export_and_import_keep_the_points(empty_graph: store.Connection) -> None:
    _load(empty_graph)
    before = store.fingerprint(empty_graph)
    exported = export_graph(empty_graph)
    assert validate_graph(exported).conforms
    (point,) = exported.objects(URIRef(BIRMINGHAM), NG.location)
    assert point.datatype == GEO.wktLiteral and str(point).startswith("POINT(-1.8")
    # The export gives back the mapping's own literal.
    original, _ = build_batch([_extraction()])
    assert set(original.objects(URIRef(BIRMINGHAM), NG.location)) == {point}
    assert set(original.objects(URIRef(BASE + "country/GB"), NG.location)) == set(
        exported.objects(URIRef(BASE + "country/GB"), NG.location))

    store.reset(empty_graph)
    store.load_plan(empty_graph, plan_from_graph(exported), resolve=False)
    assert store.fingerprint(empty_graph) == before
    # Back as points (not as text): the point index and point.distance work on them.
    assert _points(empty_graph)["Birmingham"]["srid"] == 4326
