"""Calibrate relation confidences on the news dev set (cnn-facts).

    newsgraph build calibration [../shared/datasets/cnn-facts] [--out extractors/data/calibration.json]

Extracts every candidate (no cut-off), matches each relation to the gold
facts (entities by label and any shared surface form, relations by head,
type and tail; RELATIVE_OF either way), and writes, per relation type and
rule, the share that was right, smoothed towards the type's overall share so a
rule seen twice does not claim certainty. Rules seen fewer than MIN_SEEN times
share their type's default. The cut-off that enters the graph by default is
the lowest confidence at which the kept facts are right at least TARGET_PRECISION
of the time on this set.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from extractors.calibration import (
    CALIBRATION_FILE,
    POOLED_FAMILIES,
    calibrated,
    calibrated_entity,
    entity_key,
    family,
    flatten,
    rule_key,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "cnn-facts"
MIN_SEEN = 3
MIN_SEEN_BAND = 10
PRIOR_WEIGHT = 2.0
TARGET_PRECISION = 0.80
TYPE_PRECISION = 0.70  # no relation type seen this often ...
TYPE_MIN_COUNT = 10  # ... is kept below this precision
ENTITY_PRECISION = 0.85  # the entities kept at the cut-off: nodes an analyst sees


def name_key(text: str) -> str:
    """A form for matching names: ascii, lowercase, no possessive, no leading 'the'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\s*'s\b", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


def entity_forms(entity: dict[str, Any]) -> set[str]:
    if entity["label"] == "Date":
        return {name_key(str(entity.get("value") or entity.get("name", "")))}
    forms = {entity.get("name", ""), *entity.get("aliases", [])}
    forms |= {m.get("text", "") for m in entity.get("mentions", [])}
    return {name_key(f) for f in forms} - {""}


