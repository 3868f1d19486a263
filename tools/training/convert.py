"""Training data for the case-robust NER: the TRAIN splits of the shared
datasets as spaCy DocBin files (never the dev splits; see tools/datasets.py).

    newsgraph build ner-data --out build/ner [--datasets ../shared/datasets]

writes `train.spacy` and `valid.spacy` (a small validation carve from the
train splits for spaCy's training loop, in its original casing and
lowercased). Case augmentation of the training docs happens on the fly, per
epoch (`augment.py`).

Labels (OntoNotes names, so the model fits the rest of the extractor):
PERSON, ORG, GPE (countries, states, cities), LOC (regions, waters), FAC,
NORP (demonyms), EVENT, DATE.
- DWIE (602 train files): person, organization, gpe*, location, facility,
  gpe0-x/loc-x/religion-x/ethnicity (NORP), event, time (DATE).
- CoNLL04 train.txt: Peop, Org, Loc (GPE); Other is left unlabelled.
- CrossRE news-train + ext-news-train: person/politician, organisation/
  politicalparty, country/location (GPE); sentences that also occur in a dev
  file are dropped.
CoNLL04 and CrossRE train docs are added twice (see REPEAT): they are
sentence-level and small beside DWIE.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from tools.datasets import dwie_files

log = logging.getLogger(__name__)

# DWIE type tag -> label, first match wins
DWIE_LABELS = (
    ("person", "PERSON"),
    ("organization", "ORG"),
    ("event", "EVENT"),
    ("time", "DATE"),
    ("facility", "FAC"),
    ("gpe", "GPE"),
    ("gpe0", "GPE"),
    ("gpe1", "GPE"),
    ("gpe2", "GPE"),
    ("location", "LOC"),
    ("gpe0-x", "NORP"),
    ("loc-x", "NORP"),
    ("religion-x", "NORP"),
    ("ethnicity", "NORP"),
)
CONLL04_LABELS = {"Peop": "PERSON", "Org": "ORG", "Loc": "GPE"}
CROSSRE_LABELS = {"person": "PERSON", "politician": "PERSON", "organisation": "ORG", "politicalparty": "ORG",
                  "country": "GPE", "location": "GPE"}
SEED = 0


def _set_ents(doc: Doc, spans: list[Span]) -> Doc:
    doc.set_ents(filter_spans(spans), default="outside")
    return doc


def dwie_docs(nlp: Language, root: Path) -> Iterator[Doc]:
    for file in dwie_files(root / "dwie", "train"):
        data = json.loads(file.read_text(encoding="utf-8"))
        doc = nlp.make_doc(data["content"])
        tags = {c["concept"]: {t[6:] for t in c.get("tags") or [] if t.startswith("type::")}
                for c in data["concepts"]}
        spans = []
        for m in data["mentions"]:
            label = next((lab for tag, lab in DWIE_LABELS if tag in tags.get(m["concept"], ())), None)
            if label is None:
                continue
            span = doc.char_span(m["begin"], m["end"], label=label, alignment_mode="expand")
            if span is not None and span.text.strip():
                spans.append(span)
        doc.user_data["source"] = f"dwie/{file.stem}"
        yield _set_ents(doc, spans)


def _token_doc(nlp: Language, tokens: list[str]) -> Doc:
    return Doc(nlp.vocab, words=tokens, spaces=[True] * (len(tokens) - 1) + [False])


def conll04_docs(nlp: Language, root: Path) -> Iterator[Doc]:
    rows: list[list[str]] = []
    lines = [*(root / "conll04" / "train.txt").read_text(encoding="utf-8").splitlines(), "#doc end"]
    for line in lines:
        if line.startswith("#doc"):
            if rows:
                doc = _token_doc(nlp, [r[1] for r in rows])
                spans, start, label = [], None, ""
                for i, row in enumerate([*rows, ["", "", "O"]]):
                    tag = row[2]
                    if start is not None and not tag.startswith("I-"):
                        if label in CONLL04_LABELS:
                            spans.append(Span(doc, start, i, label=CONLL04_LABELS[label]))
                        start = None
                    if tag.startswith("B-") or (tag.startswith("I-") and start is None):
                        start, label = i, tag[2:]
                yield _set_ents(doc, spans)
            rows = []
        elif line.strip():
            rows.append(line.split("\t"))


def crossre_docs(nlp: Language, root: Path) -> Iterator[Doc]:
    folder = root / "crossre-news"
    dev = {" ".join(json.loads(line)["sentence"]) for name in ("news-dev.json", "ext-news-dev.json")
           for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()}
    for name in ("news-train.json", "ext-news-train.json"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            data = json.loads(line)
            if " ".join(data["sentence"]) in dev:
                continue
            doc = _token_doc(nlp, data["sentence"])
            spans = [Span(doc, a, b + 1, label=CROSSRE_LABELS[t]) for a, b, t in data["ner"] if t in CROSSRE_LABELS]
            yield _set_ents(doc, spans)


def lowercased(nlp: Language, doc: Doc) -> Doc:
    """The same doc, lowercased token by token (offsets unchanged)."""
    words = [t.text.lower() if len(t.text.lower()) == len(t.text) else t.text for t in doc]
    low = Doc(nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
    low.set_ents([Span(low, e.start, e.end, label=e.label_) for e in doc.ents], default="outside")
    return low


# the sentence-level sets are small beside DWIE: their train docs go in this many times
REPEAT = {"dwie": 1, "conll04": 2, "crossre": 2}


def build(root: Path, out: Path, *, valid_share: float = 0.05) -> dict[str, Counter[str]]:
    nlp = spacy.blank("en")
    rng = random.Random(SEED)
    train, valid = DocBin(store_user_data=False), DocBin(store_user_data=False)
    stats: dict[str, Counter[str]] = {}
    for name, reader in (("dwie", dwie_docs), ("conll04", conll04_docs), ("crossre", crossre_docs)):
        counts = stats.setdefault(name, Counter())
        for doc in reader(nlp, root):
            if rng.random() < valid_share:
                valid.add(doc)
                valid.add(lowercased(nlp, doc))
                counts["valid_docs"] += 1
            else:
                for _ in range(REPEAT[name]):
                    train.add(doc)
                counts["train_docs"] += 1
                counts["words"] += len(doc)
                counts.update(e.label_ for e in doc.ents)
    out.mkdir(parents=True, exist_ok=True)
    train.to_disk(out / "train.spacy")
    valid.to_disk(out / "valid.spacy")
    return stats
