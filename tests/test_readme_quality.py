"""The README's cnn-facts figures are what `newsgraph eval` measures now (the
news dev set; the other sets' table takes minutes and is measured by hand)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import evaluate

ROOT = Path(__file__).resolve().parent.parent
CNN_FACTS = ROOT.parent / "shared" / "datasets" / "cnn-facts"


def _readme_rows() -> dict[str, tuple[float, float, float]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**cnn-facts at the default cut-off**"):]
    section = section[:section.index("Before this work")]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| ([A-Za-z_ ()+,]+?) \| (0\.\d{3}) \| (0\.\d{3}) \| (0\.\d{3}) \|$", line)
        if m:
            rows[m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
    return rows


def test_readme_cnn_facts_figures_are_measured() -> None:
    if not (CNN_FACTS / "gold").is_dir():
        pytest.skip(f"cnn-facts not found at {CNN_FACTS} (../shared is not beside this checkout)")
    rows = _readme_rows()
    assert {"entities (label + name)", "relations (head, type, tail)", "HOLDS_ROLE"} <= set(rows)
    result = evaluate.run_eval("cnn-facts", CNN_FACTS)
    measured = {"entities (label + name)": result["entities"]["micro"],
                "relations (head, type, tail)": result["relations"]["micro"],
                **{k: v for k, v in result["relations"].items() if k != "micro"}}
    for name, figures in rows.items():
        got = measured[name]
        assert figures == (round(got["precision"], 3), round(got["recall"], 3), round(got["f1"], 3)), name
    cut = re.search(r"\*\*cnn-facts at the default cut-off\*\* \((0\.\d+),", (ROOT / "README.md").read_text())
    assert cut and float(cut.group(1)) == result["min_confidence"]
