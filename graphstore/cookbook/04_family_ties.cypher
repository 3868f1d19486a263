// Family ties of a person, in both directions ("relative" is the relative of "of").
// params: {"person": "Naruhito"}
MATCH (a:Person)-[r:RELATIVE_OF]-(b:Person)
WHERE toLower(a.name) = toLower($person)
RETURN startNode(r).name AS relative, r.kind AS kind, endNode(r).name AS of, r.evidence[0] AS evidence
ORDER BY kind, relative
