"""From an annotated spaCy Doc to an `Extraction`: merge the model's entities
with the gazetteer and event rules, normalise names and keys, collect every
mention of an entity in the document, and hand over to the relation patterns.

Plain functions over a Doc; the text the model read may be a truecased copy of
`document.text` (same length), so offsets carry over and mention texts are
sliced from the original.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractors import events, gazetteer, sports
from extractors.artifacts import DATA
from extractors.calibration import calibrated_entity
from extractors.dates import normalize_date
from extractors.doc_state import DocState, document_of
from extractors.known_names import NameList
from extractors.truecase import case_table, looks_uncased
from extractors.types import Document, Entity, Mention
from extractors.vocab import (
    COMPANY_NOUNS,
    HONORIFICS,
    KIN,
    ORG_WORDS,
    PERSON_NOUNS,
    ROLE_HEADS,
    ROLE_MODIFIERS,
    SPORT_ROLES,
    WEEKDAYS,
)
from extractors.words import OPEN_FIRST, word_at

URI_BASE = "https://w3id.org/newsgraph/id/"
SPAN_KEY = "ng_entities"  # every entity mention the assembly kept, labelled, kb_id the entity's uri
_SLUG = re.compile(r"[^0-9a-z]+")
# The tokens a role head can start with (word_at reads "vice - president" and
# "full back" as one word): every other token is passed over without joining it.
ROLE_HEAD_FIRST_WORDS = ROLE_HEADS | {head.split("-")[0] for head in ROLE_HEADS} | OPEN_FIRST
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$")
_YEAR = re.compile(r"^(1[5-9]|20)\d\d$")
_YEAR_PREPS = frozenset({"in", "since", "until", "till", "by", "from", "before", "after", "during"})
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+(?:[^\W\d_]['\w-]*)?$")  # "P.", "J.H.", "T.O'Gorman"


def slug(text: str) -> str:
    """URI key of a name. Accents are folded rather than dropped, so "Schröder"
    is `schroder` (one word, like "Schroder") and not `schr-der`."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return _SLUG.sub("-", folded).strip("-")


def entity_uri(label: str, key: str) -> str:
    return f"{URI_BASE}{label.lower()}/{key}"


@dataclass
class Cand:
    """A mention candidate on tokens [start, end) with its entity identity."""

    start: int
    end: int
    label: str
    key: str
    name: str
    attrs: dict[str, Any] = field(default_factory=dict)
    demonym: bool = False
    nested: bool = False  # may overlap other mentions (triggered events)
    source: str = ""  # what found it, when a rule did ("club", "squad"): relation rules read it


# The particles inside a name that stay lowercase ("alexander von humboldt", "vincent van gogh").
NAME_PARTICLES = frozenset({"von", "van", "der", "den", "du", "da", "del", "della", "dos", "das"})


def _display(span: Span | list[Token]) -> str:
    """Properly cased display name, keeping the text's own spacing ("ITAR-Tass")."""
    out: list[str] = []
    for tok in span:
        text = tok.text
        if text[:1].islower() and tok.lower_ not in events.SMALL_WORDS and not (out and tok.lower_ in NAME_PARTICLES):
            text = "-".join(part[:1].upper() + part[1:] for part in text.split("-"))
        out.append(text + tok.whitespace_)
    return "".join(out).strip()


def _plural_of_everyday(low: str) -> bool:
    """"countries", "boxes": the plural of an everyday word (the table may not
    know the plural so)."""
    if len(low) < 4 or not low.endswith("s"):
        return False
    stems = [low[:-1]] + ([low[:-2]] if low.endswith("es") else []) + ([low[:-3] + "y"] if low.endswith("ies") else [])
    return any(_everyday_word(stem) for stem in stems)


def _is_title_word(low: str) -> bool:
    return low in HONORIFICS or low in ROLE_HEADS or low in ROLE_MODIFIERS


def _everyday_word(low: str) -> bool:
    """A word written lowercase in running text and seldom a name ("said",
    "footballer", "vs"), per the truecasing table."""
    table = case_table()
    return (low in table.lower and low not in table.ambiguous and low not in table.cased) or low in ("vs", "v")


def clean_person(span: Span, uncased: bool = False) -> tuple[int, int] | None:
    """Token range of the name proper, titles and possessives stripped; None if
    nothing name-like is left ("supreme leader", "un"). `uncased`: the original
    text had no case (the model read a truecased copy)."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (_is_title_word(doc[start].lower_)
                           or (not doc[start].is_alpha and doc[start].lower_ not in HONORIFICS
                               and not (_INITIALS.match(doc[start].text)
                                        and doc[start].lower_ not in gazetteer.load_gazetteer().country_terms))):
        start += 1
    while end > start and (doc[end - 1].lower_ in ("'s", "'") or doc[end - 1].is_punct):
        end -= 1
    # In text without case, the model's person spans swallow the words around a
    # name ("footballer ryan giggs", "enrique said"): an everyday lowercase word
    # at either edge is not part of the name.
    if uncased:  # the tagger still reads "kim il sung" as a name, "enrique said" as a verb
        while end - start > 1 and (doc[start].lower_ in PERSON_NOUNS or (
                _everyday_word(doc[start].lower_) and doc[start].pos_ != "PROPN")):
            start += 1
        while end - start > 1 and _everyday_word(doc[end - 1].lower_) and doc[end - 1].pos_ != "PROPN":
            end -= 1
    # a plural role word ends no name ("referee : martin atkinson managers : tony pulis");
    # a singular one may ("billie jean king", "philip head")
    while end - start > 1 and doc[end - 1].lower_.endswith("s") and (
            doc[end - 1].lower_[:-1] in ROLE_HEADS or doc[end - 1].lower_[:-2] in ROLE_HEADS):
        end -= 1
    toks = doc[start:end]
    if not len(toks):
        return None
    if uncased and len(toks) == 1 and (_everyday_word(toks[0].lower_) or toks[0].lower_ in PERSON_NOUNS):
        return None  # "stats", "kittens", "liar": a word the truecaser or the model took for a name
    titled = start > span.start or (start > 0 and _is_title_word(doc[start - 1].lower_))
    if uncased and len(toks) == 1 and titled and (_plural_of_everyday(toks[0].lower_) or (
            toks[0].lower_ == "states" and doc[start - 1].lower_ == "member")):
        return None  # "eu member countries", "eu member states" ("state" also names: "islamic state")
    if any(t.like_num or any(c.isdigit() for c in t.text) for t in toks):
        return None
    if len(toks) == 1 and (len(toks.text) <= 2 or toks[0].lower_ in STOP_WORDS):
        return None
    if all(t.lower_ in STOP_WORDS or _is_title_word(t.lower_) for t in toks):
        return None
    return start, end


_MONTH_NAMES = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                          "september", "october", "november", "december"})
# Words before a month that make it the month ("in may backing ...", "last november 's vote").
_MONTH_BEFORE = frozenset({"in", "on", "since", "until", "till", "by", "from", "of", "during", "last", "next",
                           "this", "early", "late", "mid", "the", "before", "after", "through", "between", "for"})
_YEAR_RANGE = re.compile(r"^(1[89]|20)\d\d-\d\d$")  # "2012-13": a season or financial year


def _without_month_name(span: Span) -> Span:
    """A date span whose last word is a month used as a name ("back in 2007 . ' june said",
    "when billy came back june was"): the month is a person (or nothing), not part of the date."""
    doc = span.doc
    end = span.end
    month = end - 1
    if end < len(doc) and doc[month].lower_ in _MONTH_NAMES and (
            doc[end].lower_ in ("'s", "'") or doc[end].pos_ in ("VERB", "AUX")) and not (
            month > 0 and (doc[month - 1].lower_ in _MONTH_BEFORE or doc[month - 1].like_num)):
        end -= 1
        while end > span.start and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
    return doc[span.start:end]


def _date_source(span: Span, value: str) -> str:
    """Decades ("the 1980s") and seasons or financial years ("2012-13") are no calendar
    date an analyst would list: calibrated apart from the model's other dates."""
    if value.endswith("X") and not value.startswith("X"):
        return "model_decade"
    doc = span.doc
    words = doc[span.start:min(len(doc), span.end + 2)]
    if any(_YEAR_RANGE.match(t.text) or (
            len(t.text) == 4 and t.is_digit and t.i + 2 < len(doc) and doc[t.i + 1].text == "-"
            and len(doc[t.i + 2].text) == 2 and doc[t.i + 2].is_digit) for t in words[:len(span)]):
        return "model_year_range"
    return "model_date"


def _event_type(text: str) -> str:
    low = text.lower()
    for word, kind in (("war", "war"), ("summit", "summit"), ("election", "election"),
                       ("olympic", "sports"), ("cup", "sports"), ("anniversary", "anniversary"),
                       ("day", "holiday"), ("sanction", "sanction"), ("visit", "visit"),
                       ("meeting", "meeting"), ("talks", "meeting")):
        if word in low.split() or low.endswith(word):
            return kind
    return "event"


class _Occupancy:
    def __init__(self, n: int) -> None:
        self.taken = [False] * n

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.taken[i] = True


