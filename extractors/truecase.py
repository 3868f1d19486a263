"""Truecasing of lowercased or ALL-CAPS text, length-preserving.

The cased statistical model collapses on lowercased input, so such text is
given to it as a truecased copy of exactly the same length: every character
offset in the copy is the same offset in the original, and mentions found on
the copy are sliced from the original text.

The word list is `data/truecase.json`, an artifact of the package built by
`tools/training/build_truecaser.py` (`make truecase-table`) and committed: without it the
truecaser cannot work, and its absence is an error, not a fallback.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import registry

from extractors.artifacts import DATA, MissingArtifact
from extractors.vocab import PERSON_NOUNS

log = logging.getLogger(__name__)

TABLE_ENV = "NEWSGRAPH_TRUECASE_TABLE"
DEFAULT_TABLE = DATA / "truecase.json"

_WORD = re.compile(r"[^\W\d_]+")
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}")  # u.s. -> U.S.
_ROMAN = {"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xii"}
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
}
# "may" is a modal verb far more often than a month: a month only beside a
# number or after these words
_MAY_BEFORE = {"in", "since", "until", "till", "by", "early", "late", "mid", "of", "last", "next", "this",
               "from"}
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n)[\"“'(\s]*$")


@dataclass(frozen=True)
class CaseTable:
    lower: frozenset[str]
    ambiguous: frozenset[str]
    cased: dict[str, str]


@lru_cache(maxsize=1)
def case_table() -> CaseTable:
    path = Path(os.environ.get(TABLE_ENV, DEFAULT_TABLE))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MissingArtifact(f"truecasing table {path} missing or unreadable "
                              f"(rebuild it with `make truecase-table`): {exc}") from exc
    # A noun for a person ("champion", "challenger") is written lowercase in running
    # text, whatever headlines and titles gave the table: capitalised, it reads as a
    # name ("the champion" an Organization, "us challenger eddie chambers" a place).
    # ("shepherd" and "star" also name people and papers: "cybill shepherd", "the toronto star")
    people = {noun for noun in PERSON_NOUNS if " " not in noun} - {"shepherd", "star"}
    return CaseTable(
        frozenset(data.get("lower", [])) | frozenset(STOP_WORDS) | people,
        frozenset(data.get("ambiguous", [])),
        {word: cased for word, cased in dict(data.get("cased", {})).items() if word not in people},
    )


def looks_uncased(text: str, *, sample: int = 5000) -> bool:
    """True when the text is (almost) all lowercase or all uppercase."""
    letters = [c for c in text[:sample] if c.isalpha()]
    if len(letters) < 20:
        return bool(letters) and (all(c.islower() for c in letters) or all(c.isupper() for c in letters))
    upper = sum(c.isupper() for c in letters) / len(letters)
    return upper < 0.01 or upper > 0.9


def _same_len(src: str, new: str) -> str:
    return new if len(new) == len(src) else src


def _capitalize(word: str) -> str:
    return _same_len(word, word[0].upper() + word[1:])


_SUFFIXES = ("ed", "d", "ing", "ly", "s", "es", "ies", "er", "est", "ness", "ment")


def _inflected_common(word: str, table: CaseTable) -> bool:
    """'crumbled', 'specializes': an inflection of a common lowercase word."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in table.lower or stem + "e" in table.lower or (
                    suffix == "ies" and stem + "y" in table.lower):
                return True
    return False


# "us" is the pronoun far more often than the country: the country only after
# "the" or as a modifier ("us president", "us officials"), not after these.
_US_PRONOUN_BEFORE = frozenset({
    "of", "to", "for", "with", "let", "told", "tell", "tells", "gave", "give", "gives", "help", "helped",
    "about", "from", "by", "among", "between", "join", "joined", "ask", "asked", "show", "showed", "shows",
    "make", "made", "makes", "like", "than", "all", "both", "each", "most", "many", "some", "few", "none",
    "against", "at", "on", "into", "onto", "upon", "behind", "before", "after", "call", "called", "sent",
    "send", "taught", "teach", "took", "take", "keep", "kept", "leave", "left", "bring", "brought", "see",
    "saw", "seen", "hear", "heard", "want", "wants", "wanted", "allow", "allowed", "get", "got", "put",
})


