"""Readers for the labeled evaluation data in ../shared/datasets (see its README).

Each reader yields `GoldDocument`s: the text the extractor reads, the gold
mentions that are scored (character offsets into that text, already mapped to
the scoring label), the character spans of every gold entity ("concept") so
predicted entities can be tied to gold ones, and the gold relations as
(head concept, scoring type, tail concept) triples.

- DWIE (`dwie/` or `dwie/train/`): document level. There is no dev split in the
  shared copy, so the LAST `DWIE_DEV_SIZE` (100) of the 702 train files in
  sorted file-name order are the dev split (`split="dev"`, the default); the
  first 602 are `split="train"`. A demonym concept (`type::gpe0-x`, e.g.
  "German") that DWIE links to a country with a `gpe0` relation counts as that
  country: its mentions are Country mentions of the country's concept, and the
  `-x` relation variants (citizen_of-x, in0-x, ...) end at the country.
- CrossRE news (`crossre-news/` or one of its .json files): one sentence per
  document, tokens joined with single spaces; only person and country scored.
  A folder means `news-dev.json`.
- CoNLL04 (`conll04/` or a .txt file): tokens joined with single spaces; each
  gold entity is its own concept. A folder means `dev.txt`.
- Re-DocRED (`redocred/` or its `dev_revised.json`): Wikipedia introductions,
  tokens joined with single spaces, one sentence per line (the seed's layout).
  The shared copy is Re-DocRED's dev set; here its first `REDOCRED_TRAIN_SIZE`
  (400) documents in file order are `split="train"` (relation training) and
  the last 100 `split="dev"` (never trained on). Wikidata properties map onto
  newsgraph's types (`REDOCRED_RELATION_TYPES`); the rest are not scored.

cnn-facts (`cnn-facts/`: `gold/<article>.json` beside `texts/<article>`) is
scored by facts, not spans, so it has a reader of its own, `read_cnn_facts`,
giving `FactDocument`s: each gold entity with the normalised forms it may be
named by (its name and every alias, see `fact_key`), each gold relation as
(head name, type, tail name). The texts are read by `newsgraph.readers` like
any input, so evaluation extracts exactly what `newsgraph extract` reads.
"""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATASETS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
DWIE_DEV_SIZE = 100

# DWIE concept type tag -> newsgraph label, first match wins
DWIE_ENTITY_TYPES = (
    ("gpe0", "Country"),
    ("person", "Person"),
    ("organization", "Organization"),
    ("event", "Event"),
    ("time", "Date"),
)
DWIE_RELATION_TYPES = {
    "citizen_of": "NATIONAL_OF",
    "citizen_of-x": "NATIONAL_OF",
    "head_of_state": "HOLDS_ROLE",
    "head_of_state-x": "HOLDS_ROLE",
    "head_of_gov": "HOLDS_ROLE",
    "head_of_gov-x": "HOLDS_ROLE",
    "minister_of": "HOLDS_ROLE",
    "minister_of-x": "HOLDS_ROLE",
    "head_of": "HOLDS_ROLE",
    "member_of": "HOLDS_ROLE",
    "player_of": "HOLDS_ROLE",
    "coach_of": "HOLDS_ROLE",
    "spokesperson_of": "HOLDS_ROLE",
    "based_in0": "LOCATED_IN",
    "based_in0-x": "LOCATED_IN",
    "in0": "LOCATED_IN",
    "in0-x": "LOCATED_IN",
    "event_in0": "LOCATED_IN",
    "event_in0-x": "LOCATED_IN",
    "spouse_of": "RELATIVE_OF",
    "child_of": "RELATIVE_OF",
    "parent_of": "RELATIVE_OF",
}
DWIE_SYMMETRIC = {"spouse_of"}

CROSSRE_ENTITY_TYPES = {"person": "Person", "country": "Country"}
CONLL04_ENTITY_TYPES = {"Peop": "Person", "Loc": "Loc", "Org": "Organization"}
CONLL04_RELATION_TYPES = ("Work_For", "Live_In", "Located_In", "OrgBased_In", "Kill")

