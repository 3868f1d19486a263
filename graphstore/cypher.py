"""Every Cypher statement the graph store runs, as constants.

Values always travel as parameters. Labels and relationship types are written
out here, one statement per label or type, and tests/test_graphstore_cypher.py
checks that they are exactly the ontology's closed lists. The statements that
touch a relationship's evidence lists are put together here, once, at import,
from graphstore.evidence's field names (never from data).
"""

from graphstore import evidence


def _set_each_evidence_list(template: str) -> str:
    """One `r.<field> = ...` assignment per evidence list, `{f}` standing for the field."""
    return ",\n    ".join(template.replace("{f}", name) for name in evidence.EVIDENCE_FIELDS)


# ------------------------------------------------------------------ constraints
CONSTRAINTS = (
    "CREATE CONSTRAINT entity_uri IF NOT EXISTS FOR (n:Entity) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT person_uri IF NOT EXISTS FOR (n:Person) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT country_uri IF NOT EXISTS FOR (n:Country) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT organization_uri IF NOT EXISTS FOR (n:Organization) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT place_uri IF NOT EXISTS FOR (n:Place) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT event_uri IF NOT EXISTS FOR (n:Event) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT date_uri IF NOT EXISTS FOR (n:Date) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT document_uri IF NOT EXISTS FOR (n:Document) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT document_source_id IF NOT EXISTS FOR (n:Document) REQUIRE n.source_id IS UNIQUE",
    "CREATE CONSTRAINT mention_uri IF NOT EXISTS FOR (n:Mention) REQUIRE n.uri IS UNIQUE",
    "CREATE CONSTRAINT merge_uri IF NOT EXISTS FOR (n:Merge) REQUIRE n.uri IS UNIQUE",
)
# Index to find names quickly from the CLI (`why`, analyst look-ups); the
# cookbook's "added since" orders documents by ingestion time and "facts
# supported by several documents" seeks relationships by support.
# Resolution finds a batch's surname groups and their merge records by a stored
# `surname`: a surname computed from the uri in the query would read every
# Person (and every Merge) of the graph once per batch.
INDEXES = (
    "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    "CREATE INDEX person_surname IF NOT EXISTS FOR (n:Person) ON (n.surname)",
    "CREATE INDEX merge_surname IF NOT EXISTS FOR (n:Merge) ON (n.surname)",
    "CREATE INDEX merge_id IF NOT EXISTS FOR (n:Merge) ON (n.merge_id)",
    "CREATE INDEX document_ingested_at IF NOT EXISTS FOR (n:Document) ON (n.ingested_at)",
    "CREATE INDEX holds_role_support IF NOT EXISTS FOR ()-[r:HOLDS_ROLE]-() ON (r.support)",
    "CREATE INDEX national_of_support IF NOT EXISTS FOR ()-[r:NATIONAL_OF]-() ON (r.support)",
    "CREATE INDEX relative_of_support IF NOT EXISTS FOR ()-[r:RELATIVE_OF]-() ON (r.support)",
    "CREATE INDEX lives_in_support IF NOT EXISTS FOR ()-[r:LIVES_IN]-() ON (r.support)",
    "CREATE INDEX located_in_support IF NOT EXISTS FOR ()-[r:LOCATED_IN]-() ON (r.support)",
    "CREATE INDEX participates_in_support IF NOT EXISTS FOR ()-[r:PARTICIPATES_IN]-() ON (r.support)",
    "CREATE INDEX on_date_support IF NOT EXISTS FOR ()-[r:ON_DATE]-() ON (r.support)",
    # Where places and countries lie (reference data, schema/geo.py): the map
    # recipes seek them by distance, which a point index answers without a scan.
    "CREATE POINT INDEX place_location IF NOT EXISTS FOR (n:Place) ON (n.location)",
    "CREATE POINT INDEX country_location IF NOT EXISTS FOR (n:Country) ON (n.location)",
    # Resolution's first names and organisation groups, and the candidates
    # `newsgraph merges` lists (see graphstore/resolution.py).
    "CREATE INDEX person_first_token IF NOT EXISTS FOR (n:Person) ON (n.first_token)",
    "CREATE INDEX organization_first_token IF NOT EXISTS FOR (n:Organization) ON (n.first_token)",
    "CREATE INDEX merge_org_group IF NOT EXISTS FOR (n:Merge) ON (n.org_group)",
    "CREATE INDEX merge_status IF NOT EXISTS FOR (n:Merge) ON (n.status)",
)

