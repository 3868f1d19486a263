"""Train the `newsgraph_relations` classifier (extractors/relation_model.py).

    newsgraph build relations [--out extractors/models/relations]
        [--datasets ../shared/datasets] [--epochs 8] [--seed 0] [--cache-dir DIR]

Data: DWIE train split (the first 602 of 702 files; the last 100 are the dev
split of `newsgraph eval` and never read here), CoNLL04 `train.txt` and the
first 400 Re-DocRED documents (its last 100 are `newsgraph eval`'s dev split),
each as written and lowercased. Every text goes through the extraction pipeline
exactly as `extract_documents` runs it (truecasing included, the relation
component itself disabled), so the classifier learns on the entities it will
see. A predicted entity stands for the gold entity whose mention spans it
matches most often (the evaluation's alignment); an ordered pair is a positive
for a type when the gold data has that relation between their gold entities
(DWIE types as `newsgraph eval` maps them; CoNLL04 Work_For -> HOLDS_ROLE,
Live_In -> NATIONAL_OF when the tail is a country else LIVES_IN, Located_In and
OrgBased_In -> LOCATED_IN; Re-DocRED's Wikidata properties as
`tools.datasets.REDOCRED_RELATION_TYPES` maps them). A type a dataset does not
annotate (RELATIVE_OF in CoNLL04, LIVES_IN in DWIE, HOLDS_ROLE and LIVES_IN
with a country in Re-DocRED) is not trained on that dataset's pairs, and a
Re-DocRED fact whose evidence sentences are not the pair's own is left out of
training (the classifier learns what a sentence states).

Training: one-vs-rest logistic regression, L2, Adam on minibatches, a fixed
seed. Per-type thresholds are chosen on a held-out tenth of the training
documents (best pair-level F1, at least 0.15), then the model is refit on all
of them. Features seen in fewer than `--min-count` documents are dropped,
and so are weights that end near zero.
The `cfg` also lists, per label pair ("Person>Country"), the types that had
positives in training: at inference the classifier scores only those.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc, DocBin

from extractors.pipeline import DEFAULT_MODEL, load_pipeline, model_text
from extractors.relation_model import RELATION_TYPES, LinearModel, RelationClassifier, candidates, context_for
from extractors.types import Document

log = logging.getLogger("train_relations")
REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "extractors" / "models" / "relations"
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
UNTRAINED = {"dwie": {"LIVES_IN"}, "conll04": {"RELATIVE_OF"}, "redocred": set()}
CONLL04_TYPES = {"Work_For": "HOLDS_ROLE", "Live_In": "LIVES_IN", "Located_In": "LOCATED_IN",
                 "OrgBased_In": "LOCATED_IN"}


@dataclass
class Instance:
    doc: str  # dataset / document / casing: the unit of the held-out split
    pair: str  # "Person>Country": head and tail labels
    features: list[str]
    allowed: np.ndarray  # (C,) 1 where the type is scored for this pair
    labels: np.ndarray  # (C,)


def _lower(text: str) -> str:
    from tools.evaluate import lower_same_length

    return lower_same_length(text)


def parsed_docs(name: str, golds: list, lowercase: bool, cache_dir: Path | None) -> list[Doc]:
    nlp = load_pipeline(DEFAULT_MODEL)
    cache = cache_dir / f"{name}-{'lower' if lowercase else 'cased'}.spacy" if cache_dir else None
    if cache is not None and cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    texts = [model_text(_lower(g.text) if lowercase else g.text) for g in golds]
    disable = [p for p in nlp.pipe_names if p == "newsgraph_relations"]
    with nlp.select_pipes(disable=disable):
        docs = list(nlp.pipe(texts, batch_size=32))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs, store_user_data=False).to_disk(cache)
    return docs


def instances(name: str, golds: list, docs: list[Doc], lowercase: bool) -> Iterator[Instance]:
    from tools.evaluate import map_entities

    types = {t: i for i, t in enumerate(RELATION_TYPES)}
    skip = UNTRAINED[name]
    for gold, doc in zip(golds, docs, strict=True):
        text = _lower(gold.text) if lowercase else gold.text
        ctx = context_for(doc, Document(id=gold.id, text=text))
        sentence_spans = [(s.start_char, s.end_char) for s in doc.sents]
        labels = {e.id: e.label for e in ctx.entities}
        mapping = map_entities(ctx.entities, gold.concept_spans)
        truth: set[tuple[str, str, str]] = set()
        for h, rtype, t in gold.relations:
            if name == "conll04":
                if rtype not in CONLL04_TYPES:
                    continue
                rtype = CONLL04_TYPES[rtype]
            truth.add((h, rtype, t))
        for h, rtype, t in gold.symmetric:
            truth.add((t, rtype, h))
        for cand in candidates(ctx):
            spans = [sentence_spans[i] for i in cand.sentences if 0 <= i < len(sentence_spans)]
            allowed = np.zeros(len(types), np.float32)
            y = np.zeros(len(types), np.float32)
            for rtype in cand.allowed:
                if rtype in skip:
                    continue
                allowed[types[rtype]] = 1
                check = [rtype]
                if name == "conll04" and rtype == "NATIONAL_OF":
                    check = ["LIVES_IN"]  # Live_In with a country: nationality
                if name == "conll04" and labels[cand.tail] == "Country" and rtype in ("LIVES_IN", "HOLDS_ROLE"):
                    allowed[types[rtype]] = 0
                    continue
                if name == "redocred" and labels[cand.tail] == "Country" and rtype in ("HOLDS_ROLE", "LIVES_IN"):
                    # Wikidata files an office ("German foreign minister") under
                    # P39 position held, which names no country, and a home
                    # country is citizenship as often as residence: no negatives here
                    allowed[types[rtype]] = 0
                    continue
                hits = [(hc, r, tc) for r in check for hc in mapping.get(cand.head, [])
                        for tc in mapping.get(cand.tail, []) if (hc, r, tc) in truth]
                if hits and gold.evidence and not any(not gold.evidence.get(h) or _stated_in(gold.evidence[h], spans)
                                                      for h in hits):
                    # a document-level fact the pair's own sentences do not state:
                    # neither a positive nor a negative for a sentence classifier
                    allowed[types[rtype]] = 0
                    continue
                y[types[rtype]] = float(bool(hits))
            if allowed.any():
                yield Instance(f"{name}/{gold.id}/{lowercase}", cand.pair, cand.features, allowed, y)


def _stated_in(evidence: list[tuple[int, int]], sentences: list[tuple[int, int]]) -> bool:
    """Whether one of the pair's sentences lies inside an evidence sentence."""
    return any(es <= s < ee for s, _ in sentences for es, ee in evidence)


