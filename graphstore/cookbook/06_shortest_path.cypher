// The shortest chains of facts between two people (through entities, not documents).
// params: {"a": "Olaf Scholz", "b": "Angela Merkel"}
MATCH (a:Person), (b:Person)
WHERE toLower(a.name) = toLower($a) AND toLower(b.name) = toLower($b)
MATCH path = allShortestPaths((a)-[:HOLDS_ROLE|NATIONAL_OF|RELATIVE_OF|LIVES_IN|LOCATED_IN|PARTICIPATES_IN|ON_DATE*..6]-(b))
RETURN [n IN nodes(path) | n.name] AS chain, [r IN relationships(path) | type(r)] AS facts, length(path) AS hops
ORDER BY hops, chain
LIMIT 10
