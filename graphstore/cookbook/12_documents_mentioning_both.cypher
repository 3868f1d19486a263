// Documents that mention both of two entities.
// params: {"a": "Emmanuel Macron", "b": "Joe Biden"}
MATCH (a:Entity)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d:Document)
WHERE toLower(a.name) = toLower($a)
MATCH (b:Entity)<-[:REFERS_TO]-(:Mention)-[:IN_DOCUMENT]->(d)
WHERE toLower(b.name) = toLower($b)
RETURN DISTINCT d.source_id AS document, d.title AS title
ORDER BY document