REDOCRED_TRAIN_SIZE = 400
REDOCRED_ENTITY_TYPES = {"PER": "Person", "ORG": "Organization", "LOC": "Loc", "TIME": "Date"}
# Wikidata property -> (newsgraph type, True where the head and tail swap: "X's
# head of state is Y" is Y HOLDS_ROLE X). Birthplace is not residence, and a
# position held (P39) names no entity, so neither is mapped.
REDOCRED_RELATION_TYPES: dict[str, tuple[str, bool]] = {
    "P27": ("NATIONAL_OF", False),  # country of citizenship
    "P463": ("HOLDS_ROLE", False),  # member of
    "P54": ("HOLDS_ROLE", False),  # member of sports team
    "P102": ("HOLDS_ROLE", False),  # member of political party
    "P108": ("HOLDS_ROLE", False),  # employer
    "P6": ("HOLDS_ROLE", True),  # head of government
    "P35": ("HOLDS_ROLE", True),  # head of state
    "P488": ("HOLDS_ROLE", True),  # chairperson
    "P169": ("HOLDS_ROLE", True),  # chief executive officer
    "P26": ("RELATIVE_OF", False),  # spouse
    "P3373": ("RELATIVE_OF", False),  # sibling
    "P22": ("RELATIVE_OF", False),  # father
    "P25": ("RELATIVE_OF", False),  # mother
    "P40": ("RELATIVE_OF", False),  # child
    "P551": ("LIVES_IN", False),  # residence
    "P131": ("LOCATED_IN", False),  # located in the administrative territorial entity
    "P150": ("LOCATED_IN", True),  # contains administrative territorial entity
    "P17": ("LOCATED_IN", False),  # country
    "P276": ("LOCATED_IN", False),  # location
    "P159": ("LOCATED_IN", False),  # headquarters location
}
REDOCRED_SYMMETRIC = {"P26", "P3373"}


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    text: str
    label: str  # scoring label
    concept: str
    demonym: bool = False  # DWIE: a demonym counted as its country


@dataclass
class GoldDocument:
    id: str
    text: str
    mentions: list[GoldMention] = field(default_factory=list)
    # every gold entity's mention spans, of any type (DWIE places count too)
    concept_spans: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    relations: set[tuple[str, str, str]] = field(default_factory=set)
    # relations that hold either way round (DWIE spouse_of)
    symmetric: set[tuple[str, str, str]] = field(default_factory=set)
    # DWIE: concept → its Wikipedia link, the gold identity across documents
    concept_links: dict[str, str] = field(default_factory=dict)
    # Re-DocRED: triple -> the character spans of the sentences that state it
    evidence: dict[tuple[str, str, str], list[tuple[int, int]]] = field(default_factory=dict)


def default_path(dataset: str) -> Path:
    return DATASETS_DIR / {"dwie": "dwie", "crossre": "crossre-news", "conll04": "conll04",
                           "redocred": "redocred", "cnn-facts": "cnn-facts"}[dataset]


def read_dataset(dataset: str, path: Path, *, limit: int | None = None, split: str = "dev") -> list[GoldDocument]:
    readers = {"dwie": read_dwie, "crossre": read_crossre, "conll04": read_conll04, "redocred": read_redocred}
    if dataset not in readers:
        raise ValueError(f"unknown dataset {dataset!r}; use one of {', '.join(readers)}")
    docs: list[GoldDocument] = []
    for doc in readers[dataset](Path(path), split=split):
        if limit is not None and len(docs) >= limit:
            break
        docs.append(doc)
    return docs


# ------------------------------------------------------------------- DWIE
def dwie_files(path: Path, split: str = "dev") -> list[Path]:
    folder = path / "train" if (path / "train").is_dir() else path
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no DWIE .json files in {folder}")
    if split == "dev":
        return files[-DWIE_DEV_SIZE:]
    if split == "train":
        return files[:-DWIE_DEV_SIZE]
    if split == "all":
        return files
    raise ValueError(f"unknown split {split!r}")


def _dwie_types(concept: dict) -> set[str]:
    return {t[len("type::"):] for t in concept.get("tags") or [] if t.startswith("type::")}


