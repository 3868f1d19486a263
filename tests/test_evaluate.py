"""The evaluation harness: scorer units on hand-made examples, the dataset
readers on the shared data (skipped when absent), one small end-to-end run."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.types import Document, Entity, Extraction, Mention, Relation
from tools import evaluate
from tools.datasets import (
    DATASETS_DIR,
    DWIE_DEV_SIZE,
    conll04_document,
    dwie_document,
    dwie_files,
    read_dataset,
    redocred_document,
)
from tools.evaluate import (
    Counts,
    format_tables,
    lower_same_length,
    map_entities,
    predicted_triples,
    score,
    score_spans,
    score_triples,
)


def ent(eid: str, label: str, *spans: tuple[int, int], text: str = "") -> Entity:
    return Entity(eid, label, eid, f"urn:{eid}", [Mention(s, e, text[s:e], 0) for s, e in spans])


def extraction(text: str, entities: list[Entity], relations: list[Relation]) -> Extraction:
    return Extraction(Document("d", text), entities, relations)


# ------------------------------------------------------------------ scorer
def test_counts_precision_recall_f1() -> None:
    r = Counts(correct=2, predicted=4, gold=3).to_json()
    assert (r["precision"], r["recall"], r["f1"], r["support"]) == (0.5, 0.6667, 0.5714, 3)
    assert Counts().to_json()["f1"] == 0.0


def test_spans_must_match_exactly_and_per_type() -> None:
    gold = [(0, 5, "Person"), (10, 16, "Country"), (20, 25, "Person")]
    pred = [(0, 5, "Person"), (10, 15, "Country"), (20, 25, "Country"), (30, 33, "Person")]
    out = score_spans(gold, pred)
    person, country = out["Person"].to_json(), out["Country"].to_json()
    assert (person["correct"], person["predicted"], person["support"]) == (1, 2, 2)
    assert (person["precision"], person["recall"]) == (0.5, 0.5)
    # off by one character, and the right span with the wrong type: both wrong
    assert (country["correct"], country["predicted"], country["support"]) == (0, 2, 1)


def test_ignored_predictions_count_neither_way() -> None:
    out = score_spans([(0, 7, "Country")], [(0, 7, "Country"), (9, 15, "Country")], ignore=[(9, 15, "Country")])
    assert out["Country"].to_json()["precision"] == 1.0


def test_relation_direction_matters() -> None:
    gold = [("p", "NATIONAL_OF", "c")]
    assert score_triples(gold, [("c", "NATIONAL_OF", "p")])["NATIONAL_OF"].correct == 0
    assert score_triples(gold, [("p", "NATIONAL_OF", "c")])["NATIONAL_OF"].correct == 1
    assert score_triples(gold, [("p", "HOLDS_ROLE", "c")])["NATIONAL_OF"].correct == 0
    # a symmetric gold relation (DWIE spouse_of) matches either way, once
    spouse = [("a", "RELATIVE_OF", "b")]
    out = score_triples(spouse, [("b", "RELATIVE_OF", "a"), ("a", "RELATIVE_OF", "b")], symmetric=spouse)
    assert (out["RELATIVE_OF"].correct, out["RELATIVE_OF"].predicted) == (1, 1)


def test_entity_maps_to_concept_by_most_exact_spans() -> None:
    concepts = {"0": {(0, 5), (20, 25)}, "1": {(20, 25), (40, 45)}, "2": {(60, 62)}}
    mapping = map_entities([ent("e0", "Person", (0, 5), (20, 25)), ent("e1", "Person", (60, 63))], concepts)
    assert mapping == {"e0": ["0"], "e1": []}


DWIE_TEXT = "German minister Anna Weber met Olaf Frank. Germany and Weber"


def _dwie_gold() -> dict:
    def span(word: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = DWIE_TEXT.index(word, start + 1)
        return start, start + len(word)

    mentions = [
        (span("German"), 1), (span("Anna Weber"), 2), (span("Olaf Frank"), 3), (span("Germany"), 0),
        (span("Weber", 1), 2),
    ]
    return {
        "content": DWIE_TEXT,
        "mentions": [{"begin": s, "end": e, "text": DWIE_TEXT[s:e], "concept": c} for (s, e), c in mentions],
        "concepts": [
            {"concept": 0, "tags": ["type::gpe0", "type::gpe", "type::location"]},
            {"concept": 1, "tags": ["type::gpe0-x", "type::other"]},
            {"concept": 2, "tags": ["type::person", "type::politician"]},
            {"concept": 3, "tags": ["type::person"]},
        ],
        "relations": [
            {"s": 1, "p": "gpe0", "o": 0},
            {"s": 2, "p": "citizen_of", "o": 0},
            {"s": 2, "p": "citizen_of-x", "o": 1},
            {"s": 2, "p": "minister_of-x", "o": 1},
            {"s": 2, "p": "spouse_of", "o": 3},
            {"s": 2, "p": "vs", "o": 3},
        ],
    }


def test_dwie_demonym_counts_as_its_country() -> None:
    gold = dwie_document(_dwie_gold(), "doc")
    german = next(m for m in gold.mentions if m.text == "German")
    assert (german.label, german.concept, german.demonym) == ("Country", "0", True)
    assert (0, 6) in gold.concept_spans["0"] and "1" not in gold.concept_spans
    # citizen_of and citizen_of-x are one relation; unmapped types are dropped
    assert gold.relations == {("2", "NATIONAL_OF", "0"), ("2", "HOLDS_ROLE", "0"), ("2", "RELATIVE_OF", "3")}
    assert gold.symmetric == {("2", "RELATIVE_OF", "3")}

    # the extractor's Country entity named by the demonym only ties to Germany
    entities = [
        ent("e0", "Country", (0, 6), text=DWIE_TEXT),
        ent("e1", "Person", (16, 26), (55, 60), text=DWIE_TEXT),
        ent("e2", "Person", (31, 41), text=DWIE_TEXT),
    ]
    relations = [
        Relation("e1", "NATIONAL_OF", "e0"),
        Relation("e0", "HOLDS_ROLE", "e1"),  # wrong direction
        Relation("e2", "RELATIVE_OF", "e1"),  # spouse_of holds both ways
        Relation("e1", "ON_DATE", "e2"),  # not annotated in DWIE: not scored
    ]
    ext = extraction(DWIE_TEXT, entities, relations)
    triples, unscored = predicted_triples("dwie", ext, gold)
    assert ("2", "NATIONAL_OF", "0") in triples
    assert unscored == {"ON_DATE": 1}
    result = score("dwie", [gold], [ext])
    rels = result["relations"]["per_type"]
    assert (rels["NATIONAL_OF"]["correct"], rels["NATIONAL_OF"]["predicted"]) == (1, 1)
    assert (rels["HOLDS_ROLE"]["correct"], rels["HOLDS_ROLE"]["predicted"]) == (0, 1)
    assert rels["RELATIVE_OF"]["correct"] == 1
    assert result["relations"]["micro"]["support"] == 3
    # entities: the demonym is a Country mention; the names-only row leaves it out
    assert result["entities"]["Country"]["correct"] == 1 and result["entities"]["Country"]["support"] == 2
    names = result["entities_variants"][evaluate.COUNTRY_NAMES]
    assert (names["predicted"], names["support"]) == (0, 1)
    assert "Relations (strict)" in format_tables(result | {"dataset": "dwie", "documents": 1, "words": 9,
                                                           "model": "m", "speed": {}})


def test_conll04_kill_needs_an_event_with_agent_and_victim() -> None:
    rows = [r.split("\t") for r in [
        "0\tOswald\tB-Peop\t['Kill']\t[3]", "1\tshot\tO\t['N']\t[1]", "2\tPresident\tO\t['N']\t[2]",
        "3\tKennedy\tB-Peop\t['N']\t[3]", "4\tin\tO\t['N']\t[4]", "5\tDallas\tB-Loc\t['N']\t[5]",
    ]]
    gold = conll04_document("1", rows)
    assert gold.text == "Oswald shot President Kennedy in Dallas"
    assert gold.relations == {("0", "Kill", "3")}
    entities = [ent("e0", "Person", (0, 6)), ent("e1", "Person", (22, 29)), ent("e2", "Event", (7, 11)),
                ent("e3", "Place", (33, 39))]
    agent_only = [Relation("e0", "PARTICIPATES_IN", "e2", {"role": "agent"})]
    ext = extraction(gold.text, entities, agent_only)
    assert score("conll04", [gold], [ext])["relations"]["micro"]["correct"] == 0
    both = [*agent_only, Relation("e1", "PARTICIPATES_IN", "e2", {"role": "victim"})]
    result = score("conll04", [gold], [extraction(gold.text, entities, both)])
    assert result["relations"]["per_type"]["Kill"]["f1"] == 1.0
    # a Place counts as Loc
    assert result["entities"]["Loc"]["f1"] == 1.0
    swapped = [Relation("e1", "PARTICIPATES_IN", "e2", {"role": "agent"}),
               Relation("e0", "PARTICIPATES_IN", "e2", {"role": "victim"})]
    result = score("conll04", [gold], [extraction(gold.text, entities, swapped)])
    assert result["relations"]["per_type"]["Kill"]["correct"] == 0


def test_lowercase_keeps_offsets() -> None:
    text = "İstanbul and ANKARA"
    low = lower_same_length(text)
    assert len(low) == len(text) and low.endswith("and ankara")


# ----------------------------------------------------------------- readers
def _need(name: str) -> Path:
    path = DATASETS_DIR / name
    if not path.exists():
        pytest.skip(f"dataset {path} absent (see ../shared/datasets/README.md)")
    return path


@pytest.mark.parametrize("dataset,folder", [("dwie", "dwie"), ("crossre", "crossre-news"), ("conll04", "conll04"),
                                            ("redocred", "redocred")])
def test_reader_offsets(dataset: str, folder: str) -> None:
    docs = read_dataset(dataset, _need(folder), limit=3)
    assert len(docs) == 3
    assert sum(len(d.mentions) for d in docs) > 0
    for doc in docs:
        for m in doc.mentions:
            assert doc.text[m.start:m.end] == m.text
        for spans in doc.concept_spans.values():
            assert all(0 <= s < e <= len(doc.text) for s, e in spans)
        for head, _, tail in doc.relations:
            assert head in doc.concept_spans and tail in doc.concept_spans


def test_dwie_dev_split_is_the_last_files() -> None:
    path = _need("dwie")
    dev, train = dwie_files(path), dwie_files(path / "train", "train")
    assert len(dev) == DWIE_DEV_SIZE and dev == sorted(dev)
    assert train[-1].name < dev[0].name and not set(dev) & set(train)


def test_redocred_train_and_dev_are_disjoint() -> None:
    path = _need("redocred")
    train, dev = read_dataset("redocred", path, split="train"), read_dataset("redocred", path)
    assert len(dev) == 100 and len(train) == 400
    assert not {d.id for d in train} & {d.id for d in dev}
    assert not {d.text for d in train} & {d.text for d in dev}


def test_redocred_properties_become_newsgraph_facts() -> None:
    data = {
        "title": "t",
        "sents": [["Angela", "Merkel", "led", "Germany", "with", "Joachim", "Sauer", "."],
                  ["She", "lived", "in", "Berlin", ",", "Germany", "."]],
        "vertexSet": [[{"name": "Angela Merkel", "pos": [0, 2], "sent_id": 0, "type": "PER"}],
                      [{"name": "Germany", "pos": [3, 4], "sent_id": 0, "type": "LOC"},
                       {"name": "Germany", "pos": [5, 6], "sent_id": 1, "type": "LOC"}],
                      [{"name": "Joachim Sauer", "pos": [5, 7], "sent_id": 0, "type": "PER"}],
                      [{"name": "Berlin", "pos": [3, 4], "sent_id": 1, "type": "LOC"}]],
        "labels": [{"h": 1, "t": 0, "r": "P6", "evidence": [0]},  # head of government: swapped
                   {"h": 0, "t": 1, "r": "P27", "evidence": [0]},
                   {"h": 0, "t": 2, "r": "P26", "evidence": [0]},  # spouse: either way round
                   {"h": 3, "t": 1, "r": "P17", "evidence": [1]},
                   {"h": 0, "t": 3, "r": "P19", "evidence": [1]}],  # birthplace: not scored
    }
    doc = redocred_document(data, "d")
    assert doc.text.split("\n")[1] == "She lived in Berlin , Germany ."
    assert doc.relations == {("0", "HOLDS_ROLE", "1"), ("0", "NATIONAL_OF", "1"), ("0", "RELATIVE_OF", "2"),
                             ("3", "LOCATED_IN", "1")}
    assert doc.symmetric == {("0", "RELATIVE_OF", "2")}
    assert [doc.text[s:e] for s, e in sorted(doc.concept_spans["1"])] == ["Germany", "Germany"]
    assert {(m.text, m.label) for m in doc.mentions} >= {("Angela Merkel", "Person"), ("Berlin", "Loc")}


# ------------------------------------------------------------- end to end
def test_run_eval_conll04_small() -> None:
    result = evaluate.run_eval("conll04", _need("conll04"), limit=3)
    assert result["documents"] == 3 and result["words"] > 0
    assert set(result["entities"]) == {"Person", "Loc", "Organization"}
    for row in result["entities"].values():
        assert 0.0 <= row["f1"] <= 1.0
    assert result["entities"]["Person"]["support"] > 0
    assert set(result["relations"]["per_type"]) == {"Work_For", "Live_In", "Located_In", "OrgBased_In", "Kill"}
    assert 0.0 <= result["relations"]["micro"]["f1"] <= 1.0
    speed = result["speed"]
    assert speed["extract_words_per_s"] > 0 and speed["stock_words_per_s"] > 0 and speed["ratio"] > 0
    assert "Entities" in format_tables(result)
