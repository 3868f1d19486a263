// Cross-document merges and candidates: which partial name went (or may go) into which person or organisation, by which rule, from which documents
// params: {}
MATCH (m:Merge)
OPTIONAL MATCH (t:Entity {uri: m.target_uri})
RETURN m.merge_id AS merge, m.status AS status, m.alias_name AS partial, t.name AS person, m.rule AS rule,
       m.reason AS evidence, m.mention_documents AS documents, size(m.mentions) AS mentions
ORDER BY person, partial