def collect_candidates(doc: Doc, document: Document) -> list[Cand]:
    gaz = gazetteer.load_gazetteer()
    occ = _Occupancy(len(doc))
    uncased = looks_uncased(document.text)
    cands: list[Cand] = []

    def accept(cand: Cand) -> None:
        if not cand.name.strip() or not str(cand.key).strip("-"):
            return  # nothing nameable (a span of punctuation, say)
        if not cand.nested:
            occ.take(cand.start, cand.end)
        cands.append(cand)

    # a) named events by rule; a span that cuts a club's name in two is no event
    # ("manchester | united fans show")
    clubs = sports.club_mentions(doc)
    for span in doc.spans.get(events.SPAN_KEY, []):
        if any(c_start < span.start < c_end or c_start < span.end < c_end for c_start, c_end, _ in clubs):
            continue
        accept(Cand(span.start, span.end, "Event", slug(span.kb_id_), span.kb_id_, {"type": span.label_},
                    source="event_rule"))
        # the two sides that name a war ("iran - iraq war") are mentions of their countries
        for side in events.war_sides(doc, span.start, span.end) or ():
            accept(_country(side, nested=True))
        # a year that opens the name, or stands right before it, is the event's date
        # too ("the 2015 general election", "the 1982 falklands war")
        for i in (span.start, span.start - 1):
            word = doc[i] if i >= 0 else None
            named_year = normalize_date(word.text, document.date) if word is not None and word.is_digit \
                and len(word.text) == 4 else None
            if named_year is not None and named_year.attributes().get("precision") == "year":
                accept(Cand(i, i + 1, "Date", named_year.value, named_year.value, named_year.attributes(),
                            source="event_year", nested=i >= span.start))
                break
    # a') sports grounds and arenas ("old trafford", "villa park"), before a club takes
    # the club's name inside them; then sports clubs, before places and people take
    # their city's or a player's name
    for start, end, venue in known_venues().matches(doc):
        if occ.free(start, end) and not venue.everyday:
            accept(Cand(start, end, "Place", slug(venue.name), venue.name, source="venue"))
    for start, end, club in clubs:
        if occ.free(start, end):
            accept(Cand(start, end, "Organization", slug(club), club, source="club"))
    # a'') organisations the news names without saying what they are ("cnn", "oxfam");
    # an everyday word ("apple", "labour") only where the text capitalises it
    state_prefix = {span.end: span for span in doc.spans.get(gazetteer.SPAN_KEY, [])
                    if span.label_ == "Country" and span.id_ != "demonym" and span.text.lower() in STATE_ABBREVIATIONS}

    def state_body(start: int, end: int, name: str | None = None) -> bool:
        """Takes "u.s. | department of justice" as one body with its state nested in
        it, when a state's abbreviation opens a state body's name at `start`."""
        prefix = state_prefix.get(start)
        if prefix is None or not any(t.lower_ in GOVERNMENT_BODY_WORDS for t in doc[start:end]) \
                or not occ.free(prefix.start, end):
            return False
        name = f"{_display(prefix)} {name}" if name else _display(doc[prefix.start:end])
        accept(Cand(prefix.start, end, "Organization", slug(name), name, source="state_body"))
        accept(_country(prefix, nested=True))
        return True

    gazetteer_tokens = {i for span in doc.spans.get(gazetteer.SPAN_KEY, []) for i in range(span.start, span.end)}
    opens_before: dict[int, Span] = {}  # a model's ORG span by its end, where it opens with a word of its own
    runs_on: dict[int, Span] = {}  # and by its start
    for ent in doc.ents:
        span = _strip_det(ent)
        if ent.label_ == "ORG" and len(span) > 1:
            opens_before[span.end] = span
            runs_on[span.start] = span
    for start, end, known in known_organizations().matches(doc):
        longer = opens_before.get(end)
        if longer is not None and longer.start < start and all(
                doc[i].is_alpha and i not in gazetteer_tokens for i in range(longer.start, start)):
            continue  # "the social democratic party": a longer name than the "democratic party" known
        # "the european union chamber of commerce", "the un development fund": a body of its
        # own, named after the known one (not "the senate chamber", the senate's room)
        longer = runs_on.get(start)
        if longer is not None and longer.end > end and (
                any(t.lower_ in ORG_WORDS for t in doc[end:longer.end])
                or (longer.end > end + 1 and any(t.lower_ in GENERIC_BODY_NOUNS for t in doc[end:longer.end]))):
            continue
        if occ.free(start, end) and (not known.everyday or doc[start].text[:1].isupper()) \
                and not state_body(start, end, known.name):
            accept(_org_named(doc[start:end], known.name, "known_org"))
    # a''') a party's adjective before a role ("tory benefits chief iain duncan smith",
    # "republican senator rand paul"): the party, which the role belongs to
    for i, tok in enumerate(doc):
        party = PARTY_ADJECTIVES.get(tok.lower_)
        if party is not None and occ.free(i, i + 1) and any(
                t.lower_ in ROLE_HEADS for t in doc[i + 1:i + 4] if not t.is_punct):
            accept(_org_named(doc[i:i + 1], party, "party_word"))
    # a'''') the names in a team sheet ("provisional squad :" then "myhill , rose , ...")
    for start, end in squad_names(doc):
        if occ.free(start, end):
            accept(replace(_person(doc[start:end]), source="squad"))
    ents = [_with_place_opener(ent, gaz) for ent in doc.ents]
    if uncased:
        ents = _coordinated_bodies(ents)
    # b) organisations that contain an organisation word beat the gazetteer ("bank of america");
    # a state's abbreviation before a state body is part of its name ("u.s. department of justice")
    for ent in ents:
        span = _strip_det(ent)
        if ent.label_ == "ORG" and len(_acronym_head(span, uncased)) < len(span):
            continue  # "AFP news agency", "fidesz party": the model's other entities take the name
        if ent.label_ == "ORG" and len(span) > 1 and any(t.lower_ in ORG_WORDS for t in ent) \
                and occ.free(ent.start, ent.end) and not state_body(span.start, span.end):
            body = _topic_tail(_after_kind_noun(ent)) if uncased else ent  # "the ministry for education and research"
            accept(replace(_org(body if occ.free(body.start, body.end) else ent), source="org_word"))
        elif ent.label_ == "PERSON" and len(span) > 1 and span[-1].lower_ in BODY_ENDINGS \
                and occ.free(span.start, span.end):
            # "the alexander von humboldt foundation": a body named after a person
            accept(replace(_org(span), source="org_word"))
    # a state body no model named: "the u.s. census bureau"
    for end in list(state_prefix):
        stop = next((k for k in range(end, min(end + 3, len(doc))) if doc[k].lower_ in GOVERNMENT_BODY_WORDS), None)
        if stop is not None and all(t.is_alpha for t in doc[end:stop + 1]):
            state_body(end, stop + 1)
    # c) countries and demonyms
    places = []
    for span in doc.spans.get(gazetteer.SPAN_KEY, []):
        if span.label_ == "Place":
            places.append(span)
            continue
        if occ.free(span.start, span.end):
            if span.id_ != "demonym" and span.end < len(doc) and word_at(doc, span.end)[0] in SPORT_ROLES \
                    and sports.is_sports_story(doc):
                # "england flanker tom wood": the national team, an organisation
                team = _display(doc[span.start:span.end])
                accept(Cand(span.start, span.end, "Organization", slug(team), team, source="club"))
                continue
            accept(_country(span))
    # c') the body a role belongs to, named after "ROLE of|at" though no model saw a
    # name there ("chief executive of nsw business chamber", "founder of hanson robotics")
    chunks: dict[int, Span] | None = None  # the noun chunks, read once the first role is found
    topic_bodies = dict(_body_noun_phrases(doc)) if uncased else {}
    for i in range(len(doc) - 2):
        if doc[i].lower_ not in ROLE_HEAD_FIRST_WORDS:
            continue
        word, nxt = word_at(doc, i)
        if word not in ROLE_HEADS or nxt >= len(doc) or doc[nxt].lower_ not in ("of", "at"):
            continue
        if chunks is None:
            chunks = {c.start: c for c in doc.noun_chunks} if doc.has_annotation("DEP") else {}
        start = nxt + 1 + (1 if nxt + 1 < len(doc) and doc[nxt + 1].lower_ == "the" else 0)
        chunk = chunks.get(start) or chunks.get(start - 1)
        if chunk is None:
            continue
        end = chunk.end
        if uncased:  # the parse may cut "the human rights | monitoring institute"
            end = max(end, topic_bodies.get(start, end))
        words = [t for t in doc[start:end] if t.is_alpha or t.text in ("&", "'s")]
        # "professor of plant breeding" names a field: where the text has case, a name
        # has a capital; without case, a teacher's "of" names a body only after "the"
        field = not any(t.text[:1].isupper() for t in words) if not uncased else (
            word in TEACHING_ROLES and doc[nxt].lower_ == "of" and doc[nxt + 1].lower_ != "the")
        # "the fashion trade magazine | modenwelt": what kind it is, then its name (d')
        described = doc[end - 1].lower_ in COMPANY_NOUNS and end < len(doc) and doc[end].is_alpha \
            and doc[end].lower_ not in STOP_WORDS
        if len(words) >= 2 and end - start == len(words) and doc[end - 1].lower_ not in GENERIC_BODIES \
                and not field and not described \
                and not any(t.pos_ == "PRON" for t in words) and occ.free(start, end):
            body = _acronym_head(doc[start:end], uncased)  # "leader of the ccoo trade union"
            body = _after_described_kind(body, uncased)
            accept(replace(_org(body), source="role_of_body"))
    # c'') "hmp altcourse": a prison, named as the prison service names them, whatever
    # the model took it for
    for ent in ents:
        span = _strip_det(ent)
        if len(span) > 1 and span[0].lower_ in INSTITUTION_PREFIXES and occ.free(span.start, span.end):
            name = f"{span[0].text.upper()} {_display(span[1:])}"
            accept(Cand(span.start, span.end, "Organization", slug(name), name, source="institution_prefix"))
    # d) people; a place at the edge of a longer name is cut off ("moscow kim jong un")
    place_tokens = {i for p in places for i in range(p.start, p.end)}
    for ent in ents:
        if ent.label_ != "PERSON" and not _titled_name(ent):
            continue
        start, end = ent.start, ent.end
        if uncased and ent.label_ == "PERSON":
            start = _unknown_first_name(doc, start, occ)
        while start < end and (occ.taken[start] or (start in place_tokens and end - start > 2)):
            start += 1
        while end > start and (occ.taken[end - 1] or (end - 1 in place_tokens and end - start > 2)):
            end -= 1
        rng = clean_person(doc[start:end], uncased) if end > start else None
        if rng is None or not occ.free(*rng):
            continue
        if doc[rng[0]:rng[1]].text.lower() in gaz.country_terms:
            continue
        if rng[1] - rng[0] == 1 and any(p.start == rng[0] and p.end == rng[1] for p in places):
            continue  # a lone word that names a known place is the place ("warrington")
        town_span = _town_placed_as_person(doc, rng, places, occ) if ent.label_ == "PERSON" else None
        if town_span is not None:
            # "near melton mowbray , leicestershire": a town the gazetteer does not know,
            # which the region after it places; the model took it for a name
            name = _display(doc[town_span[0]:town_span[1]])
            accept(Cand(town_span[0], town_span[1], "Place", slug(name), name, source="town_before_region"))
            continue
        if rng[1] - rng[0] > 1 and doc[rng[1] - 1].lower_ in PERSONLESS_VENUE_WORDS:
            accept(replace(_org(doc[rng[0]:rng[1]]), label="Place", source="model_venue"))  # "wembley arena"
            continue
        split = _body_role_name(doc, *rng)
        if split is not None:
            # "transip ceo jeroen hupscher": the body, the role, then the person
            if occ.free(rng[0], split[0]):
                accept(replace(_org(doc[rng[0]:split[0]]), source="body_in_name"))
            rng = (split[1], rng[1])
        if rng[0] > 0 and doc[rng[0] - 1].lower_ in COMPANY_NOUNS and doc[rng[0] - 1].lower_ not in ("team", "club"):
            accept(replace(_org(doc[rng[0]:rng[1]]), source="model_company"))  # "hosting company transip"
            continue
        accept(replace(_person(doc[rng[0]:rng[1]]), source="model_person" if ent.label_ == "PERSON" else "titled_name"))
    # d') a name right after a company noun that no model or rule took ("dutch hosting
    # company TransIP"): the company
    in_place = {i for span in places for i in range(span.start, span.end)}
    demonym_ends = {span.end for span in doc.spans.get(gazetteer.SPAN_KEY, []) if span.id_ == "demonym"}
    model_ends = {ent.start: ent.end for ent in ents}
    for i, tok in enumerate(doc[:-1]):
        address = tok.lower_ in ("website", "site") and doc[i + 1].like_url  # "the website www.x.net"
        if (tok.lower_ in COMPANY_NOUNS and tok.lower_ not in ("team", "club")) or address:
            # "daily" and "weekly" are the press only after a nationality ("the italian
            # daily corriere della sera"), not in "daily life"
            if tok.lower_ in ("daily", "weekly") and i not in demonym_ends:
                continue
            end = i + 1
            while end < len(doc) and end - i <= 3 and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper() \
                    and doc[end].lower_ not in _MONTH_NAMES and end not in in_place:
                end += 1
            if end == i + 1 and doc[end].like_url:
                end += 1  # "the opposition website www.rahesabz.net", in any case
            # the model's whole name, which may open with the noun ("[daily] corriere della sera")
            whole = max(model_ends.get(i + 1, 0), model_ends.get(i, 0))
            if end > i + 1 and whole > end:
                end = whole
            if end > i + 1 and occ.free(i + 1, end):
                company = _org(doc[i + 1:end])
                if doc[i + 1].like_url:  # an address is written as it is, in lowercase
                    company = replace(company, key=slug(doc[i + 1].lower_), name=doc[i + 1].lower_)
                accept(replace(company, source="company_noun"))
    # d'') a place's police ("denver police said"): the force, named after its place
    for span in places:
        if span.end < len(doc) and doc[span.end].lower_ == "police" and occ.free(span.start, span.end + 1):
            name = f"{gaz.places[int(span.kb_id_)].name} Police"
            accept(Cand(span.start, span.end + 1, "Organization", slug(name), name, source="place_police"))
            accept(_gazetteer_place(span, nested=True))
    # d''') a facility named after its place ("denver international airport",
    # "lackland air force base"): the facility, a place of its own
    for span in places:
        tail = _facility_tail(doc, span.end)
        if tail and occ.free(span.start, span.end + tail):
            name = f"{gaz.places[int(span.kb_id_)].name} {_display(doc[span.end:span.end + tail])}"
            accept(Cand(span.start, span.end + tail, "Place", slug(name), name, source="place_facility"))
            accept(_gazetteer_place(span, nested=True))  # the airport names its city: both are there
    for ent in ents:
        if ent.label_ not in ("ORG", "FAC", "GPE", "LOC", "PERSON") or len(ent) > 4 \
                or not occ.free(ent.start, ent.end):
            continue
        span = _strip_det(ent)
        # the tail may start inside the model's span ("lackland air force | base")
        end = next((ent.end - back + tail for back in (0, 1, 2)
                    for tail in [_facility_tail(doc, ent.end - back)] if tail > back and ent.end - back > span.start),
                   0)
        if end and len(span) and occ.free(span.start, end):
            name = _display(doc[span.start:end])
            accept(Cand(span.start, end, "Place", slug(name), name, source="name_facility"))
    # e) places; a compass point before one names a part of it ("south london")
    for span in places:
        if occ.free(span.start, span.end):
            start = span.start
            if start > 0 and doc[start - 1].lower_ in COMPASS and occ.free(start - 1, start):
                place = _gazetteer_place(span)
                name = f"{_display(doc[start - 1:start])} {place.name}"
                accept(Cand(start - 1, span.end, "Place", slug(name), name,
                            {k: v for k, v in place.attrs.items() if k == "country_code"}, source="gazetteer_place"))
                continue
            accept(_gazetteer_place(span))
    # f) the model's other entities; a known person's name stays a person
    people = {tuple(t.lower_ for t in doc[c.start:c.end]) for c in cands if c.label == "Person"}
    place_starts = {span.start for span in places}
    for ent in ents:
        # "in montebello , quebec" (one GPE with its region), "in la malbaie , quebec"
        # (taken for a body): a town the gazetteer does not know, placed by the region
        # the text names after it
        town = next((t for whole in (False, True) if ent.label_ in ("GPE", "LOC", "ORG")
                     for t in [_town_before_region(ent, place_starts, occ, whole=whole)] if t is not ent), None)
        if town is not None:
            name = _display(town)
            accept(Cand(town.start, town.end, "Place", slug(name), name, source="town_before_region"))
            continue
        if not occ.free(ent.start, ent.end) or tuple(t.lower_ for t in _strip_det(ent)) in people:
            continue
        region = _before_region_noun(_strip_det(ent)) if uncased else None
        if region is not None:
            name = _display(region)
            accept(Cand(region.start, region.end, "Place", slug(name), name, source="model_place"))
            continue
        if ent.label_ == "ORG":
            span = _strip_det(_after_kind_noun(ent) if uncased else ent)
            # in text without case, "the university said", "the bank": a body's common
            # noun the truecaser capitalised (it opens many names), no name of its own
            head = _acronym_head(span, uncased)
            # (a name its kind's noun followed, "the zelvor party", is a body's by that noun)
            if len(head) and (len(head) < len(span) or _org_like(head)) and not (
                    uncased and len(head) == 1 and head[0].lower_ in GENERIC_BODY_NOUNS
                    and not _one_body_of_kind(cands, head[0].lower_)) and not (
                    uncased and len(head) > 1 and head[-1].lower_ in PERSON_ROLE_ENDINGS):
                accept(replace(_org(head), source="model_org"))
        elif ent.label_ == "EVENT":
            span = _strip_det(ent)
            if len(span) and not events.league_games([t.lower_ for t in span]):
                name = events.event_title([t.text for t in span])
                accept(Cand(span.start, span.end, "Event", slug(name), name, {"type": _event_type(name)},
                            source="model_event"))
        elif ent.label_ in ("GPE", "LOC", "FAC"):
            span = _strip_det(ent)
            if len(span) and span.text[:1].isupper() and not all(t.lower_ in STOP_WORDS for t in span):
                name = _display(span)
                accept(Cand(span.start, span.end, "Place", slug(name), name, source="model_place"))
    # f') without case, "the interior ministry", "the human rights monitoring institute":
    # what text with case writes as a body's name
    if uncased:
        for start, end in _body_noun_phrases(doc):
            if occ.free(start, end):
                name = _display(doc[start:end])
                accept(Cand(start, end, "Organization", slug(name), name, source="body_noun_phrase"))
    # f'') "said commission spokesman karel novak": the one commission the story names,
    # by its common noun before a role
    for tok in doc[:-1]:
        after = doc[tok.i + 1].lower_
        role_end = tok.i + 2 if after in ROLE_HEADS else tok.i + 3 if (
            after in ROLE_MODIFIERS and tok.i + 2 < len(doc) and doc[tok.i + 2].lower_ in ROLE_HEADS) else 0
        # not "party leader of the spd", whose holder the "of" names
        if tok.lower_ in OFFICIAL_BODY_NOUNS and role_end and occ.free(tok.i, tok.i + 1) \
                and (role_end >= len(doc) or doc[role_end].lower_ != "of"):
            bodies = _bodies_of_kind(cands, tok.lower_)
            if len(bodies) == 1:
                named = next(iter(bodies.values()))
                accept(Cand(tok.i, tok.i + 1, "Organization", named.key, named.name, source="short_body"))
    # g) dates
    for ent in ents:
        if ent.label_ == "DATE" and occ.free(ent.start, ent.end):
            span = _without_month_name(ent)
            value = normalize_date(span.text, document.date) if len(span) else None
            if value is not None:
                accept(Cand(span.start, span.end, "Date", value.value, value.value, value.attributes(),
                            source=_date_source(span, value.value)))
    # dates the model missed: weekdays ("said on tuesday ."; anchored by the publication date or
    # dropped) and years after a preposition ("collapsed in 1991.")
    for tok in doc:
        year = bool(_YEAR.match(tok.text)) and tok.i > 0 and doc[tok.i - 1].lower_ in _YEAR_PREPS
        if (tok.lower_ in WEEKDAYS or year) and occ.free(tok.i, tok.i + 1):
            value = normalize_date(tok.text, document.date)
            if value is not None:
                accept(Cand(tok.i, tok.i + 1, "Date", value.value, value.value, value.attributes(), source="rule_date"))
    _anchor_months(cands)
    # document-level consistency: a name found once is that entity everywhere
    _short_names_in_brackets(doc, cands, occ, uncased)
    _scan_repeats(doc, cands, occ)
    _surnames_the_model_mislabelled(cands)
    _towns_the_model_called_people(doc, cands, occ)
    _namesakes_the_text_places(doc, cands)
    _merge_surnames(cands)
    _merge_short_bodies(cands)
    _anniversaries(doc, document, cands)
    cands.sort(key=lambda c: (c.start, -c.end))
    return cands


