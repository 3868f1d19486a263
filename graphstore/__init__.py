"""newsgraph's graph store: rdflib.Graph → Neo4j (and back)."""
