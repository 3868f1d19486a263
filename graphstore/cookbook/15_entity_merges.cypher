// Cross-document merges: which partial name went into which person, by which rule, from which documents
// params: {}
MATCH (m:Merge)
OPTIONAL MATCH (t:Person {uri: m.target_uri})
RETURN m.merge_id AS merge, m.status AS status, m.alias_name AS partial, t.name AS person, m.rule AS rule,
       m.reason AS evidence, m.mention_documents AS documents, size(m.mentions) AS mentions
ORDER BY person, partial
