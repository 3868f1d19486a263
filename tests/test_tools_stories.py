"""The story measurement counts pairs against exact Jaccard, on a corpus written here."""

from __future__ import annotations

import json
from pathlib import Path

from tools.stories import near_duplicates

STORY = ("the port authority said on friday that container traffic rose by a tenth in the first quarter , "
         "helped by new routes to asia and a shorter strike than last year at the northern terminals . "
         "the authority expects the new quay to open in september , once dredging of the outer channel is "
         "finished , and it plans to hire two hundred more dock workers before the busy autumn season .")


def test_near_duplicates_finds_the_copies_and_only_them(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": STORY}, {"id": "b", "text": STORY.replace("friday", "thursday")},
            {"id": "c", "text": "farmers expect a smaller wheat harvest after a dry spring in the south ."},
            {"id": "d", "text": ""}]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    found = near_duplicates(corpus, limit=10, threshold=0.8)
    assert (found["documents"], found["pairs"], found["exact_pairs"], found["found_of_exact"]) == (4, 1, 1, 1)
    assert found["examples"] == [("a", "b")]
    assert found["found_below_threshold"] == 0
    assert found["lowest_exact_jaccard"] >= 0.8
