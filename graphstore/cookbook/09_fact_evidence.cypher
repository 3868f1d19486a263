// Why the graph says so: the sentences, documents and offsets behind one fact.
// params: {"head": "Emmanuel Macron", "type": "HOLDS_ROLE", "tail": "France"}
MATCH (h:Entity)-[r]->(t:Entity)
WHERE toLower(h.name) = toLower($head) AND toLower(t.name) = toLower($tail) AND type(r) = $type
UNWIND range(0, size(r.evidence) - 1) AS i
RETURN h.name AS head, type(r) AS fact, coalesce(r.role, r.kind, '') AS detail, t.name AS tail,
       r.evidence_doc[i] AS document, r.evidence_sentence[i] AS sentence,
       r.evidence_start[i] AS start, r.evidence_end[i] AS end,
       r.evidence_confidence[i] AS confidence, r.evidence_version[i] AS extractor, r.evidence[i] AS text
ORDER BY detail, document, sentence
