"""The newsgraph vocabulary as an rdflib namespace, mirroring ontology.ttl.

tests/test_schema_namespace.py keeps the two equal: add a term in both places.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

ONTOLOGY_IRI = "https://w3id.org/newsgraph/ontology#"
# Instances (entities, documents, mentions, assertions) live under this base.
ID_BASE = "https://w3id.org/newsgraph/id/"
ID = Namespace(ID_BASE)


class NG(DefinedNamespace):
    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # annotations
    neo4jKey: URIRef
    neo4jType: URIRef
    qualifier: URIRef

    # classes
    Entity: URIRef
    Person: URIRef
    Country: URIRef
    Organization: URIRef
    Place: URIRef
    Event: URIRef
    Date: URIRef
    Document: URIRef
    Mention: URIRef
    Assertion: URIRef
    Merge: URIRef

    # relationships between entities
    holdsRole: URIRef
    nationalOf: URIRef
    relativeOf: URIRef
    livesIn: URIRef
    locatedIn: URIRef
    participatesIn: URIRef
    onDate: URIRef

    # provenance links
    refersTo: URIRef
    inDocument: URIRef
    supportedBy: URIRef

    # entity data
    name: URIRef
    alias: URIRef
    isoCode: URIRef
    iso3: URIRef
    wikidata: URIRef
    geonamesId: URIRef
    location: URIRef
    countryCode: URIRef
    eventType: URIRef
    value: URIRef
    precision: URIRef
    resolved: URIRef

    # document data
    sourceId: URIRef
    sha256: URIRef
    title: URIRef
    url: URIRef
    published: URIRef
    ingestedAt: URIRef

    # mention data
    text: URIRef
    sentence: URIRef
    start: URIRef
    end: URIRef

    # assertion data
    role: URIRef
    kind: URIRef
    confidence: URIRef
    evidenceText: URIRef
    extractorVersion: URIRef
    validFrom: URIRef
    validTo: URIRef
    former: URIRef
    asOf: URIRef

    # merge data
    mergeId: URIRef
    mergeRule: URIRef
    mergeReason: URIRef
    aliasUri: URIRef
    aliasName: URIRef
    targetUri: URIRef
    mergedMention: URIRef
    mergedDocument: URIRef
    mergeStatus: URIRef
    recordedAt: URIRef
    mergeEntityLabel: URIRef
    targetName: URIRef
    mergeEvidenceDocument: URIRef
    mergeEvidenceSentence: URIRef
    undoSnapshot: URIRef

    # stories
    sameStoryAs: URIRef
    minhashSignature: URIRef
    story: URIRef
    storySimilarity: URIRef
