"""Calibrated confidences: what a rule's facts are worth, measured on dev data.

Every relation names the rule that found it (`Relation.rule`). Its confidence
is the share of that rule's facts that were right on the news dev set
(`extractors/data/calibration.json`, written by
`make calibrate`, tools/training/calibrate.py), so that facts at confidence c are
right about c of the time. The trained classifier's scores are calibrated the
same way, per relation type and score band.

The table is an artifact of the package: a missing or unreadable table is an
error, never a silent fallback.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from extractors.artifacts import DATA, MissingArtifact

CALIBRATION_FILE = DATA / "calibration.json"
# Score bands of the trained classifier, calibrated one by one.
CLASSIFIER_BANDS = (0.9, 0.7, 0.5, 0.3, 0.0)
# The defaults' key for what the classifier's bands and the triggers are worth together.
POOLED_FAMILIES = "classifier+trigger"


def flatten(data: dict[str, Any]) -> dict[str, float]:
    """The lookup table of a calibration file's content."""
    return {key: float(row["confidence"]) for key, row in data["rules"].items()} | {
        f"default:{rtype}": float(value) for rtype, value in data["defaults"].items()} | {
        f"entity:{key}": float(row["confidence"]) for key, row in data.get("entities", {}).items()} | {
        f"entity-source:{key}": float(row["confidence"]) for key, row in data.get("entity_sources", {}).items()} | {
        f"entity-default:{label}": float(v) for label, v in data.get("entity_defaults", {}).items()}


@lru_cache(maxsize=1)
def calibration_table() -> dict[str, float]:
    try:
        data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MissingArtifact(f"calibration table {CALIBRATION_FILE} missing or unreadable: {exc}") from exc
    return flatten(data)


def default_min_confidence() -> float:
    """The cut-off chosen on dev for precision >= 0.80 (see training/calibrate.py)."""
    calibration_table()  # the same artifact: fails loudly when missing
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    return float(data.get("default_min_confidence", 0.0))


def classifier_rule(score: float) -> str:
    """The rule name of a classifier prediction: its score band."""
    band = next(b for b in CLASSIFIER_BANDS if score >= b)
    return f"classifier>={band:.1f}"


def rule_key(rtype: str, rule: str) -> str:
    return f"{rtype}:{rule}"


def name_shape(name: str) -> str:
    """A name of one word or of several. A lone word the model calls a person is
    a real person far less often than a full name ("Stats", "Handler", "Linda"
    left over from "linda prior"), so the two are calibrated apart."""
    return "1w" if len(name.split()) <= 1 else "nw"


def entity_key(label: str, source: str, mentions: int, name: str) -> str:
    return f"{label}:{source or 'other'}:{'1' if mentions <= 1 else '2+'}:{name_shape(name)}"


def calibrated_entity(label: str, source: str, mentions: int, name: str,
                      table: dict[str, float] | None = None) -> float:
    """The dev-measured share of real entities among those of this label, source,
    mention count (one mention, or more) and name shape (one word, or more).
    A combination dev showed too rarely to measure gets what its source is worth
    for the label (every mention count and shape pooled), and only a source dev
    never showed the label's average: a one-word event from the model, never
    seen on dev, is worth what the model's events are (right 0 times in 11
    there), not what events are on average, most of them from the rules.
    `table`: another calibration than the package's (the calibration tool's)."""
    table = calibration_table() if table is None else table
    value = table.get(f"entity:{entity_key(label, source, mentions, name)}")
    if value is None:
        value = table.get(f"entity-source:{label}:{source or 'other'}")
    if value is None:
        value = table.get(f"entity-default:{label}", 1.0)
    return value


def calibrated(rtype: str, rule: str, table: dict[str, float] | None = None) -> float:
    """The dev-measured precision of `rule` for `rtype`; rules too rare on dev
    to measure get their family's (classifier bands, triggers), a family never
    seen for the type what every classifier band and trigger is worth, and a
    pattern the type's default (what its patterns are worth). `table`: another
    calibration than the package's (the calibration tool's, before it is written)."""
    table = calibration_table() if table is None else table
    value = table.get(rule_key(rtype, rule))
    if value is None:
        value = table.get(rule_key(rtype, family(rule)))
    if value is None and family(rule) != rule:
        value = table.get(f"default:{POOLED_FAMILIES}")
    if value is None:
        value = table.get(f"default:{rtype}", table.get("default:*", 0.5))
    return value


def family(rule: str) -> str:
    """The classifier's bands and the event triggers are calibrated as a family
    where one band or trigger alone is too rare to measure."""
    for prefix in ("classifier", "trigger"):
        if rule.startswith(prefix):
            return f"{prefix}*"
    return rule
