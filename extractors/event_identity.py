"""Which named event a mention is: identity by name, time and place.

A name alone does not identify a recurring event: "the g20 summit" of 2021 in
Rome and that of 2024 in Rio de Janeiro are two events, and one article can
name two G7 summits ("in la malbaie ... on june 8", "in montebello , quebec ,
in 1981"). So, after the relations are found, the `newsgraph_event_identity`
component splits each named event into the events its mentions name, by what
the text states beside each mention (the ON_DATE and LOCATED_IN facts whose
evidence is the mention's sentence), and gives each one a key:

- a recurring event (summits, holidays, elections, sports fixtures, ...) with
  a year: name + year (+ place), shared by every document that says so;
- a recurring event without a year: its document's own node (name (+ place) +
  document), never merged with every other event of that name;
- a one-off event (a war, a genocide, a named landing): its name, as before.

The year is the stated date's, else the one the text gives relative to the
publication date ("this year 's victory day", "on may 9" in a dated article,
"the next g20 summit ... next year"). A place-named variant ("the rome summit") joins the event of its
kind the document places there ("the g20 summit in rome"); otherwise its name
gives its place. Only the precise patterns' facts decide (not the
classifier's guesses), so identity never hangs on a doubtful fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.assemble import SPAN_KEY, entity_uri, slug
from extractors.doc_state import DocState, state_of
from extractors.types import Entity, Evidence, Relation

# Events that happen once, whatever the year says: their name is their identity.
ONE_OFF_TYPES = frozenset({"war"})
ONE_OFF_WORDS = frozenset({
    "war", "genocide", "massacre", "revolution", "invasion", "landings", "landing", "uprising", "disaster",
    "crisis", "bombing", "bombings", "attack", "attacks", "siege", "coup", "pandemic", "holocaust", "blitz",
})
# The kinds a place-named variant names: "the rome summit" is the document's summit in Rome.
VARIANT_KINDS = frozenset({"summit", "conference", "talks", "meeting", "games", "olympics", "congress"})
# Sources of facts that may decide identity: the patterns, not the classifier or the triggers.
_GUESSED = ("classifier", "trigger")


@dataclass
class _Version:
    """One event a named event's mentions name: its year, its place, its mentions."""

    year: str | None = None
    place: Entity | None = None
    mentions: list[int] = field(default_factory=list)  # indexes into the entity's mentions
    sentences: set[int] = field(default_factory=set)

    def fits(self, year: str | None, place: Entity | None) -> bool:
        return not ((year and self.year and year != self.year)
                    or (place and self.place and place.uri != self.place.uri))

    def take(self, n: int, sentence: int, year: str | None, place: Entity | None) -> None:
        self.mentions.append(n)
        self.sentences.add(sentence)
        self.year = self.year or year
        self.place = self.place or place


def is_one_off(event: Entity) -> bool:
    return event.attributes.get("type") in ONE_OFF_TYPES or bool(
        ONE_OFF_WORDS & set(event.name.lower().split()))


def _year_of(value: str, pub_year: str | None) -> str | None:
    if value[:4].isdigit():
        return value[:4]
    # "on may 9" in a dated article: this year's
    return pub_year if value.startswith("XXXX") and pub_year else None


class EventIdentity:
    """The `newsgraph_event_identity` component (see the module docstring)."""

    def __init__(self, name: str = "newsgraph_event_identity") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        own_key = state.document.sha256[:12]
        # verb-triggered events and anniversaries are keyed by their document already
        named = [e for e in state.entities if e.label == "Event" and not e.attributes.get("triggered")
                 and own_key not in e.uri]
        if named:
            resolve_events(doc, state, named)
        return doc