# The statements of a load are planned once and kept: a growing graph's
# statistics change with every batch, and Neo4j would otherwise plan them again
# and again (a quarter of a second each, more than the writes of a batch take).
# A plan kept is the one made for the first batch, on an almost empty graph,
# where starting from a label with no nodes yet looks cheapest: a statement
# whose pattern could start at either end names its start with `USING INDEX
# SEEK` (a plain `USING INDEX` may be met by scanning the index when the
# statistics say it is empty), so its plan is an index seek whatever the
# statistics said, and an end reached
# only by expanding from there carries its label as a filter (`WHERE p:Person`),
# so no plan scans that label's index to join it from the other side
# (tests/test_integration_query_plans.py checks every statement of a load).
NO_REPLAN = "CYPHER replan=skip "

# --------------------------------------------------------------------- reading
# What re-ingest compares: a document is extracted again when its text or the
# extractor that read it changed (version null: loaded before versions were recorded).
EXISTING_DOCUMENTS = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})
RETURN d.source_id AS id, d.sha256 AS sha256, d.extractor_version AS version
"""

# ------------------------------------------------------------------- documents
# First statement of every load: the load lock. A Document with a uri no
# document has is created and deleted again, and the uniqueness constraint's
# lock on that uri is held until the transaction ends, so loads from other
# processes (two ingests at once) run one after another. A load's look-up of
# near-duplicates (STORY_CANDIDATES, next) then sees every document a load
# that ran beside it committed: without the lock, neither of two loads at once
# could see the other's copies, and neither linked them. Nothing is left in
# the graph: the node never commits.
LOAD_LOCK_URI = "urn:newsgraph:load-lock"
LOAD_LOCK = NO_REPLAN + """
MERGE (lock:Document {uri: $uri})
DELETE lock
"""

# First statement of every load: write-lock the batch's documents (creating the
# new ones), in uri order, before anything reads them. A concurrent load of the
# same document waits here until the other commits, then sees (and retracts)
# what it wrote; without the lock both would append the same evidence.
LOCK_DOCUMENTS = NO_REPLAN + """
UNWIND $rows AS row
MERGE (d:Document {uri: row.uri})
SET d._lock = true
REMOVE d._lock
RETURN row.props.source_id AS id, d.sha256 IS NOT NULL AS present
"""

MERGE_DOCUMENTS = NO_REPLAN + """
UNWIND $rows AS row
MERGE (d:Document {uri: row.uri})
SET d += row.props
"""

# -------------------------------------------------------------------- entities
# `SET n += row.props`: the keys come from the ontology's ng:neo4jKey list.
MERGE_ENTITIES = {
    "Person": NO_REPLAN
    + "UNWIND $rows AS row MERGE (n:Person {uri: row.uri}) SET n:Entity, n += row.props",
    "Country": NO_REPLAN
    + "UNWIND $rows AS row MERGE (n:Country {uri: row.uri}) SET n:Entity, n += row.props",
    "Organization": NO_REPLAN
    + "UNWIND $rows AS row MERGE (n:Organization {uri: row.uri}) SET n:Entity, n += row.props",
    "Place": NO_REPLAN
    + "UNWIND $rows AS row MERGE (n:Place {uri: row.uri}) SET n:Entity, n += row.props",
    "Event": NO_REPLAN
    + "UNWIND $rows AS row MERGE (n:Event {uri: row.uri}) SET n:Entity, n += row.props",
    "Date": NO_REPLAN
    + "UNWIND $rows AS row MERGE (n:Date {uri: row.uri}) SET n:Entity, n += row.props",
}

MERGE_MENTIONS = NO_REPLAN + """
UNWIND $rows AS row
MATCH (d:Document {uri: row.doc})
MATCH (e:Entity {uri: row.entity})
MERGE (m:Mention {uri: row.uri})
SET m += row.props
MERGE (m)-[:REFERS_TO]->(e)
MERGE (m)-[:IN_DOCUMENT]->(d)
"""

# ------------------------------------------------- relationships with evidence
# Evidence is kept on the relationship as parallel lists, one entry per
# supporting span (graphstore.evidence names them: the sentence, its document,
# sentence number, offsets, confidence and extractor version).
# `documents`, `support` and `confidence` summarise them. `documents` lists
# every supporting document; `support` counts their independent stories (copies
# of one wire story count once: a document's `story`, or the document itself
# when it has none), and confidence is the noisy-or of each story's best
# confidence, so only independent support raises it.
_APPEND_EVIDENCE = "\nSET " + _set_each_evidence_list("r.{f} = coalesce(r.{f}, []) + row.{f}") + "\n"
_SUMMARISE_EVIDENCE = """
WITH r, r.evidence_doc AS docs, r.evidence_confidence AS conf
WITH r, docs, conf, reduce(u = [], x IN docs | CASE WHEN x IN u THEN u ELSE u + x END) AS uniq
CALL (uniq) {
  UNWIND uniq AS d
  OPTIONAL MATCH (s:Document {source_id: d})
  RETURN collect(coalesce(s.story, d)) AS story_of
}
WITH r, uniq, story_of,
     [d IN uniq | reduce(best = 0.0, i IN range(0, size(docs) - 1) |
         CASE WHEN docs[i] = d AND conf[i] > best THEN conf[i] ELSE best END)] AS best_of
