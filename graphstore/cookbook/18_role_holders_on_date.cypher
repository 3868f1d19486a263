// Who held a role of a country or organisation on a date, as the texts tell it: held from a stated start or a report on or before the date, not ended by a stated end or a closing report before it.
// params: {"role": "prime minister", "holder": "United Kingdom", "date": "2022-09-10"}
// A partial date compares at its own precision: "until 2021" covers 2021-06-01.
MATCH (p:Person)-[r:HOLDS_ROLE]->(x:Entity)
WHERE toLower(x.name) = toLower($holder) AND toLower(r.role) = toLower($role)
WITH p, r, x, [i IN range(0, size(r.evidence_doc) - 1)
               WHERE NOT coalesce(r.evidence_former[i], false) AND coalesce(r.evidence_as_of[i], '') <> ''
               | r.evidence_as_of[i]] AS reports
WHERE ((r.valid_from IS NOT NULL AND left($date, size(r.valid_from)) >= r.valid_from)
       OR any(d IN reports WHERE d <= $date))
  AND (r.valid_to IS NULL OR left($date, size(r.valid_to)) <= r.valid_to)
  AND (r.closed_as_of IS NULL OR r.closed_as_of > $date)
RETURN p.name AS person, r.role AS role, x.name AS of, r.valid_from AS since, r.valid_to AS until,
       reduce(m = null, d IN reports | CASE WHEN m IS NULL OR d < m THEN d ELSE m END) AS first_reported,
       r.as_of AS last_reported, r.closed_how AS closed, r.closed_as_of AS closed_as_of
ORDER BY last_reported DESC, person
