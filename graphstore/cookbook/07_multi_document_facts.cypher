// Facts supported by two or more documents, best supported first.
// params: {"min_documents": 2}
MATCH (h:Entity)-[r]->(t:Entity)
WHERE r.support >= $min_documents
RETURN h.name AS head, type(r) AS fact, coalesce(r.role, r.kind, '') AS detail, t.name AS tail,
       r.support AS documents, round(r.confidence, 3) AS confidence
ORDER BY documents DESC, confidence DESC, head