WITH r, uniq, story_of, best_of, reduce(u = [], x IN story_of | CASE WHEN x IN u THEN u ELSE u + x END) AS stories
SET r.documents = uniq,
    r.support = size(stories),
    r.confidence = 1.0 - reduce(p = 1.0, t IN stories |
        p * (1.0 - reduce(best = 0.0, j IN range(0, size(uniq) - 1) |
            CASE WHEN story_of[j] = t AND best_of[j] > best THEN best_of[j] ELSE best END)))
"""
# When the fact held, summarised from what each sentence says: the earliest
# stated start, the latest stated end, whether any sentence calls it former,
# and the latest publication date a sentence stated it as current as of.
_SUMMARISE_TIME = """
WITH r, [i IN range(0, size(r.evidence_doc) - 1) | {
        since: coalesce(r.evidence_valid_from[i], ''), until: coalesce(r.evidence_valid_to[i], ''),
        former: coalesce(r.evidence_former[i], false), as_of: coalesce(r.evidence_as_of[i], '')}] AS told
SET r.valid_from = reduce(m = null, t IN told | CASE WHEN t.since <> '' AND (m IS NULL OR t.since < m)
                                                    THEN t.since ELSE m END),
    r.valid_to = reduce(m = null, t IN told | CASE WHEN t.until <> '' AND (m IS NULL OR t.until > m)
                                                  THEN t.until ELSE m END),
    r.former = any(t IN told WHERE t.former),
    r.as_of = reduce(m = null, t IN told | CASE WHEN NOT t.former AND t.as_of <> '' AND (m IS NULL OR t.as_of > m)
                                               THEN t.as_of ELSE m END)
"""
_APPEND_AND_SUMMARISE = _APPEND_EVIDENCE + _SUMMARISE_EVIDENCE + _SUMMARISE_TIME
_MATCH_ENDS = NO_REPLAN + "UNWIND $rows AS row MATCH (a:Entity {uri: row.head}) MATCH (b:Entity {uri: row.tail}) "

MERGE_RELATIONSHIPS = {
    "HOLDS_ROLE": _MATCH_ENDS + "MERGE (a)-[r:HOLDS_ROLE {role: row.qualifier}]->(b)"
    + _APPEND_AND_SUMMARISE,
    "NATIONAL_OF": _MATCH_ENDS + "MERGE (a)-[r:NATIONAL_OF]->(b)" + _APPEND_AND_SUMMARISE,
    "RELATIVE_OF": _MATCH_ENDS + "MERGE (a)-[r:RELATIVE_OF {kind: row.qualifier}]->(b)"
    + _APPEND_AND_SUMMARISE,
    "LIVES_IN": _MATCH_ENDS + "MERGE (a)-[r:LIVES_IN]->(b)" + _APPEND_AND_SUMMARISE,
    "LOCATED_IN": _MATCH_ENDS + "MERGE (a)-[r:LOCATED_IN]->(b)" + _APPEND_AND_SUMMARISE,
    "PARTICIPATES_IN": _MATCH_ENDS + "MERGE (a)-[r:PARTICIPATES_IN {role: row.qualifier}]->(b)"
    + _APPEND_AND_SUMMARISE,
    "ON_DATE": _MATCH_ENDS + "MERGE (a)-[r:ON_DATE]->(b)" + _APPEND_AND_SUMMARISE,
}

# ------------------------------------------------------------------ retraction
# A document's contribution: its evidence entries on relationships, its
# mentions, and the entities that nothing else refers to any more.
# Write-locks the relationships a retraction will rewrite, in a fixed order,
# before RETRACT_EVIDENCE reads their evidence lists: a concurrent load may be
# appending to the same lists, and a statement that read them first would
# write back the old lists over its entry (a lost update).
LOCK_EVIDENCE = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(e)-[r]-(other)
USING INDEX SEEK d:Document(source_id)
WHERE id IN r.evidence_doc AND e:Entity AND other:Entity
WITH DISTINCT r ORDER BY elementId(r)
SET r._lock = true
REMOVE r._lock
"""

