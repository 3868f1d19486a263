// The independent stories behind a fact: its support counts stories, and each story lists its near-duplicate documents.
// params: {"head": "Emmanuel Macron", "type": "HOLDS_ROLE", "tail": "France"}
MATCH (h:Entity)-[r]->(t:Entity)
WHERE toLower(h.name) = toLower($head) AND toLower(t.name) = toLower($tail) AND type(r) = $type
UNWIND r.documents AS id
MATCH (d:Document {source_id: id})
WITH r, coalesce(d.story, d.source_id) AS story, d ORDER BY d.source_id
RETURN r.support AS support, story, collect(d.source_id) AS documents
ORDER BY story
