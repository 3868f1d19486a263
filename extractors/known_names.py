"""Lists of names the news uses for things of one kind (sports clubs,
organisations), matched in any casing: a data file of the package, one thing
a line, its canonical name then its lowercase aliases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractors.artifacts import require
from extractors.truecase import case_table


@dataclass(frozen=True)
class KnownName:
    name: str  # the canonical name
    full: bool  # several words, or otherwise unmistakable
    everyday: bool  # one everyday English word ("apple", "sale"): context must confirm it
    kind: str = ""  # the line's optional third column ("intergovernmental")


class NameList:
    """Aliases of one list, matched on LOWER, longest first where they overlap."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.forms: dict[str, KnownName] = {}
        table = case_table()
        text = require(path, "a committed file of the package: restore it from git").read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, aliases, *kind = line.split("\t")
            for alias in aliases.split("|"):
                words = alias.split()
                self.forms.setdefault(alias, KnownName(name, len(words) > 1, len(words) == 1 and alias in table.lower,
                                                       kind[0] if kind else ""))
        self._matchers: dict[int, PhraseMatcher] = {}
        self._kinds: dict[str, frozenset[str]] = {}

    def names_of_kind(self, kind: str) -> frozenset[str]:
        """The canonical names, lowercase, of the lines of one kind."""
        names = self._kinds.get(kind)
        if names is None:
            names = self._kinds[kind] = frozenset(k.name.lower() for k in self.forms.values() if k.kind == kind)
        return names

    def _matcher(self, vocab: Vocab) -> PhraseMatcher:
        matcher = self._matchers.get(id(vocab))
        if matcher is None:
            matcher = PhraseMatcher(vocab, attr="LOWER")
            for form in self.forms:
                matcher.add(form, [Doc(vocab, words=form.replace("'s", " 's").split())])
            self._matchers[id(vocab)] = matcher
        return matcher

    def matches(self, doc: Doc) -> list[tuple[int, int, KnownName]]:
        """Every alias found (start token, end token, name), longest first where they overlap."""
        found = [(start, end, self.forms[doc.vocab.strings[mid]]) for mid, start, end in self._matcher(doc.vocab)(doc)]
        out: list[tuple[int, int, KnownName]] = []
        taken: set[int] = set()
        for start, end, known in sorted(found, key=lambda m: -(m[1] - m[0])):
            if not taken & set(range(start, end)):
                out.append((start, end, known))
                taken |= set(range(start, end))
        # "the eu", "the kremlin": the alias needs its article, the name does not include it
        out = [(start + 1 if end - start > 1 and doc[start].lower_ == "the" else start, end, known)
               for start, end, known in out]
        return sorted(out, key=lambda m: m[0])