RETRACT_EVIDENCE = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(e)-[r]-(other)
USING INDEX SEEK d:Document(source_id)
WHERE id IN r.evidence_doc AND e:Entity AND other:Entity
WITH r, collect(DISTINCT id) AS gone
WITH r, gone, [i IN range(0, size(r.evidence_doc) - 1) WHERE NOT r.evidence_doc[i] IN gone] AS keep
SET """ + _set_each_evidence_list("r.{f} = [i IN keep | r.{f}[i]]") + "\n" + _SUMMARISE_EVIDENCE + _SUMMARISE_TIME + """
WITH r, startNode(r).uri AS a, endNode(r).uri AS b
FOREACH (_ IN CASE WHEN size(r.evidence_doc) = 0 THEN [1] ELSE [] END | DELETE r)
RETURN collect(a) + collect(b) AS touched
"""

RETRACT_MENTIONS = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})<-[:IN_DOCUMENT]-(m:Mention)-[:REFERS_TO]->(e:Entity)
USING INDEX SEEK d:Document(source_id)
WITH m, e.uri AS uri
DETACH DELETE m
RETURN collect(DISTINCT uri) AS touched
"""

DELETE_DOCUMENTS = """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})
DETACH DELETE d
RETURN count(d) AS deleted
"""

# Entities left with no mention and no relationship are gone from the graph.
DELETE_ORPHANS = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (e:Entity {uri: uri})
WHERE NOT (e)--()
DELETE e
RETURN count(e) AS deleted
"""

# Aliases are the surface forms of an entity's mentions, recomputed after
# every change so that retraction leaves no trace of a document.
REFRESH_ALIASES = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (e:Entity {uri: uri})
OPTIONAL MATCH (m:Mention)-[:REFERS_TO]->(e)
WITH e, m.text AS text ORDER BY text
WITH e, collect(DISTINCT text) AS aliases
SET e.aliases = aliases
"""

# Entities that only gained mentions: their new surface forms are merged into
# the sorted list, in the order REFRESH_ALIASES gives, without reading every
# mention of a much-mentioned entity (a country in thousands of articles).
ADD_ALIASES = NO_REPLAN + """
UNWIND $rows AS row
MATCH (e:Entity {uri: row.uri})
WITH e, [t IN row.texts WHERE NOT t IN coalesce(e.aliases, [])] AS new
WHERE size(new) > 0 OR e.aliases IS NULL
CALL (e, new) {
  UNWIND coalesce(e.aliases, []) + new AS text
  WITH DISTINCT text ORDER BY text
  RETURN collect(text) AS aliases
}
SET e.aliases = aliases
"""

# ------------------------------------------------- cross-document resolution
# graphstore/resolution.py decides in Python from what these return; every
# write is one of the statements below (or MERGE_ENTITIES / MERGE_RELATIONSHIPS).

# Person nodes whose key's last token (their `surname`, set by
# graphstore.resolution when they are written) is one of $surnames: the partial
# names and the fuller names that end with them. One index seek per surname.
SURNAME_GROUPS = NO_REPLAN + """
UNWIND $surnames AS surname
MATCH (p:Person {surname: surname})
RETURN p.uri AS uri, p.surname AS surname
ORDER BY uri
"""

# Whole-graph resolution (`newsgraph resolve`) only, never a batch's load:
# every surname there is, and the nodes written before surnames were stored.
ALL_SURNAMES = "MATCH (p:Person) WHERE p.surname IS NOT NULL RETURN DISTINCT p.surname AS surname"
PERSONS_WITHOUT_SURNAME = "MATCH (p:Person) WHERE p.surname IS NULL RETURN p.uri AS uri"
MERGES_WITHOUT_SURNAME = "MATCH (m:Merge) WHERE m.surname IS NULL RETURN m.uri AS uri, m.alias_uri AS alias"
SET_PERSON_SURNAMES = NO_REPLAN + """
UNWIND $rows AS row
MATCH (p:Person {uri: row.uri})
SET p.surname = row.surname
"""
SET_MERGE_SURNAMES = NO_REPLAN + """
UNWIND $rows AS row
MATCH (m:Merge {uri: row.uri})
SET m.surname = row.surname
"""