# Words that make a name a body's, not a town's ("valdosta state university , georgia").
BODY_WORDS = frozenset({
    "university", "college", "school", "company", "group", "bank", "council", "court", "police", "department",
    "agency", "party", "club", "association", "institute", "hospital", "church", "inc", "ltd", "corp", "trust",
    "foundation", "society", "union", "ministry", "office", "board", "commission", "airport", "station",
})
_BEFORE_TOWN = frozenset({"in", "near", "outside"})


def _town_before_region(ent: Span, place_starts: set[int], occ: _Occupancy, whole: bool = False) -> Span:
    """'in montebello , quebec': the words before ', REGION' name a town the
    gazetteer does not know. The model's span may cover the region too
    ('Montebello , Quebec' as one GPE); `whole`: the span itself must end
    right before the comma (an ORG span 'La Malbaie'). Returns the town's span,
    or `ent` itself when the pattern does not hold."""
    doc = ent.doc
    comma = ent.end if whole else next((t.i for t in ent if t.text == ","), None)
    if comma is None or comma <= ent.start or comma + 1 >= len(doc) or doc[comma].text != ",":
        return ent
    if comma + 1 not in place_starts or ent.start == 0 or doc[ent.start - 1].lower_ not in _BEFORE_TOWN:
        return ent
    town = doc[ent.start:comma]
    if not town.text[:1].isupper() or any(t.lower_ in BODY_WORDS for t in town) or not occ.free(town.start, town.end):
        return ent
    return Span(doc, town.start, town.end, label="GPE")


