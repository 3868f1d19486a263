"""Events triggered in text: a verb such as "visited", "invited", "killed" or
"forgave" becomes an Event with its participants, place and date.

Taxonomy (Event.type) and the roles its participants get, subject first:

| type             | triggers (any inflection)                 | subject  | object   |
|------------------|-------------------------------------------|----------|----------|
| visit            | visit, travel, tour                       | attendee | host     |
| meeting          | meet, talk (with)                         | attendee | attendee |
| invitation       | invite                                    | host     | invitee  |
| sanction         | sanction, embargo                         | actor    | target   |
| attack           | attack, bomb, invade, strike              | actor    | target   |
| killing          | kill, assassinate, murder, shoot, execute | actor    | victim   |
| arrest           | arrest, detain, jail                      | actor    | target   |
| election         | elect, re-elect                           | actor    | target   |
| signing          | sign                                      | actor    | -        |
| debt_forgiveness | forgive, absolve, cancel, write off (debt)| actor    | target   |

Passive clauses swap the roles ("Kennedy was killed by Oswald": Oswald actor,
Kennedy victim). Attending a named event is a pattern of relations.py, not
an event of its own. An event needs its subject (or, in the passive, its
object) to be an entity, and a meeting two participants. Only people, countries and organisations take part; a place
after "in"/"to"/"at" (or a visited place) gives LOCATED_IN, a date after
"on"/"in" gives ON_DATE. An event is kept only when it has a participant.
Triggered events are keyed to their document: two articles about the same
visit give two Event nodes (their participants, places and dates link them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Token

from extractors.assemble import entity_uri
from extractors.calibration import calibrated
from extractors.doc_state import state_of
from extractors.types import Entity, Evidence, Mention, Relation

_FORMS: dict[str, tuple[str, ...]] = {
    "visit": ("visit", "visits", "visited", "visiting", "travel", "travels", "travelled", "traveled",
              "tour", "tours", "toured"),
    "meeting": ("meet", "meets", "met", "meeting"),
    "invitation": ("invite", "invites", "invited", "inviting"),
    "sanction": ("sanction", "sanctions", "sanctioned", "sanctioning", "embargoed"),
    "attack": ("attack", "attacks", "attacked", "attacking", "bomb", "bombed", "bombing", "invade", "invaded",
               "invades", "invading", "strike", "struck"),
    "killing": ("kill", "kills", "killed", "killing", "assassinate", "assassinated", "assassinates",
                "murder", "murdered", "murders", "shoot", "shot", "shoots", "execute", "executed"),
    "arrest": ("arrest", "arrests", "arrested", "detain", "detained", "detains", "jail", "jailed"),
    "election": ("elect", "elects", "elected", "re-elect", "re-elected", "reelected"),
    "signing": ("sign", "signs", "signed", "signing"),
    "debt_forgiveness": ("forgive", "forgave", "forgiven", "forgives", "absolve", "absolved", "absolves",
                         "cancel", "cancelled", "canceled", "write", "wrote", "written"),
}
TRIGGERS = {form: etype for etype, forms in _FORMS.items() for form in forms}
ROLES: dict[str, tuple[str, str | None]] = {
    "visit": ("attendee", "host"),
    "meeting": ("attendee", "attendee"),
    "invitation": ("host", "invitee"),
    "sanction": ("actor", "target"),
    "attack": ("actor", "target"),
    "killing": ("actor", "victim"),
    "arrest": ("actor", "target"),
    "election": ("actor", "target"),
    "signing": ("actor", None),
    "debt_forgiveness": ("actor", "target"),
}
TITLES = {
    "visit": "Visit", "meeting": "Meeting", "invitation": "Invitation",
    "sanction": "Sanctions", "attack": "Attack", "killing": "Killing", "arrest": "Arrest",
    "election": "Election", "signing": "Signing", "debt_forgiveness": "Debt forgiveness",
}
PARTICIPANT_LABELS = {"Person", "Country", "Organization"}
PLACE_PREPS = {"in", "to", "at", "into"}
DATE_PREPS = {"on", "in", "during"}
DEBT_WORDS = {"debt", "debts", "loan", "loans"}


@dataclass
class _Found:
    etype: str
    trigger: Token
    participants: list[tuple[str, str]] = field(default_factory=list)  # (entity id, role)
    places: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


def _entity_at(token: Token, by_token: dict[int, Entity], depth: int = 2) -> Entity | None:
    """The entity a phrase head stands for: itself, or a compound/possessive/appositive inside it."""
    if token.i in by_token:
        return by_token[token.i]
    if depth == 0:
        return None
    # An appositive names the head itself ("his father , kim jong il"); a
    # possessive names someone else, so it comes last.
    order = ("appos", "compound", "nmod", "amod", "pobj", "poss")
    for child in sorted((c for c in token.children if c.dep_ in order), key=lambda c: order.index(c.dep_)):
        found = _entity_at(child, by_token, depth - 1)
        if found is not None:
            return found
    return None


def _subject(verb: Token) -> tuple[Token | None, bool]:
    """(subject token, passive?) of a verb, climbing xcomp/conj ("is expected to attend")."""
    node: Token | None = verb
    for _ in range(3):
        if node is None:
            break
        for child in node.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child, child.dep_ == "nsubjpass" and node is verb
        node = node.head if node.dep_ in ("xcomp", "conj", "advcl", "ccomp") and node.head is not node else None
    return None, False


def _objects(verb: Token) -> list[Token]:
    out = [c for c in verb.children if c.dep_ in ("dobj", "attr", "oprd")]
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("with", "on", "against")):
        out += [c for c in prep.children if c.dep_ == "pobj"]
    return out


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return pobj
    return None


def _find(doc: Doc, by_token: dict[int, Entity]) -> list[_Found]:
    found: list[_Found] = []
    for tok in doc:
        etype = TRIGGERS.get(tok.lower_)
        if etype is None or tok.pos_ not in ("VERB", "AUX") or tok.i in by_token:
            continue
        if etype == "debt_forgiveness" and not any(t.lower_ in DEBT_WORDS for t in tok.subtree):
            continue  # "cancel" a meeting, "write" a letter: not debt forgiveness
        subj_role, obj_role = ROLES[etype]
        event = _Found(etype, tok)
        subject, passive = _subject(tok)
        agent = _agent(tok)
        if passive:  # "X was killed (by Y)"
            subject, agent = agent, subject
        subj = _entity_at(subject, by_token) if subject is not None else None
        if subj is not None and subj.label in PARTICIPANT_LABELS:
            event.participants.append((subj.id, subj_role))
        if passive and agent is not None and obj_role:
            obj = _entity_at(agent, by_token)
            if obj is not None and obj.label in PARTICIPANT_LABELS:
                event.participants.append((obj.id, obj_role))
        for target in _objects(tok) if not passive else []:
            ent = _entity_at(target, by_token) or (
                next((by_token[t.i] for t in target.subtree if t.i in by_token), None)
                if etype == "debt_forgiveness" else None
            )
            if ent is None:
                continue
            if ent.label in ("Place",) or (etype == "visit" and ent.label == "Country"):
                event.places.append(ent.id)
            elif ent.label in PARTICIPANT_LABELS and obj_role:
                event.participants.append((ent.id, obj_role))
        for prep in (c for c in tok.children if c.dep_ == "prep"):
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                ent = _entity_at(pobj, by_token, depth=1)
                if ent is None:
                    continue
                if ent.label == "Date" and prep.lower_ in DATE_PREPS:
                    event.dates.append(ent.id)
                elif ent.label in ("Place", "Country") and prep.lower_ in PLACE_PREPS:
                    event.places.append(ent.id)
        first_role = obj_role if passive else subj_role
        has_subject = any(role == first_role for _, role in event.participants)
        enough = len(event.participants) >= 2 if etype == "meeting" else has_subject
        if enough:
            found.append(event)
    return found


def _event_name(found: _Found, names: dict[str, str]) -> str:
    title = TITLES[found.etype]
    roles = {role: names[eid] for eid, role in reversed(found.participants)}
    linker = {"sanction": "against", "attack": "against", "debt_forgiveness": "for"}.get(found.etype, "of")
    for role in ("victim", "target", "invitee", "host"):
        if role in roles and found.etype not in ("visit", "meeting"):
            return f"{title} {linker} {roles[role]}"
    who = " and ".join(dict.fromkeys(names[eid] for eid, _ in found.participants))
    where = f" to {names[found.places[0]]}" if found.etype == "visit" and found.places else ""
    return f"{title} by {who}{where}"


def triggered_events(
    doc: Doc,
    doc_key: str,
    entities: list[Entity],
    tok_sent: list[int],
    sentences: list[tuple[int, int]],
) -> tuple[list[Entity], list[Relation]]:
    """New Event entities and their relations; `doc_key` keys the events to the document."""
    by_token: dict[int, Entity] = {}
    text = doc.text
    for ent in entities:
        for m in ent.mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                for t in span:
                    by_token.setdefault(t.i, ent)
    names = {e.id: e.name for e in entities}
    new_entities: list[Entity] = []
    relations: list[Relation] = []
    next_id = len(entities)
    for n, found in enumerate(_find(doc, by_token)):
        trig = found.trigger
        sent = tok_sent[trig.i]
        start, end = sentences[sent]
        evidence = [Evidence(sent, start, end)]
        name = _event_name(found, names)
        eid = f"e{next_id}"
        next_id += 1
        new_entities.append(Entity(
            id=eid, label="Event", name=name, uri=entity_uri("Event", f"{doc_key}-{found.etype}-{n}"),
            mentions=[Mention(trig.idx, trig.idx + len(trig.text), text[trig.idx:trig.idx + len(trig.text)], sent)],
            attributes={"type": found.etype, "triggered": True},
        ))
        for pid, role in dict.fromkeys(found.participants):
            rule = f"trigger_{role}"
            relations.append(Relation(pid, "PARTICIPATES_IN", eid, {"role": role},
                                      calibrated("PARTICIPATES_IN", rule), list(evidence), rule=rule))
        for place in dict.fromkeys(found.places):
            relations.append(Relation(eid, "LOCATED_IN", place, {}, calibrated("LOCATED_IN", "trigger_place"),
                                      list(evidence), rule="trigger_place"))
        for date in dict.fromkeys(found.dates):
            relations.append(Relation(eid, "ON_DATE", date, {}, calibrated("ON_DATE", "trigger_date"),
                                      list(evidence), rule="trigger_date"))
    return new_entities, relations


class TriggeredEvents:
    """The `newsgraph_triggers` component: verb-triggered events and their
    participants, place and date, on the entities already assembled."""

    def __init__(self, name: str = "newsgraph_triggers") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        found, relations = triggered_events(doc, state.document.sha256[:12], state.entities, state.tok_sent,
                                            state.sentences)
        state.events = found
        state.relations = [*state.relations, *relations]
        return doc


@Language.factory("newsgraph_triggers", requires=["doc._.ng_state", "token.dep"], assigns=["doc._.ng_state"],
                  default_config={})
def make_triggered_events(nlp: Language, name: str) -> TriggeredEvents:
    return TriggeredEvents(name)