# The people the documents' mentions refer to (before they are retracted).
PERSONS_OF_DOCUMENTS = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(p)
USING INDEX SEEK d:Document(source_id)
WHERE p:Person
RETURN DISTINCT p.uri AS uri
"""

# What the rules look at: roles, nationalities, documents and the people a
# person is directly related to.
PERSON_FACTS = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (p:Person {uri: uri})
OPTIONAL MATCH (p)-[r:HOLDS_ROLE]->(o:Entity)
WITH p, collect(DISTINCT CASE WHEN o IS NULL THEN null
                         ELSE {role: r.role, uri: o.uri, name: o.name, country: o:Country,
                               docs: r.evidence_doc, sentences: r.evidence_sentence, texts: r.evidence} END) AS roles
OPTIONAL MATCH (p)-[n:NATIONAL_OF]->(c:Country)
WITH p, roles, collect(DISTINCT CASE WHEN c IS NULL THEN null
                                ELSE {uri: c.uri, name: c.name, docs: n.evidence_doc,
                                      sentences: n.evidence_sentence, texts: n.evidence} END) AS nations
OPTIONAL MATCH (p)<-[:REFERS_TO]-(m:Mention)-[:IN_DOCUMENT]->(d:Document)
WITH p, roles, nations, collect(DISTINCT CASE WHEN d IS NULL THEN null
                                         ELSE {doc: d.source_id, sentence: m.sentence, text: m.text} END) AS mentions
OPTIONAL MATCH (p)--(q:Person)
RETURN p.uri AS uri, p.name AS name, roles, nations, mentions, collect(DISTINCT q.uri) AS related
"""

# Everything a merge moves off the partial node, to record it for undoing.
PERSON_SNAPSHOT = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (a:Person {uri: uri})
OPTIONAL MATCH (a)-[r]-(b:Entity)
WITH a, collect(CASE WHEN b IS NULL THEN null
                ELSE {type: type(r), outgoing: startNode(r) = a, other: b.uri, props: properties(r)} END) AS rels
OPTIONAL MATCH (a)<-[:REFERS_TO]-(m:Mention)-[:IN_DOCUMENT]->(d:Document)
WITH a, rels, collect(CASE WHEN m IS NULL THEN null ELSE {uri: m.uri, document: d.source_id} END) AS mentions
RETURN a.uri AS uri, properties(a) AS props, rels, mentions
"""

MOVE_MENTIONS = NO_REPLAN + """
UNWIND $rows AS row
MATCH (m:Mention {uri: row.mention})-[r:REFERS_TO]->(source)
USING INDEX SEEK m:Mention(uri)
WHERE source:Person AND source.uri = row.source
MATCH (t:Person {uri: row.target})
USING INDEX SEEK t:Person(uri)
DELETE r
MERGE (m)-[:REFERS_TO]->(t)
"""

DELETE_PERSONS = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (a:Person {uri: uri})
DETACH DELETE a
"""

# All relationships at the full-name nodes, so an undo can take the partial
# node's evidence entries back out of them.
RELATIONSHIPS_OF = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (t:Entity {uri: uri})-[r]-(b)
USING INDEX SEEK t:Entity(uri)
WHERE b:Entity
RETURN DISTINCT elementId(r) AS id, startNode(r).uri AS head, type(r) AS type, endNode(r).uri AS tail,
       properties(r) AS props
"""
# Found from its ends (index seeks on uri), then by id: `MATCH ()-[r]->() WHERE
# elementId(r) = row.id` alone is planned as a scan of every relationship.
SET_EVIDENCE = NO_REPLAN + """
UNWIND $rows AS row
MATCH (a:Entity {uri: row.head})-[r]->(:Entity {uri: row.tail})
USING INDEX SEEK a:Entity(uri)
WHERE elementId(r) = row.id
SET """ + _set_each_evidence_list("r.{f} = row.{f}") + "\n" + _SUMMARISE_EVIDENCE + """
FOREACH (_ IN CASE WHEN size(r.evidence_doc) = 0 THEN [1] ELSE [] END | DELETE r)
"""

RECORD_MERGES = NO_REPLAN + """
UNWIND $rows AS row
MERGE (m:Merge {uri: row.uri})
SET m += row.props
"""
# A merge record's `surname` is its partial name's (graphstore.resolution sets it).
MERGES_OF_SURNAMES = NO_REPLAN + """
UNWIND $surnames AS surname
MATCH (m:Merge {surname: surname})
RETURN properties(m) AS props
ORDER BY m.uri
"""
FIND_MERGE = """
MATCH (m:Merge)
WHERE m.merge_id = $id OR m.uri = $id
RETURN properties(m) AS props
"""
DELETE_MERGES = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (m:Merge {uri: uri})
DELETE m
"""
MARK_SPLIT = """
MATCH (m:Merge {uri: $uri})
SET m.status = 'split', m.recorded_at = $now
REMOVE m.undo
"""