def _town_placed_as_person(doc: Doc, rng: tuple[int, int], places: list[Span],
                           occ: _Occupancy) -> tuple[int, int] | None:
    """'near melton mowbray , leicestershire': a name the model took for a
    person's is a town where _town_before_region finds towns (after "in",
    "near" or "outside", before ", REGION"), when the region is no owner ("in
    boris johnson , london 's mayor") nor the first of a list of places. In
    text without case the model's name may start a word late ("near chipping |
    norton"): the word between the preposition and the name opens the town's.
    Returns the town's span."""
    start, end = rng
    if start > 1 and doc[start - 2].lower_ in _BEFORE_TOWN and doc[start - 1].is_alpha \
            and doc[start - 1].lower_ not in STOP_WORDS and occ.free(start - 1, start):
        start -= 1
    if start == 0 or doc[start - 1].lower_ not in _BEFORE_TOWN or end + 1 >= len(doc) or doc[end].text != ",":
        return None
    regions = [p.end for p in places if p.start == end + 1]
    if not regions or any(t.lower_ in BODY_WORDS for t in doc[start:end]) or not occ.free(start, end):
        return None
    after = max(regions)
    if after < len(doc) and doc[after].lower_ in ("'s", "'", "and", "or"):
        return None
    return start, end


def _namesakes_the_text_places(doc: Doc, cands: list[Cand]) -> None:
    """"valencia , spain": where the text puts a place in a country, and the
    gazetteer knows a place of that name there, the place is that one, not the
    gazetteer's guess (the biggest of the name, Venezuela's), in every mention of
    the document."""
    gaz = gazetteer.load_gazetteer()
    countries = {c.start: c for c in cands if c.label == "Country" and not c.demonym and not c.nested}
    chosen: dict[str, gazetteer.PlaceInfo] = {}
    for cand in cands:
        code = cand.attrs.get("country_code")
        country = countries.get(cand.end + 1)
        if cand.label != "Place" or cand.source != "gazetteer_place" or not code or country is None \
                or cand.end >= len(doc) or doc[cand.end].text != ",":
            continue
        there = country.attrs.get("iso_code")
        gid = gaz.namesakes.get(cand.name.lower(), {}).get(str(there))
        if there != code and gid is not None:
            chosen[cand.key] = gaz.places[gid]
    for cand in cands:
        info = chosen.get(cand.key)
        if info is not None:
            cand.key, ids = _place_identity(info)
            kept = {k: v for k, v in cand.attrs.items() if k not in ("geonames_id", "country_code")}
            cand.attrs = {**kept, **ids}


def _towns_the_model_called_people(doc: Doc, cands: list[Cand], occ: _Occupancy) -> None:
    """One name, one label: a town the text placed by its region
    (`town_before_region`) is that town where the model alone called it, or
    the end of it, a person ("the farmer lives in melton mowbray", "in
    chipping | norton")."""
    towns = {tuple(t.lower_ for t in doc[c.start:c.end]): c for c in cands if c.source == "town_before_region"}
    for cand in cands:
        if cand.label != "Person" or cand.source != "model_person":
            continue
        for form, town in towns.items():
            start = cand.end - len(form)
            if 0 <= start <= cand.start and tuple(t.lower_ for t in doc[start:cand.end]) == form \
                    and occ.free(start, cand.start):
                occ.take(start, cand.start)
                cand.start, cand.label, cand.key, cand.name = start, "Place", town.key, town.name
                cand.attrs, cand.source = dict(town.attrs), town.source
                break


# Heads that only a person can hold: a name right after one is a person's
# even when the model calls it something else ("chancellor olaf scholz" as ORG).
PERSON_TITLE_HEADS = frozenset({
    "president", "minister", "chancellor", "king", "queen", "prince", "princess", "emperor", "aide",
    "spokesman", "spokeswoman", "professor", "senator", "premier", "governor", "mayor", "ambassador",
    "pope", "secretary", "envoy", "prosecutor", "judge", "general", "ceo", "chairman", "chairwoman",
})


def _unknown_first_name(doc: Doc, start: int, occ: _Occupancy) -> int:
    """The model often starts a name one word late in truecased text ("rhodri |
    giggs"): a word before it that no table knows, the truecaser capitalised
    as a name, belongs to it."""
    table = case_table()
    if start > 0 and not occ.taken[start - 1]:
        tok = doc[start - 1]
        low = tok.lower_
        if tok.is_alpha and tok.is_title and len(low) > 2 and low not in table.lower and low not in table.cased \
                and low not in STOP_WORDS and not _is_title_word(low):
            return start - 1
    return start


def _opens_with_place(span: Span) -> bool:
    """The span's first words name a place the gazetteer knows ("miami | beach")."""
    terms = gazetteer.load_gazetteer().place_terms
    return any(" ".join(t.lower_ for t in span[:n]) in terms for n in range(1, len(span) + 1))