def _stated(state: DocState, event: Entity, rtype: str) -> dict[int, Entity]:
    """The tails of this event's precise `rtype` facts, by evidence sentence
    (the first stated one where a sentence gives two)."""
    by_id = {e.id: e for e in state.entities}
    out: dict[int, Entity] = {}
    for rel in state.relations:
        if rel.head == event.id and rel.type == rtype and not rel.rule.startswith(_GUESSED):
            for ev in sorted(rel.evidence, key=lambda v: v.start):
                out.setdefault(ev.sentence, by_id[rel.tail])
    return out


def _relative_years(state: DocState, event: Entity, pub_year: str | None) -> dict[int, str]:
    """Mentions whose year the text gives relative to the publication date:
    "this year 's victory day", "the next g20 summit in rio de janeiro next year",
    "last year 's summit" (indexes into event.mentions)."""
    if not pub_year or not pub_year.isdigit():
        return {}
    text = state.document.text.lower()
    out: dict[int, str] = {}
    for n, m in enumerate(event.mentions):
        before = text[max(0, m.start - 16):m.start].rstrip()
        _, sent_end = state.sentences[m.sentence] if m.sentence < len(state.sentences) else (0, len(text))
        after = text[m.end:sent_end]
        if before.endswith(("this year 's", "this year's")):
            out[n] = pub_year
        elif before.endswith(("last year 's", "last year's")):
            out[n] = str(int(pub_year) - 1)
        elif before.endswith(("next year 's", "next year's")) or " next year" in after:
            out[n] = str(int(pub_year) + 1)
    return out


def _variant_place(event: Entity, places: dict[str, Entity]) -> tuple[Entity, str] | None:
    """'Rome Summit': the place its name starts with, and its kind word."""
    words = event.name.split()
    if len(words) < 2 or words[-1].lower() not in VARIANT_KINDS:
        return None
    place = places.get(" ".join(words[:-1]).lower())
    return (place, words[-1].lower()) if place is not None else None


def resolve_events(doc: Doc, state: DocState, named: list[Entity]) -> None:
    pub_year = (state.document.date or "")[:4] or None
    places = {a.lower(): e for e in state.entities if e.label in ("Place", "Country")
              for a in (e.name, *e.aliases)}
    versions: dict[str, list[_Version]] = {}
    for event in named:
        dates, located = _stated(state, event, "ON_DATE"), _stated(state, event, "LOCATED_IN")
        relative = _relative_years(state, event, pub_year)
        own: list[_Version] = []
        for n, mention in enumerate(event.mentions):
            date = dates.get(mention.sentence)
            year = _year_of(str(date.attributes.get("value", date.name)), pub_year) if date else None
            if year is None:
                year = relative.get(n)
            place = located.get(mention.sentence)
            target = next((v for v in own if v.fits(year, place)), None)
            if target is None:
                target = _Version()
                own.append(target)
            target.take(n, mention.sentence, year, place)
        # a mention the text says nothing about belongs to the first version
        versions[event.id] = own
    # "the rome summit" joins the summit the document holds in Rome
    joined: dict[str, tuple[Entity, _Version]] = {}
    for event in named:
        variant = _variant_place(event, places)
        if variant is None:
            continue
        place, kind = variant
        for other in named:
            if other is event or other.id in joined or not other.name.lower().endswith(kind):
                continue
            match = next((v for v in versions[other.id] if v.place is not None and v.place.uri == place.uri), None)
            if match is not None:
                joined[event.id] = (other, match)
                break
        else:
            for v in versions[event.id]:
                v.place = v.place or place
    _apply(doc, state, named, versions, joined)


def _key(event: Entity, base: str, version: _Version, document_sha: str) -> str:
    if is_one_off(event):
        return base
    place = f"-{slug(version.place.name)}" if version.place is not None else ""
    if version.year:
        return f"{base}-{version.year}{place}"
    return f"{base}{place}-{document_sha[:12]}"


