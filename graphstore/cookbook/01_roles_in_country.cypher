// Who holds which role in a country (or organisation), with how many documents say so.
// params: {"country": "France"}
MATCH (p:Person)-[r:HOLDS_ROLE]->(c:Entity)
WHERE toLower(c.name) = toLower($country)
RETURN p.name AS person, r.role AS role, c.name AS of, r.support AS documents
ORDER BY documents DESC, person, role
