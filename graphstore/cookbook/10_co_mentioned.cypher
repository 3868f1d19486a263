// Entities mentioned together most often with one entity: who and what share its documents.
// params: {"name": "France", "limit": 15}
// Starting from one entity keeps this interactive on a large graph; counting
// every pair of the whole graph is a batch job, not a Browser query.
MATCH (a:Entity)
WHERE toLower(a.name) = toLower($name)
MATCH (a)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)
WITH a, collect(DISTINCT d) AS documents
UNWIND documents AS d
MATCH (d)<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(b:Entity)
WHERE b <> a AND NOT b:Date
WITH a, b, count(DISTINCT d) AS together
RETURN a.name AS entity, b.name AS other, [l IN labels(b) WHERE l <> 'Entity'][0] AS label, together AS documents
ORDER BY documents DESC, other
LIMIT $limit
