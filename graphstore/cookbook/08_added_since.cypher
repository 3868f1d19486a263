// What was added since a moment: the latest documents ingested after it and the entities they mention.
// params: {"since": "2000-01-01T00:00:00Z", "limit": 50}
MATCH (d:Document)
WHERE d.ingested_at >= datetime($since)
// The newest first, cut before expanding mentions (the document_ingested_at index gives the order).
WITH d ORDER BY d.ingested_at DESC, d.source_id LIMIT $limit
OPTIONAL MATCH (d)<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(e:Entity)
RETURN d.source_id AS document, toString(d.ingested_at) AS ingested_at, count(DISTINCT e) AS entities,
       collect(DISTINCT e.name)[..10] AS some_entities
ORDER BY ingested_at DESC, document
