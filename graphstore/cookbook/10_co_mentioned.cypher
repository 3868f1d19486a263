// Entities mentioned together most often with one entity: who and what share its documents.
// params: {"name": "France", "limit": 15}
// Starting from one entity keeps this interactive on a large graph; counting
// every pair of the whole graph is a batch job, not a Browser query.
MATCH (a:Entity)
WHERE toLower(a.name) = toLower($name)
MATCH (a)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)
WITH a, collect(DISTINCT d) AS documents
UNWIND documents AS d
// Only a Mention is IN_DOCUMENT and REFERS_TO an Entity: the busiest entity's
// documents hold tens of thousands of mentions, and a label check on each
// costs more than the rest of the walk. Filtering after counting checks each
// companion once, not once per mention.
MATCH (d)<-[:IN_DOCUMENT]-()-[:REFERS_TO]->(b)
WITH a, b, count(DISTINCT d) AS together
WHERE b <> a AND NOT b:Date
WITH a, b, together
ORDER BY together DESC, b.name
LIMIT $limit
RETURN a.name AS entity, b.name AS other, [l IN labels(b) WHERE l <> 'Entity'][0] AS label, together AS documents
