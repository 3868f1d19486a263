"""The base model's attribute rules (fine tag to coarse POS and morphology, and
its exceptions for pronouns, auxiliaries, contractions), found through an index
instead of spaCy's Matcher.

spaCy's `attribute_ruler` tries each of its 179 patterns at every token: on
news that is a tenth of the whole pipeline's time, though a token can only
match the one pattern for its tag and the few keyed on its word or its
dependency label. `IndexedAttributeRuler` is spaCy's AttributeRuler with the
same patterns (read from the base model), the same order of application (a
later pattern wins) and the same writes (spaCy's own `set_annotations`); only
`match` differs: each pattern is filed under a value its first token must have,
so a token is checked against the patterns that can start at it. A pattern
this matcher does not read (an operator or attribute outside those the base
model uses) is refused when the component is built, never matched differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractors.base_model import base_model

# The token attributes the patterns read, as positions in a token's row.
_FIELDS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
Row = tuple[str, str, str, bool]
Test = Callable[[Row], bool]


class _Equals:
    __slots__ = ("field", "value")

    def __init__(self, field: int, value: Any) -> None:
        self.field, self.value = field, value

    def __call__(self, row: Row) -> bool:
        return bool(row[self.field] == self.value)


class _In:
    __slots__ = ("field", "negated", "values")

    def __init__(self, field: int, values: Iterable[Any], negated: bool) -> None:
        self.field, self.values, self.negated = field, frozenset(values), negated

    def __call__(self, row: Row) -> bool:
        return (row[self.field] in self.values) != self.negated


class _Regex:
    __slots__ = ("field", "pattern")

    def __init__(self, field: int, pattern: str) -> None:
        self.field, self.pattern = field, re.compile(pattern)

    def __call__(self, row: Row) -> bool:
        return self.pattern.search(str(row[self.field])) is not None


def _test(field: int, value: Any) -> Test:
    """One attribute's condition, as spaCy's Matcher reads it."""
    if not isinstance(value, dict):
        return _Equals(field, value)
    if len(value) != 1:
        raise ValueError(f"attribute rule with several operators: {value!r}")
    ((op, arg),) = value.items()
    if op in ("IN", "NOT_IN"):
        return _In(field, arg, negated=op == "NOT_IN")
    if op == "REGEX":
        return _Regex(field, arg)
    raise ValueError(f"attribute rule operator not read here: {op!r}")


@dataclass(frozen=True)
class _Rule:
    attr_id: int  # the pattern's place in the ruler: a later one wins
    match_id: int
    tests: tuple[tuple[Test, ...], ...]  # one tuple per token of the pattern

    def matches(self, rows: list[Row], start: int) -> bool:
        if start + len(self.tests) > len(rows):
            return False
        return all(test(rows[start + k]) for k, token in enumerate(self.tests) for test in token)


def _key(token: dict[str, Any]) -> tuple[str, tuple[Any, ...]] | None:
    """A field and the values the pattern's first token must have in it, if any."""
    for field in ("LOWER", "TAG", "DEP"):
        value = token.get(field)
        if isinstance(value, str):
            return field, (value,)
        if isinstance(value, dict) and set(value) == {"IN"}:
            return field, tuple(dict.fromkeys(value["IN"]))
    if token.get("IS_SPACE") is True:
        return "IS_SPACE", (True,)
    return None


class IndexedAttributeRuler(AttributeRuler):
    def __init__(self, vocab: Vocab, name: str = "attribute_ruler", **kwargs: Any) -> None:
        self._index: dict[tuple[int, Any], list[_Rule]] = {}
        self._unkeyed: list[_Rule] = []
        super().__init__(vocab, name, **kwargs)

    def add(self, patterns: Iterable[Any], attrs: dict[str, Any], index: int = 0) -> None:
        patterns = list(patterns)
        attr_id = len(self.attrs)
        match_id = self.vocab.strings.add(str(attr_id))  # the id spaCy's add gives the pattern
        rules = []
        for pattern in patterns:  # all read before any is added
            for token in pattern:
                unknown = set(token) - set(_FIELDS)
                if unknown:
                    raise ValueError(f"attribute rule on {sorted(unknown)}, which this ruler does not read")
            rules.append(_Rule(attr_id, match_id, tuple(
                tuple(_test(_FIELDS[field], value) for field, value in token.items()) for token in pattern)))
        super().add(patterns, attrs, index)
        for pattern, rule in zip(patterns, rules, strict=True):
            key = _key(pattern[0]) if pattern else None
            if key is None:
                self._unkeyed.append(rule)
                continue
            field, values = key
            for value in values:
                self._index.setdefault((_FIELDS[field], value), []).append(rule)

    def clear(self) -> None:
        super().clear()
        self._index, self._unkeyed = {}, []

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """(pattern, match id, start, end) of every match, in the order spaCy's
        AttributeRuler applies them: by pattern, then by position."""
        rows: list[Row] = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        index, unkeyed = self._index, self._unkeyed
        found: list[tuple[int, int, int, int]] = []
        for start, row in enumerate(rows):
            candidates = [*index.get((0, row[0]), ()), *index.get((1, row[1]), ()), *index.get((2, row[2]), ())]
            if row[3]:
                candidates += index.get((3, True), ())
            for rule in (*candidates, *unkeyed):
                if rule.matches(rows, start):
                    found.append((rule.attr_id, rule.match_id, start, start + len(rule.tests)))
        found.sort()
        return found


def _base_patterns(model: str) -> list[dict[str, Any]]:
    ruler = base_model(model).get_pipe("attribute_ruler")
    if not isinstance(ruler, AttributeRuler):
        raise TypeError(f"{model}'s attribute_ruler is a {type(ruler).__name__}, not spaCy's AttributeRuler")
    return list(ruler.patterns)


@Language.factory("newsgraph_attribute_ruler", assigns=["token.pos", "token.morph", "token.lemma"],
                  default_config={"model": None})
def make_indexed_attribute_ruler(nlp: Language, name: str, model: str | None) -> IndexedAttributeRuler:
    """`model`: the base model whose attribute rules are read (config.cfg's paths.base)."""
    ruler = IndexedAttributeRuler(nlp.vocab, name)
    if model:
        ruler.add_patterns(_base_patterns(model))
    return ruler
