// People active in a country's neighbourhood: people with a fact at a place within N km of the country's point (its capital), nearest first.
// params: {"country": "United Kingdom", "km": 200}
// "Active at a place" means a text fact ties the person to it: taking part in
// an event the text places there (PARTICIPATES_IN, then the event's
// LOCATED_IN, through a venue if need be), living there (LIVES_IN), or holding
// a role in an organisation based there (HOLDS_ROLE, then LOCATED_IN). The
// neighbourhood is reference data: places whose GeoNames point lies within
// $km of the country's point, its capital's, whichever side of a border lies
// (at 600 km Germany's neighbourhood takes in Strasbourg, in France; at 100 km
// the United Kingdom's leaves out Birmingham). `facts` says which text facts
// count, `documents` where they are read.
MATCH (c:Country)
WHERE toLower(c.name) = toLower($country) AND c.location IS NOT NULL
MATCH (p:Place)
WHERE point.distance(p.location, c.location) <= $km * 1000.0
CALL (p) {
  MATCH (person:Person)-[r:PARTICIPATES_IN]->(e:Event)-[:LOCATED_IN]->(:Entity)-[:LOCATED_IN*0..1]->(p)
  RETURN person, coalesce(r.role, 'participant') + ' of ' + e.name AS fact, r.documents AS documents
  UNION
  MATCH (person:Person)-[r:LIVES_IN]->(:Entity)-[:LOCATED_IN*0..1]->(p)
  RETURN person, 'lives in ' + p.name AS fact, r.documents AS documents
  UNION
  MATCH (person:Person)-[r:HOLDS_ROLE]->(o:Organization)-[:LOCATED_IN]->(:Entity)-[:LOCATED_IN*0..1]->(p)
  RETURN person, r.role + ' of ' + o.name AS fact, r.documents AS documents
}
WITH person, p, round(point.distance(p.location, c.location) / 1000.0, 1) AS km, fact, documents
UNWIND documents AS document
RETURN person.name AS person, p.name AS place, km, collect(DISTINCT fact) AS facts,
       collect(DISTINCT document) AS documents
ORDER BY km, person, place
