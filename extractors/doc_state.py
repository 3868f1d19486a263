"""What the newsgraph components hand each other on a Doc.

The pipeline (`config.cfg`) runs as one spaCy `Language`: every step is a
registered component. Between them, inside one process, the work in progress
sits in `doc._.ng_state`; the last component (`newsgraph_output`) turns it into
plain data in `doc._.newsgraph`, which survives `nlp.pipe(n_process=N)`
(documents come back from worker processes serialised with msgpack, so only
plain values may stay on a Doc). The input document's fields ride in
`doc._.ng_document`: its id and publication date anchor dates and keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from spacy.tokens import Doc

from extractors.types import Document, Entity, Evidence, Extraction, Mention, Relation

for _name in ("ng_document", "ng_state", "newsgraph"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass
class DocState:
    document: Document
    tok_sent: list[int]
    sentences: list[tuple[int, int]]
    cands: list[Any]  # extractors.assemble.Cand
    cand_entity: dict[int, str]
    entities: list[Entity]
    relations: list[Relation] = field(default_factory=list)
    events: list[Entity] = field(default_factory=list)  # verb-triggered events


def attach_document(doc: Doc, document: Document) -> Doc:
    doc._.ng_document = asdict(document)
    return doc


def document_of(doc: Doc) -> Document:
    """The input document of a Doc; a Doc made from bare text stands for itself."""
    data = doc._.ng_document
    return Document(**data) if data else Document(id="", text=doc.text)


def state_of(doc: Doc) -> DocState:
    state = doc._.ng_state
    if state is None:
        raise ValueError("no newsgraph state on this Doc: the entity component (newsgraph_entities) "
                         "must run before the relation, event and output components")
    return state


def to_data(extraction: Extraction) -> dict[str, Any]:
    """An extraction as plain values (msgpack-safe)."""
    return asdict(extraction)


def from_data(data: dict[str, Any]) -> Extraction:
    entities = [Entity(**{**e, "mentions": [Mention(**m) for m in e["mentions"]]}) for e in data["entities"]]
    relations = [Relation(**{**r, "evidence": [Evidence(**v) for v in r["evidence"]]}) for r in data["relations"]]
    return Extraction(Document(**data["document"]), entities, relations,
                      [tuple(s) for s in data["sentences"]], data["extractor_version"])
