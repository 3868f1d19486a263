// Every occurrence of a named event (its name, year and place tell them apart), with its dates, places and documents.
// params: {"event": "G20 Summit"}
MATCH (e:Event)
WHERE toLower(e.name) = toLower($event)
OPTIONAL MATCH (e)-[:ON_DATE]->(d:Date)
OPTIONAL MATCH (e)-[:LOCATED_IN]->(p:Entity)
OPTIONAL MATCH (m:Mention)-[:REFERS_TO]->(e)
OPTIONAL MATCH (m)-[:IN_DOCUMENT]->(doc:Document)
WITH e, collect(DISTINCT d.value) AS dates, collect(DISTINCT p.name) AS places, collect(DISTINCT doc.source_id) AS docs
RETURN e.uri AS event, e.name AS name, dates, places, docs AS documents
ORDER BY dates, places
