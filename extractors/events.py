"""Named events by rule: wars, holidays, summits, elections, Olympic games.

The statistical model finds few events (F1 near zero on DWIE), so patterns on
LOWER mark them in `doc.spans["ng_events"]` in any casing; the span label is
the event type of the taxonomy below and `kb_id_` its display name.

Event types (Event.attributes["type"]): war, holiday, anniversary, summit,
election, sports, visit, meeting, sanction, event (anything else).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.gazetteer import SPAN_KEY as COUNTRY_SPAN_KEY  # the gazetteer runs before the events

SPAN_KEY = "ng_events"

EVENT_TYPES = ("war", "holiday", "anniversary", "summit", "election", "sports", "visit", "meeting",
               "sanction", "event")

HOLIDAYS = (
    "victory day", "independence day", "christmas", "christmas day", "christmas eve", "new year 's day",
    "new year 's eve", "easter", "thanksgiving", "ramadan", "eid al-fitr", "eid al-adha", "labor day",
    "labour day", "memorial day", "may day", "bastille day", "hanukkah", "diwali", "lunar new year",
    "chinese new year", "national day", "unification day", "armistice day", "remembrance day",
    "veterans day", "constitution day", "republic day", "good friday",
    # public holidays of the English-speaking press's countries, and the days news names by date
    "easter sunday", "easter monday", "easter saturday", "boxing day", "anzac day", "australia day",
    "canada day", "waitangi day", "queen 's birthday", "king 's birthday", "st patrick 's day",
    "st george 's day", "st andrew 's day", "burns night", "bonfire night", "guy fawkes night",
    "valentine 's day", "mother 's day", "father 's day", "halloween", "martin luther king day",
    "presidents ' day", "columbus day", "juneteenth", "passover", "yom kippur", "rosh hashanah", "holi",
    "whit monday", "pentecost", "ash wednesday", "shrove tuesday", "black friday", "cyber monday",
    "bank holiday monday", "day of the dead", "lunar new year 's eve",
)
WARS = ("cold war", "gulf war", "korean war", "vietnam war", "iraq war", "crimean war", "civil war",
        "six-day war", "yom kippur war", "falklands war", "boer war", "afghan war", "war on terror")
ELECTION_KINDS = ("presidential", "parliamentary", "general", "legislative", "midterm", "local",
                  "regional", "national", "federal", "state", "municipal", "primary", "senate")
SMALL_WORDS = {"of", "the", "in", "on", "and", "for", "al", "de", "'s"}
_ROMAN = {"i": "I", "ii": "II", "iii": "III", "1": "I", "2": "II", "one": "I", "two": "II"}


def event_title(words: list[str]) -> str:
    """'victory day' -> 'Victory Day'; keeps existing capitals ('NATO')."""
    out = []
    for i, word in enumerate(words):
        if word.lower() in SMALL_WORDS and i > 0:
            out.append(word.lower())
        elif word[:1].islower():
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out).replace(" 's", "'s").replace(" - ", "-")


OPEN_AFTER = frozenset({"title", "titles", "final", "round", "crown", "champion", "semi", "quarter", "singles",
                        "doubles", "draw", "tournament", "trophy", ",", ".", "third", "second", "first"})


def _open_tournaments(doc: Doc) -> list[Span]:
    """'the U.S. Open', 'Australian Open': a place or its people's name and a
    capitalised "Open" name a tournament, not the country."""
    before: dict[int, int] = {}  # end token -> start token of a place-like span
    for span in [*doc.spans.get("ng_gazetteer", []), *doc.ents]:
        if span.label_ in ("Country", "Place", "GPE", "NORP", "LOC", "EVENT"):
            before[span.end] = min(span.start, before.get(span.end, span.start))
    out = []
    for tok in doc:
        # truecasing leaves the everyday word "open" lowercase: there the
        # tournament needs "the" before its name or a tournament word after it
        lowered = tok.text == "open" and tok.i in before and (
            doc[before[tok.i] - 1].lower_ in ("the", "'s") if before[tok.i] > 0 else False
            or (tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in OPEN_AFTER))
        if (tok.text in ("Open", "OPEN") or lowered) and tok.i in before:
            start = before[tok.i]
            name = event_title([t.text for t in doc[start:tok.i + 1]])
            out.append(Span(doc, start, tok.i + 1, label="sports", kb_id=name))
    return out


# A capitalised name and one of these heads name an event: "the monte carlo masters",
# "the wulong international kite festival", "the tyne-wear derby".
EVENT_HEADS = {"masters": "sports", "championship": "sports", "championships": "sports", "derby": "sports",
               "trophy": "sports", "marathon": "sports", "classic": "sports", "series": "sports",
               "games": "sports", "grand prix": "sports", "cup": "sports", "festival": "event",
               "show": "event", "conference": "event", "expo": "event", "awards": "event",
               "dinner": "event", "ball": "event", "gala": "event"}
STAGES = ("final", "semi-final", "quarter-final", "semi-finals", "quarter-finals", "finals")
# "premier league games" are a league's matches, not one named event (as "the
# commonwealth games" is): the league is the organisation that runs them
LEAGUE_WORDS = frozenset({"league", "liga", "bundesliga", "premiership", "serie"})


def league_games(words: list[str]) -> bool:
    """Whether lowercase `words` name a league's games ("premier league games")."""
    return len(words) > 1 and words[-1] == "games" and not LEAGUE_WORDS.isdisjoint(words[:-1])


