"""Shingling and the story threshold, on texts written for these tests."""

from __future__ import annotations

import pytest

from newsgraph.config import load_settings
from schema import shingles

WIRE = (
    "The finance ministers of the seven largest economies met in Ottawa on Tuesday and agreed to "
    "coordinate their response to the sudden fall of the dollar, officials said after the talks. "
    "The ministers asked their central banks to stand ready to intervene in the currency markets "
    "and promised a further meeting before the end of the month to review the measures taken."
)
# A repost: a new dateline and one word changed, the rest as the wire sent it.
REPOST = "OTTAWA, March 3 - " + WIRE.replace("sudden fall", "steep fall")
# The same event in other words: an independent report.
OTHER_WORDS = (
    "Meeting in the Canadian capital, the group of seven finance chiefs pledged joint action after "
    "the dollar slid sharply. Their central banks will be ready to buy and sell currencies, and the "
    "ministers will meet again within weeks to judge whether the steps worked, a spokesman said."
)


def test_shingles_ignore_case_and_punctuation_and_count_words() -> None:
    assert shingles.shingles("The Dollar FELL, sharply; on Tuesday.") == shingles.shingles(
        "the dollar fell sharply on tuesday")
    assert shingles.shingles("one two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles.shingles("too short") == {"too short"}
    assert shingles.shingles(" ... ") == set()


def test_a_repost_is_over_the_threshold_and_an_independent_report_far_under_it() -> None:
    repost = shingles.jaccard(shingles.shingles(WIRE), shingles.shingles(REPOST))
    other = shingles.jaccard(shingles.shingles(WIRE), shingles.shingles(OTHER_WORDS))
    assert repost >= shingles.DEFAULT_THRESHOLD
    assert other < 0.05
    # The signatures estimate the same similarities (error about 1/sqrt(128)).
    wire, copy, report = (shingles.signature(t) for t in (WIRE, REPOST, OTHER_WORDS))
    assert wire is not None and copy is not None and report is not None
    assert abs(shingles.similarity(wire, copy) - repost) < 0.15
    assert shingles.similarity(wire, report) < 0.2


def test_a_heavily_edited_copy_falls_under_the_threshold() -> None:
    words = WIRE.split()
    # Every fourth word replaced: most 5-word shingles are broken.
    edited = " ".join(f"x{i}" if i % 4 == 0 else w for i, w in enumerate(words))
    assert shingles.jaccard(shingles.shingles(WIRE), shingles.shingles(edited)) < shingles.DEFAULT_THRESHOLD


def test_near_duplicates_share_a_band_key_and_unrelated_texts_do_not() -> None:
    wire, copy, report = (shingles.signature(t) for t in (WIRE, REPOST, OTHER_WORDS))
    assert wire is not None and copy is not None and report is not None
    keys = set(shingles.band_keys(wire))
    assert len(keys) == len(shingles.band_keys(wire)) > 10
    assert keys & set(shingles.band_keys(copy))
    assert not keys & set(shingles.band_keys(report))
    assert all(key.isalnum() for key in keys)  # one token each in the whitespace full-text index


def test_a_signature_survives_its_text_form() -> None:
    wire = shingles.signature(WIRE)
    assert wire is not None
    back = shingles.decode(shingles.encode(wire))
    assert shingles.similarity(wire, back) == 1.0
    assert shingles.band_keys(back) == shingles.band_keys(wire)
    assert shingles.signature("") is None
    with pytest.raises(ValueError):
        shingles.decode(shingles.encode(wire)[:40])


def test_the_setting_defaults_to_the_documented_threshold_and_refuses_a_low_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    empty = tmp_path / "none.env"
    monkeypatch.delenv("NEWSGRAPH_STORY_THRESHOLD", raising=False)
    assert load_settings(empty).story_threshold == shingles.DEFAULT_THRESHOLD == 0.8
    monkeypatch.setenv("NEWSGRAPH_STORY_THRESHOLD", "0.3")
    with pytest.raises(ValueError, match="NEWSGRAPH_STORY_THRESHOLD"):
        load_settings(empty)