def dwie_document(data: dict, doc_id: str) -> GoldDocument:
    text = data["content"]
    types = {c["concept"]: _dwie_types(c) for c in data["concepts"]}
    # demonym concept -> its country concept
    country_of: dict[int, int] = {}
    for rel in data["relations"]:
        if rel["p"] == "gpe0" and "gpe0-x" in types.get(rel["s"], set()) and "gpe0" in types.get(rel["o"], set()):
            country_of[rel["s"]] = rel["o"]

    def canon(concept: int) -> str:
        return str(country_of.get(concept, concept))

    doc = GoldDocument(doc_id, text)
    doc.concept_links = {str(c["concept"]): c["link"] for c in data["concepts"] if c.get("link")}
    for m in data["mentions"]:
        cid = m["concept"]
        doc.concept_spans.setdefault(canon(cid), set()).add((m["begin"], m["end"]))
        label = next((lab for tag, lab in DWIE_ENTITY_TYPES if tag in types.get(cid, set())), None)
        demonym = label is None and cid in country_of
        if demonym:
            label = "Country"
        if label is not None:
            doc.mentions.append(GoldMention(m["begin"], m["end"], m["text"], label, canon(cid), demonym))
    for rel in data["relations"]:
        rtype = DWIE_RELATION_TYPES.get(rel["p"])
        if rtype is None:
            continue
        triple = (canon(rel["s"]), rtype, canon(rel["o"]))
        if triple[0] == triple[2]:
            continue
        doc.relations.add(triple)
        if rel["p"] in DWIE_SYMMETRIC:
            doc.symmetric.add(triple)
    return doc


def read_dwie(path: Path, *, split: str = "dev") -> Iterator[GoldDocument]:
    for file in dwie_files(path, split):
        yield dwie_document(json.loads(file.read_text(encoding="utf-8")), file.stem)