def _titled_name(ent: Span) -> bool:
    """A model span of 2-4 alphabetic tokens right after a person's title or a
    noun for a person ("us challenger eddie chambers"), or of one after a team
    role ("england flanker wood"); in text without case the span may open with
    that word ("challenger eddie chambers" as a place)."""
    if ent.label_ not in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "LOC") or not 1 <= len(ent) <= 4:
        return False
    if ent.label_ in ("GPE", "LOC", "FAC") and len(ent) >= 3 and ent[0].lower_ in PERSON_NOUNS | PERSON_TITLE_HEADS:
        ent = ent[1:]
    before = ent.doc[ent.start - 1].lower_ if ent.start else ""
    if ent.start >= 3 and ent.doc[ent.start - 2].text == "-":  # "full - back wood"
        before = word_at(ent.doc, ent.start - 3)[0]
    # (after a noun for a person, not a place the gazetteer knows: "veteran miami beach politician")
    if before not in PERSON_TITLE_HEADS and before not in SPORT_ROLES and before not in KIN and (
            before not in PERSON_NOUNS or len(ent) < 2 or _opens_with_place(ent)):
        return False
    if len(ent) == 1 and before not in SPORT_ROLES and before not in KIN:
        return False
    return all(t.is_alpha and t.lower_ not in ORG_WORDS and t.lower_ not in STOP_WORDS for t in ent)


COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                     "north-west", "north-east", "south-west", "south-east", "northwest", "northeast",
                     "southwest", "southeast"})
SQUAD_HEADS = frozenset({"squad", "xi", "team", "line-up", "lineup", "subs", "substitutes"})


def squad_names(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the names listed after a team-sheet heading: a line
    ending "squad :" (or "team :", "subs :"), then a line that is a comma list
    of one- to three-word lowercase names ending in a full stop."""
    out: list[tuple[int, int]] = []
    lines: list[list[int]] = [[]]
    for tok in doc:
        if "\n" in tok.text:
            lines.append([])
            continue
        lines[-1].append(tok.i)
        if "\n" in tok.whitespace_:
            lines.append([])
    for head, body in itertools.pairwise(lines):
        words = [doc[i].lower_ for i in head]
        if len(words) < 2 or words[-1] != ":" or words[-2] not in SQUAD_HEADS:
            continue
        items: list[list[int]] = [[]]
        for i in body:
            if doc[i].text in (",", "."):
                items.append([])
            else:
                items[-1].append(i)
        items = [it for it in items if it]
        if len(items) < 5 or any(len(it) > 3 or not all(doc[i].is_alpha or "-" in doc[i].text or "'" in doc[i].text
                                                        for i in it) for it in items):
            continue
        out.extend((it[0], it[-1] + 1) for it in items)
    return out


# Lowercase words after a body's one-word name that say what kind of body it is
# ("the fidesz party", "the ccoo trade union", "the bild newspaper"), not part of it.
BODY_KIND_TAILS = frozenset({("party",), ("union",), ("trade", "union"), ("union", "confederation"),
                             ("movement",)})
# "the socialist party", "the african union": an adjective and its noun are the name
ADJECTIVE_ENDINGS = ("ist", "ic", "al", "ive", "an", "ish", "ese", "ian")
# The same for the press, where the name may be an everyday word ("the guardian newspaper")
MEDIA_KIND_TAILS = frozenset({("newspaper",), ("daily",), ("magazine",), ("weekly",), ("tabloid",), ("radio",),
                              ("broadcaster",), ("news", "agency"), ("news", "service")})


def _acronym_head(span: Span, uncased: bool = False) -> Span:
    """An acronym and the lowercase words that say what it is ("AFP news agency"),
    or a one-word name that is no everyday word and the kind of body it is
    ("fidesz party", "ver.di trade union"; "the green party" keeps its "party"):
    the name alone; any other span as it is. In text without case (read through
    its truecased copy) the kind's words count whatever case the copy gave them."""
    if len(span) < 2:
        return span
    lower_tail = all(t.text.islower() for t in span[1:])
    if lower_tail and span[0].text.isupper() and len(span[0].text) > 1 and span[0].is_alpha:
        return span[:1]
    kind = tuple(t.lower_ for t in span[1:])
    if (lower_tail or uncased) and len(span[0].text) > 1 and span[0].lower_ not in STOP_WORDS and (
            kind in MEDIA_KIND_TAILS or (kind in BODY_KIND_TAILS and not _everyday_word(span[0].lower_)
                                         and not span[0].lower_.endswith(ADJECTIVE_ENDINGS))):
        return span[:1]
    return span


def _org_like(span: Span) -> bool:
    if all(t.lower_ in STOP_WORDS or _is_title_word(t.lower_) for t in span):
        return False
    if len(span) == 1:  # "Supreme leader", "International backlash": adjectives, not names
        tok = span[0]
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        kind = nxt is not None and any(nxt.lower_ == tail[0] for tail in BODY_KIND_TAILS | MEDIA_KIND_TAILS)
        if tok.pos_ == "ADJ" or (nxt is not None and nxt.lower_ in ROLE_HEADS) or (
                nxt is not None and nxt.is_lower and nxt.pos_ == "NOUN" and not tok.is_upper and not kind):
            return False  # ("the Zelvor party": the noun says what the name is)
    return True


# The kinds of body a story shortens to their common noun once it has named one
# ("the european commission ... the commission said"). Not "house" (the white house
# and the house of representatives), "government", "union" or "group", which
# stand for other bodies as often.
SHORTENED_BODY_NOUNS = frozenset({
    "commission", "ministry", "bank", "council", "court", "parliament", "university", "institute",
    "foundation", "agency", "committee", "party", "academy", "museum", "hospital", "college", "assembly",
    "department", "authority", "board", "federation", "association",
})


# Of those, the official bodies whose common noun before a role is the one body
# of the story ("commission spokesman", "ministry official"); not "a university
# professor", "party leader" or "board member", said of any such body.
OFFICIAL_BODY_NOUNS = frozenset({
    "commission", "ministry", "council", "court", "parliament", "committee", "agency", "bank", "federation",
    "association", "department", "assembly",
})


def _bodies_of_kind(cands: list[Cand], noun: str) -> dict[str, Cand]:
    return {c.key: c for c in cands if c.label == "Organization" and not c.nested
            and len(c.name.split()) > 1 and c.name.split()[-1].lower() == noun}


def _one_body_of_kind(cands: list[Cand], noun: str) -> bool:
    """The story names exactly one body of this kind: there the common noun,
    capitalised, is that body's short name."""
    return noun in SHORTENED_BODY_NOUNS and len(_bodies_of_kind(cands, noun)) == 1


def _merge_short_bodies(cands: list[Cand]) -> None:
    """'the commission' after 'the european commission': one body, when the story
    names only one of its kind (`SHORTENED_BODY_NOUNS`)."""
    for cand in cands:
        noun = cand.name.lower()
        if cand.label == "Organization" and " " not in noun and noun in SHORTENED_BODY_NOUNS:
            bodies = _bodies_of_kind(cands, noun)
            if len(bodies) == 1:
                full = next(iter(bodies.values()))
                cand.key, cand.name = full.key, full.name


# The last words of the bodies that text without case names by what they do ("the
# interior ministry", "the election commission"): with case, names.
NAMED_BY_TOPIC_HEADS = frozenset({
    "ministry", "institute", "commission", "agency", "committee", "council", "bureau", "authority",
    "federation", "association", "foundation", "court", "department",
})
# Words before such a head that say which of many it is, not what it is called.
NOT_A_NAME_MODIFIER = frozenset({
    "local", "new", "other", "same", "own", "former", "previous", "next", "first", "last", "top", "main",
    "whole", "entire", "such", "various", "relevant", "appropriate", "responsible", "big", "small", "large",
    "major", "recent", "current", "present", "separate", "official", "regional", "several", "many", "few",
    "each", "every", "this", "that", "these", "those", "its", "their", "his", "her", "our", "your", "my",
    "powerful", "influential", "independent", "special", "joint", "lower", "higher", "city", "town", "county",
    "state", "district", "parish", "village", "municipal", "provincial", "citizens", "advisory", "executive",
    "disciplinary", "organising", "organizing", "selection", "steering", "ethics",
})


def _body_noun_phrases(doc: Doc) -> Iterator[tuple[int, int]]:
    """(the | 's) MODIFIER{1,3} HEAD, the modifiers nouns or adjectives of their
    own ("the interior ministry", "india 's home ministry", "the human rights
    monitoring institute"), not those that only say which one ("the local council")."""
    for tok in doc:
        if tok.lower_ not in NAMED_BY_TOPIC_HEADS or tok.i == 0:
            continue
        start = tok.i
        while tok.i - start < 3 and start > 0:
            prev = doc[start - 1]
            if not prev.is_alpha or prev.lower_ in NOT_A_NAME_MODIFIER or prev.lower_ in STOP_WORDS \
                    or (prev.pos_ not in ("NOUN", "PROPN", "ADJ") and prev.tag_ != "VBG"):
                break
            start -= 1
        if start < tok.i and start > 0 and doc[start - 1].lower_ in ("the", "'s", "’s"):
            yield start, tok.i + 1


# Common nouns of bodies: alone, in text without case, no name ("the university
# said"); the truecaser capitalises them because they open so many names.
GENERIC_BODY_NOUNS = frozenset({
    "university", "bank", "house", "parliament", "chamber", "commission", "foundation", "community", "council",
    "court", "ministry", "government", "army", "police", "company", "firm", "union", "agency", "committee",
    "board", "institute", "school", "college", "hospital", "church", "assembly", "cabinet", "department",
    "office", "academy", "museum", "group", "authority", "administration", "opposition", "coalition",
})


# Abbreviations that open an institution's name, never a person's: Her Majesty's
# Prison ("hmp altcourse"), Young Offender Institution, Royal Navy ship.
INSTITUTION_PREFIXES = frozenset({"hmp", "hmyoi", "hmyoi/hmp", "hms"})


# A state's abbreviation that opens the name of one of its bodies, and the words
# that make a name a state body's ("u.s. census bureau", "uk border agency").
STATE_ABBREVIATIONS = frozenset({"u.s.", "u.s", "us", "u.k.", "uk"})
GOVERNMENT_BODY_WORDS = frozenset({"department", "bureau", "agency", "centers", "centres", "administration",
                                   "commission", "service", "office", "army", "navy", "embassy", "institutes",
                                   "court", "senate", "congress", "treasury", "mint", "marshals", "military"})


def _country(span: Span, nested: bool = False) -> Cand:
    """The candidate of a country the gazetteer matched, with its codes."""
    info = gazetteer.load_gazetteer().countries[span.kb_id_]
    attrs: dict[str, Any] = {"iso_code": info.code}
    if info.iso3:
        attrs["iso3"] = info.iso3
    if info.wikidata:
        attrs["wikidata"] = info.wikidata
    return Cand(span.start, span.end, "Country", info.code, info.name, attrs, demonym=span.id_ == "demonym",
                source="gazetteer_country", nested=nested)


def _gazetteer_place(span: Span, nested: bool = False) -> Cand:
    """The candidate of a place the gazetteer matched, with its identifiers."""
    pinfo = gazetteer.load_gazetteer().places[int(span.kb_id_)]
    key, attrs = _place_identity(pinfo)
    return Cand(span.start, span.end, "Place", key, pinfo.name, attrs, source="gazetteer_place", nested=nested)


def _place_identity(pinfo: gazetteer.PlaceInfo) -> tuple[str, dict[str, Any]]:
    """A gazetteer place's entity key and identifying properties. The regions
    of data/regions.tsv carry no GeoNames id (theirs is a negative row number),
    so they are keyed by name and get no `geonames_id`."""
    attrs: dict[str, Any] = {}
    if pinfo.geonames_id > 0:
        attrs["geonames_id"] = pinfo.geonames_id
    if pinfo.country_code:
        attrs["country_code"] = pinfo.country_code
    key = f"geonames-{pinfo.geonames_id}" if pinfo.geonames_id > 0 else slug(pinfo.name)
    return key, attrs


# The words that end a facility's name when a place's or a name's words open it.
FACILITY_TAILS = (("international", "airport"), ("air", "force", "base"), ("air", "base"), ("airport",),
                  ("cathedral",), ("railway", "station"), ("museum",), ("zoo",), ("racecourse",))


def _facility_tail(doc: Doc, i: int) -> int:
    """How many tokens from i end a facility's name (0: none)."""
    for tail in FACILITY_TAILS:
        if tuple(t.lower_ for t in doc[i:i + len(tail)]) == tail:
            return len(tail)
    return 0


def _with_place_opener(ent: Span, gaz: gazetteer.Gazetteer) -> Span:
    """A body or event named after a place whose first word the model left out
    ("new | york presbyterian hospital", "the new | york times"): the span
    with that word, when the two words open a place's name."""
    if ent.label_ not in ("ORG", "EVENT", "FAC") or ent.start == 0:
        return ent
    doc = ent.doc
    before = doc[ent.start - 1]
    if before.ent_iob_ != "O" or not before.is_alpha:
        return ent
    if f"{before.lower_} {doc[ent.start].lower_}" not in gaz.place_terms:
        return ent
    return Span(doc, ent.start - 1, ent.end, label=ent.label_, kb_id=ent.kb_id_)


# The last words of bodies named by what they join ("the law and justice party",
# "the international lesbian and gay association of europe").
COORDINATED_BODY_ENDS = frozenset({
    "party", "association", "alliance", "league", "movement", "front", "federation", "union", "administration",
    "council", "commission", "society", "foundation", "institute", "organisation", "organization",
})


def _coordinated_bodies(ents: list[Span]) -> list[Span]:
    """Without case the model cuts a body's name at its "and": "the law and | justice
    party", "the international lesbian | and gay | association of europe". A name of
    the model's is taken over the "and" to the word the body's kind ends it with (and
    its "of PLACE"), and back over "WORD and" after "the"; names it runs over go."""
    out: list[Span] = []
    for ent in ents:
        if ent.label_ != "ORG":
            out.append(ent)
            continue
        doc = ent.doc
        start, end = ent.start, ent.end
        if end + 2 < len(doc) and doc[end].lower_ in ("and", "&"):
            k = end + 1
            while k < min(end + 3, len(doc) - 1) and doc[k].is_alpha and doc[k].lower_ not in STOP_WORDS \
                    and doc[k].lower_ not in COORDINATED_BODY_ENDS:
                k += 1
            if k > end + 1 and doc[k].lower_ in COORDINATED_BODY_ENDS:
                end = k + 1
                if end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].is_title:
                    end += 2
        opener = doc[start - 3] if start >= 3 else None  # "the", "'s" or a describing word before it
        if opener is not None and doc[start - 1].lower_ in ("and", "&") and doc[start - 2].is_alpha \
                and doc[start - 2].lower_ not in STOP_WORDS and doc[start - 2].ent_iob_ == "O" \
                and (opener.lower_ in ("the", "'s") or opener.tag_ in ("JJ", "NN")):
            start -= 2
        out.append(ent if (start, end) == (ent.start, ent.end) else Span(doc, start, end, label="ORG"))
    # a name another now covers is part of it
    return [e for e in out if not any(o is not e and o.start <= e.start and e.end <= o.end
                                      and (o.end - o.start) > (e.end - e.start) for o in out)]


