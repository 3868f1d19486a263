// Why the graph says so: the sentences, documents and offsets behind one fact, and when each says it held.
// params: {"head": "Emmanuel Macron", "type": "HOLDS_ROLE", "tail": "France"}
MATCH (h:Entity)-[r]->(t:Entity)
WHERE toLower(h.name) = toLower($head) AND toLower(t.name) = toLower($tail) AND type(r) = $type
UNWIND range(0, size(r.evidence) - 1) AS i
RETURN h.name AS head, type(r) AS fact, coalesce(r.role, r.kind, '') AS detail, t.name AS tail,
       r.evidence_doc[i] AS document, r.evidence_sentence[i] AS sentence,
       r.evidence_start[i] AS start, r.evidence_end[i] AS end,
       r.evidence_confidence[i] AS confidence, r.evidence_version[i] AS extractor, r.evidence[i] AS text,
       coalesce(r.evidence_as_of[i], '') AS as_of, coalesce(r.evidence_former[i], false) AS former,
       coalesce(r.evidence_valid_from[i], '') AS valid_from, coalesce(r.evidence_valid_to[i], '') AS valid_to,
       r.closed_how AS closed_how, r.closed_as_of AS closed_as_of, r.closed_by_doc AS closed_by_doc,
       r.closed_by_evidence AS closed_by_evidence
ORDER BY detail, document, sentence
