// Facts supported by two or more documents, best supported first.
// params: {"min_documents": 2, "limit": 100}
// One branch per relationship type, so each uses its index on `support`
// instead of reading every relationship of the graph.
CALL () {
  MATCH (h:Entity)-[r:HOLDS_ROLE]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
  UNION ALL
  MATCH (h:Entity)-[r:NATIONAL_OF]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
  UNION ALL
  MATCH (h:Entity)-[r:RELATIVE_OF]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
  UNION ALL
  MATCH (h:Entity)-[r:LIVES_IN]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
  UNION ALL
  MATCH (h:Entity)-[r:LOCATED_IN]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
  UNION ALL
  MATCH (h:Entity)-[r:PARTICIPATES_IN]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
  UNION ALL
  MATCH (h:Entity)-[r:ON_DATE]->(t:Entity) WHERE r.support >= $min_documents RETURN h, r, t
}
RETURN h.name AS head, type(r) AS fact, coalesce(r.role, r.kind, '') AS detail, t.name AS tail,
       r.support AS documents, round(r.confidence, 3) AS confidence
ORDER BY documents DESC, confidence DESC, head, fact, tail
LIMIT $limit