def _strip_det(span: Span) -> Span:
    start, end = span.start, span.end
    doc = span.doc
    while start < end and doc[start].lower_ in ("the", "a", "an", "its", "his", "her", "their"):
        start += 1
    while end > start and doc[end - 1].lower_ in ("'s", "'"):
        end -= 1
    return doc[start:end]


# Role words that are nobody's name, so that one inside a person span parts the
# body before it from the person after it ("transip ceo jeroen hupscher").
# Words that are also surnames or names ("king", "head", "judge", "bishop",
# "general") are not here.
NAME_PARTING_ROLES = frozenset({
    "ceo", "chairman", "chairwoman", "spokesman", "spokeswoman", "spokesperson", "director", "founder",
    "co-founder", "president", "minister", "secretary", "editor", "reporter", "correspondent", "striker",
    "midfielder", "defender", "goalkeeper", "winger", "boss", "columnist", "presenter", "producer",
    "ambassador", "governor", "mayor", "senator", "analyst", "economist", "executive",
})


def _body_role_name(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """(where the role words start, where the name starts) when a person span
    reads BODY ROLE FIRST LAST; None otherwise. The body is one to three words,
    none a title; the name after the role is two words or more."""
    for k in range(start + 1, min(start + 4, end - 2)):
        if doc[k].lower_ not in NAME_PARTING_ROLES:
            continue
        body_end = k
        while body_end > start and doc[body_end - 1].lower_ in ROLE_MODIFIERS:
            body_end -= 1  # "transip chief executive": the modifier belongs to the role
        body = doc[start:body_end]
        if not len(body) or any(_is_title_word(t.lower_) or not t.is_alpha for t in body):
            return None
        name_start = k + 1
        while name_start < end and doc[name_start].lower_ in NAME_PARTING_ROLES | ROLE_MODIFIERS:
            name_start += 1
        if end - name_start < 2:
            return None
        return body_end, name_start
    return None


def _person(span: Span) -> Cand:
    name = _display(_without_nickname(span))
    return Cand(span.start, span.end, "Person", slug(name), name)


def _without_nickname(span: Span) -> Span | list[Token]:
    """The name without a quoted nickname inside it: "anna 'chickadee' cardwell"
    is Anna Cardwell (the mention keeps the nickname)."""
    quotes = [t.i for t in span if t.text in ("'", '"')]
    if len(quotes) != 2 or quotes[0] == span.start or quotes[1] == span.end - 1 or quotes[1] - quotes[0] > 4:
        return span
    return [t for t in span if not quotes[0] <= t.i <= quotes[1]]


# A named building, ground or road is a place, not the body that runs it.
VENUE_WORDS = frozenset({"stadium", "arena", "airport", "circuit", "road", "street", "streets", "avenue",
                         "hall", "expo", "square", "bridge", "racecourse", "park", "gardens", "lane"})


# Roles whose "of" may name a field ("professor of plant breeding").
TEACHING_ROLES = frozenset({"professor", "lecturer", "researcher", "scientist", "teacher", "student", "expert",
                            "specialist", "reader", "fellow", "chair"})

# Heads of a noun phrase after "ROLE of" that name no particular body ("head of the
# national team"; "the football association" does: "association" is not here).
GENERIC_BODIES = frozenset({"company", "government", "country", "state", "club", "team", "board", "department",
                            "party", "group", "side", "family", "school", "city", "town", "nation", "firm",
                            "organisation", "organization", "business", "charity", "campaign", "staff", "year",
                            "years", "police", "force", "forces", "army", "office", "service", "services", "unit"})

# A party named by its adjective; only before a role word, where the adjective
# says whose the role is (not "a conservative estimate", "democratic reforms").
PARTY_ADJECTIVES = {"tory": "Conservative Party", "republican": "Republican Party",
                    "democratic": "Democratic Party", "democrat": "Democratic Party", "labour": "Labour"}

# Venue words that end no one's name ("hall", "lane" and "park" do: "grant hall",
# "chris lane"), so a person span ending in one names a place ("ricoh arena").
PERSONLESS_VENUE_WORDS = frozenset({"stadium", "arena", "airport", "circuit", "racecourse", "expo", "museum",
                                    "gallery", "prison", "cathedral"})


@lru_cache(maxsize=1)
def known_venues() -> NameList:
    return NameList(DATA / "venues.tsv")


@lru_cache(maxsize=1)
def known_organizations() -> NameList:
    return NameList(DATA / "organizations.tsv")


def _org_named(span: Span, name: str, source: str) -> Cand:
    return Cand(span.start, span.end, "Organization", slug(name), name, source=source)


# The last words of a body's name that end no person's ("the konrad adenauer foundation",
# "the robert koch institute"): a name the model took for a person's is the body's.
BODY_ENDINGS = frozenset({
    "foundation", "institute", "university", "ministry", "commission", "association", "federation",
    "organization", "organisation", "corporation", "college", "academy", "society", "museum", "hospital",
    "council", "committee", "agency", "institution", "fund", "stiftung",
})
# Bodies whose name goes on with what they are for or of ("ministry for education and
# research", "institute for biomedical problems", "commission for scheduled castes").
TOPIC_BODY_HEADS = frozenset({
    "ministry", "institute", "commission", "council", "committee", "agency", "association", "federation",
    "organization", "organisation", "university", "college", "school", "academy", "society", "authority",
    "foundation", "fund", "centre", "center", "department", "office", "institution", "trust", "museum",
})
# Nouns after "for" or "of" that are no topic of a body's name ("the commission for years").
SPAN_OF_TIME = frozenset({"years", "year", "months", "month", "weeks", "week", "days", "day", "decades",
                          "decade", "centuries", "century", "hours", "time", "now"})
# Roles that end no body's name: without case, "the munich-based journal editor" is
# no organisation "Journal Editor".
PERSON_ROLE_ENDINGS = frozenset({
    "editor", "spokesman", "spokeswoman", "spokesperson", "director", "chairman", "chairwoman", "analyst",
    "correspondent", "reporter", "journalist", "columnist", "lawyer", "researcher", "professor", "official",
})
# Nouns that say what kind of place a name is ("berlin 's moabit district").
REGION_NOUNS = frozenset({"district", "province", "region", "state"})


def _before_region_noun(span: Span) -> Span | None:
    """In text without case the model takes in the noun that says what kind of place
    a name is after a possessive ("berlin 's moabit district", "pakistan 's punjab
    province"), a noun the news leaves lowercase there, outside the name: the place
    is the name before it. Without the possessive the noun may be the name's own
    ("dan sai district in loei province")."""
    if len(span) < 2 or span[-1].lower_ not in REGION_NOUNS or not all(t.is_alpha for t in span[:-1]):
        return None
    if span.start == 0 or span.doc[span.start - 1].lower_ not in ("'s", "'"):
        return None
    return span[:-1]


def _after_kind_noun(span: Span) -> Span:
    """In text without case the model may open a body's name with the noun that says
    what it is ("the bank | m.m. warburg", "the daily | die welt"): the name is what
    follows, where two words or more do ("the daily mail" keeps its noun) and the noun
    is not the head of "bank of ..."."""
    inner = _strip_det(span)
    if len(inner) >= 3 and inner[0].lower_ in COMPANY_NOUNS and inner[1].lower_ not in ("of", "for", "and", "&"):
        return inner[1:]
    return span


def _after_described_kind(span: Span, uncased: bool) -> Span:
    """"editor of the textile industry magazine | textilwirtschaft": after words that
    say what kind of body it is (lowercase ones, where the text has case), the name
    is what follows, one word or more, none of them another kind ("the world bank
    group" stays)."""
    for k in range(len(span) - 2, 0, -1):
        rest = span[k + 1:]
        if span[k].lower_ in COMPANY_NOUNS and rest[0].lower_ not in ("of", "for", "and", "&") \
                and all(t.is_alpha and (uncased or t.is_lower) for t in span[:k + 1]) \
                and not any(t.lower_ in COMPANY_NOUNS or t.lower_ in GENERIC_BODY_NOUNS for t in rest):
            return rest
    return span


def _topic_word(tok: Token) -> bool:
    """A word that can go on a body's topic: a noun or an adjective, or a participle
    before one ("scheduled castes"); no role ("director") and no span of time."""
    low = tok.lower_
    if not tok.is_alpha or low in STOP_WORDS or low in SPAN_OF_TIME or low in ROLE_HEADS or low in PERSON_NOUNS:
        return False
    if tok.pos_ in ("NOUN", "PROPN", "ADJ"):
        return True
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    return tok.tag_ == "VBN" and nxt is not None and nxt.pos_ in ("NOUN", "PROPN")


def _topic_tail(span: Span) -> Span:
    """In text without case the model often ends a body's name at the first word the
    truecaser left lowercase ("institute for biomedical | problems"), or before "for"
    or "of" ("national commission | for scheduled castes"): the name then runs on
    over the nouns and adjectives of its topic, joined by "and", to the last noun."""
    doc = span.doc
    head = next((k for k in range(span.end - 1, span.start - 1, -1) if doc[k].lower_ in TOPIC_BODY_HEADS), None)
    if head is None or head + 2 >= len(doc) or doc[head + 1].lower_ not in ("for", "of"):
        return span
    end = head + 2
    i = head + 2
    while i < len(doc) and i < head + 8:
        tok = doc[i]
        if tok.lower_ == "and" and i > head + 2 and i + 1 < len(doc) and _topic_word(doc[i + 1]):
            i += 1
            continue
        if not _topic_word(tok) or (tok.ent_type_ and tok.ent_iob_ == "B" and i >= span.end):
            break  # another entity begins ("the institute for fiscal studies | paul johnson")
        i += 1
        if tok.pos_ in ("NOUN", "PROPN"):
            end = i
    if end <= span.end or end == head + 2:
        return span
    return doc[span.start:end]


def _org(span: Span) -> Cand:
    name = _display(span)
    label = "Place" if len(span) > 1 and span[-1].lower_ in VENUE_WORDS else "Organization"
    return Cand(span.start, span.end, label, slug(name), name)


def _anchor_months(cands: list[Cand]) -> None:
    """A month without a year takes the year the text named last before it
    ("january 2013 ... december of the same year" -> 2013-12). With none named
    it stays XXXX-MM, a source of its own: seldom a date an analyst wants, its
    calibrated confidence says so."""
    last_year: str | None = None
    for cand in sorted((c for c in cands if c.label == "Date"), key=lambda c: c.start):
        value = str(cand.attrs.get("value", ""))
        if value[:4].isdigit():
            last_year = value[:4]
        elif cand.attrs.get("precision") == "month" and value.startswith("XXXX"):
            if last_year is None:
                cand.source = "bare_month"
                continue
            value = last_year + value[4:]
            cand.key = cand.name = value
            cand.attrs = {**cand.attrs, "value": value}


def _abbreviates(word: str, name: Span) -> bool:
    """Whether `word` can be the short name of `name` by its words' first letters,
    in any order (bodies abroad are often shortened in their own language: "social
    democratic party ( psd )"), every letter used no more often than a word has it."""
    letters = [ch for ch in word.lower() if ch != "."]
    if not 2 <= len(letters) <= 6 or not all(ch.isalpha() for ch in letters):
        return False
    initials = Counter(part[0] for tok in name if tok.is_alpha or "-" in tok.text
                       for part in tok.lower_.split("-") if part[:1].isalpha())
    content = sum(1 for tok in name if tok.is_alpha and tok.lower_ not in STOP_WORDS)
    return len(letters) >= content - 1 and not Counter(letters) - initials


def _short_names_in_brackets(doc: Doc, cands: list[Cand], occ: _Occupancy, uncased: bool) -> None:
    """'the national commission for scheduled castes ( ncsc )': the word in brackets
    right after a body's name, made of its words' first letters, is the body's short
    name, and one entity with it there and wherever the story uses it again, whatever
    label the model gave that word. A word of every sentence is the body only there
    (the "who" of "the world health organization ( who )", not of "a man who"), and
    where the text has case only the same letters in the same case are the body."""
    short: dict[str, tuple[Cand, str]] = {}
    countries = gazetteer.load_gazetteer().country_terms
    for cand in cands:
        end = cand.end
        if cand.label != "Organization" or cand.nested or end + 2 >= len(doc) \
                or doc[end].text != "(" or doc[end + 2].text != ")":
            continue
        word = doc[end + 1]
        low = word.lower_
        if low in countries or not _abbreviates(word.text, doc[cand.start:end]):
            continue
        if low in STOP_WORDS or (uncased and _everyday_word(low)):
            if occ.free(end + 1, end + 2):  # "( who )" there, and nowhere else by this rule
                occ.take(end + 1, end + 2)
                cands.append(replace(cand, start=end + 1, end=end + 2, attrs=dict(cand.attrs), source="short_name"))
            continue
        short.setdefault(low, (cand, word.text))

    def body_named(tok: Token) -> Cand | None:
        found = short.get(tok.lower_)
        return found[0] if found is not None and (uncased or tok.text == found[1]) else None

    if not short:
        return
    for cand in cands:
        body = body_named(doc[cand.start]) if cand.end - cand.start == 1 else None
        if body is not None and cand.label in ("Organization", "Person", "Place") and not cand.nested:
            cand.label, cand.key, cand.name = body.label, body.key, body.name
            cand.attrs, cand.source = dict(body.attrs), "short_name"
    for i, tok in enumerate(doc):
        body = body_named(tok)
        if body is not None and occ.free(i, i + 1):
            occ.take(i, i + 1)
            cands.append(Cand(i, i + 1, body.label, body.key, body.name, dict(body.attrs), source="short_name"))


def _scan_repeats(doc: Doc, cands: list[Cand], occ: _Occupancy) -> None:
    forms: dict[tuple[str, ...], Cand] = {}
    for cand in cands:
        if cand.label in ("Person", "Organization", "Event") and not cand.nested:
            forms.setdefault(tuple(t.lower_ for t in doc[cand.start:cand.end]), cand)
    if not forms:
        return
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for form in sorted(forms, key=len, reverse=True):
        by_first.setdefault(form[0], []).append(form)
    lows = [t.lower_ for t in doc]
    for i, low in enumerate(lows):
        for form in by_first.get(low, []):
            end = i + len(form)
            # a word of every sentence is the name only in capitals, after "the" or before
            # a noun ("the WHO", "the who said", "who officials"), not in "a man who fell"
            if len(form) == 1 and low in STOP_WORDS and not (
                    (doc[i].text.isupper() and len(low) > 1) or (i > 0 and lows[i - 1] == "the")
                    or (i + 1 < len(doc) and doc[i + 1].pos_ in ("NOUN", "PROPN") and lows[i + 1] not in STOP_WORDS)):
                continue
            if tuple(lows[i:end]) == form and occ.free(i, end):
                tpl = forms[form]
                occ.take(i, end)
                cands.append(Cand(i, end, tpl.label, tpl.key, tpl.name, dict(tpl.attrs), source=tpl.source))
                break


def _surnames_the_model_mislabelled(cands: list[Cand]) -> None:
    """'biden' tagged an organisation beside 'joe biden': one name keeps one label
    through a document, so a lone word the model alone called an organisation or a
    place, and that ends a full name of the document, is a person (which one:
    `_merge_surnames`)."""
    by_last: dict[str, list[Cand]] = {}
    for cand in cands:
        if cand.label == "Person" and "-" in cand.key:
            by_last.setdefault(cand.key.split("-")[-1], []).append(cand)
    for cand in cands:
        if cand.source in ("model_org", "model_place") and cand.end - cand.start == 1 and cand.key in by_last:
            cand.label, cand.attrs, cand.source = "Person", {}, "model_person"


def _merge_surnames(cands: list[Cand]) -> None:
    """'petrov' after 'dr. ivan petrov', and 'ryan' beside 'ryan giggs': one
    person, when only one full name of the document ends (or starts) with it.
    A surname that fits one full name wins over a first name that fits another."""
    people = {c.key: c for c in cands if c.label == "Person"}
    by_last: dict[str, list[Cand]] = {}
    by_first: dict[str, list[Cand]] = {}
    for cand in people.values():
        parts = cand.key.split("-")
        if len(parts) > 1 and not _surname_with_particle(cand.key):
            by_last.setdefault(parts[-1], []).append(cand)
            by_first.setdefault(parts[0], []).append(cand)
    mentions: dict[str, int] = {}
    first_at: dict[str, int] = {}
    for cand in cands:
        if cand.label == "Person":
            mentions[cand.key] = mentions.get(cand.key, 0) + 1
            first_at.setdefault(cand.key, cand.start)
    for cand in cands:
        if cand.label != "Person" or ("-" in cand.key and not _surname_with_particle(cand.key)):
            continue
        if _surname_with_particle(cand.key):  # "von bothmer" after "roland von bothmer"
            fits = [c for c in by_last.get(cand.key.split("-")[-1], []) if c.key.endswith("-" + cand.key)]
            if len(fits) == 1:
                cand.key, cand.name = fits[0].key, fits[0].name
            continue
        if len(by_last.get(cand.key, [])) > 1:
            # "macron" beside "emmanuel macron" and "brigitte macron": the story's
            # protagonist, named most (then first), unless two are named as often
            ranked = sorted(by_last[cand.key], key=lambda c: (-mentions[c.key], first_at[c.key]))
            if mentions[ranked[0].key] > mentions[ranked[1].key]:
                cand.key, cand.name = ranked[0].key, ranked[0].name
            continue
        for index in (by_last, by_first):
            if len(index.get(cand.key, [])) == 1:
                full = index[cand.key][0]
                cand.key, cand.name = full.key, full.name
                break


def _surname_with_particle(key: str) -> bool:
    """'von-bothmer', 'van-der-sar': a surname alone, opened by its particles."""
    parts = key.split("-")
    return len(parts) > 1 and all(p in NAME_PARTICLES for p in parts[:-1])


def _anniversaries(doc: Doc, document: Document, cands: list[Cand]) -> None:
    """'world war ii anniversary celebrations', 'the 70th anniversary of ...':
    triggered events, keyed per document."""
    starts = {c.end: c for c in cands if c.label == "Event"}
    n = 0
    for tok in doc:
        if tok.lower_ != "anniversary":
            continue
        start = tok.i
        if tok.i in starts:
            start = starts[tok.i].start
        elif tok.i > 0 and (doc[tok.i - 1].like_num or _ORDINAL.match(doc[tok.i - 1].lower_)):
            start = tok.i - 1
        else:
            continue
        end = tok.i + 1
        while end < len(doc) and doc[end].lower_ in ("celebrations", "celebration", "commemorations",
                                                      "festivities", "ceremony", "ceremonies", "parade"):
            end += 1
        name = events.event_title([t.text for t in doc[start:end]])
        key = f"{document.sha256[:12]}-anniversary-{n}"
        n += 1
        cands.append(Cand(start, end, "Event", key, name, {"type": "anniversary"}, nested=True))


def build_entities(doc: Doc, document: Document, cands: list[Cand],
                   tok_sent: list[int]) -> tuple[list[Entity], dict[int, str]]:
    """Entities (one per uri) and a map from candidate index to entity id."""
    text = document.text
    by_uri: dict[str, Entity] = {}
    cand_entity: dict[int, str] = {}
    for idx, cand in enumerate(cands):
        uri = entity_uri(cand.label, cand.key)
        ent = by_uri.get(uri)
        if ent is None:
            ent = Entity(f"e{len(by_uri)}", cand.label, cand.name, uri, attributes=dict(cand.attrs),
                         source=cand.source)
            by_uri[uri] = ent
        elif len(cand.name) > len(ent.name) and cand.label == "Person":
            ent.name = cand.name
        span = doc[cand.start:cand.end]
        start, end = span.start_char, span.end_char
        surface = text[start:end]
        if not any(m.start == start and m.end == end for m in ent.mentions):
            ent.mentions.append(Mention(start, end, surface, tok_sent[cand.start],
                                        "demonym" if cand.demonym else "name"))
        if surface not in ent.aliases:
            ent.aliases.append(surface)
        cand_entity[idx] = ent.id
    for ent in by_uri.values():
        ent.confidence = calibrated_entity(ent.label, ent.source, len(ent.mentions), ent.name)
    return list(by_uri.values()), cand_entity


def sentence_index(doc: Doc) -> tuple[list[int], list[tuple[int, int]]]:
    """The sentence of each token, and each sentence's character span."""
    tok_sent = [0] * len(doc)
    sentences: list[tuple[int, int]] = []
    for n, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            tok_sent[i] = n
        sentences.append((sent.start_char, sent.end_char))
    return tok_sent, sentences


class EntityAssembler:
    """The `newsgraph_entities` component: the model's entities, the rules' spans
    and the gazetteer's matches become one document's entities (names, keys,
    every mention, one label per name through the document)."""

    def __init__(self, name: str = "newsgraph_entities") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        document = document_of(doc)
        tok_sent, sentences = sentence_index(doc)
        cands = collect_candidates(doc, document)
        entities, cand_entity = build_entities(doc, document, cands, tok_sent)
        doc._.ng_state = DocState(document, tok_sent, sentences, cands, cand_entity, entities)
        uri = {e.id: e.uri for e in entities}
        doc.spans[SPAN_KEY] = [Span(doc, c.start, c.end, label=c.label, kb_id=uri[cand_entity[i]])
                               for i, c in enumerate(cands)]
        return doc


@Language.factory("newsgraph_entities", assigns=["doc.spans", "doc._.ng_state"],
                  requires=["doc.ents", "doc.sents"], default_config={})
def make_entity_assembler(nlp: Language, name: str) -> EntityAssembler:
    return EntityAssembler(name)
