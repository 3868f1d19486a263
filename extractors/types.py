"""Typed results of extraction: the contract between extractors and the schema.

Everything here is plain data (no spaCy objects) so it pickles cheaply across
processes and serialises to the JSON that `newsgraph extract` prints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

# Closed lists: the schema maps exactly these, anything else is a bug.
ENTITY_LABELS = ("Person", "Country", "Organization", "Place", "Event", "Date")
RELATION_TYPES = (
    "HOLDS_ROLE",
    "NATIONAL_OF",
    "RELATIVE_OF",
    "LIVES_IN",
    "LOCATED_IN",
    "PARTICIPATES_IN",
    "ON_DATE",
)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One input article. `id` is stable across runs (path relative to the
    input root, or the JSONL id); `sha256` identifies its content."""

    id: str
    text: str
    date: str | None = None  # ISO publication date; anchors relative dates
    title: str | None = None
    url: str | None = None
    source: str | None = None  # file (and line) it was read from

    @property
    def sha256(self) -> str:
        return sha256_text(self.text)


@dataclass
class Mention:
    start: int  # character offsets into Document.text, end exclusive
    end: int
    text: str
    sentence: int  # index of the sentence holding the mention
    form: str = "name"  # "name", or "demonym": "German" refers to Germany without naming it

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "sentence": self.sentence,
                "form": self.form}


@dataclass
class Entity:
    """One entity of one document. `uri` is global and deterministic (type +
    normalised key) so the same entity from two documents lands on one node."""

    id: str  # local to the extraction: "e0", "e1", ...
    label: str  # one of ENTITY_LABELS
    name: str  # display form, properly cased
    uri: str
    mentions: list[Mention] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # surface forms seen
    # Label-specific: Date -> value, precision, resolved; Event -> type;
    # Country -> iso_code, wikidata; Place -> geonames_id, country_code.
    attributes: dict[str, Any] = field(default_factory=dict)
    # How sure we are that this is a real entity of this label, calibrated on
    # dev data per source (see extractors/calibration.py), and that source.
    confidence: float = 1.0
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "name": self.name,
            "uri": self.uri,
            "confidence": round(self.confidence, 4),
            "source": self.source,
            "aliases": list(self.aliases),
            "mentions": [m.to_json() for m in self.mentions],
        }
        out.update(self.attributes)
        return out


@dataclass
class Evidence:
    sentence: int  # sentence index
    start: int  # character offsets of the supporting span in Document.text
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end}


@dataclass
class Relation:
    head: str  # Entity.id
    type: str  # one of RELATION_TYPES
    tail: str  # Entity.id
    properties: dict[str, Any] = field(default_factory=dict)  # role, kind
    confidence: float = 1.0
    evidence: list[Evidence] = field(default_factory=list)
    # Which extractor found it ("pattern:holder_role_person", "classifier"...):
    # confidences are calibrated per rule, and an analyst can see why.
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "type": self.type,
            "tail": self.tail,
            "properties": dict(self.properties),
            "confidence": round(self.confidence, 4),
            "rule": self.rule,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class Extraction:
    document: Document
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # char spans
    extractor_version: str = ""

    def entity(self, entity_id: str) -> Entity:
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(entity_id)

    def to_json(self) -> dict[str, Any]:
        doc = self.document
        return {
            "id": doc.id,
            "sha256": doc.sha256,
            "date": doc.date,
            "title": doc.title,
            "extractor_version": self.extractor_version,
            "entities": [e.to_json() for e in self.entities],
            "relations": [r.to_json() for r in self.relations],
        }
