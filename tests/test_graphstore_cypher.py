"""Cypher is constant text: labels and types only from the ontology, values only as parameters."""

import re
from pathlib import Path

from graphstore import cypher
from schema.namespace import NG
from schema.ontology import load_ontology

ROOT = Path(__file__).resolve().parent.parent


def _statements() -> list[str]:
    out: list[str] = []
    for value in vars(cypher).values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, str))
        elif isinstance(value, dict):
            out.extend(v for v in value.values() if isinstance(v, str))
    return out


def test_labels_come_from_the_ontology() -> None:
    labels = set(load_ontology().labels)
    for statement in _statements():
        for label in re.findall(r"\(\w*:(\w+)", statement) + re.findall(r"SET n:(\w+)", statement):
            assert label in labels, f"label {label!r} is not in the ontology: {statement}"


def test_relationship_types_come_from_the_ontology() -> None:
    onto = load_ontology()
    allowed = set(onto.relation_types) | {"REFERS_TO", "IN_DOCUMENT", "SAME_STORY_AS"}
    assert {"REFERS_TO", "IN_DOCUMENT", "SAME_STORY_AS"} <= {str(t) for t in onto.graph.objects(None, NG.neo4jType)}
    for statement in _statements():
        for rel_type in re.findall(r"\[\w*:(\w+)", statement):
            assert rel_type in allowed, f"type {rel_type!r} is not in the ontology: {statement}"


def test_one_statement_per_label_and_type() -> None:
    onto = load_ontology()
    assert set(cypher.MERGE_ENTITIES) == set(onto.entity_labels)
    assert set(cypher.MERGE_RELATIONSHIPS) == set(onto.relation_types)
    for rel_type, statement in cypher.MERGE_RELATIONSHIPS.items():
        assert f":{rel_type}" in statement
    for label, statement in cypher.MERGE_ENTITIES.items():
        assert f"(n:{label} " in statement


def test_no_cypher_built_from_data() -> None:
    """No f-string, %-format or .format() call builds text that looks like Cypher."""
    pattern = re.compile(
        r"""(f["'].*\b(MATCH|MERGE|CREATE|DELETE|SET|RETURN|UNWIND)\b)"""
        r"""|(["'].*\b(MATCH|MERGE|CREATE|UNWIND)\b.*["']\s*(%|\.format\())"""
    )
    offenders = []
    for package in ("graphstore", "flows", "newsgraph", "schema", "extractors", "tools"):
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Cypher built with string formatting:\n" + "\n".join(offenders)

def test_every_relationship_type_has_a_support_index_and_a_branch_in_the_multi_document_recipe() -> None:
    # A new type added to the ontology must not fall out of "facts supported by
    # several documents", nor make that recipe read the whole graph.
    from graphstore.cookbook import recipe

    indexed = {m for s in cypher.INDEXES for m in re.findall(r"\(\)-\[r:(\w+)\]-\(\) ON \(r\.support\)", s)}
    branches = set(re.findall(r"-\[r:(\w+)\]->", recipe("multi_document_facts").cypher))
    assert indexed == set(load_ontology().relation_types)
    assert branches == set(load_ontology().relation_types)
