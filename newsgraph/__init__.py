"""newsgraph: news articles → knowledge graph (spaCy → RDF → Neo4j, run by Prefect)."""

__version__ = "0.1.0"
