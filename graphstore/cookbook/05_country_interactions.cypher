// Countries that meet at events: two countries at one event, each taking part itself, through a person holding an office in it, or as the venue (stated, or the venue's country code).
// params: {}
// News names the people more often than their countries ("france president
// emmanuel macron held talks with biden"): a head of state or minister at an
// event stands for the country, and the country an event takes place in is
// one side of it (a state visit, a summit abroad).
// Every pair has a participant on one side: events without one are passed over
// on their degree, before any expansion.
MATCH (e:Event)
WHERE COUNT { (e)<-[:PARTICIPATES_IN]-() } > 0
CALL (e) {
  MATCH (c:Country)-[r:PARTICIPATES_IN]->(e)
  RETURN c, r.role AS role, c.name AS via
  UNION
  MATCH (p:Person)-[r:PARTICIPATES_IN]->(e)
  MATCH (p)-[:HOLDS_ROLE]->(c:Country)
  RETURN c, r.role AS role, p.name AS via
  UNION
  MATCH (e)-[:LOCATED_IN]->(place:Entity)-[:LOCATED_IN*0..1]->(c:Country)
  RETURN c, 'venue' AS role, place.name AS via
  UNION
  // a place's country as reference data knows it (its country_code), where no text says it
  MATCH (e)-[:LOCATED_IN]->(place:Place)
  MATCH (c:Country {iso_code: place.country_code})
  RETURN c, 'venue' AS role, place.name AS via
}
WITH e, collect({country: c.name, role: role, via: via}) AS sides
UNWIND sides AS a
UNWIND sides AS b
// One participant is not two sides, and two venues alone are no meeting.
WITH e, a, b
WHERE a.country < b.country AND a.via <> b.via AND NOT (a.role = 'venue' AND b.role = 'venue')
RETURN DISTINCT a.country AS country, a.role AS as, a.via AS through, e.name AS event,
       b.role AS other_as, b.via AS other_through, b.country AS other
ORDER BY country, other, event, as, other_as