# Every mention with its document, span and entity (the resolution measurement).
MENTION_SPANS = """
MATCH (d:Document)<-[:IN_DOCUMENT]-(m:Mention)-[:REFERS_TO]->(e:Entity)
RETURN d.source_id AS doc, m.start AS start, m.end AS end, e.uri AS node,
       [l IN labels(e) WHERE l <> 'Entity'][0] AS label
"""

# ------------------------------------------------------------------- summaries
COUNT_DOCUMENTS = "MATCH (d:Document) RETURN count(d) AS n"
COUNT_BY_LABEL = """
MATCH (n:Entity)
UNWIND [l IN labels(n) WHERE l <> 'Entity'] AS label
RETURN label, count(*) AS n ORDER BY label
"""
COUNT_BY_TYPE = """
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS type, count(*) AS n ORDER BY type
"""
RESET = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"

# Everything, for fingerprints and export (ordered so the output is stable).
ALL_NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.uri"
ALL_RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN a.uri AS head, type(r) AS type, b.uri AS tail, properties(r) AS props
ORDER BY head, type, tail
"""

# --------------------------------------------------------------------- stories
# Near-duplicate documents (graphstore/stories.py). A document's band keys are
# one string in a full-text index that splits only at spaces: a batch's look-up
# of the documents sharing a band with its own is then one index query per
# document, all in one statement (a range index cannot seek into a list).
STORY_INDEXES = (
    "CREATE FULLTEXT INDEX document_story_bands IF NOT EXISTS FOR (n:Document) ON EACH [n.story_bands] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    "CREATE INDEX document_story IF NOT EXISTS FOR (n:Document) ON (n.story)",
)

# The documents' links to their near-duplicates go (they are found again from
# the documents' new text); their stories, to group again, are returned.
UNLINK_STORIES = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})
OPTIONAL MATCH (d)-[l:SAME_STORY_AS]-(:Document)
WITH collect(DISTINCT d.story) AS stories, collect(DISTINCT l) AS links
FOREACH (l IN links | DELETE l)
RETURN stories
"""

# Documents of earlier batches that share a band with one of this batch's.
STORY_CANDIDATES = NO_REPLAN + """
UNWIND $rows AS row
CALL db.index.fulltext.queryNodes('document_story_bands', row.bands) YIELD node
WITH row, node
WHERE node:Document AND NOT node.source_id IN $ids AND node.minhash IS NOT NULL
RETURN row.id AS id, node.source_id AS other, node.minhash AS minhash, node.story AS story
"""

LINK_STORIES = NO_REPLAN + """
UNWIND $rows AS row
MATCH (a:Document {source_id: row.a})
MATCH (b:Document {source_id: row.b})
MERGE (a)-[l:SAME_STORY_AS]->(b)
SET l.similarity = row.similarity
"""

# The same, by document uri: the links an import restores.
RESTORE_STORY_LINKS = NO_REPLAN + """
UNWIND $rows AS row
MATCH (a:Document {uri: row.a})
MATCH (b:Document {uri: row.b})
MERGE (a)-[l:SAME_STORY_AS]->(b)
SET l.similarity = row.similarity
"""

# The documents of the stories (and the documents named by id), each with the
# documents it is linked to: what the stories are grouped again from.
STORY_MEMBERS = NO_REPLAN + """
CALL () {
  UNWIND $stories AS story
  MATCH (d:Document {story: story})
  RETURN d
  UNION
  UNWIND $ids AS id
  MATCH (d:Document {source_id: id})
  RETURN d
}
OPTIONAL MATCH (d)-[:SAME_STORY_AS]-(o:Document)
RETURN d.source_id AS id, d.story AS story, collect(o.source_id) AS linked
"""

