// A person's timeline: the events they take part in, with dates and places.
// params: {"person": "Justin Trudeau"}
MATCH (p:Person)-[part:PARTICIPATES_IN]->(e:Event)
WHERE toLower(p.name) = toLower($person)
OPTIONAL MATCH (e)-[:ON_DATE]->(d:Date)
OPTIONAL MATCH (e)-[:LOCATED_IN]->(place:Entity)
RETURN e.name AS event, e.type AS type, part.role AS role,
       collect(DISTINCT d.value) AS dates, collect(DISTINCT place.name) AS places
ORDER BY head(dates), event
