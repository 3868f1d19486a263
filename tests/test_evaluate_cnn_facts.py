"""cnn-facts, scored by facts: the matching rules on hand-made examples, and
`newsgraph eval --dataset cnn-facts` against the shared scorer
(../shared/tools/score_facts.py) on a few articles, figure for figure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.types import Document, Entity, Extraction, Mention, Relation
from tools import evaluate
from tools.datasets import FactDocument, FactEntity, fact_key, read_cnn_facts
from tools.evaluate import judge_facts, relation_counts, reliability, score_facts

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CNN_FACTS = SHARED / "datasets" / "cnn-facts"
SCORER = SHARED / "tools" / "score_facts.py"
SAMPLE_SIZE = 5


def gold_entity(label: str, name: str, *aliases: str) -> FactEntity:
    return FactEntity(label, name, frozenset(k for k in map(fact_key, [name, *aliases]) if k))


def pred(eid: str, label: str, name: str, *mentions: str, confidence: float = 1.0, **attributes: object) -> Entity:
    return Entity(eid, label, name, f"urn:{eid}", [Mention(0, len(m), m, 0) for m in mentions],
                  attributes=dict(attributes), confidence=confidence)


def judged(gold: FactDocument, entities: list[Entity], relations: list[Relation]) -> evaluate.FactJudgement:
    return judge_facts(gold, Extraction(Document(gold.id, "text"), entities, relations))


# ------------------------------------------------------------------ rules
def test_names_compare_without_case_accents_possessive_punctuation_or_leading_the() -> None:
    assert fact_key("The New York Times") == fact_key("new york times") == "new york times"
    assert fact_key("people 's daily online") == fact_key("People's Daily Online")
    assert fact_key("Émile  Zola") == "emile zola"
    assert fact_key("u.s.") == "u s"
    assert fact_key("--") == ""


def test_entities_match_by_label_and_any_name() -> None:
    gold = FactDocument("a.txt", Path("a.txt"), [
        gold_entity("Person", "Diego Costa", "diego costa", "costa"),
        gold_entity("Organization", "Chelsea", "chelsea"),
        gold_entity("Place", "Wigan", "wigan"),
    ])
    j = judged(gold, [
        pred("e0", "Person", "Costa", "costa"),  # an alias is enough
        pred("e1", "Person", "Wigan", "wigan"),  # the right name with the wrong label
        pred("e2", "Organization", "Chelsea F.C.", "chelsea"),  # a mention text is a name too
    ], [])
    assert (j.entities["Person"].tp, j.entities["Person"].fp, j.entities["Person"].fn) == (1, 1, 0)
    assert (j.entities["Organization"].tp, j.entities["Organization"].fn) == (1, 0)
    assert (j.entities["Place"].tp, j.entities["Place"].fp, j.entities["Place"].fn) == (0, 0, 1)


def test_dates_match_by_value_and_triggered_events_are_not_scored_as_entities() -> None:
    gold = FactDocument("a.txt", Path("a.txt"), [gold_entity("Date", "2013-12")])
    j = judged(gold, [
        pred("d0", "Date", "December", "december", value="2013-12"),
        pred("d1", "Date", "2013-12", "2013-12", value="XXXX-12"),  # the name is not looked at
        pred("v0", "Event", "Killing", "killing", triggered=True),
    ], [])
    assert (j.entities["Date"].tp, j.entities["Date"].fp, j.entities["Date"].fn) == (1, 1, 0)
    assert "Event" not in j.entities


def test_relations_need_both_ends_matched_and_relative_of_goes_either_way() -> None:
    gold = FactDocument("a.txt", Path("a.txt"), [
        gold_entity("Person", "Kim Jong Un"), gold_entity("Person", "Kim Jong Il"),
        gold_entity("Country", "North Korea"),
    ], [("Kim Jong Il", "RELATIVE_OF", "Kim Jong Un"), ("Kim Jong Un", "HOLDS_ROLE", "North Korea"),
        ("Kim Jong Un", "NATIONAL_OF", "North Korea")])
    ents = [pred("p0", "Person", "Kim Jong Un"), pred("p1", "Person", "Kim Jong Il"),
            pred("c0", "Country", "North Korea"), pred("x", "Place", "North Korea")]
    j = judged(gold, ents, [
        Relation("p0", "RELATIVE_OF", "p1", {"kind": "son"}, 0.95),  # reversed: still right
        Relation("p0", "HOLDS_ROLE", "c0", {"role": "anything"}, 0.6),  # roles are not compared
        Relation("p0", "NATIONAL_OF", "x", confidence=0.99),  # the tail matches no gold Country
    ])
    counts = relation_counts([j])
    assert (counts["RELATIVE_OF"].tp, counts["HOLDS_ROLE"].tp) == (1, 1)
    assert (counts["NATIONAL_OF"].tp, counts["NATIONAL_OF"].fp, counts["NATIONAL_OF"].fn) == (0, 1, 1)
    # At 0.7 the HOLDS_ROLE prediction is left out: its gold fact becomes a miss.
    high = relation_counts([j], 0.7)
    assert (high["HOLDS_ROLE"].tp, high["HOLDS_ROLE"].fp, high["HOLDS_ROLE"].fn) == (0, 0, 1)


def test_cutoff_compares_the_confidence_extract_prints() -> None:
    gold = FactDocument("a.txt", Path("a.txt"), [gold_entity("Person", "A"), gold_entity("Country", "B")],
                        [("A", "NATIONAL_OF", "B")])
    rel = Relation("a", "NATIONAL_OF", "b", confidence=0.69996)  # printed as 0.7
    j = judged(gold, [pred("a", "Person", "A"), pred("b", "Country", "B")], [rel])
    assert relation_counts([j], 0.7)["NATIONAL_OF"].tp == 1


def test_reliability_buckets() -> None:
    table = reliability([(0.1, False), (0.55, True), (0.65, False), (0.95, True), (1.0, True)])
    assert [b["count"] for b in table["buckets"]] == [1, 2, 0, 0, 2]
    assert [b["accuracy"] for b in table["buckets"]] == [0.0, 0.5, None, None, 1.0]
    assert table["buckets"][-1]["bucket"] == "[0.9,1]"
    assert table["ece"] == round((0.1 + 2 * abs(0.5 - 0.6) + 2 * abs(1.0 - 0.975)) / 5, 4)


def test_score_facts_reports_cutoffs_and_entity_reliability_when_entities_carry_confidence() -> None:
    gold = FactDocument("a.txt", Path("a.txt"), [gold_entity("Person", "A"), gold_entity("Country", "B")],
                        [("A", "NATIONAL_OF", "B")])
    x = Extraction(Document("a.txt", "t"), [pred("a", "Person", "A", confidence=0.9),
                                            pred("b", "Country", "B", confidence=0.3)],
                   [Relation("a", "NATIONAL_OF", "b", confidence=0.6)])
    out = score_facts([gold], {"a.txt": x}, min_confidence=0.0)
    assert out["relations"]["micro"]["tp"] == 1
    assert out["relations_at_confidence"]["0.7"]["fn"] == 1
    assert out["reliability"]["relations"]["buckets"][1]["correct"] == 1
    # every entity carries its calibrated confidence: each lands in its bucket
    assert out["reliability"]["entities"]["count"] == 2
    assert [b["count"] for b in out["reliability"]["entities"]["buckets"]] == [1, 0, 0, 0, 1]
    # a document with no extraction (its text could not be read) predicts nothing
    assert score_facts([gold], {})["entities"]["micro"]["fn"] == 2


# ------------------------------------------------------------ vs the shared scorer
@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (CNN_FACTS / "gold").is_dir() or not SCORER.is_file():
        pytest.skip(f"the shared cnn-facts data or scorer is not there ({CNN_FACTS}, {SCORER}): "
                    "../shared is not beside this checkout")
    folder = tmp_path_factory.mktemp("cnn-facts")
    (folder / "gold").mkdir()
    (folder / "texts").mkdir()
    # The articles with the most gold relations: the comparison then covers most relation types.
    golds = sorted(read_cnn_facts(CNN_FACTS), key=lambda g: (-len(g.relations), g.id))[:SAMPLE_SIZE]
    for g in golds:
        shutil.copy(CNN_FACTS / "gold" / f"{g.id}.json", folder / "gold")
        shutil.copy(g.text_path, folder / "texts")
    return folder


def _shared_scorer(sample: Path, min_confidence: str | None) -> dict:
    """The shared scorer's figures for `newsgraph extract` on the sample; with
    NEWSGRAPH_MIN_CONFIDENCE set to `min_confidence`, or unset (extract's default)."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSGRAPH_MIN_CONFIDENCE"}
    if min_confidence is not None:
        env["NEWSGRAPH_MIN_CONFIDENCE"] = min_confidence
    cli = f"{sys.executable} -m newsgraph.cli"
    done = subprocess.run(
        [sys.executable, str(SCORER), cli, "--gold", str(sample / "gold"), "--texts", str(sample / "texts"), "--json"],
        capture_output=True, text=True, timeout=900, env=env, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _same_figures(ours: dict, theirs: dict) -> None:
    assert ours["documents"] == theirs["documents"] == SAMPLE_SIZE
    for kind in ("entities", "relations"):
        assert set(ours[kind]) == set(theirs[kind]), kind
        for name, figures in theirs[kind].items():
            assert ours[kind][name] == figures, f"{kind} {name}"
    assert ours["relations_at_confidence"] == theirs["relations_at_confidence"]


def test_every_candidate_scores_as_the_shared_scorer_does(sample: Path) -> None:
    from newsgraph.config import load_settings

    ours = evaluate.run_eval("cnn-facts", sample, min_confidence=0.0, model_name=load_settings().spacy_model)
    theirs = _shared_scorer(sample, "0")
    _same_figures(ours, theirs)
    assert ours["relations"]["micro"]["tp"] + ours["relations"]["micro"]["fp"] > 0
    assert sum(b["count"] for b in ours["reliability"]["relations"]["buckets"]) == (
        ours["relations"]["micro"]["tp"] + ours["relations"]["micro"]["fp"])


def test_the_default_cutoff_scores_as_the_shared_scorer_does(sample: Path) -> None:
    """`eval`'s default cut-off is the one `extract` applies by default, so both
    commands give the same figures without options."""
    from newsgraph.config import load_settings

    ours = evaluate.run_eval("cnn-facts", sample, model_name=load_settings().spacy_model)
    assert ours["min_confidence"] == evaluate.default_min_confidence()
    _same_figures(ours, _shared_scorer(sample, None))


def test_eval_command_prints_the_tables(sample: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsgraph.cli", "eval", "--dataset", "cnn-facts", str(sample), "--min-confidence",
         "0.5"], capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Relations (head, type, tail)" in done.stdout
    assert "Reliability of relations (every candidate)" in done.stdout
    assert "[0.9,1]" in done.stdout
    assert "relations at confidence >= 0.5" in done.stdout
