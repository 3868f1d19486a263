// Dates with the most events.
// params: {"limit": 10}
MATCH (e:Event)-[:ON_DATE]->(d:Date)
RETURN d.value AS date, d.precision AS precision, count(DISTINCT e) AS events, collect(DISTINCT e.name) AS names
ORDER BY events DESC, date
LIMIT $limit