# ---------------------------------------------------------------- CrossRE
def _token_offsets(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    offsets, pos = [], 0
    for tok in tokens:
        offsets.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return " ".join(tokens), offsets


def crossre_document(data: dict) -> GoldDocument:
    text, offsets = _token_offsets(data["sentence"])
    doc = GoldDocument(data["doc_key"], text)
    for i, (first, last, etype) in enumerate(data["ner"]):
        start, end = offsets[first][0], offsets[last][1]
        doc.concept_spans[str(i)] = {(start, end)}
        label = CROSSRE_ENTITY_TYPES.get(etype)
        if label is not None:
            doc.mentions.append(GoldMention(start, end, text[start:end], label, str(i)))
    return doc


def read_crossre(path: Path, *, split: str = "dev") -> Iterator[GoldDocument]:
    file = path / f"news-{split}.json" if path.is_dir() else path
    with file.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield crossre_document(json.loads(line))


# ---------------------------------------------------------------- CoNLL04
def conll04_document(doc_id: str, rows: list[list[str]]) -> GoldDocument:
    tokens = [r[1] for r in rows]
    text, offsets = _token_offsets(tokens)
    doc = GoldDocument(doc_id, text)
    # entities from BIO tags; an entity is named by the index of its last token
    start_tok: int | None = None
    etype = ""
    spans: dict[int, tuple[int, str]] = {}  # last token -> (first token, type)
    for i, row in enumerate([*rows, ["", "", "O"]]):
        tag = row[2]
        if start_tok is not None and not tag.startswith("I-"):
            spans[i - 1] = (start_tok, etype)
            start_tok = None
        if tag.startswith("B-") or (tag.startswith("I-") and start_tok is None):
            start_tok, etype = i, tag[2:]
    for last, (first, etype) in spans.items():
        start, end = offsets[first][0], offsets[last][1]
        doc.concept_spans[str(last)] = {(start, end)}
        label = CONLL04_ENTITY_TYPES.get(etype)
        if label is not None:
            doc.mentions.append(GoldMention(start, end, text[start:end], label, str(last)))
    for i, row in enumerate(rows):
        if len(row) < 5:
            continue
        rels, heads = ast.literal_eval(row[3]), ast.literal_eval(row[4])
        for rtype, tail in zip(rels, heads, strict=True):
            if rtype in CONLL04_RELATION_TYPES and i in spans and tail in spans:
                doc.relations.add((str(i), rtype, str(tail)))
    return doc


def read_conll04(path: Path, *, split: str = "dev") -> Iterator[GoldDocument]:
    file = path / f"{split}.txt" if path.is_dir() else path
    doc_id: str | None = None
    rows: list[list[str]] = []
    with file.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#doc"):
                if doc_id is not None and rows:
                    yield conll04_document(doc_id, rows)
                doc_id, rows = line.split(maxsplit=1)[1] if " " in line else line, []
            elif line.strip():
                rows.append(line.split("\t"))
    if doc_id is not None and rows:
        yield conll04_document(doc_id, rows)


# -------------------------------------------------------------- Re-DocRED
def redocred_document(data: dict, doc_id: str) -> GoldDocument:
    lines, offsets = [], []
    pos = 0
    for sent in data["sents"]:
        line, sent_offsets = _token_offsets(sent)
        offsets.append([(pos + a, pos + b) for a, b in sent_offsets])
        lines.append(line)
        pos += len(line) + 1
    text = "\n".join(lines)
    line_spans = [(sent[0][0], sent[-1][1]) for sent in offsets]
    doc = GoldDocument(doc_id, text)
    for i, vertex in enumerate(data["vertexSet"]):
        concept = str(i)
        for m in vertex:
            first, last = m["pos"][0], m["pos"][1] - 1
            start, end = offsets[m["sent_id"]][first][0], offsets[m["sent_id"]][last][1]
            doc.concept_spans.setdefault(concept, set()).add((start, end))
            label = REDOCRED_ENTITY_TYPES.get(m["type"])
            if label is not None:
                doc.mentions.append(GoldMention(start, end, text[start:end], label, concept))
    for rel in data["labels"]:
        mapped = REDOCRED_RELATION_TYPES.get(rel["r"])
        if mapped is None or rel["h"] == rel["t"]:
            continue
        rtype, swap = mapped
        head, tail = (str(rel["t"]), str(rel["h"])) if swap else (str(rel["h"]), str(rel["t"]))
        doc.relations.add((head, rtype, tail))
        doc.evidence.setdefault((head, rtype, tail), []).extend(line_spans[i] for i in rel.get("evidence", []))
        if rel["r"] in REDOCRED_SYMMETRIC:
            doc.symmetric.add((head, rtype, tail))
    return doc


def read_redocred(path: Path, *, split: str = "dev") -> Iterator[GoldDocument]:
    file = path / "dev_revised.json" if path.is_dir() else path
    data = json.loads(file.read_text(encoding="utf-8"))
    chosen = {"train": data[:REDOCRED_TRAIN_SIZE], "dev": data[REDOCRED_TRAIN_SIZE:], "all": data}.get(split)
    if chosen is None:
        raise ValueError(f"unknown split {split!r}")
    start = 0 if split != "dev" else REDOCRED_TRAIN_SIZE
    for index, item in enumerate(chosen, start):
        yield redocred_document(item, f"{index:03d}-{item['title']}")


# -------------------------------------------------------------- cnn-facts
# Gold entities are named, not located: a prediction is tied to a gold entity
# when they share a name once both are reduced to the same key. The key forgives
# what the seed format and the annotators vary on: accents, case, a possessive
# "'s" (with or without the tokenizer's space before it), punctuation, spacing
# and a leading "the" ("The New York Times" = "new york times").
_POSSESSIVE = re.compile(r"\s*'s\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fact_key(text: str) -> str:
    """The form names are compared by (see above); "" for a name with no letters or digits."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    key = _NOT_ALNUM.sub(" ", _POSSESSIVE.sub("", ascii_text.lower())).strip()
    return key[4:] if key.startswith("the ") else key


@dataclass(frozen=True)
class FactEntity:
    label: str
    name: str  # the gold identity: relations name their ends by it
    forms: frozenset[str]  # fact_key of the name and of every alias


@dataclass
class FactDocument:
    id: str  # the article's file name, as `newsgraph extract` names it
    text_path: Path
    entities: list[FactEntity] = field(default_factory=list)
    # (head name, type, tail name) in the gold file's order; a relation listed
    # twice is two gold facts
    relations: list[tuple[str, str, str]] = field(default_factory=list)


def cnn_facts_document(data: dict, texts: Path) -> FactDocument:
    doc = FactDocument(data["id"], texts / data["id"])
    for e in data["entities"]:
        forms = frozenset(k for k in (fact_key(f) for f in [e["name"], *(e.get("aliases") or [])]) if k)
        doc.entities.append(FactEntity(e["label"], e["name"], forms))
    doc.relations = [(r["head"], r["type"], r["tail"]) for r in data["relations"]]
    return doc


def read_cnn_facts(path: Path, *, limit: int | None = None) -> list[FactDocument]:
    """The gold files of `path/gold` (sorted by name), their texts in `path/texts`."""
    gold, texts = Path(path) / "gold", Path(path) / "texts"
    files = sorted(gold.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no cnn-facts gold files in {gold}")
    docs = [cnn_facts_document(json.loads(f.read_text(encoding="utf-8")), texts) for f in files]
    return docs if limit is None else docs[:limit]
