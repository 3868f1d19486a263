"""The trained relation classifier (`newsgraph_relations`): it loads its
committed weights, predicts on sentences written for these tests in three
casings, and survives a to_disk/from_disk round trip unchanged."""

from __future__ import annotations

import json

import numpy as np
import pytest

from extractors.pipeline import extract_documents, load_pipeline, model_text
from extractors.relation_model import MODEL_DIR, RELATION_TYPES, LinearModel, RelationClassifier, context_for
from extractors.types import Document

CASINGS = [str, str.lower, str.upper]
CASE_IDS = ["cased", "lower", "upper"]
SENTENCE = ("German chancellor Angela Merkel met the Dutch prime minister Mark Rutte in Berlin on Monday .\n"
            "Merkel later flew to Paris .")
# nothing here for the patterns to find across sentences; the classifier knows
# from context that a person talked about in a German story is German
DOC_LEVEL = ("Germany has a new foreign minister .\n"
             "Officials in Berlin said that Heiko Maas will travel to Moscow next week .")


def classifier() -> RelationClassifier:
    return load_pipeline().get_pipe("newsgraph_relations")


def predicted(text: str) -> set[tuple[str, str, str]]:
    """(head name, type, tail name) the classifier alone predicts."""
    nlp = load_pipeline()
    doc = nlp(model_text(text))
    ctx = context_for(doc)
    names = {e.id: e.name for e in ctx.entities}
    return {(names[h], rtype, names[t]) for h, rtype, t, _, _ in classifier().predict(ctx)}


def test_committed_model_loads() -> None:
    assert "newsgraph_relations" in load_pipeline().pipe_names
    model = classifier().model
    assert len(model.features) > 1000
    assert model.weights.shape == (len(model.features), len(RELATION_TYPES))
    assert np.isfinite(model.weights).all() and np.abs(model.weights).max() > 0.1
    cfg = json.loads((MODEL_DIR / "cfg").read_text(encoding="utf-8"))
    assert set(cfg["thresholds"]) <= set(RELATION_TYPES)
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size < 5_000_000


@pytest.mark.parametrize("case", CASINGS, ids=CASE_IDS)
def test_predicts_role_and_nationality(case) -> None:
    found = predicted(case(SENTENCE))
    assert ("Angela Merkel", "HOLDS_ROLE", "Germany") in found
    assert ("Angela Merkel", "NATIONAL_OF", "Germany") in found
    assert ("Mark Rutte", "NATIONAL_OF", "Netherlands") in found
    assert ("Angela Merkel", "NATIONAL_OF", "Netherlands") not in found
    assert ("Mark Rutte", "HOLDS_ROLE", "Germany") not in found


@pytest.mark.parametrize("case", CASINGS, ids=CASE_IDS)
def test_extraction_keeps_confidence_and_evidence(case) -> None:
    ex = next(extract_documents([Document(id="t", text=case(SENTENCE))]))
    by_id = {e.id: e.name for e in ex.entities}
    found = {(by_id[r.head], r.type, by_id[r.tail]): r for r in ex.relations}
    rel = found[("Mark Rutte", "NATIONAL_OF", "Netherlands")]
    assert 0.0 < rel.confidence <= 1.0
    assert rel.evidence and ex.document.text[rel.evidence[0].start:rel.evidence[0].end].lower().startswith("german")
    for rel in ex.relations:
        assert 0.0 <= rel.confidence <= 1.0
        for ev in rel.evidence:
            assert (ev.start, ev.end) == ex.sentences[ev.sentence]


def test_cross_sentence_evidence_names_both_sentences() -> None:
    nlp = load_pipeline()
    doc = nlp(DOC_LEVEL)
    ctx = context_for(doc)
    names = {e.id: e.name for e in ctx.entities}
    cross = [(names[h], rtype, names[t], sents) for h, rtype, t, _, sents in classifier().predict(ctx)
             if names[h] == "Heiko Maas" and names[t] == "Germany"]
    assert cross, "no Heiko Maas -> Germany relation"
    assert all(sents == [1, 0] or sorted(sents) == [0, 1] for *_, sents in cross)


def test_round_trip_gives_identical_predictions(tmp_path) -> None:
    comp = classifier()
    comp.to_disk(tmp_path / "rel")
    again = RelationClassifier(load_pipeline(), model_dir=str(tmp_path / "rel"))
    assert again.model.features == comp.model.features
    assert again.cfg["thresholds"] == comp.cfg["thresholds"]
    nlp = load_pipeline()
    total = 0
    for text in (SENTENCE, SENTENCE.lower(), DOC_LEVEL):
        ctx = context_for(nlp(model_text(text)))
        first, second = comp.predict(ctx), again.predict(ctx)
        assert first == second
        total += len(first)
    assert total > 0


def test_unknown_features_and_empty_model() -> None:
    empty = LinearModel.empty()
    assert max(empty.probabilities(["nothing", "known"]).values()) < 0.01
    model = classifier().model
    assert model.probabilities(["never seen feature"]) == model.probabilities([])


def test_bad_weights_file_is_refused(tmp_path) -> None:
    classifier().to_disk(tmp_path / "rel")
    (tmp_path / "rel" / "features.json").write_text('["only one"]\n', encoding="utf-8")
    with pytest.raises(ValueError):
        LinearModel.from_disk(tmp_path / "rel")