def _apply(doc: Doc, state: DocState, named: list[Entity], versions: dict[str, list[_Version]],
           joined: dict[str, tuple[Entity, _Version]]) -> None:
    """Rewrite the state: one entity per version, facts moved by their sentence."""
    next_id = 1 + max((int(e.id[1:]) for e in state.entities + state.events if e.id[1:].isdigit()), default=-1)
    moved: dict[str, list[tuple[set[int], str]]] = {}  # old id -> [(sentences, new id)]
    first: dict[str, str] = {}  # old id -> the id of its first version
    new_entities: list[Entity] = []
    made: dict[int, Entity] = {}  # id(version) -> its entity
    for event in named:
        if event.id in joined:
            continue
        base = event.uri.rsplit("/", 1)[1]  # the name's key
        for n, version in enumerate(versions[event.id]):
            uri = entity_uri("Event", _key(event, base, version, state.document.sha256))
            if n == 0:
                ent = event
                ent.uri = uri
            else:
                ent = replace(event, id=f"e{next_id}", uri=uri, mentions=[], aliases=[],
                              attributes=dict(event.attributes))
                next_id += 1
                new_entities.append(ent)
            ent.mentions = [event.mentions[i] for i in version.mentions] if n else ent.mentions
            made[id(version)] = ent
            moved.setdefault(event.id, []).append((version.sentences, ent.id))
            first.setdefault(event.id, ent.id)
    # the first version keeps only its own mentions (taken after the others copied theirs)
    for event in named:
        if event.id not in joined and len(versions[event.id]) > 1:
            event.mentions = [event.mentions[i] for i in versions[event.id][0].mentions]
    for event in named:
        if event.id in joined:
            _, version = joined[event.id]
            target = made[id(version)]
            target.mentions = sorted(target.mentions + event.mentions, key=lambda m: m.start)
            target.aliases += [a for a in event.aliases if a not in target.aliases]
            moved[event.id] = [(set(), target.id)]
            first[event.id] = target.id
    gone = set(joined)
    state.entities = [e for e in state.entities if e.id not in gone] + new_entities
    for ent in new_entities:
        ent.aliases = sorted({m.text for m in ent.mentions})
    state.relations = _move_relations(state.relations, moved, first)
    _respan(doc, state)


def _move_relations(relations: list[Relation], moved: dict[str, list[tuple[set[int], str]]],
                    first: dict[str, str]) -> list[Relation]:
    """A fact about a split event goes to the version whose mention its sentence holds."""

    def owner(entity_id: str, sentence: int) -> str:
        for sentences, new_id in moved.get(entity_id, []):
            if sentence in sentences:
                return new_id
        return first.get(entity_id, entity_id)

    out: dict[tuple[str, str, str, tuple], Relation] = {}
    for rel in relations:
        for ev in rel.evidence or [Evidence(-1, 0, 0)]:
            head, tail = owner(rel.head, ev.sentence), owner(rel.tail, ev.sentence)
            key = (head, rel.type, tail, tuple(sorted(rel.properties.items())))
            have = out.get(key)
            if have is None:
                out[key] = replace(rel, head=head, tail=tail, evidence=[ev] if ev.sentence >= 0 else [],
                                   properties=dict(rel.properties))
            elif ev.sentence >= 0 and ev not in have.evidence:
                have.evidence.append(ev)
                have.confidence = max(have.confidence, rel.confidence)
    return [r for r in out.values() if r.head != r.tail]


def _respan(doc: Doc, state: DocState) -> None:
    """The mention spans carry the uri of the event each one now names."""
    uri_at = {(m.start, m.end): e.uri for e in state.entities if e.label == "Event" for m in e.mentions}
    spans = []
    for span in doc.spans.get(SPAN_KEY, []):
        uri = uri_at.get((span.start_char, span.end_char)) if span.label_ == "Event" else None
        spans.append(Span(doc, span.start, span.end, label=span.label_, kb_id=uri) if uri else span)
    doc.spans[SPAN_KEY] = spans


@Language.factory("newsgraph_event_identity", requires=["doc._.ng_state"], assigns=["doc._.ng_state"],
                  default_config={})
def make_event_identity(nlp: Language, name: str) -> EventIdentity:
    return EventIdentity(name)