def fit(data: list[Instance], vocab: dict[str, int], *, epochs: int, seed: int, lr: float = 0.05,
        l2: float = 1e-5, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Adam on the masked one-vs-rest logistic loss; lazy (touched-rows) updates."""
    rng = np.random.default_rng(seed)
    n_types = len(RELATION_TYPES)
    rows = [np.array([vocab[f] for f in inst.features if f in vocab], np.int64) for inst in data]
    allowed = np.stack([inst.allowed for inst in data])
    labels = np.stack([inst.labels for inst in data])
    weights = np.zeros((len(vocab), n_types), np.float32)
    prior = (labels * allowed).sum(0) / np.maximum(allowed.sum(0), 1)
    bias = np.log(np.clip(prior, 1e-4, 0.5) / (1 - np.clip(prior, 1e-4, 0.5))).astype(np.float32)
    m, v = np.zeros_like(weights), np.zeros_like(weights)
    mb, vb = np.zeros_like(bias), np.zeros_like(bias)
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    order = np.arange(len(data))
    for epoch in range(epochs):
        rng.shuffle(order)
        loss = 0.0
        for lo in range(0, len(order), batch):
            ids = order[lo:lo + batch]
            lens = np.array([len(rows[i]) for i in ids])
            idx = np.concatenate([rows[i] for i in ids])
            owner = np.repeat(np.arange(len(ids)), lens)
            z = np.tile(bias, (len(ids), 1))
            np.add.at(z, owner, weights[idx])
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
            y, mask = labels[ids], allowed[ids]
            loss -= float((mask * (y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))).sum())
            g = (p - y) * mask / len(ids)
            uniq, inv = np.unique(idx, return_inverse=True)
            gw = np.zeros((len(uniq), n_types), np.float32)
            np.add.at(gw, inv, g[owner])
            gw += l2 * weights[uniq]
            step += 1
            m[uniq] = b1 * m[uniq] + (1 - b1) * gw
            v[uniq] = b2 * v[uniq] + (1 - b2) * gw * gw
            corr = lr * np.sqrt(1 - b2 ** step) / (1 - b1 ** step)
            weights[uniq] -= corr * m[uniq] / (np.sqrt(v[uniq]) + eps)
            gb = g.sum(0)
            mb = b1 * mb + (1 - b1) * gb
            vb = b2 * vb + (1 - b2) * gb * gb
            bias -= corr * mb / (np.sqrt(vb) + eps)
        log.info("epoch %d: loss %.1f", epoch + 1, loss / len(order))
    return weights, bias


def choose_thresholds(model: LinearModel, held: list[Instance]) -> dict[str, float]:
    out: dict[str, float] = {}
    probs = np.array([[model.probabilities(inst.features)[t] for t in RELATION_TYPES] for inst in held])
    for c, rtype in enumerate(RELATION_TYPES):
        mask = np.array([inst.allowed[c] > 0 for inst in held])
        if not mask.any():
            continue
        y = np.array([inst.labels[c] for inst in held])[mask]
        p = probs[mask, c]
        best, best_f = 0.5, -1.0
        for th in np.arange(0.15, 0.91, 0.05):
            pred = p >= th
            tp = float((pred & (y > 0)).sum())
            f = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
            if f > best_f + 1e-9:
                best, best_f = float(round(th, 2)), f
        if best_f <= 0:  # nothing to learn a threshold from: keep the default
            continue
        out[rtype] = best
        log.info("%s: threshold %.2f, held-out pair F1 %.3f (%d positives)", rtype, best, best_f, int(y.sum()))
    return out


def trained_pairs(data: list[Instance]) -> dict[str, list[str]]:
    """Label pair -> the types with positives among its training pairs: the only
    types the classifier scores for that pair at inference."""
    out: dict[str, set[str]] = {}
    for inst in data:
        for c in np.flatnonzero(inst.labels * inst.allowed):
            out.setdefault(inst.pair, set()).add(RELATION_TYPES[c])
    return {pair: sorted(types) for pair, types in sorted(out.items())}


def build_vocab(data: list[Instance], min_count: int) -> dict[str, int]:
    seen: dict[str, set[str]] = {}
    for inst in data:
        for f in inst.features:
            seen.setdefault(f, set()).add(inst.doc)
    kept = sorted(f for f, docs in seen.items() if len(docs) >= min_count)
    return {f: i for i, f in enumerate(kept)}


def prune(weights: np.ndarray, vocab: dict[str, int], bias: np.ndarray, floor: float) -> LinearModel:
    features = sorted(vocab, key=vocab.__getitem__)
    keep = np.abs(weights).max(axis=1) >= floor
    return LinearModel([f for f, k in zip(features, keep, strict=True) if k], weights[keep], bias)


def train_classifier(out: Path = DEFAULT_OUT, datasets: Path = DEFAULT_DATASETS, *, epochs: int = 8,
                     seed: int = 0, min_count: int = 3, cache_dir: Path | None = None) -> dict[str, Any]:
    """Train on the train splits under `datasets`, write the component to `out`;
    returns a summary (features, bytes, thresholds, seconds). `cache_dir` keeps
    the parsed training docs (DocBin) for reruns."""
    from tools.datasets import read_dataset

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    random.seed(seed)
    started = time.perf_counter()

    sources = {"dwie": read_dataset("dwie", datasets / "dwie", split="train"),
               "conll04": read_dataset("conll04", datasets / "conll04", split="train"),
               "redocred": read_dataset("redocred", datasets / "redocred", split="train")}
    data: list[Instance] = []
    for name, golds in sources.items():
        for lowercase in (False, True):
            docs = parsed_docs(name, golds, lowercase, cache_dir)
            before = len(data)
            data.extend(instances(name, golds, docs, lowercase))
            log.info("%s %s: %d docs, %d pairs", name, "lower" if lowercase else "cased", len(docs),
                     len(data) - before)
    positives = Counter(RELATION_TYPES[c] for inst in data for c in np.flatnonzero(inst.labels))
    log.info("%d pairs, positives %s (%.0fs)", len(data), dict(positives), time.perf_counter() - started)

    # thresholds from a held-out tenth of the documents (both casings of a document together)
    doc_ids = sorted({inst.doc.rsplit("/", 1)[0] for inst in data})
    random.Random(seed).shuffle(doc_ids)
    held_ids = set(doc_ids[: len(doc_ids) // 10])
    train = [i for i in data if i.doc.rsplit("/", 1)[0] not in held_ids]
    held = [i for i in data if i.doc.rsplit("/", 1)[0] in held_ids]
    vocab = build_vocab(train, min_count)
    weights, bias = fit(train, vocab, epochs=epochs, seed=seed)
    thresholds = choose_thresholds(prune(weights, vocab, bias, 0.0), held)

    vocab = build_vocab(data, min_count)
    weights, bias = fit(data, vocab, epochs=epochs, seed=seed)
    model = prune(weights, vocab, bias, 1e-3)
    component = RelationClassifier.__new__(RelationClassifier)
    component.name = "newsgraph_relations"
    component.model = model
    pairs = trained_pairs(data)
    log.info("trained label pairs: %s", pairs)
    component.cfg = {"threshold": 0.5, "thresholds": thresholds, "types": list(RELATION_TYPES), "pairs": pairs,
                     "training": {"command": "newsgraph build relations",
                                  "epochs": epochs, "seed": seed, "min_count": min_count,
                                  "pairs": len(data), "positives": dict(sorted(positives.items())),
                                  "features": len(model.features)}}
    component.to_disk(out)
    size = sum(p.stat().st_size for p in out.iterdir())
    log.info("wrote %s: %d features, %.1f MB, %.0fs", out, len(model.features), size / 1e6,
             time.perf_counter() - started)
    return {"out": str(out), "features": len(model.features), "bytes": size,
            "thresholds": thresholds, "seconds": round(time.perf_counter() - started, 1)}
