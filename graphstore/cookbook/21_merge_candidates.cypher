// Merge candidates waiting for a person's decision (`newsgraph merges`): the two names, the rule, and the documents and sentences that tie them
// params: {}
MATCH (m:Merge {status: 'pending'})
RETURN m.merge_id AS merge, coalesce(m.entity_label, 'Person') AS label, m.alias_name AS partial,
       m.target_name AS candidate, m.rule AS rule, m.reason AS evidence,
       coalesce(m.evidence_documents, []) AS documents, coalesce(m.evidence_sentences, []) AS sentences
ORDER BY label, candidate, partial
