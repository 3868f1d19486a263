// People and the countries they are citizens of, or hold an office in.
// params: {"country": "Japan"}
MATCH (p:Person)-[r:NATIONAL_OF|HOLDS_ROLE]->(c:Country)
WHERE toLower(c.name) = toLower($country)
RETURN p.name AS person, collect(DISTINCT coalesce(r.role, 'national')) AS how
ORDER BY person