# Words before a full name ("judge philip head", "prime minister giuseppe conte",
# "striker ben foster"): after one, a first name is followed by its surname, even
# when the surname is an everyday word.
_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "judge", "justice", "president", "minister",
    "chancellor", "secretary", "senator", "governor", "mayor", "congressman", "congresswoman", "ambassador",
    "coach", "manager", "boss", "striker", "midfielder", "defender", "goalkeeper", "keeper", "winger",
    "captain", "officer", "detective", "sergeant", "inspector", "professor", "chairman", "chief", "director",
    "spokesman", "spokeswoman", "actor", "actress", "singer", "star", "footballer", "prop", "lock", "flanker",
})
# Abbreviations with a full stop inside a name or before one ("rep. john lewis").
_ABBREVIATIONS = frozenset({"rep", "sen", "gov", "gen", "lt", "col", "sgt", "capt", "cpl", "st", "prof", "rev",
                            "jr", "sr", "mt", "ft", "adm", "maj", "cmdr", "supt", "insp", "det", "messrs", "hon"})
# Everyday words that follow a name without being its surname ("president obama said").
_NOT_SURNAMES = frozenset({
    "said", "says", "told", "added", "insisted", "admitted", "claimed", "warned", "explained", "revealed",
    "wrote", "tweeted", "spoke", "met", "went", "came", "left", "took", "gave", "made", "won", "lost", "led",
    "became", "got", "saw", "held", "kept", "felt", "knew", "thought", "brought", "sent", "paid", "put", "set",
    "let", "ran", "sat", "stood", "began", "hit", "cut", "read", "heard", "did", "does", "do", "is",
    "are", "was", "were", "has", "have", "had", "can", "could", "may", "might", "must", "shall", "should",
    "will", "would", "not", "now", "then", "also", "still", "who", "which", "that", "after", "before", "when",
    "while", "as", "at", "in", "on", "of", "for", "to", "from", "with", "by", "and", "or", "but", "jr",
    "today", "yesterday", "tonight", "tomorrow", "again", "too", "himself", "herself", "insists",
})


# Words after which an everyday word that a name follows is a first name.
_BEFORE_FIRST_NAME = (_TITLES | {noun for noun in PERSON_NOUNS if " " not in noun} | {"counterpart", "premier"}) \
    - {"tennis"}
# Words that stand between a title and a name without being a first name: "tennis great
# billie jean king", "boxing legend ...".
_NOT_FIRST_NAMES = _BEFORE_FIRST_NAME | {
    "great", "legend", "ace", "icon", "hero", "favourite", "favorite", "hopeful", "prodigy", "giant", "idol",
    "great-grandfather", "elect", "emeritus", "general",
}
_NEXT_WORD = re.compile(r" +([^\W\d_]+)")


def _name_follows(lowered: str, end: int, table: CaseTable) -> bool:
    """The next word (after spaces only) reads as a name: unknown to the table and
    no inflection of an everyday word, or written capitalised there ("clinton")."""
    match = _NEXT_WORD.match(lowered, end)
    if match is None:
        return False
    nxt = match.group(1)
    if nxt in _MONTHS or nxt in table.lower or len(nxt) < 2:
        return False
    cased = table.cased.get(nxt)
    return (cased[:1].isupper() and not cased.isupper()) if cased is not None else not _inflected_common(nxt, table)


def _us_is_country(prev_word: str, following: str) -> bool:
    if prev_word == "the":
        return True
    nxt = _WORD.match(following)
    return (nxt is not None and nxt.group() not in STOP_WORDS and prev_word not in _US_PRONOUN_BEFORE)


