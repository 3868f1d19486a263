// Where events happen, rolled up to the country of the place.
// params: {}
MATCH (e:Event)-[:LOCATED_IN]->(p:Entity)
OPTIONAL MATCH (p)-[:LOCATED_IN]->(c:Country)
RETURN coalesce(c.name, CASE WHEN p:Country THEN p.name END, '?') AS country, p.name AS place,
       collect(DISTINCT e.name) AS events
ORDER BY country, place
