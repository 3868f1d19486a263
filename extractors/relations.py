"""Relations by precise token-sequence patterns over merged entity mentions.

Each pattern reads lowercase tokens around mentions, so casing does not
matter. Directions follow DESIGN.md: HOLDS_ROLE person -> country|org,
RELATIVE_OF relative -> person ("X 's father , Y": Y RELATIVE_OF X),
PARTICIPATES_IN actor -> event, ON_DATE event -> date, LOCATED_IN
event|place|org -> place|country, LIVES_IN and NATIONAL_OF person -> place|country.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spacy.tokens import Doc

from extractors.assemble import Cand
from extractors.types import Entity, Evidence, Relation
from extractors.vocab import (
    ATTEND_VERBS,
    DROP_FROM_ROLE,
    EVENT_TAILS,
    HONORIFICS,
    HOST_VERBS,
    INVITE_VERBS,
    KIN,
    LIVE_VERBS,
    PARTICLE_VERBS,
    ROLE_HEADS,
    ROLE_MODIFIERS,
)

# Roles held for a state; other roles after a demonym say nationality only
# ("an american professor").
STATE_ROLES = frozenset({
    "president", "minister", "chancellor", "king", "queen", "prince", "princess", "emperor", "leader",
    "aide", "adviser", "advisor", "spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy",
    "governor", "premier", "secretary", "official", "diplomat", "general", "dictator", "ruler", "monarch",
    "lawmaker", "senator", "representative", "congressman", "congresswoman", "negotiator", "marshal",
    "sheikh", "emir", "sultan", "ayatollah", "commander", "chief", "head", "president-elect",
    "vice-president", "pope", "legislator", "prosecutor", "judge",
})
DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "this", "that"})
SUBJECT_SKIP = frozenset({
    "is", "was", "are", "were", "will", "would", "may", "might", "could", "can", "to", "expected", "plans",
    "plan", "planned", "planning", "set", "due", "also", "not", "has", "have", "had", "been", "be", "likely",
    "scheduled", "going", "'ll", "wants", "want", "wanted", "hopes", "hoped", "decided", "decides",
    "agreed", "agrees", "intends", "intended", "should", "must", "shall", "did", "does", "do", "n't",
    "reportedly", "still", "later", "then", "never", "already", "first",
})
CONNECTORS = frozenset({",", "is", "was", "as", "became", "becomes", "--", "-", "("})
HONORIFIC_SKIP = HONORIFICS | {","}


class _Index:
    def __init__(self, doc: Doc, cands: list[Cand], cand_entity: dict[int, str],
                 entities: list[Entity], tok_sent: list[int]) -> None:
        self.doc = doc
        self.lows = [t.lower_ for t in doc]
        self.cands = cands
        self.cand_entity = cand_entity
        self.label = {e.id: e.label for e in entities}
        self.tok_sent = tok_sent
        self.starting: dict[int, list[int]] = {}
        for idx, cand in enumerate(cands):
            self.starting.setdefault(cand.start, []).append(idx)
        for lst in self.starting.values():
            lst.sort(key=lambda i: -cands[i].end)  # longest first

    def low(self, i: int) -> str:
        return self.lows[i] if 0 <= i < len(self.lows) else ""

    def at(self, i: int, labels: tuple[str, ...]) -> int | None:
        """Index of the (longest) candidate with one of `labels` starting at token i."""
        for idx in self.starting.get(i, []):
            if self.cands[idx].label in labels:
                return idx
        return None

    def at_det(self, i: int, labels: tuple[str, ...]) -> tuple[int | None, int]:
        while self.low(i) in DETERMINERS:
            i += 1
        return self.at(i, labels), i

    def same_sentence(self, i: int, j: int) -> bool:
        return 0 <= j < len(self.tok_sent) and self.tok_sent[i] == self.tok_sent[j]

    def read_role(self, i: int) -> tuple[str, str, int] | None:
        """MODIFIER* HEAD at token i: (role, head, index after it)."""
        j, last_head = i, None
        while self.low(j) in ROLE_MODIFIERS or self.low(j) in ROLE_HEADS:
            if self.low(j) in ROLE_HEADS:
                last_head = j
            j += 1
        if last_head is None:
            return None
        words = [w for w in self.lows[i:last_head + 1] if w not in DROP_FROM_ROLE]
        return " ".join(words), self.lows[last_head], last_head + 1


Found = tuple[int, str, int, dict[str, Any], float, int]  # head cand, type, tail cand, props, conf, token


def _holds_role(ix: _Index) -> Iterator[Found]:
    holders = ("Country", "Organization")
    for idx, cand in enumerate(ix.cands):
        # [country|org] ('s)? ROLE ,? PERSON
        if cand.label in holders:
            j = cand.end + (1 if ix.low(cand.end) in ("'s", "'") else 0)
            role = ix.read_role(j)
            if role:
                k = role[2] + (1 if ix.low(role[2]) == "," else 0)
                person = ix.at(k, ("Person",))
                if person is not None and ix.same_sentence(cand.start, k):
                    yield from _role_or_nationality(ix, person, idx, role, 0.9, cand.start)
        # ROLE of [country|org] ,? PERSON
        if cand.label in holders and ix.low(cand.start - 1) == "of":
            j = cand.start - 2
            while j >= 0 and (ix.low(j) in ROLE_MODIFIERS or ix.low(j) in ROLE_HEADS):
                j -= 1
            role = ix.read_role(j + 1)
            if role and role[2] == cand.start - 1:
                k = cand.end + (1 if ix.low(cand.end) == "," else 0)
                person = ix.at(k, ("Person",))
                if person is not None and ix.same_sentence(cand.start, k):
                    yield (person, "HOLDS_ROLE", idx, {"role": role[0]}, 0.85, cand.start)
        # PERSON , (the)? [country|org] ('s)? ROLE  |  PERSON , (the)? ROLE of [country|org]
        if cand.label == "Person" and ix.low(cand.end) in CONNECTORS:
            j = cand.end + 1
            while ix.low(j) in DETERMINERS:
                j += 1
            holder = ix.at(j, holders)
            if holder is not None:
                h = ix.cands[holder]
                k = h.end + (1 if ix.low(h.end) in ("'s", "'") else 0)
                role = ix.read_role(k)
                # "baker , fed chairman volcker": the role belongs to the next person
                if role and ix.same_sentence(cand.start, k) and ix.at(role[2], ("Person",)) is None:
                    yield from _role_or_nationality(ix, idx, holder, role, 0.85, cand.start)
            else:
                role = ix.read_role(j)
                if role and ix.low(role[2]) == "of":
                    holder, _ = ix.at_det(role[2] + 1, holders)
                    if holder is not None and ix.same_sentence(cand.start, role[2] + 1):
                        yield (idx, "HOLDS_ROLE", holder, {"role": role[0]}, 0.85, cand.start)


def _role_or_nationality(ix: _Index, person: int, holder: int, role: tuple[str, str, int],
                         conf: float, tok: int) -> Iterator[Found]:
    h = ix.cands[holder]
    if h.label == "Country" and role[1] not in STATE_ROLES:
        if h.demonym:
            yield (person, "NATIONAL_OF", holder, {}, 0.7, tok)
        return
    yield (person, "HOLDS_ROLE", holder, {"role": role[0]}, conf, tok)


def _relative_of(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Person":
            continue
        e = cand.end
        # P1 's KIN (and ...)? ,? P2  ->  P2 RELATIVE_OF P1
        if ix.low(e) in ("'s", "'") and ix.low(e + 1) in KIN:
            kind = ix.low(e + 1)
            j = e + 2
            other = ix.at(j, ("Person",))
            if other is None:
                for j in range(e + 2, min(e + 14, len(ix.lows))):
                    if not ix.same_sentence(e, j) or ix.at(j, ("Person",)) is not None:
                        break
                    if ix.low(j) == ",":
                        other, _ = ix.at_det(j + 1, ("Person",))
                        break
            if other is not None and ix.cands[other].key != cand.key:
                yield (other, "RELATIVE_OF", idx, {"kind": kind}, 0.9, cand.start)
        # P2 , P1 's KIN   |   P2 (is|was) (the)? KIN of P1   |   P2 is P1 's KIN
        if ix.low(e) in (",", "is", "was"):
            other = ix.at(e + 1, ("Person",))
            if other is not None:
                o = ix.cands[other]
                if ix.low(o.end) in ("'s", "'") and ix.low(o.end + 1) in KIN and o.key != cand.key:
                    yield (idx, "RELATIVE_OF", other, {"kind": ix.low(o.end + 1)}, 0.85, cand.start)
            j = e + 1
            while ix.low(j) in DETERMINERS:
                j += 1
            if ix.low(j) in KIN and ix.low(j + 1) == "of":
                other = ix.at(j + 2, ("Person",))
                if other is not None and ix.cands[other].key != cand.key:
                    yield (idx, "RELATIVE_OF", other, {"kind": ix.low(j)}, 0.85, cand.start)


def _participates(ix: _Index) -> Iterator[Found]:
    actors = ("Person", "Country", "Organization")
    for idx, cand in enumerate(ix.cands):
        if cand.label not in actors:
            continue
        j = cand.end
        while ix.low(j) in SUBJECT_SKIP and ix.same_sentence(cand.start, j):
            j += 1
        verb = ix.low(j)
        if not ix.same_sentence(cand.start, j):
            continue
        if verb in ATTEND_VERBS or verb in HOST_VERBS:
            k = j + 1
            for particle in PARTICLE_VERBS.get(verb, ()):
                if ix.low(k) != particle:
                    k = -1
                    break
                k += 1
            if k < 0:
                continue
            event, _ = ix.at_det(k, ("Event",))
            if event is not None:
                role = "host" if verb in HOST_VERBS else "attendee"
                yield (idx, "PARTICIPATES_IN", event, {"role": role}, 0.8, cand.start)
        elif verb in INVITE_VERBS:
            guest, _ = ix.at_det(j + 1, actors)
            for k in range(j + 1, min(j + 8, len(ix.lows))):
                if ix.low(k) == "to" and ix.same_sentence(j, k):
                    event, _ = ix.at_det(k + 1, ("Event",))
                    if event is not None:
                        yield (idx, "PARTICIPATES_IN", event, {"role": "host"}, 0.75, cand.start)
                        if guest is not None:
                            yield (guest, "PARTICIPATES_IN", event, {"role": "invitee"}, 0.75, cand.start)
                    break


def _event_context(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Date" and ix.low(cand.end) in ("'s", "'"):
            event = ix.at(cand.end + 1, ("Event",))
            if event is not None:
                yield (event, "ON_DATE", idx, {}, 0.8, cand.start)
        if cand.label != "Event" or any(
                o.nested and o.start <= cand.start and o.end > cand.end for o in ix.cands):
            continue  # "world war ii" inside "world war ii anniversary celebrations"
        j = cand.end
        while ix.low(j) in EVENT_TAILS:
            j += 1
        for _ in range(3):  # "... celebrations in moscow on may 9"
            if not ix.same_sentence(cand.start, j + 1):
                break
            prep = ix.low(j)
            if prep == "in":
                target, _ = ix.at_det(j + 1, ("Place", "Country", "Date"))
            elif prep == "on":
                target, _ = ix.at_det(j + 1, ("Date",))
            else:
                break
            if target is None:
                break
            rel = "ON_DATE" if ix.cands[target].label == "Date" else "LOCATED_IN"
            yield (idx, rel, target, {}, 0.8, cand.start)
            j = ix.cands[target].end


def _lives_in(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Person":
            continue
        j = cand.end
        while ix.low(j) in (",", "who", "currently", "now", "still"):
            j += 1
        if ix.low(j) in LIVE_VERBS and ix.low(j + 1) == "in":
            place, _ = ix.at_det(j + 2, ("Place", "Country"))
            if place is not None and ix.same_sentence(cand.start, j + 2):
                yield (idx, "LIVES_IN", place, {}, 0.8, cand.start)


def _national_of(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Country" and cand.demonym:
            person = ix.at(cand.end, ("Person",))
            if person is not None:
                yield (person, "NATIONAL_OF", idx, {}, 0.7, cand.start)
        if cand.label == "Person" and ix.low(cand.end) == ",":
            country, _ = ix.at_det(cand.end + 1, ("Country",))
            if country is not None and ix.cands[country].demonym and ix.low(ix.cands[country].end) in (
                    "citizen", "national", "native"):
                yield (idx, "NATIONAL_OF", country, {}, 0.9, cand.start)


def _place_country(ix: _Index, entities: list[Entity]) -> Iterator[tuple[str, str, int]]:
    countries = {e.attributes.get("iso_code"): e.id for e in entities if e.label == "Country"}
    for ent in entities:
        if ent.label == "Place" and ent.attributes.get("country_code") in countries and ent.mentions:
            yield ent.id, countries[ent.attributes["country_code"]], ent.mentions[0].sentence


def pattern_relations(doc: Doc, cands: list[Cand], cand_entity: dict[int, str], entities: list[Entity],
                      sentences: list[tuple[int, int]], tok_sent: list[int]) -> list[Relation]:
    """The precise patterns only."""
    ix = _Index(doc, cands, cand_entity, entities, tok_sent)
    merged: dict[tuple[str, str, str, tuple[tuple[str, Any], ...]], Relation] = {}

    def add(head: str, rtype: str, tail: str, props: dict[str, Any], conf: float, sent: int) -> None:
        if head == tail:
            return
        key = (head, rtype, tail, tuple(sorted(props.items())))
        rel = merged.get(key)
        if rel is None:
            rel = merged[key] = Relation(head, rtype, tail, dict(props), conf)
        rel.confidence = max(rel.confidence, conf)
        start, end = sentences[sent]
        if not any(ev.sentence == sent for ev in rel.evidence):
            rel.evidence.append(Evidence(sent, start, end))

    for finder in (_holds_role, _relative_of, _participates, _event_context, _lives_in, _national_of):
        for head, rtype, tail, props, conf, tok in finder(ix):
            add(cand_entity[head], rtype, cand_entity[tail], props, conf, tok_sent[tok])
    for place, country, sent in _place_country(ix, entities):
        add(place, "LOCATED_IN", country, {}, 0.9, sent)
    return list(merged.values())


# A classifier-only HOLDS_ROLE with no role word near the person: DWIE's
# member_of/player_of for organisations; for a state, an office of it.
FALLBACK_ROLES = {"Organization": "member", "Country": "official"}


def _role_at_person(ix: _Index, person: Cand, holders: set[int]) -> str | None:
    """The role phrase next to one person mention: 'foreign minister X',
    'X , the president of ...', 'X , Germany 's foreign minister'."""
    j = person.start - 1
    while j >= 0 and ix.low(j) in HONORIFIC_SKIP and ix.low(j) not in ROLE_HEADS:
        j -= 1
    if j >= 0 and ix.low(j) in ROLE_HEADS and ix.same_sentence(j, person.start):
        k = j
        while k - 1 >= 0 and (ix.low(k - 1) in ROLE_MODIFIERS or ix.low(k - 1) in ROLE_HEADS):
            k -= 1
        role = ix.read_role(k)
        if role:
            return role[0]
    k = person.end
    if ix.low(k) in (",", "(", "is", "was", "as"):
        k += 1
        while ix.low(k) in DETERMINERS:
            k += 1
        for idx in ix.starting.get(k, []):
            if idx in holders:  # "X , Germany 's foreign minister"
                k = ix.cands[idx].end + (1 if ix.low(ix.cands[idx].end) in ("'s", "'") else 0)
                break
        role = ix.read_role(k)
        if role and ix.same_sentence(person.start, k):
            return role[0]
    return None