def truecase(text: str) -> str:
    """A copy of `text`, same length, with names and sentence starts capitalised."""
    table = case_table()
    lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    out = list(lowered)
    prev_name = 0  # how many words before this one were capitalised as a name
    titled = False  # whether those words came right after a title ("judge", "prime minister")
    prev_word = ""
    for match in _WORD.finditer(lowered):
        word = match.group()
        start, end = match.span()
        if start > 0 and lowered[start - 1] in "'’":  # 's, n't, 're, and with a typographic apostrophe
            prev_name, prev_word = 0, word
            continue
        if _SENTENCE_START.search(lowered[max(0, start - 4):start]) and (
                "\n" in lowered[max(0, start - 4):start]
                or (len(prev_word) > 1 and prev_word not in _TITLES and prev_word not in _ABBREVIATIONS)):
            # a name does not run on into the next sentence ("in berlin .\nus president"),
            # though it does past a title's or an initial's full stop ("sen. john glenn")
            prev_name, titled = 0, False
        following = lowered[end:end + 4].lstrip()
        next_is_num = bool(following) and following[0].isdigit()
        new = word
        cased = table.cased.get(word)
        if word == "us" and not _us_is_country(prev_word, lowered[end:end + 24].lstrip()):
            pass  # "those of us", "told us": the pronoun
        elif lowered[end:end + 2] in ("'t", "’t"):
            pass  # "don't", "haven’t": a verb, not "Don"
        elif word in _MONTHS:
            if word != "may" or next_is_num or prev_word in _MAY_BEFORE:
                new = _capitalize(word)
        elif word in _ROMAN and prev_name:
            new = word.upper()
        elif cased is not None:
            if cased.isupper() and len(word) <= 3 and prev_name:
                new = _capitalize(word)  # "kim jong un": a name part, not the UN
            else:
                new = _same_len(word, cased)
        elif word in table.lower:
            name_end = not following or following[0] in ",.;:'()"
            if word not in STOP_WORDS and prev_name and (
                word in table.ambiguous or (prev_name >= 2 and name_end and word not in _NOT_SURNAMES
                                            and not _inflected_common(word, table))  # "aso arrived ."
            ):
                new = _capitalize(word)  # last part of a name: "kim il sung ,"
            elif prev_name == 1 and titled and word not in STOP_WORDS and word not in _NOT_SURNAMES \
                    and not _inflected_common(word, table):
                new = _capitalize(word)  # a title, a first name, then the surname: "judge philip head"
            elif not prev_name and prev_word in _BEFORE_FIRST_NAME and word not in STOP_WORDS \
                    and word not in _NOT_SURNAMES and word not in _NOT_FIRST_NAMES \
                    and _name_follows(lowered, end, table):
                # a first name that is an everyday word, between a title and a surname:
                # "president bill clinton", "his japanese counterpart taro aso"
                new = _capitalize(word)
                titled = True
        elif len(word) > 1 and (not _inflected_common(word, table) or (
                prev_name and (not following or following[0] in ",.;:'()")) or (
                prev_name == 1 and titled and word not in _NOT_SURNAMES)):
            # unknown word: most likely a name; one that looks like an inflection
            # too when it ends a name ("tony pulis (", "puli" + s) or follows a
            # title and a first name ("justice minister tudorel toader", "toad" + er)
            new = _capitalize(word)
        is_name = new != word
        if new == word and _SENTENCE_START.search(lowered[max(0, start - 4):start]):
            new = _capitalize(word)
        out[start:end] = new
        if is_name and word not in STOP_WORDS and prev_word in _TITLES:
            prev_name, titled = 1, True  # the name proper starts after its title
        elif is_name and word not in STOP_WORDS:
            prev_name += 1
        else:
            prev_name, titled = 0, False
        prev_word = word
    for match in _DOTTED.finditer("".join(out)):
        out[match.start():match.end()] = _same_len(match.group(), match.group().upper())
    return "".join(out)


class TruecasingTokenizer:
    """The pipeline's tokenizer: lowercased or ALL-CAPS text is tokenized as its
    truecased copy (same length, so every offset holds), anything else as is.
    The model and every rule then read the copy; `doc._.ng_document` keeps the
    original, and mention texts are sliced from it."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        return self.tokenizer(truecase(text) if looks_uncased(text) else text)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def to_bytes(self, **kwargs: Any) -> bytes:
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs: Any) -> TruecasingTokenizer:
        self.tokenizer.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path: str | Path, **kwargs: Any) -> TruecasingTokenizer:
        self.tokenizer.from_disk(path, **kwargs)
        return self


@registry.tokenizers("newsgraph.TruecasingTokenizer.v1")
def create_truecasing_tokenizer() -> Callable[[Language], TruecasingTokenizer]:
    default = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language) -> TruecasingTokenizer:
        case_table()  # a missing table fails here, when the pipeline is built
        return TruecasingTokenizer(default(nlp))

    return make
