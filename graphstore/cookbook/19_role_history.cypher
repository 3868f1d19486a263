// A person's roles in order, as the texts tell it: since and until when, first and last reported as current, and what closed a role.
// params: {"person": "Keir Starmer"}
MATCH (p:Person)-[r:HOLDS_ROLE]->(x:Entity)
WHERE toLower(p.name) = toLower($person)
WITH p, r, x, [i IN range(0, size(r.evidence_doc) - 1) WHERE coalesce(r.evidence_as_of[i], '') <> ''
               | r.evidence_as_of[i]] AS reported
WITH p, r, x, reduce(m = null, d IN reported | CASE WHEN m IS NULL OR d < m THEN d ELSE m END) AS first_reported
RETURN r.role AS role, x.name AS of, r.valid_from AS since, r.valid_to AS until, first_reported,
       r.as_of AS last_reported, r.former AS former, r.closed_how AS closed, r.closed_as_of AS closed_as_of,
       r.support AS documents
ORDER BY coalesce(r.valid_from, first_reported, '9999'), role