def judge(extraction: dict[str, Any], gold: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """Each predicted relation of one document, and whether the gold states it."""
    golds = [(e["label"], e["name"], {name_key(a) for a in [e["name"], *e.get("aliases", [])]} - {""})
             for e in gold["entities"]]
    matches = {e["id"]: {name for label, name, forms in golds if label == e["label"] and forms & entity_forms(e)}
               for e in extraction["entities"]}
    facts = {(r["head"], r["type"], r["tail"]) for r in gold["relations"]}
    out = []
    for rel in extraction["relations"]:
        heads, tails = matches.get(rel["head"], set()), matches.get(rel["tail"], set())
        right = any((h, rel["type"], t) in facts or (rel["type"] == "RELATIVE_OF" and (t, rel["type"], h) in facts)
                    for h in heads for t in tails)
        out.append((rel, right))
    return out


def judge_entities(extraction: dict[str, Any], gold: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """Each predicted named entity of one document, and whether the gold lists it."""
    golds = [(e["label"], {name_key(a) for a in [e["name"], *e.get("aliases", [])]} - {""}) for e in gold["entities"]]
    return [(e, any(label == e["label"] and forms & entity_forms(e) for label, forms in golds))
            for e in extraction["entities"] if not e.get("triggered")]


def judged(data: Path) -> tuple[list[tuple[dict[str, Any], bool]], list[tuple[dict[str, Any], bool]]]:
    """(relations, entities) of every dev document, each with its verdict."""
    from extractors.pipeline import extract_documents
    from extractors.types import Document

    golds = {json.loads(p.read_text())["id"]: json.loads(p.read_text()) for p in sorted((data / "gold").glob("*.json"))}
    docs = [Document(id=doc_id, text=(data / "texts" / doc_id).read_text(encoding="utf-8")) for doc_id in golds]
    relations, entities = [], []
    for extraction in extract_documents(docs, min_confidence=0.0):
        out = extraction.to_json()
        relations += judge(out, golds[extraction.document.id])
        entities += judge_entities(out, golds[extraction.document.id])
    return relations, entities


def calibrate_entities(judged: list[tuple[dict[str, Any], bool]]) -> dict[str, Any]:
    by_key: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_label: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ent, right in judged:
        key = entity_key(ent["label"], ent.get("source", ""), len(ent["mentions"]), ent["name"])
        source = f"{ent['label']}:{ent.get('source') or 'other'}"
        for counts in (by_key[key], by_source[source], by_label[ent["label"]]):
            counts[0] += right
            counts[1] += 1
    defaults = {label: (k + 0.5) / (n + 1.0) for label, (k, n) in by_label.items()}

    def rows(counts: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
        # smoothed towards the label's share, so a key seen a few times does not claim certainty
        return {key: {"confidence": round((k + PRIOR_WEIGHT * defaults[key.split(":")[0]]) / (n + PRIOR_WEIGHT), 3),
                      "right": k, "seen": n}
                for key, (k, n) in sorted(counts.items()) if n >= MIN_SEEN}

    # a label and source pooled over mention counts and name shapes: the
    # fallback of a combination too rare on dev to measure (calibrated_entity)
    return {"entities": rows(by_key), "entity_sources": rows(by_source),
            "entity_defaults": {k: round(v, 3) for k, v in sorted(defaults.items())}}


def calibrate(judged: list[tuple[dict[str, Any], bool]]) -> dict[str, Any]:
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rel, right in judged:
        by_rule[rule_key(rel["type"], rel["rule"])][0] += right
        by_rule[rule_key(rel["type"], rel["rule"])][1] += 1
        if not rel["rule"].startswith(("classifier", "trigger")):
            # the default for a rare pattern: what the type's patterns are worth
            by_type[rel["type"]][0] += right
            by_type[rel["type"]][1] += 1
    defaults = {rtype: (k + 0.5) / (n + 1.0) for rtype, (k, n) in by_type.items()}
    # classifier bands and trigger rules too rare to measure one by one: their family, pooled
    families: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, (k, n) in by_rule.items():
        rtype, rule = key.split(":", 1)
        if rule.startswith(("classifier", "trigger")):
            fam = families[rule_key(rtype, family(rule))]
            fam[0] += k
            fam[1] += n
    # a family seen a few times leans on what every classifier band and trigger is worth
    pooled_k = sum(k for k, _ in families.values())
    pooled = (pooled_k + 0.5) / (sum(n for _, n in families.values()) + 1.0)
    rules = {}
    for key, (k, n) in sorted(by_rule.items()):
        rtype, rule = key.split(":", 1)
        # a score band or a trigger, noisier than a pattern, needs more sightings to stand alone
        if n < (MIN_SEEN_BAND if rule.startswith(("classifier", "trigger")) else MIN_SEEN):
            continue
        # a pattern leans on what its type's patterns are worth; a classifier band or a
        # trigger on what the classifier and the triggers are worth, not on the patterns
        prior = pooled if rule.startswith(("classifier", "trigger")) else defaults.get(rtype, 0.5)
        rules[key] = {"confidence": round((k + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT), 3), "right": k, "seen": n}
    for key, (k, n) in sorted(families.items()):
        rules[key] = {"confidence": round((k + PRIOR_WEIGHT * pooled) / (n + PRIOR_WEIGHT), 3), "right": k, "seen": n}
    table: dict[str, Any] = {"rules": rules, "defaults": {t: round(v, 3) for t, v in sorted(defaults.items())}}
    # a classifier or trigger fact of a type whose family dev never showed: not a pattern's worth
    table["defaults"][POOLED_FAMILIES] = round(pooled, 3)
    table["defaults"]["*"] = round(sum(k for k, _ in by_type.values()) / max(1, sum(n for _, n in by_type.values())), 3)
    return table


def choose_cutoff(judged: list[tuple[float, bool]], target: float = TARGET_PRECISION,
                  types: list[str] | None = None, entities: list[tuple[float, bool]] | None = None) -> float:
    """The lowest confidence whose kept facts reach `target` precision, at which
    no relation type kept TYPE_MIN_COUNT times or more is right less than
    TYPE_PRECISION of the time (`types`: each fact's type, when given), and
    whose kept entities (`entities`, when given) reach ENTITY_PRECISION: the
    one cut-off decides what enters the graph, nodes and facts alike. Above
    that lowest one it rises as far as it can without leaving out anything
    right, fact or entity: a rule right 0 times in 3 whose smoothed confidence
    happens to meet the targets adds only wrong facts (`_raised`)."""
    lowest = _lowest_cutoff(judged, target, types, entities)
    return _raised(lowest, judged, entities or [])


def _raised(cut: float, judged: list[tuple[float, bool]], entities: list[tuple[float, bool]]) -> float:
    """The highest confidence at or above `cut` that keeps every right fact and
    entity `cut` keeps."""
    kept_right = [c for c, right in [*judged, *entities] if right and c >= cut]
    return min(kept_right, default=cut) if cut < 1.0 else cut


def _lowest_cutoff(judged: list[tuple[float, bool]], target: float, types: list[str] | None,
                   entities: list[tuple[float, bool]] | None) -> float:
    for cut in sorted({c for c, _ in judged}):
        kept = [right for c, right in judged if c >= cut]
        if not kept or sum(kept) / len(kept) < target:
            continue
        kept_entities = [right for c, right in entities or [] if c >= cut]
        if kept_entities and sum(kept_entities) / len(kept_entities) < ENTITY_PRECISION:
            continue
        if types is not None:
            per_type: dict[str, list[bool]] = defaultdict(list)
            for (c, right), rtype in zip(judged, types, strict=True):
                if c >= cut:
                    per_type[rtype].append(right)
            if any(len(v) >= TYPE_MIN_COUNT and sum(v) / len(v) < TYPE_PRECISION for v in per_type.values()):
                continue
        return cut
    return 1.0


def write_calibration(data: Path = DEFAULT_DATA, out: Path = CALIBRATION_FILE) -> None:
    """Measure the table on the cnn-facts gold at `data`, write it to `out` and print it."""
    relations, entities = judged(data)
    table = calibrate(relations) | calibrate_entities(entities)
    lookup = flatten(table)  # confidences exactly as the pipeline will give them
    scored = [(calibrated(r["type"], r["rule"], lookup), ok) for r, ok in relations]
    entity_scores = [(calibrated_entity(e["label"], e.get("source", ""), len(e["mentions"]), e["name"], lookup), ok)
                     for e, ok in entities]
    table["default_min_confidence"] = choose_cutoff(scored, types=[r["type"] for r, _ in relations],
                                                    entities=entity_scores)
    out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    for key, row in [*table["rules"].items(), *table["entities"].items(), *table["entity_sources"].items()]:
        print(f"{key:48} {row['right']:4}/{row['seen']:<4} -> {row['confidence']:.3f}")
    print(f"default cut-off {table['default_min_confidence']}")
