// Entities mentioned together most often: pairs of people, countries and organisations sharing documents.
// params: {"limit": 15}
MATCH (a:Entity)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(b:Entity)
WHERE a.uri < b.uri AND NOT a:Date AND NOT b:Date
WITH a, b, count(DISTINCT d) AS documents
RETURN a.name AS entity, b.name AS other, documents
ORDER BY documents DESC, entity, other
LIMIT $limit