def classifier_role(ix: _Index, head: str, tail: str, label: str, sents: list[int]) -> str:
    """A role for a HOLDS_ROLE the classifier alone found: the role noun next to
    the person (in the evidence sentences first, then anywhere in the document),
    else a role word between person and holder in one sentence, else
    `FALLBACK_ROLES` by the holder's label. Never empty."""
    people = [c for i, c in enumerate(ix.cands) if ix.cand_entity[i] == head]
    holders = {i for i, c in enumerate(ix.cands) if ix.cand_entity[i] == tail}
    people.sort(key=lambda c: ix.tok_sent[c.start] not in sents)
    for person in people:
        found = _role_at_person(ix, person, holders)
        if found:
            return found
    for person in people:
        for idx in holders:
            h = ix.cands[idx]
            if ix.tok_sent[h.start] != ix.tok_sent[person.start]:
                continue
            lo, hi = (person.end, h.start) if person.end <= h.start else (h.end, person.start)
            for j in range(lo, min(hi, lo + 12)):
                if ix.low(j) in ROLE_HEADS:
                    k = j
                    while k - 1 >= lo and (ix.low(k - 1) in ROLE_MODIFIERS or ix.low(k - 1) in ROLE_HEADS):
                        k -= 1
                    role = ix.read_role(k)
                    if role:
                        return role[0]
    return FALLBACK_ROLES.get(label, "member")


