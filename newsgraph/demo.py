"""The three analyst queries `newsgraph demo` prints (also in the README)."""

DEMO_QUERIES = (
    (
        "Who holds which role where",
        """MATCH (p:Person)-[r:HOLDS_ROLE]->(c)
RETURN p.name AS person, r.role AS role, c.name AS of, r.support AS documents
ORDER BY of, person LIMIT 25""",
    ),
    (
        "Events with their dates and places",
        """MATCH (e:Event)
OPTIONAL MATCH (e)-[:ON_DATE]->(d:Date)
OPTIONAL MATCH (e)-[:LOCATED_IN]->(p)
WITH e, collect(DISTINCT d.value) AS dates, collect(DISTINCT p.name) AS places
WHERE size(dates) > 0 OR size(places) > 0
RETURN e.name AS event, e.type AS type, dates, places ORDER BY event LIMIT 25""",
    ),
    (
        "Family ties, with the sentence that says so",
        """MATCH (a:Person)-[r:RELATIVE_OF]->(b:Person)
RETURN a.name AS relative, r.kind AS kind, b.name AS of, r.evidence[0] AS evidence
ORDER BY of, relative""",
    ),
)
