"""Relations by precise token-sequence patterns over merged entity mentions.

Each pattern reads lowercase tokens around mentions, so casing does not
matter. Directions follow DESIGN.md: HOLDS_ROLE person -> country|org,
RELATIVE_OF relative -> person ("X 's father , Y": Y RELATIVE_OF X),
PARTICIPATES_IN actor -> event, ON_DATE event -> date, LOCATED_IN
event|place|org -> place|country, LIVES_IN and NATIONAL_OF person -> place|country.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from spacy.tokens import Doc

from extractors.assemble import Cand, known_organizations
from extractors.calibration import calibrated, classifier_rule
from extractors.events import war_sides
from extractors.gazetteer import load_gazetteer
from extractors.sports import is_sports_story
from extractors.truecase import case_table
from extractors.types import Entity, Evidence, Relation
from extractors.vocab import (
    ATTEND_VERBS,
    COMPANY_NOUNS,
    DROP_FROM_ROLE,
    EVENT_TAILS,
    HONORIFICS,
    HOST_VERBS,
    INTERNATIONAL_OPENERS,
    INVITE_VERBS,
    KIN,
    LIVE_VERBS,
    PARTICLE_VERBS,
    PERSON_NOUNS,
    ROLE_HEADS,
    ROLE_MODIFIERS,
    SPORT_ROLES,
    WEEKDAYS,
)
from extractors.words import word_at

# Roles held for a state; other roles after a demonym say nationality only
# ("an american professor").
STATE_ROLES = frozenset({
    "president", "minister", "chancellor", "king", "queen", "prince", "princess", "emperor", "leader",
    "aide", "adviser", "advisor", "spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy",
    "governor", "premier", "secretary", "official", "diplomat", "general", "dictator", "ruler", "monarch",
    "lawmaker", "senator", "representative", "congressman", "congresswoman", "negotiator", "marshal",
    "sheikh", "emir", "sultan", "ayatollah", "commander", "chief", "head", "president-elect",
    "vice-president", "pope", "legislator", "prosecutor", "judge", "commissioner", "ombudsman",
})
DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "this", "that"})
# Where in a place, said before its name: "in chongqing in south-western china".
REGION_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "north-east", "north-west", "south-east", "south-west", "north-eastern", "north-western",
    "south-eastern", "south-western", "northeast", "northwest", "southeast", "southwest", "northeastern",
    "northwestern", "southeastern", "southwestern", "rural", "coastal", "neighbouring", "neighboring",
})
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
        self.ending: dict[int, list[int]] = {}
        for idx, cand in enumerate(cands):
            self.ending.setdefault(cand.end, []).append(idx)
        for lst in self.starting.values():
            lst.sort(key=lambda i: -cands[i].end)  # longest first
        for lst in self.ending.values():
            lst.sort(key=lambda i: cands[i].start)  # longest first

    def low(self, i: int) -> str:
        return self.lows[i] if 0 <= i < len(self.lows) else ""

    def at(self, i: int, labels: tuple[str, ...]) -> int | None:
        """Index of the (longest) candidate with one of `labels` starting at token i."""
        for idx in self.starting.get(i, []):
            if self.cands[idx].label in labels:
                return idx
        return None

    def before(self, end: int, labels: tuple[str, ...]) -> int | None:
        """Index of the (longest) candidate with one of `labels` ending right before token `end`."""
        for idx in self.ending.get(end, []):
            if self.cands[idx].label in labels and not self.cands[idx].nested:
                return idx
        return None

    def covering(self, labels: tuple[str, ...]) -> dict[int, int]:
        """Token -> the candidate of one of `labels` that covers it (the parse's
        rules find a subject or an object by its head token)."""
        out: dict[int, int] = {}
        for idx, cand in enumerate(self.cands):
            if cand.label in labels and not cand.nested and not cand.demonym:
                for i in range(cand.start, cand.end):
                    out.setdefault(i, idx)
        return out

    def at_det(self, i: int, labels: tuple[str, ...]) -> tuple[int | None, int]:
        while self.low(i) in DETERMINERS:
            i += 1
        return self.at(i, labels), i

    def at_det_adj(self, i: int, labels: tuple[str, ...]) -> tuple[int | None, int]:
        """Like `at_det`, and past up to three words that describe the body after the
        determiner: adjectives ("head of the conservative christian social union"),
        or nouns where the last says what kind of body follows ("editor of the fashion
        trade magazine modenwelt"; not "director of the film titanic")."""
        body, first = self.at_det(i, labels)
        if body is not None or first == i:
            return body, first
        k = first
        while k < min(first + 3, len(self.doc)):
            # a demonym or a name of its own is no mere description ("the german state of ...")
            if self.doc[k].tag_ not in ("JJ", "NN", "NNS", "NNP") or self.starting.get(k) \
                    or not self.low(k).replace("-", "").isalpha():
                break
            k += 1
            body = self.at(k, labels)
            if body is not None:
                kind = self.low(k - 1) in COMPANY_NOUNS or self.low(k - 1) in BODY_KIND_NOUNS
                if kind or all(t.tag_ == "JJ" for t in self.doc[first:k]):
                    return body, k
                break
        return None, i

    def same_sentence(self, i: int, j: int) -> bool:
        return 0 <= j < len(self.tok_sent) and self.tok_sent[i] == self.tok_sent[j]

    def word(self, i: int) -> tuple[str, int]:
        return word_at(self.doc, i) if 0 <= i < len(self.lows) else ("", i + 1)

    def read_role(self, i: int) -> tuple[str, str, int] | None:
        """MODIFIER* HEAD at token i: (role, head, index after it)."""
        j, last_head, words, head_word = i, None, [], ""
        while True:
            word, nxt = self.word(j)
            if word not in ROLE_MODIFIERS and word not in ROLE_HEADS:
                break
            words.append(word)
            if word in ROLE_HEADS:
                last_head, head_word, n_words = nxt, word, len(words)
            j = nxt
        if last_head is None:
            return None
        role = " ".join(w for w in words[:n_words] if w not in DROP_FROM_ROLE)
        # "secretary of state", "chief of staff": an office named with its "of"
        tail = next((t for t in OFFICE_OF_TAILS if tuple(self.lows[last_head:last_head + len(t)]) == t), None)
        if tail is not None:
            return f"{role} {' '.join(tail)}", head_word, last_head + len(tail)
        return SPORT_ROLE_NAMES.get(role, role), head_word, last_head

    def read_free_role(self, i: int) -> tuple[str, str, int] | None:
        """Like `read_role`, with up to two other lowercase words before the head
        ("poverty chief", "work and pensions spokesman"): only where a name follows."""
        for lead in (1, 2, 3):
            words = self.lows[i:i + lead]
            if len(words) < lead or not all(
                    w in ("and", "&") or (w.isalpha() and (self.doc[k].pos_ in ("NOUN", "PROPN", "ADJ")
                                                           or self.doc[k].tag_ == "VBG"  # "attacking midfielder"
                                                           # "benefits chief": a plural noun the tagger
                                                           # read as a verb, right before the role
                                                           or (self.doc[k].tag_ == "VBZ" and lead == 1)))
                    for k, w in enumerate(words, start=i)):
                return None
            if any(self.starting.get(k) for k in range(i, i + lead)):
                return None
            role = self.read_role(i + lead)
            if role is not None:
                return " ".join([*words, role[0]]), role[1], role[2]
        return None


Found = tuple[int, str, int, dict[str, Any], str, int]  # head cand, type, tail cand, props, rule, token

# The "of" phrases that are part of an office's name, not its holder.
OFFICE_OF_TAILS = (("of", "state"), ("of", "staff"), ("of", "defense"), ("of", "defence"),
                   ("of", "homeland", "security"), ("of", "the", "exchequer"))


def _holds_role(ix: _Index) -> Iterator[Found]:
    holders = ("Country", "Organization")
    for idx, cand in enumerate(ix.cands):
        # [country|org] ('s)? ROLE ,? PERSON
        if cand.label in holders:
            j = _past_abbreviation(ix, cand.end)
            j += 1 if ix.low(j) in ("'s", "'") else 0
            role, rule = ix.read_role(j), "holder_role_person"
            if role is None:
                role, rule = ix.read_free_role(j), "holder_free_role_person"
            if role is None:
                yield from _holder_plural_role_people(ix, idx, j)
            if role:
                role = _with_portfolio(ix, role)
                k = role[2] + (1 if ix.low(role[2]) == "," else 0)
                person = ix.at(k, ("Person",))
                if person is not None and ix.same_sentence(cand.start, k):
                    yield from _role_or_nationality(ix, person, idx, role, rule, cand.start)
        # ROLE of [country|org] ,? PERSON
        of = _before_adjectives(ix, cand.start)
        of -= 2 if ix.low(of - 1) == "the" else 1  # "head of (the) (ruling)? ecb"
        if cand.label in holders and ix.low(of) == "of" and not cand.demonym \
                and ix.low(cand.end) not in ("'s", "'"):
            j = of - 1
            while j >= 0 and (ix.low(j) in ROLE_MODIFIERS or ix.low(j) in ROLE_HEADS):
                j -= 1
            role = ix.read_role(j + 1)
            if role and role[2] == of:
                # "the head of the european central bank ( ecb ) , jean-claude trichet"
                k = _past_abbreviation(ix, cand.end)
                k += 1 if ix.low(k) == "," else 0
                person = ix.at(k, ("Person",))
                if person is not None and ix.same_sentence(cand.start, k):
                    yield (person, "HOLDS_ROLE", idx, {"role": role[0]}, "role_of_holder_person", cand.start)
                    if cand.label == "Country" and role[1] in STATE_ROLES:  # "the president of france , x"
                        yield (person, "NATIONAL_OF", idx, {}, "state_role_national", cand.start)
        # PERSON , (the)? [country|org] ('s)? ROLE  |  PERSON , (the)? ROLE of [country|org]
        if cand.label == "Person" and ix.low(cand.end) in CONNECTORS:
            j = cand.end + 1
            while ix.low(j) in DETERMINERS:
                j += 1
            holder = ix.at(j, holders)
            if holder is not None:
                h = ix.cands[holder]
                k = h.end + (1 if ix.low(h.end) in ("'s", "'") else 0)
                role = ix.read_role(k) or ix.read_free_role(k)  # "an epa regional administrator"
                # "baker , fed chairman volcker": the role belongs to the next person
                if role and ix.same_sentence(cand.start, k) and ix.at(role[2], ("Person",)) is None:
                    yield from _role_or_nationality(ix, idx, holder, role, "person_holder_role", cand.start)
            else:
                role = ix.read_role(j)
                k = role[2] if role else j
                while role and ix.low(k) in ("and", "&"):
                    k += 1
                # "the founder and president of hanson robotics": one holder, two roles held
                second = ix.read_role(k) if role and k > role[2] else None
                roles = [role[0], second[0]] if role and second else [role[0]] if role else []
                end = second[2] if second else role[2] if role else j
                if roles and ix.low(end) == "of":
                    holder, _ = ix.at_det_adj(end + 1, holders)
                    # a demonym after "of" describes the holder ("premier of the german
                    # state of bavaria"), and a possessor owns it ("president of
                    # rwanda 's green party")
                    if holder is not None and (ix.cands[holder].demonym
                                               or ix.low(ix.cands[holder].end) in ("'s", "'")):
                        holder = None
                    if holder is not None and ix.same_sentence(cand.start, end + 1):
                        for name in roles:
                            yield (idx, "HOLDS_ROLE", holder, {"role": name}, "person_role_of_holder", cand.start)
                        heads = {r[1] for r in (role, second) if r is not None}
                        if ix.cands[holder].label == "Country" and heads & STATE_ROLES:
                            yield (idx, "NATIONAL_OF", holder, {}, "state_role_national", cand.start)


def _before_adjectives(ix: _Index, start: int) -> int:
    """The first of up to two plain adjectives (no part of a name) right before
    token `start`, where "the" comes before them ("the conservative | christian
    social union"); else `start`."""
    k = start
    while start - k < 2 and k > 0 and ix.doc[k - 1].tag_ == "JJ" and not ix.ending.get(k) \
            and ix.low(k - 1).replace("-", "").isalpha():
        k -= 1
    return k if ix.low(k - 1) == "the" else start


def _past_abbreviation(ix: _Index, k: int) -> int:
    """The token after a one-word abbreviation in brackets at k ("( ecb )"), else k."""
    if ix.low(k) == "(" and ix.low(k + 2) == ")" and ix.same_sentence(k, k + 2):
        return k + 3
    return k


# Where a photo's caption places a person: "gareth bale ( left )", "( second right )".
CAPTION_PLACES = frozenset({"left", "right", "centre", "center", "top", "bottom", "above", "below", "inset",
                            "second", "far", "front", "back", "middle", "pictured"})


def _person_bracket_org(ix: _Index) -> Iterator[Found]:
    """PERSON ( (of)? (the)? ORG ): the party or body a name is given with, "michael
    müller ( spd )", "petra pau ( of the left party )": a member of it."""
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Person" or ix.low(cand.end) != "(":
            continue
        k = cand.end + 1 + (1 if ix.low(cand.end + 1) == "of" else 0)
        org, k = ix.at_det(k, ("Organization",))
        if org is None or set(ix.lows[k:ix.cands[org].end]) <= CAPTION_PLACES:
            continue
        if ix.low(ix.cands[org].end) == ")" and ix.same_sentence(cand.start, k):
            yield (idx, "HOLDS_ROLE", org, {"role": "member"}, "person_bracket_org", cand.start)


PORTFOLIO_WORDS = 4  # "minister for | work and pensions"


def _with_portfolio(ix: _Index, role: tuple[str, str, int]) -> tuple[str, str, int]:
    """A role and the portfolio after it, where a comma and a name follow: "sweden 's
    minister for european affairs , cecilia malmstrom"; otherwise the role as read."""
    at = role[2]
    if ix.low(at) != "for":
        return role
    for k in range(at + 1, at + 2 + PORTFOLIO_WORDS):
        word = ix.low(k)
        if word == "," and k > at + 1:
            if ix.at(k + 1, ("Person",)) is None:
                return role
            return f"{role[0]} for {' '.join(ix.lows[at + 1:k])}", role[1], k
        person_here = any(ix.cands[c].label == "Person" for c in ix.starting.get(k, ()))
        if not (word.isalpha() or word == "&") or person_here or not ix.same_sentence(at, k):
            return role
    return role


def _holder_plural_role_people(ix: _Index, holder: int, j: int) -> Iterator[Found]:
    """[country|org] ('s)? (MODIFIER)? ROLEs P1 (, P2)* and Pn: "chelsea strikers
    diego costa and loic remy", "top gear co-hosts richard hammond and james may"."""
    while ix.low(j) in ROLE_MODIFIERS:
        j += 1
    plural = ix.low(j)
    singular = plural[:-1] if plural.endswith("s") else ""
    if singular not in ROLE_HEADS or singular in SPORT_ROLE_NAMES:
        return
    people, k = [], j + 1
    while (person := ix.at(k, ("Person",))) is not None and ix.same_sentence(j, k):
        people.append(person)
        after = ix.cands[person].end
        if ix.low(after) not in (",", "and") or len(people) >= 6:
            break
        k = after + 1
    if len(people) < 2:
        return  # one name after a plural role is not the list the role names
    for person in people:
        yield from _role_or_nationality(ix, person, holder, (singular, singular, j + 1), "holder_roles_people", j)


def _role_or_nationality(ix: _Index, person: int, holder: int, role: tuple[str, str, int],
                         rule: str, tok: int) -> Iterator[Found]:
    h = ix.cands[holder]
    if h.label == "Country" and role[1] not in STATE_ROLES:
        if h.demonym:
            yield (person, "NATIONAL_OF", holder, {}, "demonym_role_person", tok)
        return
    yield (person, "HOLDS_ROLE", holder, {"role": role[0]}, rule, tok)
    if h.label == "Country":  # a state's office holder is its national: "the russian president"
        yield (person, "NATIONAL_OF", holder, {}, "state_role_national", tok)


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
                yield (other, "RELATIVE_OF", idx, {"kind": kind}, "poss_kin_person", cand.start)
        # P2 , P1 's KIN   |   P2 (is|was) (the)? KIN of P1   |   P2 is P1 's KIN
        if ix.low(e) in (",", "is", "was"):
            other = ix.at(e + 1, ("Person",))
            if other is not None:
                o = ix.cands[other]
                if ix.low(o.end) in ("'s", "'") and ix.low(o.end + 1) in KIN and o.key != cand.key:
                    yield (idx, "RELATIVE_OF", other, {"kind": ix.low(o.end + 1)}, "person_poss_kin", cand.start)
            j = e + 1
            while ix.low(j) in DETERMINERS:
                j += 1
            if ix.low(j) in KIN and ix.low(j + 1) == "of":
                other = ix.at(j + 2, ("Person",))
                if other is not None and ix.cands[other].key != cand.key:
                    yield (idx, "RELATIVE_OF", other, {"kind": ix.low(j)}, "person_kin_of", cand.start)


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
                yield (idx, "PARTICIPATES_IN", event, {"role": role}, f"{role}_verb", cand.start)
        elif verb in INVITE_VERBS:
            guest, _ = ix.at_det(j + 1, actors)
            for k in range(j + 1, min(j + 8, len(ix.lows))):
                if ix.low(k) == "to" and ix.same_sentence(j, k):
                    event, _ = ix.at_det(k + 1, ("Event",))
                    if event is not None:
                        yield (idx, "PARTICIPATES_IN", event, {"role": "host"}, "invite_host", cand.start)
                        if guest is not None:
                            yield (guest, "PARTICIPATES_IN", event, {"role": "invitee"}, "invitee", cand.start)
                    break


def _role_clause(ix: _Index) -> Iterator[Found]:
    """A role noun whose "of"/"at"/"for" names the holder, tied to a person by the
    parse: "giggs ... is a former manager of salford city" (the role is what the
    subject is), "charlotte dell , director of social services at hebrew home"
    (the role stands beside the person)."""
    covering = ix.covering(("Person",))
    doc = ix.doc
    for idx, cand in enumerate(ix.cands):
        if cand.label not in ("Organization", "Country") or cand.nested or cand.demonym:
            continue
        tok = doc[cand.start:cand.end].root
        role_tok = None
        for hop in range(2):  # "director [of social services] at hebrew home", "student [in psychology] at ..."
            while hop and tok.dep_ == "conj" and tok.head.pos_ in ("NOUN", "PROPN"):
                tok = tok.head  # "professor [of plant breeding and plant genetics] at ..."
            if hop and tok.lower_ in ROLE_HEADS:
                role_tok = tok  # (the parse may join "genetics" to the role noun itself)
                break
            if tok.dep_ != "pobj" or tok.head.lower_ not in ("of", "at", "for", "with", *(("in",) if hop else ())):
                break
            noun = tok.head.head
            if noun.pos_ not in ("NOUN", "PROPN"):
                break
            if noun.lower_ in ROLE_HEADS:
                role_tok = noun
                break
            tok = noun
        # "x is | was sworn in as poland 's president": the holder owns the role noun;
        # only a verb ties it to a person (an apposition is holder_role_person's)
        poss = tok.dep_ == "poss" and tok.head.lower_ in ROLE_HEADS and ix.low(cand.end) in ("'s", "'")
        if role_tok is None and poss and _predicate_verb(tok.head) is not None:
            role_tok = tok.head
        if role_tok is None or not ix.same_sentence(role_tok.i, cand.start):
            continue
        # a country's office is a state's ("a lawyer for france" argues its case, holds no office of it)
        if cand.label == "Country" and role_tok.lower_ not in STATE_ROLES:
            continue
        role = _role_name(role_tok.lower_, _role_before(ix, role_tok.i))
        people: list[Any] = []
        kind = role_tok.dep_
        if role_tok.dep_ == "appos":
            people = [role_tok.head]
        elif (verb := _predicate_verb(role_tok)) is not None:
            kind = "pred"
            people = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not people and verb.dep_ == "conj":
                people = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if verb.dep_ == "relcl" and all(w.lower_ in ("who", "that") for w in people):
                people = [verb.head]  # "x , who was named coach of ajax"
        for word in people:
            person = covering.get(word.i)
            if person is not None and ix.same_sentence(word.i, cand.start):
                yield (person, "HOLDS_ROLE", idx, {"role": role}, f"role_{kind}_of_holder", word.i)
                if cand.label == "Country":  # "x was sworn in as president of peru": a state's office
                    yield (person, "NATIONAL_OF", idx, {}, "state_role_national", word.i)


BE_FORMS = frozenset({"is", "was", "are", "were", "be", "been", "'s"})


def _forms(words: str) -> frozenset[str]:
    """A verb's forms, listed: the pipeline has no lemmatizer."""
    return frozenset(words.split())


# Verbs whose complement is what the subject is: "x became the chairwoman of y".
BECOME_FORMS = _forms("become becomes became becoming remain remains remained remaining "
                      "stay stays stayed staying")
# Verbs that give their object a role: "x was named chief executive of y", "the
# party elected x leader".
APPOINT_FORMS = _forms(
    "name names named naming appoint appoints appointed appointing elect elects elected electing "
    "re-elect re-elects re-elected reelected make makes made making crown crowns crowned install installs "
    "installed nominate nominates nominated choose chooses chose chosen select selects selected "
    "vote votes voted")
# Verbs whose "as" names a role the subject holds, takes up or leaves: "x served as
# chairman of y", "x was sworn in as president of y", "x stepped down as chief
# executive of y" (held it until then).
AS_ROLE_FORMS = APPOINT_FORMS | BECOME_FORMS | _forms(
    "serve serves served serving act acts acted acting take takes took taken taking step steps stepped "
    "stepping resign resigns resigned resigning retire retires retired retiring quit quits quitting "
    "return returns returned returning join joins joined joining continue continues continued continuing "
    "swear swears swore sworn confirm confirms confirmed hire hires hired succeed succeeds succeeded "
    "replace replaces replaced start starts started begin begins began begun reappoint reappointed "
    "inaugurate inaugurated stand stands stood")


def _predicate_verb(role_tok: Any) -> Any:
    """The verb whose subject the role noun describes, or None: "x is | became the
    president of y", "x was named coach of y", "x served as chairman of y"."""
    verb = role_tok.head
    if role_tok.dep_ == "attr" and (verb.lower_ in BE_FORMS or verb.lower_ in BECOME_FORMS):
        return verb
    if role_tok.dep_ == "oprd" and verb.lower_ in APPOINT_FORMS:
        return verb
    if role_tok.dep_ == "pobj" and verb.lower_ == "as":
        head = verb.head
        # "sworn in for a five-year term as president": "as" hangs on the verb's "for" noun
        if head.pos_ == "NOUN" and head.dep_ == "pobj" and head.head.pos_ == "ADP":
            head = head.head.head
        if head.pos_ in ("VERB", "AUX") and head.lower_ in AS_ROLE_FORMS:
            return head
    return None


def _role_before(ix: _Index, head: int) -> str:
    """The role read from the modifiers before its head noun ("chief executive",
    "foreign minister"), or the head alone."""
    j = head
    while j > 0 and (ix.low(j - 1) in ROLE_MODIFIERS or ix.low(j - 1) in ROLE_HEADS):
        j -= 1
    for start in range(j, head + 1):
        role = ix.read_role(start)
        if role is not None and role[2] == head + 1:
            return role[0]
    return ix.low(head)


# Verbs that say someone is employed by, or studies at, an organisation; the
# role when the clause names none ("worked as an engineer for minolta" names one).
_EMPLOY_VERBS = {
    "employee": "work works worked working",
    "teacher": "teach teaches taught teaching lecture lectures lectured lecturing",
    "student": "study studies studied studying",
}
EMPLOY_ROLES = {form: role for role, forms in _EMPLOY_VERBS.items() for form in forms.split()}
_ASPECT_VERBS = frozenset({
    "start", "starts", "started", "starting", "begin", "begins", "began", "begun", "beginning", "continue",
    "continues", "continued", "continuing", "keep", "keeps", "kept", "keeping", "resume", "resumes", "resumed",
})


def _employ_clause(ix: _Index) -> Iterator[Found]:
    """The subject of an employment verb whose "at"/"for" names the organisation:
    "ueda , who worked as an engineer for camera company minolta", "mcelroy ,
    who teaches legal writing at drexel university", "she works for the bbc".
    The subject may be the relative clause's person ("x , who works at y")."""
    covering = ix.covering(("Person",))
    doc = ix.doc
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Organization" or cand.nested:
            continue
        tok = doc[cand.start:cand.end].root
        # "camera company minolta": the organisation may stand in apposition to a noun
        if tok.dep_ in ("appos", "compound") and tok.head.pos_ == "NOUN":
            tok = tok.head
        if tok.dep_ != "pobj" or tok.head.lower_ not in ("at", "for"):
            continue
        head = tok.head.head
        role = None
        # "as an engineer for minolta": the role noun sits between the verb and the holder
        if head.pos_ == "NOUN" and head.lower_ in ROLE_HEADS and head.dep_ == "pobj" and head.head.lower_ == "as":
            role, head = head.lower_, head.head.head
        if head.pos_ != "VERB" or head.lower_ not in EMPLOY_ROLES or not ix.same_sentence(head.i, cand.start):
            continue
        role = role or EMPLOY_ROLES[head.lower_]
        subjects = [c for c in head.children if c.dep_ == "nsubj"]
        if not subjects and head.dep_ == "xcomp" and head.head.lower_ in _ASPECT_VERBS:
            # "schultze started working at harvard medical school": the subject of the verb
            # before, where it says the work began or went on (not "wanted to work at")
            subjects = [c for c in head.head.children if c.dep_ == "nsubj"]
        if head.dep_ == "relcl" and all(s.lower_ in ("who", "that") for s in subjects):
            subjects = [head.head]  # "mcelroy , who teaches ... at drexel"
        for word in subjects:
            if word.i not in covering and word.dep_ == "appos":
                word = word.head  # "ueda , a photographer who worked ...": the person the noun describes
            person = covering.get(word.i)
            if person is not None and ix.same_sentence(word.i, cand.start):
                yield (person, "HOLDS_ROLE", idx, {"role": role}, "employ_verb_org", word.i)


# Where someone lives or comes from, said by a verb: "ms kunis , who lives in
# hollywood", "karo , now living in los angeles", "chernivtsi , where mila kunis
# lived", "kunis moved to the u.s. from ukraine".
_MOVE_VERBS = frozenset(["move", "moves", "moved", "moving", "relocate", "relocates", "relocated", "relocating"])
_HOME_VERBS = frozenset(["live", "lives", "lived", "living", "reside", "resides", "resided", "residing",
                         "settle", "settles", "settled", "settling"]) | _MOVE_VERBS
_HOME_PREPS = {"in": _HOME_VERBS, "to": _MOVE_VERBS, "from": frozenset(["move", "moves", "moved", "moving"])}


# Verbs whose "to" clause happened ("decided to move"), unlike a wish or a plan ("wanted to live").
_DONE_VERBS = frozenset({"decided", "chose", "used", "had", "went", "managed"})


def _home_clause(ix: _Index) -> Iterator[Found]:
    covering = ix.covering(("Person",))
    doc = ix.doc
    for idx, cand in enumerate(ix.cands):
        if cand.label not in ("Place", "Country") or cand.nested or cand.demonym or cand.source == "club":
            continue
        tok = doc[cand.start:cand.end].root
        words: list[Any] = []
        prep = tok.head
        verb = prep.head
        # "who lives a few hours away in ghent": the place hangs from the distance
        if verb.dep_ == "advmod" and verb.lower_ in ("away", "nearby", "close", "far"):
            verb = verb.head
        if tok.dep_ == "pobj" and prep.lower_ in _HOME_PREPS and verb.lower_ in _HOME_PREPS[prep.lower_]:
            words = [c for c in verb.children if c.dep_ == "nsubj"]
            if not words and verb.dep_ == "xcomp" and verb.head.lower_ in _DONE_VERBS:
                words = [c for c in verb.head.children if c.dep_ == "nsubj"]  # "he decided to move to hong kong"
            if words and words[0].lower_ in ("who", "that") and verb.dep_ == "relcl":
                words = [verb.head]  # "ms kunis , who lives in hollywood"
            elif not words and verb.dep_ in ("acl", "advcl", "relcl") and verb.head.i != verb.i:
                words = [verb.head]  # "karo , now living in los angeles"
        else:  # "chernivtsi , where mila kunis lived"
            for verb in tok.children:
                if verb.dep_ == "relcl" and verb.lower_ in _HOME_VERBS and any(
                        c.lower_ == "where" for c in verb.children):
                    words = [c for c in verb.children if c.dep_ == "nsubj"]
        for word in words:
            person, rule = covering.get(word.i), "home_clause"
            if person is None and word.lower_ in ("he", "she"):
                # "he decided to move to hong kong": whom the sentence, or the one before, is about
                person, rule = _previous_person(ix, word.i, ""), "pronoun_home_clause"
            if person is not None and ix.same_sentence(word.i, cand.start):
                yield (person, "LIVES_IN", idx, {}, rule, word.i)
                # "... who lives in hollywood with partner ashton kutcher and daughter wyatt"
                home_verb = verb if tok.dep_ == "pobj" else None
                for prep in (home_verb.children if home_verb is not None else ()):
                    if prep.dep_ != "prep" or prep.lower_ != "with":
                        continue
                    # to the end of the clause: the parse often loses "and daughter wyatt"
                    first, last = prep.i, prep.i + 1
                    while last + 1 < len(doc) and ix.same_sentence(prep.i, last + 1) \
                            and doc[last + 1].lower_ not in (",", ".", ";", ":"):
                        last += 1
                    for other_idx, other in enumerate(ix.cands):
                        kin = ix.low(other.start - 1)
                        if other.label == "Person" and first < other.start <= last and kin in KIN \
                                and other_idx != person:
                            yield (other_idx, "LIVES_IN", idx, {}, "home_clause_with", other.start)
                            yield (other_idx, "RELATIVE_OF", person, {"kind": kin}, "home_clause_with", other.start)


# Verbs whose subject takes part in the named event their object or preposition
# names ("nadal eased past almagro to reach the barcelona open third round",
# "paul will be attending the white house correspondents' dinner").
# The pipeline has no lemmatizer, so the verbs are listed by their forms.
_CLAUSE_VERBS = {
    "participant": "participate participates participated participating compete competes competed competing "
                   "play plays played playing race races raced racing enter enters entered entering reach "
                   "reaches reached reaching qualify qualifies qualified qualifying contest contests contested "
                   "contesting face faces faced facing lose loses lost losing fight fights fought fighting",
    "attendee": "attend attends attended attending",
    "winner": "win wins won winning",
    "host": "host hosts hosted hosting",
}
CLAUSE_ROLES = {form: role for role, forms in _CLAUSE_VERBS.items() for form in forms.split()}
_UP_DEPS = frozenset({"pobj", "dobj", "prep", "compound", "nmod", "attr", "appos", "npadvmod", "conj"})
_SUBJECT_DEPS = frozenset({"nsubj"})


def _event_clause(ix: _Index) -> Iterator[Found]:
    """The subject of a participation verb whose object (or its preposition's
    object) is a named event, read from the parse within one sentence."""
    actors = ("Person", "Country", "Organization")
    covering = ix.covering(actors)
    doc = ix.doc
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Event" or cand.nested:
            continue
        tok = doc[cand.start:cand.end].root
        for _ in range(4):
            if tok.pos_ in ("VERB", "AUX") or tok.dep_ not in _UP_DEPS or tok.head.i == tok.i:
                break
            tok = tok.head
        role = CLAUSE_ROLES.get(tok.lower_) if tok.pos_ == "VERB" else None
        if role is None:
            continue
        verb = tok
        subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
        clause = verb
        for _ in range(2):  # "eased past almagro to reach ...", "celebrates after winning ..."
            if subjects or clause.dep_ not in ("xcomp", "advcl", "conj", "pcomp", "prep") or clause.head.i == clause.i:
                break
            clause = clause.head
            subjects = [c for c in clause.children if c.dep_ in _SUBJECT_DEPS]
        for subject in subjects:
            for word in (subject, *[c for c in subject.children if c.dep_ == "conj"]):
                actor = covering.get(word.i)
                if actor is not None and ix.same_sentence(word.i, cand.start):
                    yield (actor, "PARTICIPATES_IN", idx, {"role": role}, "subject_verb_event", word.i)
        # the other side, or the company: "eased past almagro to reach ...", "lost to
        # manchester united in ...", "attending the dinner with president obama"
        for head in {verb, clause, doc[cand.start:cand.end].root}:
            for prep in head.children:
                if prep.dep_ == "prep" and prep.lower_ in _OTHER_SIDE_PREPS:
                    for obj in prep.children:
                        actor = covering.get(obj.i) if obj.dep_ == "pobj" else None
                        if actor is not None and ix.same_sentence(obj.i, cand.start):
                            other = "attendee" if role == "attendee" else "participant"
                            yield (actor, "PARTICIPATES_IN", idx, {"role": other}, "other_side_event", obj.i)


_OTHER_SIDE_PREPS = frozenset({"past", "against", "over", "to", "with", "vs", "v", "versus"})


def _event_verb_context(ix: _Index) -> Iterator[Found]:
    """When and where an event happened, said by its verb: "the summit in new
    delhi opened on saturday", "the games were held in paris in 2024"."""
    covering = ix.covering(("Date", "Place", "Country"))
    doc = ix.doc
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Event" or cand.nested:
            continue
        root = doc[cand.start:cand.end].root
        if root.dep_ not in ("nsubj", "nsubjpass") or root.head.pos_ not in ("VERB", "AUX"):
            continue
        for prep in root.head.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("on", "in"):
                continue
            for obj in prep.children:
                target = covering.get(obj.i) if obj.dep_ == "pobj" else None
                if target is None or not ix.same_sentence(obj.i, cand.start):
                    continue
                if ix.cands[target].label == "Date":
                    yield (idx, "ON_DATE", target, {}, "event_verb_date", cand.start)
                elif prep.lower_ == "in" and _contained(ix, idx, target):
                    yield (idx, "LOCATED_IN", target, {}, "event_verb_place", cand.start)


def _actor_poss_event(ix: _Index) -> Iterator[Found]:
    """"labour 's 2015 general election campaign", "russia 's victory day parade": the
    event's owner takes part in it."""
    for idx, cand in enumerate(ix.cands):
        if cand.label in ("Person", "Country", "Organization") and not cand.demonym \
                and ix.low(cand.end) in ("'s", "'"):
            event = ix.at(cand.end + 1, ("Event",))
            if event is None and ix.at(cand.end + 1, ("Date",)) is not None:  # "labour 's 2015 election"
                event = ix.at(ix.cands[ix.at(cand.end + 1, ("Date",)) or 0].end, ("Event",))
            if event is not None and not ix.cands[event].nested:
                yield (idx, "PARTICIPATES_IN", event, {"role": "participant"}, "actor_poss_event", cand.start)


def _event_context(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Date" and ix.low(cand.end) in ("'s", "'"):
            event = ix.at(cand.end + 1, ("Event",))
            if event is not None:
                yield (event, "ON_DATE", idx, {}, "date_poss_event", cand.start)
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
            # one rule for "X in Y" whatever X is: calibrated together (see _located)
            rel, rule = ("ON_DATE", f"event_{prep}") if ix.cands[target].label == "Date" else ("LOCATED_IN",
                                                                                                  "x_in_place")
            if rel == "ON_DATE" or _contained(ix, idx, target):
                yield (idx, rel, target, {}, rule, cand.start)
            j = ix.cands[target].end
            # "in la malbaie , quebec , on june 8": past the place's region, and a comma
            if rel == "LOCATED_IN" and ix.low(j) == ",":
                region = ix.at(j + 1, ("Place", "Country"))
                j = ix.cands[region].end if region is not None else j
                j += 1 if ix.low(j) == "," else 0


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
                yield (idx, "LIVES_IN", place, {}, "live_verb", cand.start)


def _national_of(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Country" and cand.demonym:
            person = ix.at(cand.end, ("Person",))
            if person is not None:
                yield (person, "NATIONAL_OF", idx, {}, "demonym_person", cand.start)
                # "brazilians cicero and raffael": a plural demonym names a list
                if ix.low(cand.end - 1).endswith("s") and not _coordinated(ix, cand.start):
                    for other in _person_list(ix, cand.end)[1:]:
                        yield (other, "NATIONAL_OF", idx, {}, "demonym_people", cand.start)
        if cand.label == "Person" and ix.low(cand.end) == ",":
            country, _ = ix.at_det(cand.end + 1, ("Country",))
            if country is not None and ix.cands[country].demonym and ix.low(ix.cands[country].end) in (
                    "citizen", "national", "native"):
                yield (idx, "NATIONAL_OF", country, {}, "demonym_citizen", cand.start)


# ---- news patterns: teams, nationality, places, homes, family, event dates ----

SPORT_ROLE_NAMES = {"team-mate": "player", "teammate": "player", "team-mates": "player", "skipper": "captain"}
PLAY_VERBS = frozenset({"plays", "played", "playing", "play", "scored", "scores", "scoring", "signed",
                        "signs", "joined", "joins", "starred", "stars", "featured", "debuted"})
AGE = re.compile(r"^\d{1,3}(-years?-old)?$")
KIN_MODIFIERS = frozenset({"younger", "older", "elder", "eldest", "oldest", "youngest", "late", "estranged",
                           "then", "former", "new", "twin", "baby", "little", "big", "only", "newborn"})
FROM_BLOCKERS = frozenset({"reported", "reporting", "reports", "returned", "returning", "fled", "fleeing",
                           "flew", "arrived", "moved", "moving", "travelled", "traveled", "came", "away",
                           "far", "miles", "km", "kilometres", "drive", "journey", "transferred", "loan",
                           "signed", "deported", "smuggled", "escaped", "rescued", "extradited"})
PLACE_LABELS = ("Place", "Country")


def _role_name(word: str, role: str) -> str:
    return SPORT_ROLE_NAMES.get(word, SPORT_ROLE_NAMES.get(role, role))


def _team_roles(ix: _Index) -> Iterator[Found]:
    """A club's player or staff: "manchester city 's wilfried bony", "tony pulis ( west brom )",
    "his crystal palace team-mates", "PERSON , who plays for CLUB", and the names of a team
    sheet (the club of its section: the club that starts the section's first line)."""
    section_club: int | None = None
    open_section = True  # until a club opens it; a team sheet closes it
    for idx, cand in enumerate(ix.cands):
        if cand.source == "club":
            line_start = cand.start == 0 or "\n" in ix.doc[cand.start - 1].text + ix.doc[cand.start - 1].whitespace_
            if open_section and line_start:
                section_club, open_section = idx, False
            # CLUB 's PERSON
            if ix.low(cand.end) in ("'s", "'"):
                person = ix.at(cand.end + 1, ("Person",))
                if person is not None and ix.same_sentence(cand.start, cand.end + 1):
                    yield (person, "HOLDS_ROLE", idx, {"role": "player"}, "club_poss_person", cand.start)
            # his|their CLUB team-mates   <- the person named last before, in the sentence
            if ix.word(cand.end)[0] in ("team-mates", "teammates", "team-mate") and ix.low(cand.start - 1) in (
                    "his", "their", "her"):
                owner = _previous_person(ix, cand.start - 1, "")
                if owner is not None and ix.tok_sent[ix.cands[owner].start] == ix.tok_sent[cand.start]:
                    yield (owner, "HOLDS_ROLE", idx, {"role": "player"}, "pronoun_club_teammates", cand.start)
            # PERSON ( CLUB )   in a "managers :" line the role is manager
            if ix.low(cand.start - 1) == "(" and ix.low(cand.end) == ")":
                person = ix.before(cand.start - 1, ("Person",))
                if person is not None:
                    line = ix.lows[max(0, cand.start - 30):cand.start]
                    role = "manager" if "managers" in line else "player"
                    yield (person, "HOLDS_ROLE", idx, {"role": role}, "person_paren_club", cand.start)
            # CLUB are without|have brought in|recall ... PERSON (and PERSON)*   team news
            yield from _team_news(ix, idx)
        elif cand.label == "Organization" and ix.low(cand.end) in ("'s", "'"):
            # ORG 's PERSON (, PERSON)* (and PERSON)?   "cnn 's rob frehse , jean casarez ... contributed"
            for n, person in enumerate(_person_list(ix, cand.end + 1)):
                rule = "org_poss_person" if n == 0 else "org_poss_person_list"
                yield (person, "HOLDS_ROLE", idx, {"role": "member"}, rule, cand.start)
        if cand.label == "Person" and cand.source == "squad":
            if section_club is not None:
                yield (idx, "HOLDS_ROLE", section_club, {"role": "player"}, "squad_list", cand.start)
            last = idx + 1 >= len(ix.cands) or ix.cands[idx + 1].source != "squad"
            open_section = open_section or last
        # PERSON 's CLUB   "david moyes' real sociedad": the club he runs or plays for
        if cand.label == "Person" and ix.low(cand.end) in ("'s", "'"):
            club = ix.at(cand.end + 1, ("Organization",))
            if club is not None and ix.cands[club].source == "club" and ix.same_sentence(cand.start, cand.end + 1):
                yield (idx, "HOLDS_ROLE", club, {"role": "member"}, "person_poss_club", cand.start)
        # PERSON (, who)? plays|scored for CLUB
        if cand.label == "Person":
            j = cand.end
            while ix.low(j) in (",", "who", "has", "had", "have", "also", "once", "previously", "then", "now"):
                j += 1
            if ix.low(j) in PLAY_VERBS and ix.low(j + 1) in ("for", "with"):
                club, _ = ix.at_det(j + 2, ("Organization",))
                if club is not None and ix.cands[club].source == "club" and ix.same_sentence(cand.start, j + 1):
                    yield (idx, "HOLDS_ROLE", club, {"role": "player"}, "plays_for_club", cand.start)


# What a club does with its own players in team news ("quins are still without
# mike brown and have brought in george lowe").
TEAM_NEWS_WORDS = frozenset({"without", "recalled", "recall", "recalls", "named", "picked", "selected", "dropped",
                             "included", "restored", "welcomed", "welcome", "handed", "rested", "start", "starts"})
_TEAM_NEWS_SKIP = frozenset({"are", "is", "have", "has", "will", "be", "been", "still", "also", "again", "brought",
                             "in", "back", "and"})


def _team_news(ix: _Index, club: int) -> Iterator[Found]:
    j, verb = ix.cands[club].end, False
    while j < ix.cands[club].end + 6 and ix.same_sentence(ix.cands[club].start, j):
        word = ix.low(j)
        if word in TEAM_NEWS_WORDS or (word == "in" and ix.low(j - 1) == "brought"):
            verb = True
        elif word not in _TEAM_NEWS_SKIP:
            break
        j += 1
    if not verb:
        return
    # past a country's team and a position ("without england full back mike brown")
    for k in range(j, j + 5):
        if not ix.same_sentence(ix.cands[club].start, k) or ix.low(k) in (",", ";", "."):
            return
        people = _person_list(ix, k)
        if people:
            for person in people:
                yield (person, "HOLDS_ROLE", club, {"role": "player"}, "club_team_news", k)
            return


def _person_list(ix: _Index, i: int) -> list[int]:
    """The persons of a list starting at token i: "a , b , c and d". One item the
    model did not take for a name (two or three words) may be passed over when
    a name follows it: "cnn 's rob frehse , jean casarez and ..." """
    people: list[int] = []
    skipped = False
    start = i
    while ix.same_sentence(start, i):
        person = ix.at(i, ("Person",))
        titled = i
        while person is None and titled < i + 3 and (
                ix.low(titled) in ROLE_HEADS or ix.low(titled) in ROLE_MODIFIERS or ix.low(titled) in HONORIFICS):
            titled += 1  # "including chancellor angela merkel": a title before the name
            person = ix.at(titled, ("Person",))
        if person is None:
            j = i
            while j < i + 3 and ix.low(j).isalpha() and ix.low(j) not in STOP_WORDS_SHORT:
                j += 1
            if skipped or j == i or ix.low(j) != "," or ix.at(j + 1, ("Person",)) is None \
                    or any(ix.low(k) in KIN for k in range(i, j)):  # "biden 's wife , jill biden": family
                return people
            skipped, i = True, j + 1
            continue
        people.append(person)
        i = ix.cands[person].end
        if ix.low(i) not in (",", "and") or (ix.low(i + 1) == "and" and ix.at(i + 2, ("Person",)) is None):
            return people
        i += 2 if ix.low(i) == "," and ix.low(i + 1) == "and" else 1
    return people


def _dominant_club(ix: _Index) -> int | None:
    """The club a sports story is about: named at least three times, and twice as
    often as any other club."""
    counts: dict[str, list[int]] = {}
    for idx, cand in enumerate(ix.cands):
        if cand.source == "club":
            counts.setdefault(cand.key, []).append(idx)
    ranked = sorted(counts.values(), key=len, reverse=True)
    if not ranked or len(ranked[0]) < 3 or (len(ranked) > 1 and len(ranked[0]) < 2 * len(ranked[1])):
        return None
    return ranked[0][0]


def _club_context(ix: _Index) -> Iterator[Found]:
    """Players and staff of a sports story: "PERSON ... a rare start for CLUB",
    "PERSON lines up at hooker for CLUB"; and, in a story about one club,
    "manager tim sherwood" (a team role before a name with no holder named)."""
    story_club = _dominant_club(ix)
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Person":
            continue
        role_word = None
        for k in range(cand.end, min(cand.end + 12, len(ix.lows))):
            if not ix.same_sentence(cand.start, k) or ix.low(k) in (";", "but", "while", "after", "when"):
                break
            if ix.at(k, ("Person",)) is not None:
                break
            word = ix.word(k)[0]
            if word in SPORT_ROLES:
                role_word = word
            if ix.low(k) == "for":
                club, _ = ix.at_det(k + 1, ("Organization",))
                if club is not None and ix.cands[club].source == "club":
                    role = _role_name(role_word, role_word) if role_word else "player"
                    yield (idx, "HOLDS_ROLE", club, {"role": role}, "person_for_club", cand.start)
                break
        # PERSON 's side|team|men   <- the one club the sentence (or the one before) names,
        # else the club the story is about
        if ix.low(cand.end) in ("'s", "'") and ix.low(cand.end + 1) in ("side", "team", "men", "squad"):
            sent = ix.tok_sent[cand.start]
            club = None
            for window in ({sent}, {sent, sent - 1}):
                named = {c.key: i for i, c in enumerate(ix.cands) if c.source == "club"
                         and ix.tok_sent[c.start] in window}
                if len(named) == 1:
                    club = next(iter(named.values()))
                    break
                if named:
                    break
            club = story_club if club is None else club
            if club is not None:
                yield (idx, "HOLDS_ROLE", club, {"role": "manager"}, "person_poss_side", cand.start)
        if story_club is not None:
            before, _ = ix.word(cand.start - 1) if cand.start > 0 else ("", 0)
            prior = ix.before(cand.start - 1, ("Organization", "Country", "Place"))
            if before in SPORT_ROLES and prior is None and ix.low(cand.start - 1) not in ("'s",):
                yield (idx, "HOLDS_ROLE", story_club, {"role": _role_name(before, before)}, "role_person_story_club",
                       cand.start)


# Words that put a second side in a sentence: its people may be the other club's.
OPPONENT_WORDS = frozenset({"against", "v", "vs", "vs.", "versus", "beat", "beats", "beaten", "defeat", "defeated",
                            "win", "victory", "draw", "drew", "lost", "lose", "loss", "past", "former",
                            "ex", "from", "joined", "signed", "sold", "loan", "rivals", "opponents", "visitors"})


def _one_club_sentence(ix: _Index) -> Iterator[Found]:
    """In a sports story, a team news sentence that names one club and no other
    side: its people are that club's ("schalk brits lines up at hooker for
    saracens , but owen farrell and chris ashton are on the bench")."""
    if not is_sports_story(ix.doc):
        return
    country_terms = load_gazetteer().country_terms
    bounds: dict[int, tuple[int, int]] = {}  # sentence -> its first and last token
    for k, sent in enumerate(ix.tok_sent):
        bounds[sent] = (bounds.get(sent, (k, k))[0], k)
    by_sentence: dict[int, list[int]] = {}
    for idx, cand in enumerate(ix.cands):
        if not cand.nested:
            by_sentence.setdefault(ix.tok_sent[cand.start], []).append(idx)
    for members in by_sentence.values():
        # (a national side, "england full back mike brown", is no club whose people they are)
        clubs = {ix.cands[i].key: i for i in members if ix.cands[i].source == "club"
                 and " ".join(ix.lows[ix.cands[i].start:ix.cands[i].end]) not in country_terms}
        others = [i for i in members if ix.cands[i].label in ("Organization", "Country") and
                  ix.cands[i].source != "club"]
        if len(clubs) != 1 or others:
            continue
        first, last = bounds[ix.tok_sent[ix.cands[members[0]].start]]
        if any(word in OPPONENT_WORDS or word.startswith("ex-") for word in ix.lows[first:last + 1]):
            continue
        club = next(iter(clubs.values()))
        for i in members:
            if ix.cands[i].label == "Person":
                yield (i, "HOLDS_ROLE", club, {"role": "player"}, "one_club_sentence", ix.cands[i].start)


# A state's abbreviation said as its adjective: "u.s. evangelist rick warren" is an
# "american evangelist" (a full name is not: a "china expert" is no Chinese).
ADJECTIVE_ABBREVIATIONS = (["us"], ["u.s."], ["u.s"], ["uk"], ["u.k."])
# A finite verb ends a description: in "the german minister welcomed netanyahu"
# the German is the minister, not the name after the verb.
FINITE_VERB_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _nationality(ix: _Index) -> Iterator[Found]:
    """"spanish compatriot nicolas almagro", "german iran expert udo steinbach", "us
    evangelist rick warren", "kei nishikori of japan", "costa rica international jose
    cubero", and a state's office holder: "russia foreign minister lavrov"."""
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Country" and (cand.demonym or ix.lows[cand.start:cand.end] in ADJECTIVE_ABBREVIATIONS):
            j = cand.end
            words = 0
            topic = False  # the last descriptor word was a place's name
            while words < 3 and ix.low(j).isalpha() and ix.low(j) not in STOP_WORDS_SHORT \
                    and ix.low(j) not in EXAMPLE_WORDS \
                    and ix.doc[j].tag_ not in FINITE_VERB_TAGS:  # "the german minister welcomed netanyahu"
                named = ix.at(j, ("Person", "Organization", "Country", "Place"))
                if named is None:
                    j, topic = j + 1, False
                elif ix.cands[named].label in PLACE_LABELS and not ix.cands[named].demonym and not topic:
                    # the subject of a descriptor: "german iran expert udo steinbach"
                    j, topic = ix.cands[named].end, True
                else:
                    break
                words += 1
            # "its uk director adrian curtis" directs the UK branch: an abbreviation
            # before a role is where the role is held, and holder_role_person reads
            # the state's own roles ("us president")
            held_there = not cand.demonym and any(w in ROLE_HEADS for w in ix.lows[cand.end:j])
            if words > 0 and not topic and not held_there and ix.same_sentence(cand.start, j):
                yield from _demonym_plural_people(ix, idx, j)
                person = ix.at(j, ("Person",))
                if person is None and ix.low(j) == "," and cand.demonym and ix.same_sentence(cand.start, j + 1) \
                        and (ix.low(j - 1) in PERSON_DESCRIPTORS or ix.low(j - 1) in ROLE_HEADS):
                    person = ix.at(j + 1, ("Person",))  # "german tennis phenomenon , steffi graf"
                if person is not None:
                    yield (person, "NATIONAL_OF", idx, {}, "demonym_descr_person", cand.start)
                    # "nadal eased past spanish compatriot almagro": a compatriot of the one before
                    if "compatriot" in ix.lows[cand.end:j]:
                        before = [k for k, c in enumerate(ix.cands) if c.label == "Person" and c.end <= cand.start
                                  and not c.nested and ix.same_sentence(c.start, cand.start)]
                        if before:
                            yield (before[-1], "NATIONAL_OF", idx, {}, "compatriot_of_person", cand.start)
        if cand.label == "Country" and not cand.demonym and ix.low(cand.end) in ("'s", "'"):
            yield from _country_poss_person(ix, idx)
        if cand.label == "Country" and not cand.demonym and ix.low(cand.end) == "international":
            person = ix.at(cand.end + 1, ("Person",))
            if person is not None:
                yield (person, "NATIONAL_OF", idx, {}, "country_international", cand.start)
                # an international plays for the country's team: a role as well as a nationality
                yield (person, "HOLDS_ROLE", idx, {"role": "international"}, "country_international", cand.start)
        if cand.label == "Person" and ix.low(cand.end) == ",":
            # PERSON , the|a (AGE|ADJECTIVE)* DEMONYM ...   "harrison newey , the british 16-year-old
            # son of ...", "anju varghese , a young indian pilot"
            k = cand.end + 2
            while k < min(cand.end + 8, len(ix.doc)) \
                    and (ix.doc[k].tag_ in ("JJ", "CD", "HYPH") or ix.low(k) in AGE_WORDS) \
                    and not ix.starting.get(k):
                k += 1
            country = ix.at(k, ("Country",))
            if country is not None and ix.cands[country].demonym and ix.low(cand.end + 1) in ("the", "a", "an") \
                    and ix.same_sentence(cand.start, k) and not _coordinated(ix, ix.cands[country].start) \
                    and ix.low(ix.cands[country].end) not in ("and", "or", "-", "/"):  # "the french and german envoy"
                yield (idx, "NATIONAL_OF", country, {}, "person_comma_demonym", cand.start)
        if cand.label == "Person" and ix.low(cand.end) == ",":
            # PERSON , (one of)? COUNTRY 's ...   "martin freeman , one of britain 's most bankable stars"
            j = cand.end + 1 + (2 if ix.lows[cand.end + 1:cand.end + 3] == ["one", "of"] else 0)
            country = ix.at(j, ("Country",))
            if country is not None and not ix.cands[country].demonym \
                    and ix.low(ix.cands[country].end) in ("'s", "'"):
                yield (idx, "NATIONAL_OF", country, {}, "person_country_poss", cand.start)
        if cand.label == "Person" and ix.low(cand.end) == "of":
            # PERSON of (the)? ORG   "roy bentham of spirit of shankly", "dr richard carlson of the
            # carnegie institution for science": a member, where no role is named
            body, _ = ix.at_det_adj(cand.end + 1, ("Organization",))
            if body is not None and not ix.cands[body].demonym:
                yield (idx, "HOLDS_ROLE", body, {"role": "member"}, "person_of_org", cand.start)
            country = ix.at(cand.end + 1, ("Country",))
            if country is not None and not ix.cands[country].demonym:
                yield (idx, "NATIONAL_OF", country, {}, "person_of_country", cand.start)
        if cand.label == "Person" and ix.low(cand.end) == "," and ix.low(cand.end + 1) == "of":
            # PERSON , of the ORG   "said gerd landsberg , of the dstgb": the same, set off
            body, _ = ix.at_det_adj(cand.end + 2, ("Organization",))
            if body is not None and not ix.cands[body].demonym and ix.same_sentence(cand.start, cand.end + 2):
                yield (idx, "HOLDS_ROLE", body, {"role": "member"}, "person_of_org", cand.start)


# Nouns that say what a person is, before the name set off by a comma ("the german
# tennis phenomenon , steffi graf").
PERSON_DESCRIPTORS = PERSON_NOUNS | {"phenomenon", "legend", "great", "ace", "icon", "hero", "veteran",
                                     "prodigy", "idol", "international", "compatriot"}


# Nouns that tie a person to a country without making them its national:
# "russia 's ally bashar al-assad", "england 's italian coach".
NOT_OF_THE_COUNTRY = frozenset({
    "ally", "allies", "enemy", "enemies", "foe", "foes", "rival", "rivals", "critic", "critics", "opponent",
    "opponents", "friend", "friends", "partner", "partners", "guest", "guests", "visitor", "visitors",
    "counterpart", "counterparts", "target", "targets", "captor", "captors", "hostage", "hostages",
    "prisoner", "prisoners", "coach", "manager", "boss", "trainer", "adversary", "nemesis", "victim",
    "victims", "sponsor", "backer", "supporter", "supporters", "lawyer", "lawyers", "biographer",
})


def _country_poss_person(ix: _Index, country: int) -> Iterator[Found]:
    """COUNTRY 's DESCRIPTOR{0,3} PERSON: the country's own ("new zealand 's alyn
    ware", "india 's renowned journalist tavleen singh"); not its ally, rival,
    coach or the like (`NOT_OF_THE_COUNTRY`), and not where a demonym in the
    descriptor says otherwise ("england 's italian coach")."""
    cand = ix.cands[country]
    j, words = cand.end + 1, 0
    while words < 3 and ix.low(j).isalpha() and ix.low(j) not in STOP_WORDS_SHORT \
            and ix.doc[j].tag_ not in FINITE_VERB_TAGS and not ix.starting.get(j):
        if ix.low(j) in NOT_OF_THE_COUNTRY:
            return
        j, words = j + 1, words + 1
    person = ix.at(j, ("Person",))
    if person is not None and ix.same_sentence(cand.start, j):
        yield (person, "NATIONAL_OF", country, {}, "country_poss_person", cand.start)


# The words of an age before a demonym: "a 45-year-old british man".
AGE_WORDS = frozenset({"year", "years", "old", "-", "month", "months"})


# What opens the examples of a plural: "german designers , such as x , y and z".
EXAMPLE_OPENERS = (("such", "as"), ("including",), ("like",), ("among", "them"))
EXAMPLE_WORDS = frozenset(o[0] for o in EXAMPLE_OPENERS)


def _coordinated(ix: _Index, start: int) -> bool:
    """A demonym joined to another before it ("french and german leaders"): the
    people after it are of either country."""
    if ix.low(start - 1) not in ("and", "or", ",", "-", "/"):
        return False
    other = ix.before(start - 1, ("Country",))
    return other is not None and ix.cands[other].demonym


def _demonym_plural_people(ix: _Index, country: int, j: int) -> Iterator[Found]:
    """DEMONYM DESCRIPTOR* PLURAL (,)? (such as | including | like)? P1 , P2 and P3:
    each is a national ("french players thierry henry and patrick vieira",
    "young german designers , such as x , y and z"). The descriptor ends at j.
    The first name right after the plural is the single-name rule's."""
    cand = ix.cands[country]
    if ix.doc[j - 1].tag_ not in ("NNS", "NNPS") or _coordinated(ix, cand.start):
        return
    k = j + (1 if ix.low(j) == "," else 0)
    opener = next((o for o in EXAMPLE_OPENERS if tuple(ix.lows[k:k + len(o)]) == o), None)
    if opener is None and k != j:
        return
    k += len(opener) if opener else 0
    people = _person_list(ix, k) if ix.same_sentence(cand.start, k) else []
    for person in people[0 if opener else 1:] if (opener or len(people) > 1) else []:
        yield (person, "NATIONAL_OF", country, {}, "demonym_plural_people", cand.start)


STOP_WORDS_SHORT = frozenset({"the", "a", "an", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with",
                              "is", "was", "are", "were", "has", "had", "have", "who", "which", "that", "said"})


def _located(ix: _Index) -> Iterator[Found]:
    """Stated places: "laredo , texas", "the national gallery in london", "london 's o2 arena"."""
    heads = ("Place", "Organization", "Event")
    table = case_table()
    for idx, cand in enumerate(ix.cands):
        # a head that is one everyday word ("the sky in chongqing", "the villa in st. john")
        # is a common noun the truecaser or the model took for a name
        if cand.nested or (cand.end - cand.start == 1 and ix.lows[cand.start] in table.lower):
            continue
        if cand.source == "club":
            continue  # "beat barcelona in the nou camp": where a club played, not where it is
        # X , Y   (not a list: "london , paris and berlin")
        if cand.label in heads and ix.low(cand.end) == ",":
            tail = ix.at(cand.end + 1, PLACE_LABELS)
            if tail is not None and not ix.cands[tail].demonym and not ix.cands[tail].nested \
                    and ix.same_sentence(cand.start, cand.end + 1):
                t = ix.cands[tail]
                after = ix.low(t.end)
                listed = after in ("and", "or") or (after == "," and ix.at(t.end + 1, PLACE_LABELS) is not None
                                                    and ix.low(ix.cands[ix.at(t.end + 1, PLACE_LABELS) or 0].end)
                                                    in ("and", "or", ","))
                before_list = ix.low(cand.start - 1) == "," and ix.before(cand.start - 1, PLACE_LABELS) is not None
                # "nme , london 's o2 arena": london owns what follows ("'" after a name
                # ending in s is its possessive; elsewhere it opens a quote)
                owner = after == "'s" or (after == "'" and ix.low(t.end - 1).endswith("s"))
                # "prior to the summit in aqaba , france saluted ...": the comma closes an
                # opening phrase and the place is the subject of the verb after it
                subject = t.end < len(ix.doc) and ix.doc[t.end].tag_ in FINITE_VERB_TAGS
                if not listed and not before_list and not owner and not subject and _contained(ix, idx, tail):
                    yield (idx, "LOCATED_IN", tail, {}, "x_comma_place", cand.start)
        # X (,)? in (the)? Y
        if cand.label in heads:
            j = cand.end + (1 if ix.low(cand.end) == "," else 0)
            if ix.low(j) == "in":
                k = j + 1
                while ix.low(k) in DETERMINERS or ix.low(k) in REGION_WORDS or (
                        ix.low(k) == "-" and ix.low(k + 1) in REGION_WORDS):  # "south - western"
                    k += 1
                tail = ix.at(k, PLACE_LABELS)
                if tail is not None and not ix.cands[tail].demonym and ix.same_sentence(cand.start, k) \
                        and _contained(ix, idx, tail):
                    yield (idx, "LOCATED_IN", tail, {}, "x_in_place", cand.start)
        # EVENT (when)? at|in (the)? PLACE   "the 2010 league cup final at wembley",
        # "the kite festival last saturday in chongqing"
        if cand.label == "Event":
            j = cand.end
            date = ix.at(j, ("Date",))
            if date is not None:
                j = ix.cands[date].end
            elif ix.low(j) in ("last", "this", "next") and ix.low(j + 1) in WEEKDAYS:
                j += 2
            if ix.low(j) in ("at", "in") and (j > cand.end or ix.low(j) == "at"):
                k = j + 1
                while ix.low(k) in DETERMINERS:
                    k += 1
                tail = ix.at(k, PLACE_LABELS)
                if tail is not None and not ix.cands[tail].demonym and ix.same_sentence(cand.start, k) \
                        and _contained(ix, idx, tail):
                    yield (idx, "LOCATED_IN", tail, {}, "event_at_place", cand.start)
        # Y 's X
        if cand.label in PLACE_LABELS and not cand.demonym and ix.low(cand.end) in ("'s", "'"):
            head = ix.at(cand.end + 1, ("Place", "Organization"))
            while head is not None and ix.cands[head].source != "club" and _contained(ix, head, idx):
                yield (head, "LOCATED_IN", idx, {}, "place_poss_x", cand.start)
                # "london 's o2 arena and wembley arena": the place owns each one listed
                end = ix.cands[head].end
                head = ix.at(end + 1, ("Place", "Organization")) if ix.low(end) in ("and", ",") else None


# Bodies that belong to the place that names them ("denver police", "the oxford
# food bank", "u.s. department of justice"): the name says where they are.
INSTITUTION_WORDS = frozenset({
    "police", "court", "council", "university", "college", "school", "hospital", "airport", "bank", "bureau",
    "department", "agency", "ministry", "embassy", "army", "navy", "office", "service", "commission",
    "government", "parliament", "assembly", "prison", "museum", "library", "zoo", "station", "prevention",
    "justice", "administration", "authority", "constabulary", "force",
})


def _place_named(ix: _Index) -> Iterator[Found]:
    """An institution named after its place, and a company its nationality
    describes ("dutch hosting company transip")."""
    places: dict[str, int] = {}
    for idx, cand in enumerate(ix.cands):
        # (a place nested in a body's name counts: "denver police", "denver international airport")
        if cand.label in PLACE_LABELS and not cand.demonym and cand.source != "club":
            places.setdefault(" ".join(ix.lows[cand.start:cand.end]), idx)
    for idx, cand in enumerate(ix.cands):
        if cand.label not in ("Organization", "Place") or cand.nested or cand.source in ("club", "venue") \
                or cand.demonym:
            continue
        institution = ix.low(cand.end - 1) in INSTITUTION_WORDS
        # PLACE ORG   "u.s. centers for disease control and prevention", "denver police"
        tail = ix.before(cand.start, PLACE_LABELS)
        if tail is not None and institution and not ix.cands[tail].demonym and _contained(ix, idx, tail):
            yield (idx, "LOCATED_IN", tail, {}, "place_org", cand.start)
        # the place's name opens the body's own  "the oxford food bank", "duncan district court"
        elif institution and cand.end - cand.start > 1:
            first = cand.start + (1 if ix.low(cand.start) == "the" else 0)
            for n in range(min(3, cand.end - first - 1), 0, -1):
                named = places.get(" ".join(ix.lows[first:first + n]))
                if named is not None and ix.cands[named].key != cand.key and _contained(ix, idx, named):
                    yield (idx, "LOCATED_IN", named, {}, "place_named_org", cand.start)
                    break
        # PLACE - based (descriptor){0,3} ORG   "belgian-based investment group rhj
        # international", "the seattle-based retailer amazon": the body is based there
        if cand.label == "Organization":
            j = cand.start
            while j > cand.start - 4 and j > 2 and ix.low(j - 1).isalpha() and ix.low(j - 1) != "based" \
                    and ix.low(j - 1) not in STOP_WORDS_SHORT:
                j -= 1
            if j > 2 and ix.low(j - 1) == "based" and ix.low(j - 2) == "-":
                base = ix.before(j - 2, PLACE_LABELS)
                if base is not None and _contained(ix, idx, base):
                    yield (idx, "LOCATED_IN", base, {}, "place_based_org", cand.start)
        # DEMONYM (descriptor){0,2} COMPANY_NOUN ORG   "dutch hosting company transip",
        # "us broadcaster fox news"
        if cand.label == "Organization":
            j = cand.start - 1
            words = 0
            while words < 3 and j > 0 and ix.low(j).isalpha() and ix.low(j) not in STOP_WORDS_SHORT:
                country = ix.before(j, ("Country",))
                if country is not None and (ix.cands[country].demonym or _adjective_form(ix, country)) \
                        and (ix.low(cand.start - 1) in COMPANY_NOUNS or ix.low(cand.start - 1) in BODY_KIND_NOUNS):
                    yield (idx, "LOCATED_IN", country, {}, "demonym_descr_org", cand.start)
                    break
                j -= 1
                words += 1


# What else a demonym and a noun say a named body is ("the german flight school air
# alliance", "the polish party pis", "the swiss foundation ..."): beside `COMPANY_NOUNS`.
BODY_KIND_NOUNS = frozenset({
    "school", "party", "institute", "foundation", "association", "university", "paper", "carrier",
    "utility", "producer", "exporter", "investor", "fund", "union", "federation", "think-tank", "airport",
    "museum", "institution", "body", "regulator", "authority", "channel", "station", "broadcaster", "website",
})


# Countries whose short name is their adjective ("us broadcaster fox news", "the uk
# equivalent"): as a demonym there.
ADJECTIVE_COUNTRY_FORMS = frozenset({"us", "u.s.", "u.s", "uk", "u.k."})


def _adjective_form(ix: _Index, country: int) -> bool:
    cand = ix.cands[country]
    return " ".join(ix.lows[cand.start:cand.end]) in ADJECTIVE_COUNTRY_FORMS


def _contained(ix: _Index, head: int, tail: int) -> bool:
    """No contradiction with what the gazetteer knows (a Canadian city is not in
    the United States), no circle (a country is in nothing), and no body of many
    countries in one of them ("turkey 's eu membership talks")."""
    h, t = ix.cands[head], ix.cands[tail]
    if h.label == "Country" or h.key == t.key or h.name.lower().rstrip(".") == t.name.lower().rstrip("."):
        return False
    if t.label == "Country" and h.label == "Organization" and international_body(h.name):
        return False
    # (a region the text puts the place in, "wellington in somerset", says which of
    # the places of that name it is: there the gazetteer's guess, the largest, yields)
    return not gazetteer_disagrees(h.name, h.attrs, t.label, t.attrs, places=False)


def international_body(name: str) -> bool:
    """A body of many countries ("european commission", "nato", "the oecd"),
    by its name's first words or its line in data/organizations.tsv."""
    words = tuple(name.lower().split())
    words = words[1:] if words[:1] == ("the",) else words
    if any(words[:len(opener)] == opener for opener in INTERNATIONAL_OPENERS):
        return True
    return " ".join(words) in known_organizations().names_of_kind("intergovernmental")


def gazetteer_disagrees(head_name: str, head_attrs: dict[str, Any], tail_label: str, tail_attrs: dict[str, Any],
                        places: bool = True) -> bool:
    """A place put in a country where the gazetteer knows no place of its name
    ("oslo" in Germany; "valencia" in Spain is fine, though the gazetteer's guess
    is the bigger Valencia, in Venezuela), or (`places`) in a place of another
    country than the guess ("vienna" in London). The patterns leave out the
    second test: where a sentence itself puts a town in a region ("wellington in
    somerset"), the text says which town of that name it is."""
    head_cc = head_attrs.get("country_code")
    if not head_cc:
        return False
    if tail_label == "Country":
        tail_cc = tail_attrs.get("iso_code")
        return bool(head_cc != tail_cc and tail_cc not in load_gazetteer().namesakes.get(head_name.lower(), ()))
    tail_cc = tail_attrs.get("country_code")
    return bool(places and tail_label == "Place" and tail_cc and tail_cc != head_cc)


def _homes(ix: _Index) -> Iterator[Found]:
    """"lynne edwards from huntington", "the 22-year-old , from melbourne", "giggs , of salford",
    "utah photographer alan lawrence", "duncan woman joy smith"."""
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Person":
            j = cand.end
            if ix.low(j) == "," and AGE.match(ix.low(j + 1)) and ix.low(j + 2) == ",":
                j += 3
            comma = ix.low(j) == ","
            if comma:
                j += 1
            prep = ix.low(j)
            if prep == "from" or (prep == "of" and comma):
                place, k = ix.at_det(j + 1, ("Place",))
                if place is not None and ix.cands[place].source != "club" and ix.same_sentence(cand.start, k):
                    end = ix.cands[place].end
                    if ix.low(end) not in ("to", "for") and ix.low(cand.start - 1) not in FROM_BLOCKERS:
                        yield (idx, "LIVES_IN", place, {}, f"person_{prep}_place", cand.start)
                        # "from huntington in cambridgeshire", "from hinckley , leicestershire"
                        region, _ = ix.at_det(end + 1, PLACE_LABELS) if ix.low(end) in ("in", ",") else (None, 0)
                        if region is not None and not ix.cands[region].demonym:
                            yield (idx, "LIVES_IN", region, {}, f"person_{prep}_place", cand.start)
            # PERSON 's home|house in PLACE (, REGION)?   "sugar bear 's home in mcintyre , georgia"
            if ix.low(cand.end) in ("'s", "'") and ix.low(cand.end + 1) in HOME_NOUNS \
                    and ix.low(cand.end + 2) in ("in", "at"):
                place, k = ix.at_det(cand.end + 3, PLACE_LABELS)
                if place is not None and not ix.cands[place].demonym and ix.cands[place].source != "club":
                    yield (idx, "LIVES_IN", place, {}, "person_home_in", cand.start)
                    end = ix.cands[place].end
                    region = ix.at(end + 1, PLACE_LABELS) if ix.low(end) == "," else None
                    if region is not None and not ix.cands[region].demonym:
                        yield (idx, "LIVES_IN", region, {}, "person_home_in", cand.start)
            # PERSON ... his|her home|house in PLACE   "smith returned to his home in leeds"
            k = cand.end
            while k < cand.end + 12 and ix.same_sentence(cand.start, k) and ix.low(k) not in (".", ";") \
                    and ix.at(k, ("Person",)) is None:
                if ix.low(k) in ("his", "her") and ix.low(k + 1) in HOME_NOUNS and ix.low(k + 2) in ("in", "at") \
                        and _previous_person(ix, k, "") == idx:
                    place, _ = ix.at_det(k + 3, PLACE_LABELS)
                    if place is not None and not ix.cands[place].demonym and ix.cands[place].source != "club" \
                            and ix.same_sentence(cand.start, k + 3):
                        yield (idx, "LIVES_IN", place, {}, "pronoun_home_in", k)
                    break
                k += 1
        if cand.label == "Place" and cand.source != "club":
            j = cand.end
            words = 0
            while words < 2 and ix.low(j) in PERSON_NOUNS | JOB_NOUNS:
                j += 1
                words += 1
            if words and ix.same_sentence(cand.start, j):
                person = ix.at(j, ("Person",))
                if person is not None:
                    yield (person, "LIVES_IN", idx, {}, "place_noun_person", cand.start)


HOME_NOUNS = frozenset({"home", "house", "flat", "apartment", "residence", "farm", "villa", "mansion"})
JOB_NOUNS = frozenset({"photographer", "designer", "inventor", "artist", "lawmaker", "professor", "student"})


def _family(ix: _Index) -> Iterator[Found]:
    """"michael schumacher 's 16-year-old son mick", and "his wife amanda" with "his" the
    nearest person named before it in the sentence or the one before."""
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Person":
            continue
        # PERSON 's (AGE|MOD)* KIN (,)? PERSON
        if ix.low(cand.end) in ("'s", "'"):
            j = cand.end + 1
            mods = 0
            while mods < 3:
                word, after = ix.word(j)  # "16 - year - old" is one word
                if not (AGE.match(word) or word in KIN_MODIFIERS):
                    break
                j, mods = after, mods + 1
            if mods and ix.low(j) in KIN:
                kind = ix.low(j)
                k = j + 1 + (1 if ix.low(j + 1) == "," else 0)
                other = ix.at(k, ("Person",))
                if other is not None and ix.cands[other].key != cand.key:
                    yield (other, "RELATIVE_OF", idx, {"kind": kind}, "poss_mod_kin_person", cand.start)
        # his|her (MOD)* KIN (,)? PERSON   <- PERSON is the KIN of the nearest person before
        j = cand.start - 1
        if ix.low(j) == ",":
            j -= 1
        kin_at = j
        j -= 1
        while ix.low(j) in KIN_MODIFIERS or AGE.match(ix.low(j)):
            j -= 1
        if ix.low(kin_at) in KIN and ix.low(kin_at) not in PLURAL_KIN and ix.low(j) in ("his", "her") and j >= 0:
            owner = _previous_person(ix, j, cand.key)
            if owner is not None:
                yield (idx, "RELATIVE_OF", owner, {"kind": ix.low(kin_at)}, "pronoun_kin_person", cand.start)
        # his wife W and their son X   <- X is W's son too
        if ix.low(kin_at) in KIN and ix.low(j) == "their" and ix.low(j - 1) == "and":
            partner = ix.before(j - 1, ("Person",))
            if partner is not None and ix.low(ix.cands[partner].start - 1) in KIN \
                    and ix.low(ix.cands[partner].start - 2) in ("his", "her") and ix.cands[partner].key != cand.key:
                yield (idx, "RELATIVE_OF", partner, {"kind": ix.low(kin_at)}, "their_kin_person", cand.start)
        # his|her parents|children , P1 and P2   <- each of the pair, of the person before
        if ix.low(kin_at) in PLURAL_KIN and ix.low(j) in ("his", "her") and j >= 0:
            pair = [idx]
            if ix.low(cand.end) == "and":
                other = ix.at(cand.end + 1, ("Person",))
                if other is not None and ix.same_sentence(cand.start, cand.end + 1):
                    pair.append(other)
            owner = _previous_person(ix, j, cand.key)
            kind = PLURAL_KIN[ix.low(kin_at)]
            if owner is None or len(pair) != 2:
                continue
            for member in pair:
                if ix.cands[member].key != ix.cands[owner].key:
                    yield (member, "RELATIVE_OF", owner, {"kind": kind}, "pronoun_kin_pair", cand.start)


# "his parents , donna and peter lane": a pair, not one kin; what each of the pair is
PLURAL_KIN = {"parents": "parent", "children": "child"}


def _previous_person(ix: _Index, tok: int, not_key: str) -> int | None:
    """Whom "his"/"her" at token `tok` refers to: the subject named last before
    it in its sentence or the one before ("rhodri giggs spoke about his brother
    ryan 's affair with his then wife natasha": Rhodri both times), else the
    person named last."""
    best: int | None = None
    subject: int | None = None
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Person" or cand.end > tok or cand.key == not_key:
            continue
        if ix.tok_sent[tok] - ix.tok_sent[cand.start] > 1:
            continue
        if best is None or cand.end > ix.cands[best].end:
            best = idx
        if any(t.dep_ in ("nsubj", "nsubjpass") for t in ix.doc[cand.start:cand.end]) and (
                subject is None or cand.end > ix.cands[subject].end):
            subject = idx
    return subject if subject is not None else best


WIN_VERBS = frozenset({"won", "wins", "win", "winning", "claimed", "claims", "clinched", "lifted"})
COMPETE_WORDS = frozenset({"debut", "debuts", "compete", "competes", "competed", "competing", "race", "races",
                           "raced", "racing", "play", "plays", "played", "playing", "face", "faces", "faced",
                           "meet", "meets", "met", "beat", "beats", "lost", "lose", "loses", "fought", "fight",
                           "fights", "fighting", "took", "start", "starts", "started", "appearance", "scored",
                           "scores", "drew", "draw"})
ACTORS = ("Person", "Country", "Organization")


def _event_participants(ix: _Index) -> Iterator[Found]:
    """"nadal won the barcelona open" (winner), "formula one champion niki lauda" (winner),
    "aston villa face liverpool in the fa cup semi-final" (both take part)."""
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Event" and not cand.nested and ix.low(cand.end) in ("champion", "winner", "champions"):
            person = ix.at(cand.end + 1, ("Person",))
            if person is not None:
                yield (person, "PARTICIPATES_IN", idx, {"role": "winner"}, "event_champion_person", cand.start)
        if cand.label not in ACTORS or cand.demonym:
            continue
        j = cand.end
        while ix.low(j) in SUBJECT_SKIP and ix.same_sentence(cand.start, j):
            j += 1
        if ix.low(j) in WIN_VERBS:
            event, k = ix.at_det(j + 1, ("Event",))
            if event is not None and ix.same_sentence(cand.start, k):
                yield (idx, "PARTICIPATES_IN", event, {"role": "winner"}, "actor_won_event", cand.start)
                continue
        # "neymar ( left ) poses for a photo with rafael nadal at the barcelona open":
        # a caption puts whoever it shows at the event
        if ix.low(j) == "(" and ix.low(j + 2) == ")":
            j += 3
        if ix.low(j) in CAPTION_VERBS:
            yield from _shown_at_event(ix, idx, j)
            continue
        # "schumacher makes his debut in the adac formula 4 series"
        if ix.low(j) in ("makes", "made", "make", "making") and ix.low(j + 1) in ("his", "her", "their") \
                and ix.low(j + 2) in COMPETE_WORDS:
            j += 2
        # ACTOR verb ... (ACTOR2)? ... in|at the EVENT, within one clause
        if ix.low(j) not in COMPETE_WORDS:
            continue
        others: list[int] = []
        for k in range(j + 1, min(j + 14, len(ix.lows))):
            if not ix.same_sentence(cand.start, k) or ix.low(k) in (",", ";", "--", "while", "but", "after"):
                break
            other = ix.at(k, ACTORS)
            if other is not None and ix.cands[other].label != "Country":
                others.append(other)
            if ix.low(k) in ("in", "at"):
                event, _ = ix.at_det(k + 1, ("Event",))
                if event is not None and ix.cands[event].attrs.get("type") == "sports":
                    yield (idx, "PARTICIPATES_IN", event, {"role": "participant"}, "actor_compete_in_event",
                           cand.start)
                    for other in others:
                        yield (other, "PARTICIPATES_IN", event, {"role": "participant"}, "opponent_in_event",
                               cand.start)
                    break


# Verbs whose subject, named by where it comes from, takes part in the event
# ("teams from 13 countries participated in the kite festival , including
# representatives from china , new zealand , the uk and italy").
_FROM_COUNTRIES_VERBS = frozenset({"participated", "participate", "participates", "competed", "compete",
                                   "competes", "took", "attended", "attend", "attends", "joined"})


def _countries_at_event(ix: _Index) -> Iterator[Found]:
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Event" or cand.nested:
            continue
        j = cand.start - 1
        while ix.low(j) in DETERMINERS or (j >= 0 and (ix.low(j).isalpha() or ix.low(j) == "-")
                                           and ix.at(j, ACTORS) is None and ix.low(j) not in ("in", "at")
                                           and ix.low(j) not in _FROM_COUNTRIES_VERBS and cand.start - j <= 6):
            j -= 1  # "participated in the four - day - long | wulong ..."
        if ix.low(j) == "in" and ix.low(j - 1) == "part":
            j -= 2
        elif ix.low(j) == "in":
            j -= 1
        if ix.low(j) not in _FROM_COUNTRIES_VERBS or not ix.same_sentence(j, cand.start):
            continue
        for k, word in enumerate(ix.lows):
            if word != "from" or not ix.same_sentence(k, cand.start):
                continue
            country, i = ix.at_det(k + 1, ("Country",))
            while country is not None and not ix.cands[country].demonym:
                yield (country, "PARTICIPATES_IN", idx, {"role": "participant"}, "countries_at_event", k)
                i = ix.cands[country].end
                if ix.low(i) not in (",", "and") or not ix.same_sentence(i, cand.start):
                    break
                country, i = ix.at_det(i + 1 + (1 if ix.low(i + 1) == "and" else 0), ("Country",))


CAPTION_VERBS = frozenset({"poses", "posed", "posing", "pictured", "photographed", "smiles", "waves", "arrives",
                           "arrived", "arriving"})


def _shown_at_event(ix: _Index, actor: int, verb: int) -> Iterator[Found]:
    """The actor, and anyone "with" them, attends the event named after "at"
    later in the same clause."""
    company: list[int] = []
    for k in range(verb + 1, min(verb + 16, len(ix.lows))):
        if not ix.same_sentence(verb, k) or ix.low(k) in (";", "--", "while", "but", "after", "as"):
            return
        if ix.low(k - 1) == "with" or (company and ix.low(k - 1) == "and"):
            other = ix.at(k, ("Person",))
            if other is not None:
                company.append(other)
        if ix.low(k) == "at":
            event, _ = ix.at_det(k + 1, ("Event",))
            if event is not None:
                for who in (actor, *company):
                    yield (who, "PARTICIPATES_IN", event, {"role": "attendee"}, "shown_at_event", verb)
            return


def _war_sides(ix: _Index) -> Iterator[Found]:
    """The two countries that name a war take part in it: "the iran-iraq war"."""
    for idx, cand in enumerate(ix.cands):
        if cand.label != "Event" or cand.source != "event_rule" or war_sides(ix.doc, cand.start, cand.end) is None:
            continue
        for side in ix.starting.get(cand.start, []) + [i for k in range(cand.start + 1, cand.end)
                                                        for i in ix.starting.get(k, [])]:
            c = ix.cands[side]
            if c.label == "Country" and c.nested and c.end <= cand.end:
                yield (side, "PARTICIPATES_IN", idx, {"role": "participant"}, "war_sides", cand.start)


def _event_dates(ix: _Index) -> Iterator[Found]:
    """A year named with the event: "the 2010 league cup final", "labour 's 2015 general election"."""
    for idx, cand in enumerate(ix.cands):
        if cand.label == "Date" and cand.attrs.get("precision") == "year":
            event = ix.at(cand.end, ("Event",))
            if event is not None and not ix.cands[event].nested:
                yield (event, "ON_DATE", idx, {}, "year_event", cand.start)
            if cand.source == "event_year":  # the year inside the name: "2015 General Election"
                event = ix.at(cand.start, ("Event",))
                if event is not None and not ix.cands[event].nested:
                    yield (event, "ON_DATE", idx, {}, "year_event", cand.start)


# An entity only the statistical model found, once or under a one-word name, is
# the doubtful kind (the calibration shows it wrong far more often than a
# gazetteer's, a repeated one or a full name): a fact about it is worth less than the pattern alone says. Fixed by
# source, not by the entity's calibrated confidence, so that calibrating twice
# gives the same table.
WEAK_SOURCE = "model_"
WEAK_SUFFIX = "~weak"


def weak_entities(entities: list[Entity]) -> dict[str, str]:
    """The doubtful entities, each with the suffix its facts' rules take: a
    one-word name is more often a common word the model took for a name
    ("sky", "house") than a full name seen once ("louvre museum") is."""
    return {e.id: WEAK_SUFFIX if len(e.name.split()) == 1 else WEAK_SUFFIX + "-nw"
            for e in entities if e.source.startswith(WEAK_SOURCE) and (
                len(e.mentions) <= 1 or len(e.name.split()) == 1)}


def weak_suffix(weak: dict[str, str], head: str, tail: str) -> str:
    """The suffix of a fact between `head` and `tail`: the doubtful one's, the
    one-word kind first."""
    found = {weak[e] for e in (head, tail) if e in weak}
    return WEAK_SUFFIX if WEAK_SUFFIX in found else found.pop() if found else ""


# What a rule says when it knows no more than that a role or a part is held.
GENERIC_ROLES = frozenset({"player", "member", "participant", "attendee"})


def _generic(props: dict[str, Any]) -> bool:
    role = props.get("role", props.get("kind"))
    return role is None or role in GENERIC_ROLES


def _says_more(props: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether `props` names what `other` names and more: a role where `other`
    has a generic one, or a role whose words include all of `other`'s."""
    role, other_role = props.get("role", props.get("kind")), other.get("role", other.get("kind"))
    if role is None or props == other:
        return False
    return _generic(other) or set(str(other_role).split()) < set(str(role).split())


def pattern_relations(doc: Doc, cands: list[Cand], cand_entity: dict[int, str], entities: list[Entity],
                      sentences: list[tuple[int, int]], tok_sent: list[int]) -> list[Relation]:
    """The precise patterns only."""
    ix = _Index(doc, cands, cand_entity, entities, tok_sent)
    merged: dict[tuple[str, str, str], list[Relation]] = {}

    weak = weak_entities(entities)

    def add(head: str, rtype: str, tail: str, props: dict[str, Any], rule: str, sent: int) -> None:
        if head == tail:
            return
        rule += weak_suffix(weak, head, tail)  # a pattern between doubtful entities is its own rule, calibrated apart
        found = merged.setdefault((head, rtype, tail), [])
        rel = next((r for r in found if r.properties == props), None)
        if rel is None and found and _generic(props):
            rel = found[0]  # "player" adds nothing to "hooker": the same fact, one more witness
        if rel is None:
            rel = next((r for r in found if _says_more(props, r.properties) or _says_more(r.properties, props)),
                       None)
            if rel is not None and _says_more(props, rel.properties):
                # the named role replaces the generic one, the fuller one its part
                # ("founder and president" over "founder")
                rel.properties = dict(props)
        if rel is None:
            # The first rule that finds a fact names it (the finders run in a fixed
            # order), whatever the calibration says: so calibrating again measures
            # the same rules and gives the same table.
            rel = Relation(head, rtype, tail, dict(props), calibrated(rtype, rule), rule=rule)
            found.append(rel)
        start, end = sentences[sent]
        if not any(ev.sentence == sent for ev in rel.evidence):
            rel.evidence.append(Evidence(sent, start, end))

    for finder in (_holds_role, _person_bracket_org, _relative_of, _participates, _event_context, _lives_in,
                   _national_of, _team_roles, _nationality, _located, _homes, _family, _event_dates,
                   _event_participants, _club_context, _event_clause, _role_clause, _employ_clause, _home_clause,
                   _place_named, _actor_poss_event, _event_verb_context, _one_club_sentence,
                   _countries_at_event, _war_sides):
        for head, rtype, tail, props, rule, tok in finder(ix):
            add(cand_entity[head], rtype, cand_entity[tail], props, rule, tok_sent[tok])
    return [rel for found in merged.values() for rel in found]


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
                   predicted: list[Any] | None = None) -> list[Relation]:
    """The patterns, plus what the trained classifier found beyond them:
    `predicted` (head uri, type, tail uri, score, sentence indices), or what a
    classifier left in `doc._.relations`. A relation the patterns also found
    keeps the patterns' rule and properties; a HOLDS_ROLE of the classifier
    alone gets its role from `classifier_role`."""
    relations = pattern_relations(doc, cands, cand_entity, entities, sentences, tok_sent)
    if predicted is None:
        predicted = doc._.relations if Doc.has_extension("relations") else None
    if not predicted:
        return relations
    ix: _Index | None = None
    labels = {e.id: e.label for e in entities}
    attrs = {e.id: e.attributes for e in entities}
    names = {e.id: e.name for e in entities}
    by_uri = {e.uri: e.id for e in entities}
    weak = weak_entities(entities)
    found = {(r.head, r.type, r.tail): r for r in relations}
    for head_uri, rtype, tail_uri, conf, sents in predicted:
        head, tail = by_uri.get(head_uri), by_uri.get(tail_uri)
        if head is None or tail is None or head == tail:
            continue
        rel = found.get((head, rtype, tail))
        if rel is not None:
            continue  # the pattern's rule is the more precise witness
        # the patterns' own test: the classifier does not put a place in a country
        # the gazetteer says it is not in ("oslo" and "germany" in one sentence)
        if rtype == "LOCATED_IN" and gazetteer_disagrees(names[head], attrs[head], labels[tail], attrs[tail]):
            continue
        # nor a body of many countries in one of them ("bulgaria joined the eu")
        if rtype == "LOCATED_IN" and labels[tail] == "Country" and labels[head] == "Organization" \
                and international_body(names[head]):
            continue
        evidence = [Evidence(s, *sentences[s]) for s in sorted(set(sents)) if 0 <= s < len(sentences)]
        props: dict[str, Any] = {}
        if rtype == "HOLDS_ROLE":
            ix = ix or _Index(doc, cands, cand_entity, entities, tok_sent)
            props["role"] = classifier_role(ix, head, tail, labels[tail], list(sents))
        rule = classifier_rule(float(conf))
        rule += weak_suffix(weak, head, tail)  # as for the patterns: doubtful entities, calibrated apart
        rel = found[(head, rtype, tail)] = Relation(head, rtype, tail, props, calibrated(rtype, rule), evidence,
                                                    rule=rule)
        relations.append(rel)
    return relations