SET_STORIES = NO_REPLAN + """
UNWIND $rows AS row
MATCH (d:Document {source_id: row.id})
SET d.story = row.story
"""

# The facts the documents support, summarised again: their support counts
# stories, and the documents' stories changed.
RESUMMARISE_EVIDENCE = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})<-[:IN_DOCUMENT]-(m)-[:REFERS_TO]->(e)-[r]-(other)
USING INDEX SEEK d:Document(source_id)
WHERE m:Mention AND e:Entity AND other:Entity AND id IN r.evidence_doc
WITH DISTINCT r ORDER BY elementId(r)
""" + _SUMMARISE_EVIDENCE

# ------------------------------------------------------------ roles that ended
# A role is closed, never deleted, by the evidence that ended it: a sentence that
# calls it former, or, for an office one person holds at a time (`unique`), a
# report of another holder as current as of a later date than any report of this
# one. Recomputed for every (holder, role) a batch or a retraction touches, so
# forgetting the closing document reopens the role.
CLOSE_ROLES = NO_REPLAN + """
UNWIND $groups AS g
MATCH (t:Entity {uri: g.tail})<-[r:HOLDS_ROLE {role: g.role}]-(holder)
USING INDEX SEEK t:Entity(uri)
WHERE holder:Entity
WITH g, collect(r) AS rs
UNWIND rs AS r
WITH g, rs, r, [i IN range(0, size(r.evidence_doc) - 1) WHERE coalesce(r.evidence_former[i], false)] AS ended
WITH g, rs, r, ended,
     [x IN rs WHERE g.unique AND x <> r AND r.as_of IS NOT NULL |
        [i IN range(0, size(x.evidence_doc) - 1)
         WHERE NOT coalesce(x.evidence_former[i], false) AND coalesce(x.evidence_as_of[i], '') > r.as_of |
         {as_of: x.evidence_as_of[i], doc: x.evidence_doc[i], text: x.evidence[i],
          how: 'succeeded by ' + startNode(x).name}]
     ] AS later_lists
WITH r, ended, reduce(acc = [], l IN later_lists | acc + l) AS later
WITH r, CASE
        WHEN size(ended) > 0 THEN {as_of: r.evidence_as_of[ended[0]], doc: r.evidence_doc[ended[0]],
                                   text: r.evidence[ended[0]], how: 'reported former'}
        WHEN size(later) > 0
        THEN reduce(first = later[0], x IN later | CASE WHEN x.as_of < first.as_of THEN x ELSE first END)
        ELSE null END AS closer
SET r.closed = closer IS NOT NULL,
    r.closed_how = closer.how,
    r.closed_as_of = CASE WHEN closer.as_of = '' THEN null ELSE closer.as_of END,
    r.closed_by_doc = closer.doc,
    r.closed_by_evidence = closer.text
"""

# The (holder, role) groups of the roles at these entities, either end: those a
# retraction touched, or a split moved.
ROLE_GROUPS_OF = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (e:Entity {uri: uri})-[r:HOLDS_ROLE]-(other)
USING INDEX SEEK e:Entity(uri)
WHERE other:Entity
RETURN DISTINCT endNode(r).uri AS tail, r.role AS role
"""


# ------------------------------------------- candidates and organisations
# Resolution proposes the pairs it is not sure of (Merge records with status
# `pending`) and resolves organisations by their key's first token
# (`first_token`, indexed on Person and Organization: a first name alone finds
# the full names that start with it, "Labour" finds "Labour Party").


FIRST_NAME_GROUPS = NO_REPLAN + """
UNWIND $keys AS key
MATCH (p:Person {first_token: key})
RETURN p.uri AS uri, p.first_token AS first_token
ORDER BY uri
"""

ORG_GROUPS = NO_REPLAN + """
UNWIND $keys AS key
MATCH (o:Organization {first_token: key})
RETURN o.uri AS uri, o.first_token AS first_token
ORDER BY uri
"""

ORGS_OF_DOCUMENTS = NO_REPLAN + """
UNWIND $ids AS id
MATCH (d:Document {source_id: id})<-[:IN_DOCUMENT]-(:Mention)-[:REFERS_TO]->(o:Organization)
USING INDEX SEEK d:Document(source_id)
RETURN DISTINCT o.uri AS uri
"""

# The people tied to the organisations of these groups: their merges were made
# with the organisations as they were, so they are undone with them.
PEOPLE_OF_ORG_GROUPS = NO_REPLAN + """
UNWIND $keys AS key
MATCH (o:Organization {first_token: key})--(p:Person)
USING INDEX SEEK o:Organization(first_token)
RETURN DISTINCT p.uri AS uri
"""

