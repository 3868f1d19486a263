"""The project's tools, apart from the product: the local Neo4j launcher, the
benchmark, the evaluations and their dataset readers, and the builds of the
artifacts extraction reads (training/).

Tools may import the runtime (extractors, schema, graphstore, flows, newsgraph);
the runtime never imports them (tests/test_import_graph.py). Their commands join
the `newsgraph` command line through an entry point (tools/cli.py).
"""
