"""Calibrate relation confidences on the news dev set (cnn-facts).

    python -m extractors.training.calibrate [../shared/datasets/cnn-facts] [--out extractors/data/calibration.json]

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

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from extractors.calibration import CALIBRATION_FILE, rule_key

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "cnn-facts"
MIN_SEEN = 3
PRIOR_WEIGHT = 2.0
TARGET_PRECISION = 0.80


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


def judged_relations(data: Path) -> list[tuple[dict[str, Any], bool]]:
    from extractors.pipeline import extract_documents
    from extractors.types import Document

    golds = {json.loads(p.read_text())["id"]: json.loads(p.read_text()) for p in sorted((data / "gold").glob("*.json"))}
    docs = [Document(id=doc_id, text=(data / "texts" / doc_id).read_text(encoding="utf-8")) for doc_id in golds]
    judged = []
    for extraction in extract_documents(docs, min_confidence=0.0):
        judged += judge(extraction.to_json(), golds[extraction.document.id])
    return judged


def calibrate(judged: list[tuple[dict[str, Any], bool]]) -> dict[str, Any]:
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rel, right in judged:
        for counts in (by_rule[rule_key(rel["type"], rel["rule"])], by_type[rel["type"]]):
            counts[0] += right
            counts[1] += 1
    defaults = {rtype: (k + 0.5) / (n + 1.0) for rtype, (k, n) in by_type.items()}
    rules = {}
    for key, (k, n) in sorted(by_rule.items()):
        if n < MIN_SEEN:
            continue
        prior = defaults[key.split(":", 1)[0]]
        rules[key] = {"confidence": round((k + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT), 3), "right": k, "seen": n}
    table: dict[str, Any] = {"rules": rules, "defaults": {t: round(v, 3) for t, v in sorted(defaults.items())}}
    table["defaults"]["*"] = round(sum(k for k, _ in by_type.values()) / max(1, sum(n for _, n in by_type.values())), 3)
    return table


def choose_cutoff(judged: list[tuple[float, bool]], target: float = TARGET_PRECISION) -> float:
    """The lowest confidence whose kept facts reach `target` precision."""
    for cut in sorted({c for c, _ in judged}):
        kept = [right for c, right in judged if c >= cut]
        if kept and sum(kept) / len(kept) >= target:
            return cut
    return 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = parser.parse_args(argv)
    if not (args.data / "gold").is_dir():
        print(f"error: no cnn-facts gold at {args.data}", file=sys.stderr)
        return 2
    judged = judged_relations(args.data)
    table = calibrate(judged)
    confs = {k: v["confidence"] for k, v in table["rules"].items()}
    scored = [(confs.get(rule_key(r["type"], r["rule"]), table["defaults"].get(r["type"], table["defaults"]["*"])), ok)
              for r, ok in judged]
    table["default_min_confidence"] = choose_cutoff(scored)
    args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    for key, row in table["rules"].items():
        print(f"{key:48} {row['right']:4}/{row['seen']:<4} -> {row['confidence']:.3f}")
    print(f"default cut-off {table['default_min_confidence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
