// The independent stories behind one fact: each story with its documents (copies of one story count once in `support`).
// params: {"head": "Emmanuel Macron", "type": "HOLDS_ROLE", "tail": "France"}
MATCH (h:Entity)-[r]->(t:Entity)
WHERE toLower(h.name) = toLower($head) AND toLower(t.name) = toLower($tail) AND type(r) = $type
UNWIND r.documents AS id
MATCH (d:Document {source_id: id})
WITH h, r, t, coalesce(d.story, d.source_id) AS story, d ORDER BY d.source_id
RETURN h.name AS head, type(r) AS fact, coalesce(r.role, r.kind, '') AS detail, t.name AS tail,
       r.support AS support, story, collect(d.source_id) AS documents, collect(d.title) AS titles
ORDER BY detail, story