def find_relations(doc: Doc, cands: list[Cand], cand_entity: dict[int, str], entities: list[Entity],
                   sentences: list[tuple[int, int]], tok_sent: list[int],
                   classifier: Any | None = None) -> list[Relation]:
    """The patterns, plus what the trained classifier found beyond them: either
    `classifier` (the `newsgraph_relations` component) run here on the entities
    just built, or what the component left in `doc._.relations` when it ran in
    the pipeline. Predictions name entities by uri; a relation the patterns also
    found keeps the patterns' properties, a HOLDS_ROLE of the classifier alone
    gets its role from `classifier_role`."""
    relations = pattern_relations(doc, cands, cand_entity, entities, sentences, tok_sent)
    predicted: list[Any] | None
    if classifier is not None:
        # The same scoring the component does in the pipeline, on the candidates
        # and entities assembly already has (with the publication date), instead
        # of the component assembling them a second time.
        from extractors.relation_model import PairContext

        ctx = PairContext(doc, cands, cand_entity, entities, tok_sent, {(r.head, r.type, r.tail) for r in relations})
        uri = {e.id: e.uri for e in entities}
        predicted = [(uri[h], rtype, uri[t], round(conf, 4), sents)
                     for h, rtype, t, conf, sents in classifier.predict(ctx)]
    else:
        predicted = doc._.relations if Doc.has_extension("relations") else None
    if not predicted:
        return relations
    ix: _Index | None = None
    labels = {e.id: e.label for e in entities}
    by_uri = {e.uri: e.id for e in entities}
    found = {(r.head, r.type, r.tail): r for r in relations}
    for head_uri, rtype, tail_uri, conf, sents in predicted:
        head, tail = by_uri.get(head_uri), by_uri.get(tail_uri)
        if head is None or tail is None or head == tail:
            continue
        rel = found.get((head, rtype, tail))
        if rel is not None:
            rel.confidence = max(rel.confidence, float(conf))
            continue
        evidence = [Evidence(s, *sentences[s]) for s in sorted(set(sents)) if 0 <= s < len(sentences)]
        props: dict[str, Any] = {}
        if rtype == "HOLDS_ROLE":
            ix = ix or _Index(doc, cands, cand_entity, entities, tok_sent)
            props["role"] = classifier_role(ix, head, tail, labels[tail], list(sents))
        rel = found[(head, rtype, tail)] = Relation(head, rtype, tail, props, float(conf), evidence)
        relations.append(rel)
    return relations