# What the organisation rules look at: the people holding a role there, where
# it is located, where it is mentioned, and other organisations it is tied to.
ORG_FACTS = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (o:Organization {uri: uri})
OPTIONAL MATCH (o)<-[r:HOLDS_ROLE]-(h:Person)
WITH o, collect(DISTINCT CASE WHEN h IS NULL THEN null
                         ELSE {role: r.role, uri: h.uri, name: h.name,
                               docs: r.evidence_doc, sentences: r.evidence_sentence, texts: r.evidence} END) AS holders
OPTIONAL MATCH (o)-[l:LOCATED_IN]->(c:Entity)
WITH o, holders, collect(DISTINCT CASE WHEN c IS NULL THEN null
                                  ELSE {uri: c.uri, name: c.name, country: c:Country, docs: l.evidence_doc,
                                        sentences: l.evidence_sentence, texts: l.evidence} END) AS places
OPTIONAL MATCH (o)<-[:REFERS_TO]-(m:Mention)-[:IN_DOCUMENT]->(d:Document)
WITH o, holders, places, collect(DISTINCT CASE WHEN d IS NULL THEN null
                                          ELSE {doc: d.source_id, sentence: m.sentence, text: m.text} END) AS mentions
OPTIONAL MATCH (o)--(q:Organization)
RETURN o.uri AS uri, o.name AS name, holders, places, mentions, collect(DISTINCT q.uri) AS related
"""

ORG_SNAPSHOT = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (a:Organization {uri: uri})
OPTIONAL MATCH (a)-[r]-(b:Entity)
WITH a, collect(CASE WHEN b IS NULL THEN null
                ELSE {type: type(r), outgoing: startNode(r) = a, other: b.uri, props: properties(r)} END) AS rels
OPTIONAL MATCH (a)<-[:REFERS_TO]-(m:Mention)-[:IN_DOCUMENT]->(d:Document)
WITH a, rels, collect(CASE WHEN m IS NULL THEN null ELSE {uri: m.uri, document: d.source_id} END) AS mentions
RETURN a.uri AS uri, properties(a) AS props, rels, mentions
"""

MOVE_ORG_MENTIONS = NO_REPLAN + """
UNWIND $rows AS row
MATCH (m:Mention {uri: row.mention})-[r:REFERS_TO]->(:Organization {uri: row.source})
USING INDEX SEEK m:Mention(uri)
MATCH (t:Organization {uri: row.target})
USING INDEX SEEK t:Organization(uri)
DELETE r
MERGE (m)-[:REFERS_TO]->(t)
"""

DELETE_ORGANIZATIONS = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (a:Organization {uri: uri})
DETACH DELETE a
"""

NAMES_OF = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (e:Entity {uri: uri})
RETURN e.uri AS uri, e.name AS name
"""

# An organisation merge record's `org_group` is its shorter name's first token.
MERGES_OF_ORG_GROUPS = NO_REPLAN + """
UNWIND $keys AS key
MATCH (m:Merge {org_group: key})
RETURN properties(m) AS props
ORDER BY m.uri
"""

# An accepted merge undone before a change keeps its record (a person's
# decision) but not what it moved: resolution merges the pair again after.
FORGET_MERGE_SNAPSHOTS = NO_REPLAN + """
UNWIND $uris AS uri
MATCH (m:Merge {uri: uri})
REMOVE m.undo, m.mentions, m.mention_documents
"""

# Whole-graph resolution only: the organisation groups there are, and the
# people and organisations written before first tokens were stored.
ALL_ORG_GROUPS = "MATCH (o:Organization) WHERE o.first_token IS NOT NULL RETURN DISTINCT o.first_token AS key"
ENTITIES_WITHOUT_FIRST_TOKEN = """
MATCH (n:Entity) WHERE (n:Person OR n:Organization) AND n.first_token IS NULL
RETURN n.uri AS uri
"""
SET_FIRST_TOKENS = NO_REPLAN + """
UNWIND $rows AS row
MATCH (n:Entity {uri: row.uri})
SET n.first_token = row.first_token
"""

# `newsgraph merges`: the records of one status, with the two names.
MERGES_WITH_STATUS = """
MATCH (m:Merge {status: $status})
RETURN properties(m) AS props
ORDER BY m.entity_label, m.target_name, m.alias_name
"""
