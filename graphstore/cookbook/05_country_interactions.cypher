// Countries that interact through events: two countries taking part in the same event, with their roles.
// params: {}
MATCH (a:Country)-[ra:PARTICIPATES_IN]->(e:Event)<-[rb:PARTICIPATES_IN]-(b:Country)
WHERE a.name < b.name
RETURN a.name AS country, ra.role AS as, e.name AS event, rb.role AS other_as, b.name AS other
ORDER BY country, other, event
