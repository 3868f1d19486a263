// Everyone who took part in an event, and in which role (attendee, host, invitee...).
// params: {"event": "G7 Summit"}
MATCH (x:Entity)-[part:PARTICIPATES_IN]->(e:Event)
WHERE toLower(e.name) = toLower($event)
RETURN x.name AS participant, [l IN labels(x) WHERE l <> 'Entity'][0] AS kind, part.role AS role, part.support AS documents
ORDER BY role, participant
