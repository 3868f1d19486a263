"""The evidence kept on a relationship, defined once.

Each relationship carries one entry per supporting span as parallel lists, one
list per field below. The load plan fills them from the ng:Assertion nodes,
cypher.py's statements append, filter and replace them, export turns them back
into assertions and fingerprints compare them: all from this definition, so a
field added here reaches every one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EvidenceField:
    name: str  # the relationship property holding the list
    key: str | None  # the assertion's property (its ng:neo4jKey); None: the supporting document
    default: Any  # an assertion without the property gets this
    optional: bool = False  # an entry holding the default says nothing: no triple for it


EVIDENCE = (
    EvidenceField("evidence", "evidence", ""),
    EvidenceField("evidence_doc", None, ""),
    EvidenceField("evidence_sentence", "sentence", -1),
    EvidenceField("evidence_start", "start", -1),
    EvidenceField("evidence_end", "end", -1),
    EvidenceField("evidence_confidence", "confidence", 0.0),
    EvidenceField("evidence_version", "extractor_version", ""),
    # when the fact held, as the sentence says it, and as of which publication date
    EvidenceField("evidence_valid_from", "valid_from", "", optional=True),
    EvidenceField("evidence_valid_to", "valid_to", "", optional=True),
    EvidenceField("evidence_former", "former", False, optional=True),
    EvidenceField("evidence_as_of", "as_of", "", optional=True),
)
EVIDENCE_FIELDS = tuple(f.name for f in EVIDENCE)
# The list that says which document each entry comes from.
DOCUMENT_FIELD = "evidence_doc"

# The names go into Cypher text (cypher.py, at import): plain identifiers only.
assert all(re.fullmatch(r"[a-z_]+", name) for name in EVIDENCE_FIELDS)
assert DOCUMENT_FIELD in EVIDENCE_FIELDS
