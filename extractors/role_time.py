"""When a role held, as the text says it: the `newsgraph_role_time` component.

A HOLDS_ROLE fact gets, from its own sentence,

- `former` (true) when the role is said to be over: "former prime minister
  tony blair", "ex-chelsea striker", "the then-president", "formerly of";
- `valid_from` (an ISO date, as precise as the text) from "since 2012",
  "from 2010 to 2014", or a date after "joined", "appointed", "elected",
  "became" ("she joined the bank in 2010");
- `valid_to` from "until march 2019", "till", "from 2010 to 2014".

The date is a Date entity of the sentence, so it carries the document's
anchoring ("until march" in an article of 2019 is 2019-03). What the text does
not say stays unsaid: the graph store adds the publication date (`as_of`) and
closes roles across documents (graphstore/cypher.py).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extractors.doc_state import DocState, state_of
from extractors.types import Entity, Mention, Relation

FORMER_WORDS = frozenset({"former", "formerly", "ex", "one-time", "onetime", "erstwhile", "then"})
FORMER_PREFIXES = ("ex-", "then-", "former-")
# Verbs whose date is when the role began ("she joined the bank in 2010").
START_VERBS = frozenset({
    "join", "joins", "joined", "appoint", "appoints", "appointed", "elect", "elects", "elected", "become",
    "becomes", "became", "named", "sign", "signs", "signed", "hired", "installed", "sworn",
})
_SINCE = frozenset({"since"})
SPEECH_VERBS = frozenset({"say", "tell", "add", "claim", "warn", "insist", "announce", "report"})
_YEAR = re.compile(r"(19|20)\d\d")
_UNTIL = frozenset({"until", "till", "through"})
# How far before the first of the two names a "former" may stand ("the former
# british prime minister tony blair": four words).
_LOOK_BEHIND = 5
# How far after the later name its date may stand ("... who managed the club between 1998").
_LOOK_AHEAD = 8


def _tokens_of(doc: Doc, mention: Mention) -> tuple[int, int] | None:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return (span.start, span.end) if span is not None else None


def _in_sentence(ent: Entity, sentence: int) -> list[Mention]:
    return [m for m in ent.mentions if m.sentence == sentence]


def _is_former(doc: Doc, first: int, last: int) -> bool:
    for tok in doc[max(0, first - _LOOK_BEHIND):last]:
        low = tok.lower_
        if low in FORMER_WORDS and not (low == "then" and tok.i + 1 < len(doc) and doc[tok.i + 1].text != "-"):
            return True  # "then" only as "then - president", never "and then"
        if low.startswith(FORMER_PREFIXES):
            return True
    return False


def _dates(doc: Doc, dates: list[tuple[int, int, str]], first: int, last: int, holder: int) -> dict[str, str]:
    """valid_from / valid_to from the sentence's dates near the role, read by the
    word before each ("since 2014"; "from 2005 to 2021"; "between 1998 and 1999")."""
    out: dict[str, str] = {}
    for start, _end, value in dates:
        if not first - _LOOK_BEHIND <= start <= last + _LOOK_AHEAD or any(
                t.dep_ in ("ccomp", "advcl", "conj", "parataxis") or t.lemma_ in SPEECH_VERBS
                for t in doc[last:start]):
            continue  # "reeves said food bank use has risen since 2010": another clause's date
        before = doc[start - 1].lower_ if start > 0 else ""
        if before in _SINCE or (before in ("from", "between") and "valid_from" not in out):
            out.setdefault("valid_from", value)
        elif before in _UNTIL or (before in ("to", "and") and "valid_from" in out):
            out.setdefault("valid_to", value)
        elif before == "in" and any(t.lower_ in START_VERBS and t.i < holder < start
                                    for t in doc[max(first, start - 6):start]):
            # "she joined barclays in 2010"; not "joined the club in 2010 and is now a director of barclays"
            out.setdefault("valid_from", value)
    return out


def role_time(doc: Doc, state: DocState) -> None:
    by_id = {e.id: e for e in state.entities}
    dates_by_sentence: dict[int, list[tuple[int, int, str]]] = {}
    for ent in state.entities:
        if ent.label != "Date":
            continue
        value = str(ent.attributes.get("value", ent.name))
        if not value[:4].isdigit():
            continue  # "until march" with no year known says no date
        for m in ent.mentions:
            span = _tokens_of(doc, m)
            if span is not None:
                dates_by_sentence.setdefault(m.sentence, []).append((*span, value))
    # a year inside a range the model read as one date ("from 2005 to 2021": 2005)
    for sentence, found in dates_by_sentence.items():
        start_char, end_char = state.sentences[sentence]
        sent = doc.char_span(start_char, end_char, alignment_mode="expand")
        taken = {i for start, end, _ in found for i in range(start, end)}
        for tok in sent or []:
            if tok.i not in taken and _YEAR.fullmatch(tok.text) and tok.i > 0 and doc[tok.i - 1].lower_ in (
                    "to", "and", *_UNTIL):
                found.append((tok.i, tok.i + 1, tok.text))
    for rel in state.relations:
        if rel.type != "HOLDS_ROLE" or not rel.evidence:
            continue
        _qualify(doc, rel, by_id, dates_by_sentence)


def _qualify(doc: Doc, rel: Relation, by_id: dict[str, Entity],
             dates_by_sentence: dict[int, list[tuple[int, int, str]]]) -> None:
    sentence = rel.evidence[0].sentence
    people, holders = _in_sentence(by_id[rel.head], sentence), _in_sentence(by_id[rel.tail], sentence)
    if not people or not holders:
        return
    spans = [s for s in (_tokens_of(doc, people[0]), _tokens_of(doc, holders[0])) if s is not None]
    if len(spans) < 2:
        return
    first, last = min(s[0] for s in spans), max(s[1] for s in spans)
    holder = spans[1][0]
    if _is_former(doc, first, last):
        rel.properties["former"] = True
    for key, value in _dates(doc, sorted(dates_by_sentence.get(sentence, [])), first, last, holder).items():
        rel.properties[key] = value


class RoleTime:
    def __init__(self, name: str = "newsgraph_role_time") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        role_time(doc, state_of(doc))
        return doc


@Language.factory("newsgraph_role_time", requires=["doc._.ng_state"], assigns=["doc._.ng_state"],
                  default_config={})
def make_role_time(nlp: Language, name: str) -> RoleTime:
    return RoleTime(name)