NAMES_FILE = Path(__file__).resolve().parent / "data" / "event_names.tsv"


def _stage() -> list[dict[str, object]]:
    """An optional "final", "semi-final" (tokenized "semi - final") after the name."""
    return [{"LOWER": {"IN": ["semi", "quarter"]}, "OP": "?"}, {"ORTH": "-", "OP": "?"},
            {"LOWER": {"IN": ["final", "finals"]}, "OP": "?"}]


def _named_events() -> list[tuple[str, str]]:
    out = []
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, kind = line.split("\t")
            out.append((phrase, kind))
    return out


def _anchor_words(pattern: list[dict[str, object]]) -> frozenset[str]:
    """Words one of which every match of `pattern` holds: those one of its
    required tokens may be, the most telling of them (the fewest choices, then
    the longest words: "independence" rather than "day")."""
    choices = []
    for spec in pattern:
        if "OP" in spec:
            continue
        lower = spec.get("LOWER")
        if isinstance(lower, str):
            choices.append(frozenset({lower}))
        elif isinstance(lower, dict) and isinstance(lower.get("IN"), list):
            choices.append(frozenset(lower["IN"]))
    if not choices:
        raise ValueError(f"event pattern without a required word: {pattern}")
    return min(choices, key=lambda words: (len(words), -min(map(len, words))))


def _phrase(text: str) -> list[dict[str, object]]:
    return [{"LOWER": part} for part in text.split()]


