"""shapes.ttl compiled once into plain Python checks: the fast path of validation.

pySHACL evaluates every constraint of every shape with graph look-ups per focus
node; on a batch of tens of thousands of triples that costs seconds. This
module reads the same shapes graph once, turns each node shape into its
targets and constraints, indexes a batch's triples in one pass and evaluates
the constraints over the index.

It only ever answers "conforms" or "cannot tell": a value it does not
positively find valid (a wrong datatype, a missing name, an unknown class, a
literal it would have to compare in an unusual way) makes it give up, and
`schema.validation.validate_graph` then runs pySHACL, whose verdict and report
stand. A shapes graph that uses anything outside the SHACL Core subset listed
in `NODE_PARAMETERS` and `PROPERTY_PARAMETERS` is not compiled at all, so every
batch goes to pySHACL. tests/test_schema_shapes_check.py checks both engines
agree on valid and broken batches.

Semantics follow pySHACL's (SHACL Core, `inference="none"`, the ontology mixed
into the data graph): `sh:targetClass` and `sh:class` see `rdfs:subClassOf`
from the ontology; counts are over distinct value nodes. The ontology is not
indexed per batch: compiling checks that it adds nothing else the shapes look
at (no focus node, value or instance of a class they name).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import GEO, SH
from rdflib.term import Node

# What a compiled shape may say. Anything else on a shape: not compiled.
NODE_PARAMETERS = frozenset({
    RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.nodeKind, SH["class"],
    SH["or"],
})
PROPERTY_PARAMETERS = frozenset({
    SH.path, SH.datatype, SH.minCount, SH.maxCount, SH.minLength, SH.pattern, SH["in"], SH["class"],
    SH.minInclusive, SH.maxInclusive, SH.lessThan, SH.nodeKind,
})
# Python value types rdflib gives well-formed literals of each datatype (as pySHACL checks them).
_DATATYPE_VALUES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: str,
    XSD.integer: int,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.dateTime: datetime,
    XSD.date: date,
}
# Datatypes rdflib keeps as text (no Python value): a literal of the datatype holds
# it, and its form is for sh:pattern to check, as pySHACL does.
_LEXICAL_DATATYPES = frozenset({GEO.wktLiteral})


# Namespace members looked up once (DefinedNamespace attribute access is slow in loops).
_TYPE = RDF.type
_TYPES = frozenset({_TYPE})
_IRI, _LITERAL, _BLANK = SH.IRI, SH.Literal, SH.BlankNode
_STRING, _INTEGER, _DECIMAL, _DATETIME, _DATE = XSD.string, XSD.integer, XSD.decimal, XSD.dateTime, XSD.date
_NUMERIC = (_INTEGER, _DECIMAL)


class NotCompiled(Exception):
    """The shapes use a construct this module does not evaluate."""


@dataclass
class Index:
    """A graph's triples by subject and predicate, and its typed nodes."""

    values: dict[Node, dict[Node, set[Node]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    subjects_of: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    objects_of: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    types: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))  # class -> instances
    node_types: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))  # node -> classes

    def add(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        values, subjects_of, objects_of = self.values, self.subjects_of, self.objects_of
        types, node_types = self.types, self.node_types
        for s, p, o in triples:
            values[s][p].add(o)
            subjects_of[p].add(s)
            objects_of[p].add(o)
            if p in _TYPES:  # membership, not ==: rdflib's == is a Python call per triple
                types[o].add(s)
                node_types[s].add(o)


@dataclass(frozen=True)
class PropertyCheck:
    path: URIRef
    min_count: int | None = None
    max_count: int | None = None
    datatype: URIRef | None = None
    min_length: int | None = None
    pattern: re.Pattern[str] | None = None
    allowed: tuple[Node, ...] | None = None  # sh:in
    cls: URIRef | None = None
    min_inclusive: Literal | None = None
    max_inclusive: Literal | None = None
    less_than: URIRef | None = None
    node_kind: URIRef | None = None


@dataclass(frozen=True)
class NodeCheck:
    target_classes: tuple[URIRef, ...] = ()
    target_subjects_of: tuple[URIRef, ...] = ()
    target_objects_of: tuple[URIRef, ...] = ()
    node_kind: URIRef | None = None
    cls: URIRef | None = None
    any_of: tuple[NodeCheck, ...] = ()  # sh:or
    properties: tuple[PropertyCheck, ...] = ()


def _one(shapes: Graph, shape: Node, parameter: URIRef) -> Node | None:
    found = list(shapes.objects(shape, parameter))
    if len(found) > 1:
        raise NotCompiled(f"{shape} has {len(found)} values of {parameter}")
    return found[0] if found else None


def _int(shapes: Graph, shape: Node, parameter: URIRef) -> int | None:
    value = _one(shapes, shape, parameter)
    if value is None:
        return None
    if not isinstance(value, Literal) or not isinstance(value.value, int) or isinstance(value.value, bool):
        raise NotCompiled(f"{parameter} of {shape} is not an integer")
    return value.value


def _iri(shapes: Graph, shape: Node, parameter: URIRef) -> URIRef | None:
    value = _one(shapes, shape, parameter)
    if value is not None and not isinstance(value, URIRef):
        raise NotCompiled(f"{parameter} of {shape} is not an IRI")
    return value


def _literal(shapes: Graph, shape: Node, parameter: URIRef) -> Literal | None:
    value = _one(shapes, shape, parameter)
    if value is not None and not isinstance(value, Literal):
        raise NotCompiled(f"{parameter} of {shape} is not a literal")
    return value


def _check_parameters(shapes: Graph, shape: Node, allowed: frozenset[URIRef]) -> None:
    for p in set(shapes.predicates(shape, None)):
        if p not in allowed:
            raise NotCompiled(f"{shape} uses {p}")


def _property(shapes: Graph, shape: Node) -> PropertyCheck:
    _check_parameters(shapes, shape, PROPERTY_PARAMETERS)
    path = _iri(shapes, shape, SH.path)  # a predicate path; sequence, inverse ... paths are blank nodes
    if path is None:
        raise NotCompiled(f"{shape} has no IRI sh:path")
    pattern = _literal(shapes, shape, SH.pattern)
    in_list = _one(shapes, shape, SH["in"])
    datatype = _iri(shapes, shape, SH.datatype)
    if datatype is not None and datatype not in _DATATYPE_VALUES and datatype not in _LEXICAL_DATATYPES:
        raise NotCompiled(f"{shape} has datatype {datatype}")
    return PropertyCheck(
        path=path,
        min_count=_int(shapes, shape, SH.minCount),
        max_count=_int(shapes, shape, SH.maxCount),
        datatype=datatype,
        min_length=_int(shapes, shape, SH.minLength),
        pattern=re.compile(str(pattern)) if pattern is not None else None,
        allowed=tuple(Collection(shapes, in_list)) if in_list is not None else None,
        cls=_iri(shapes, shape, SH["class"]),
        min_inclusive=_literal(shapes, shape, SH.minInclusive),
        max_inclusive=_literal(shapes, shape, SH.maxInclusive),
        less_than=_iri(shapes, shape, SH.lessThan),
        node_kind=_iri(shapes, shape, SH.nodeKind),
    )


def _node(shapes: Graph, shape: Node, *, top: bool) -> NodeCheck:
    _check_parameters(shapes, shape, NODE_PARAMETERS)
    types = set(shapes.objects(shape, RDF.type))
    if types - {SH.NodeShape}:
        raise NotCompiled(f"{shape} is typed {types}: implicit class targets are not compiled")
    or_list = _one(shapes, shape, SH["or"])
    check = NodeCheck(
        target_classes=tuple(_iris(shapes.objects(shape, SH.targetClass))),
        target_subjects_of=tuple(_iris(shapes.objects(shape, SH.targetSubjectsOf))),
        target_objects_of=tuple(_iris(shapes.objects(shape, SH.targetObjectsOf))),
        node_kind=_iri(shapes, shape, SH.nodeKind),
        cls=_iri(shapes, shape, SH["class"]),
        any_of=tuple(_node(shapes, s, top=False) for s in Collection(shapes, or_list)) if or_list else (),
        properties=tuple(_property(shapes, p) for p in shapes.objects(shape, SH.property)),
    )
    if not top and (check.target_classes or check.target_subjects_of or check.target_objects_of):
        raise NotCompiled(f"{shape}: targets on a shape inside sh:or")
    return check


def _iris(nodes: Iterable[Node]) -> list[URIRef]:
    out = []
    for n in nodes:
        if not isinstance(n, URIRef):
            raise NotCompiled(f"target {n} is not an IRI")
        out.append(n)
    return out


def compile_shapes(shapes: Graph) -> list[NodeCheck]:
    """The node shapes with targets, compiled; raises NotCompiled."""
    known = {RDF.type, RDF.first, RDF.rest}
    known |= NODE_PARAMETERS | PROPERTY_PARAMETERS
    for p in set(shapes.predicates()):
        if p not in known:
            raise NotCompiled(f"the shapes graph uses {p}")
    roots = set(shapes.subjects(RDF.type, SH.NodeShape))
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
        roots |= set(shapes.subjects(p, None))
    if set(shapes.subjects(RDF.type, SH.PropertyShape)) or any(
        isinstance(s, URIRef) for s in shapes.subjects(SH.path, None)
    ):
        raise NotCompiled("named property shapes are not compiled")
    return [_node(shapes, s, top=True) for s in sorted(roots, key=str)]


def _subclasses(ontology: Graph) -> dict[Node, frozenset[Node]]:
    """class -> itself and every class below it (rdfs:subClassOf, transitively)."""
    children: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        children[sup].add(sub)
    closure: dict[Node, frozenset[Node]] = {}

    def below(cls: Node) -> frozenset[Node]:
        if cls not in closure:
            seen: set[Node] = set()
            stack = [cls]
            while stack:
                c = stack.pop()
                if c not in seen:
                    seen.add(c)
                    stack.extend(children.get(c, ()))
            closure[cls] = frozenset(seen)
        return closure[cls]

    for cls in list(children) + [o for _, o in ontology.subject_objects(RDF.type)]:
        below(cls)
    return closure


@dataclass
class CompiledShapes:
    checks: list[NodeCheck]
    below: dict[Node, frozenset[Node]]

    def _classes_below(self, cls: Node) -> frozenset[Node]:
        return self.below.get(cls, frozenset({cls}))

    def conforms(self, data: Iterable[tuple[Node, Node, Node]]) -> bool:
        """True when the data (a Graph or its triples) certainly conforms; False: ask pySHACL."""
        index = Index()
        index.add(data)
        if RDFS.subClassOf in index.subjects_of:
            return False  # the data would change the class hierarchy
        return all(self._shape_holds(check, index) for check in self.checks)

    def ontology_is_inert(self, ontology: Graph) -> bool:
        """Whether mixing the ontology into a data graph (as pySHACL does) adds no focus
        node, value or type the checks look at, beyond its class hierarchy."""
        index = Index()
        index.add(ontology)
        looked_at: set[Node] = set()
        classes: set[Node] = set()

        def collect(check: NodeCheck) -> None:
            looked_at.update(check.target_subjects_of, check.target_objects_of)
            classes.update(c for t in check.target_classes for c in self._classes_below(t))
            if check.cls is not None:
                classes.update(self._classes_below(check.cls))
            for prop in check.properties:
                looked_at.add(prop.path)
                if prop.less_than is not None:
                    looked_at.add(prop.less_than)
                if prop.cls is not None:
                    classes.update(self._classes_below(prop.cls))
            for c in check.any_of:
                collect(c)

        for check in self.checks:
            collect(check)
        return not (looked_at & set(index.subjects_of)) and not (classes & set(index.types))

    def _focus(self, check: NodeCheck, index: Index) -> set[Node]:
        focus: set[Node] = set()
        for cls in check.target_classes:
            for c in self._classes_below(cls):
                focus |= index.types.get(c, set())
        for p in check.target_subjects_of:
            focus |= index.subjects_of.get(p, set())
        for p in check.target_objects_of:
            focus |= index.objects_of.get(p, set())
        return focus

    def _shape_holds(self, check: NodeCheck, index: Index) -> bool:
        return all(self._node_holds(check, node, index) for node in self._focus(check, index))

    def _is_instance(self, node: Node, cls: Node, index: Index) -> bool:
        if isinstance(node, Literal):
            return False
        classes = self._classes_below(cls)
        return any(t in classes for t in index.node_types.get(node, ()))

    def _node_holds(self, check: NodeCheck, node: Node, index: Index) -> bool:
        if check.node_kind is not None and not _kind_holds(check.node_kind, node):
            return False
        if check.cls is not None and not self._is_instance(node, check.cls, index):
            return False
        if check.any_of and not any(self._node_holds(c, node, index) for c in check.any_of):
            return False
        if check.properties:
            by_predicate = index.values.get(node, {})
            for prop in check.properties:
                if not self._property_holds(prop, by_predicate, index):
                    return False
        return True

    def _property_holds(self, prop: PropertyCheck, by_predicate: dict[Node, set[Node]], index: Index) -> bool:
        values = by_predicate.get(prop.path, set())
        n = len(values)
        if prop.min_count is not None and n < prop.min_count:
            return False
        if prop.max_count is not None and n > prop.max_count:
            return False
        for v in values:
            if prop.datatype is not None and not _datatype_holds(prop.datatype, v):
                return False
            if prop.min_length is not None and not (isinstance(v, Literal) and len(str(v)) >= prop.min_length):
                return False
            if prop.pattern is not None and not (isinstance(v, Literal) and prop.pattern.search(str(v))):
                return False
            if prop.allowed is not None and v not in prop.allowed:
                return False
            if prop.cls is not None and not self._is_instance(v, prop.cls, index):
                return False
            if prop.node_kind is not None and not _kind_holds(prop.node_kind, v):
                return False
            if prop.min_inclusive is not None and not _compares(v, prop.min_inclusive, lambda a, b: a >= b):
                return False
            if prop.max_inclusive is not None and not _compares(v, prop.max_inclusive, lambda a, b: a <= b):
                return False
            if prop.less_than is not None:
                others = by_predicate.get(prop.less_than, set())
                if not all(_compares(v, w, lambda a, b: a < b) for w in others):
                    return False
        return True


def _kind_holds(kind: URIRef, node: Node) -> bool:
    if kind == _IRI:
        return isinstance(node, URIRef)
    if kind == _LITERAL:
        return isinstance(node, Literal)
    if kind == _BLANK:
        return isinstance(node, BNode)
    return False  # the mixed kinds: let pySHACL decide


def _datatype_holds(datatype: URIRef, v: Node) -> bool:
    if not isinstance(v, Literal) or v.language is not None:
        return False
    if v.datatype is not datatype and v.datatype != datatype and not (datatype == _STRING and v.datatype is None):
        return False
    if getattr(v, "ill_typed", None) is True:
        return False
    if datatype in _LEXICAL_DATATYPES:
        return True
    expected = _DATATYPE_VALUES[datatype]
    value = v.value
    if datatype == _INTEGER and isinstance(value, bool):
        return False
    if datatype == _DATETIME:
        return isinstance(value, datetime)
    if datatype == _DATE:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, expected)


def _number(v: Node) -> int | float | Decimal | None:
    if isinstance(v, Literal) and v.datatype in _NUMERIC and not getattr(v, "ill_typed", False):
        value = v.value
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return value
    return None


def _compares(v: Node, bound: Node, ok: object) -> bool:
    """Only xsd:integer / xsd:decimal literals on both sides are compared here."""
    a, b = _number(v), _number(bound)
    if a is None or b is None:
        return False
    return bool(ok(a, b))  # type: ignore[operator]


@lru_cache(maxsize=4)
def compiled(shapes: Graph, ontology: Graph) -> CompiledShapes | None:
    """The compiled shapes, or None when they (or the ontology) use a construct not compiled here."""
    try:
        checks = compile_shapes(shapes)
    except NotCompiled:
        return None
    result = CompiledShapes(checks=checks, below=_subclasses(ontology))
    return result if result.ontology_is_inert(ontology) else None
