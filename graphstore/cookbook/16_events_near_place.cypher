// Events within N km of a place or a country, nearest first: where the text puts each event, how far that is, and the documents that say so.
// params: {"place": "London", "km": 200}
// Two kinds of knowledge meet here, and the answer keeps them apart: that an
// event happened in Birmingham is a text fact (LOCATED_IN, with evidence:
// `documents`); where Birmingham lies is reference data (the place's
// `location`, a GeoNames point, as is a country's: its capital's). Only places
// with a point count as where an event is: an event placed in a country is
// somewhere in it, not at its capital. A venue without a point of its own
// (a stadium, a palace) counts through the place the text puts it in.
// The point index on Place.location answers the distance predicate.
MATCH (centre:Entity)
WHERE (centre:Place OR centre:Country) AND toLower(centre.name) = toLower($place) AND centre.location IS NOT NULL
MATCH (p:Place)
WHERE point.distance(p.location, centre.location) <= $km * 1000.0
MATCH (e:Event)-[r:LOCATED_IN]->(at:Entity)-[:LOCATED_IN*0..1]->(p)
RETURN DISTINCT e.name AS event, e.type AS type, at.name AS `where`, p.name AS place,
       round(point.distance(p.location, centre.location) / 1000.0, 1) AS km, r.documents AS documents
ORDER BY km, event, `where`