class EventMatcher:
    """Marks named events (see module docstring)."""

    def __init__(self, nlp: Language, name: str = "newsgraph_events") -> None:
        self.name = name
        self.matcher = Matcher(nlp.vocab)
        self.patterns: list[list[dict[str, object]]] = []
        self._add("world_war", [
            [{"LOWER": "world"}, {"LOWER": "war"}, {"LOWER": {"IN": list(_ROMAN)}}],
            [{"LOWER": {"IN": ["first", "second"]}}, {"LOWER": "world"}, {"LOWER": "war"}],
        ])
        self._add("war", [_phrase(w) for w in WARS]
                         + [[{"LOWER": "war"}, {"LOWER": "in"}, {"ENT_TYPE": "GPE"}]])
        self._add("holiday", [_phrase(h) for h in HOLIDAYS])
        year: dict[str, object] = {"TEXT": {"REGEX": r"^(1[89]|20)\d\d$"}}
        self._add("sports", [
            [{**year, "OP": "?"}, {"LOWER": {"IN": ["summer", "winter"]}, "OP": "?"},
             {"LOWER": {"IN": ["olympics", "paralympics"]}}],
            [{**year, "OP": "?"}, {"LOWER": {"IN": ["summer", "winter"]}, "OP": "?"},
             {"LOWER": {"IN": ["olympic", "paralympic"]}}, {"LOWER": "games"}],
            [{**year, "OP": "?"}, {"LOWER": "world"}, {"LOWER": "cup"}],
        ])
        proper: dict[str, object] = {"TEXT": {"REGEX": r"^[A-Z0-9]"}, "IS_SENT_START": False,
                                     "LOWER": {"NOT_IN": ["the"]}}
        optional_year: dict[str, object] = {**year, "OP": "?"}
        by_kind: dict[str, list[list[dict[str, object]]]] = {}
        for phrase, kind in _named_events():
            by_kind.setdefault(kind, []).append([optional_year, *_phrase(phrase), *_stage()])
        for head, kind in EVENT_HEADS.items():
            name_part: dict[str, object] = {**proper, "LOWER": {"NOT_IN": ["the", *STAGES]}}
            # a hyphenated part ("tyne - wear") and one everyday word ("kite") may follow the name
            by_kind.setdefault(kind, []).append([
                optional_year, {**name_part, "OP": "+"}, {"ORTH": "-", "OP": "?"}, {"IS_ALPHA": True, "OP": "?"},
                {"IS_ALPHA": True, "IS_STOP": False, "IS_TITLE": False, "OP": "?"}, *_phrase(head), *_stage()])
        for kind, patterns in by_kind.items():
            self._add(f"named_{kind}", patterns)
        self._add("summit", [[{**proper, "OP": "+"}, {"LOWER": "summit"}]])
        self._add("election", [
            [year, {"LOWER": {"IN": list(ELECTION_KINDS)}, "OP": "?"},
             {"LOWER": {"IN": ["election", "elections"]}}],
            [{**proper, "OP": "+"}, {"LOWER": {"IN": list(ELECTION_KINDS)}, "OP": "?"},
             {"LOWER": {"IN": ["election", "elections"]}}],
        ])

        self.anchors = frozenset(word for pattern in self.patterns for word in _anchor_words(pattern))

    def _add(self, key: str, patterns: list[list[dict[str, object]]]) -> None:
        self.matcher.add(key, patterns)
        self.patterns.extend(patterns)

    def _matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The matcher's matches, sentence by sentence, in the sentences that
        hold a word every match of some pattern holds (most hold none: the
        matcher's cost grows with tokens times patterns)."""
        if not doc.has_annotation("SENT_START"):
            return list(self.matcher(doc))
        anchored = {doc[i].sent.start for i in range(len(doc)) if doc[i].lower_ in self.anchors}
        out: list[tuple[int, int, int]] = []
        for sent in doc.sents:
            if sent.start in anchored:
                out.extend((m, sent.start + a, sent.start + b) for m, a, b in self.matcher(sent))
        return out

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self._matches(doc):
            kind = doc.vocab.strings[match_id]
            words = [t.text for t in doc[start:end]]
            if kind == "world_war":
                low = [w.lower() for w in words]
                number = _ROMAN.get(low[-1]) if low[0] == "world" else ("I" if low[0] == "first" else "II")
                name, kind = f"World War {number}", "war"
            else:
                if league_games([w.lower() for w in words]):
                    continue
                name = event_title(words)
                kind = kind.removeprefix("named_")
            spans.append(Span(doc, start, end, label=kind, kb_id=name))
        spans.extend(_open_tournaments(doc))
        spans.extend(two_sided_wars(doc))
        doc.spans[SPAN_KEY] = filter_spans(spans)
        return doc


# What a war between two named sides is called: "the iran-iraq war", "the
# israeli-palestinian conflict", "the india-pakistan border war" (each side a
# country or its demonym, as the gazetteer matched it).
SIDED_HEADS = frozenset({"war", "conflict"})


def war_sides(doc: Doc, start: int, end: int) -> tuple[Span, Span] | None:
    """The two countries that open the name of a war from `start` to `end` ("iran - iraq
    war"), as the gazetteer matched them, or None."""
    by_start = {span.start: span for span in doc.spans.get(COUNTRY_SPAN_KEY, []) if span.label_ == "Country"}
    first = by_start.get(start)
    if first is None or first.end + 1 >= end or doc[first.end].text not in ("-", "\u2013"):
        return None
    second = by_start.get(first.end + 1)
    if second is None or second.kb_id_ == first.kb_id_:
        return None
    rest = [t.lower_ for t in doc[second.end:end]]
    return (first, second) if rest[-1:] and rest[-1] in SIDED_HEADS and len(rest) <= 2 else None


def two_sided_wars(doc: Doc) -> list[Span]:
    """COUNTRY - COUNTRY (border|trade)? war|conflict: a war the text names by its two
    sides, in any casing. Its name holds both ("Iran-Iraq War"), so it is not
    taken for the war named by its last side alone ("iraq war", another war),
    and names them in one order, so "the iraq-iran war" is the same war."""
    out = []
    for span in doc.spans.get(COUNTRY_SPAN_KEY, []):
        if span.label_ != "Country" or span.end + 1 >= len(doc) or doc[span.end].text not in ("-", "\u2013"):
            continue
        for head in range(span.end + 2, min(len(doc), span.end + 6)):
            if doc[head].lower_ in SIDED_HEADS:
                sides = war_sides(doc, span.start, head + 1)
                if sides is not None:
                    # one war whichever side the text names first ("iraq-iran war")
                    first, second = sorted(sides, key=lambda side: side.text.lower())
                    words = [first.text, "-", second.text, *(t.text for t in doc[sides[1].end:head + 1])]
                    out.append(Span(doc, span.start, head + 1, label="war", kb_id=event_title(words)))
                break
    return out


@Language.factory("newsgraph_events", assigns=["doc.spans"], default_config={})
def make_event_matcher(nlp: Language, name: str) -> EventMatcher:
    return EventMatcher(nlp, name)
