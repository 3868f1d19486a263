"""A trained relation classifier: the `newsgraph_relations` spaCy component.

For every ordered pair of entities of one document whose labels allow a
relation (a person and a country, an organisation and a place, ...), it builds
sparse binary features and scores each allowed relation type with its own
logistic regression (one-vs-rest, so "German chancellor Merkel" can be both
HOLDS_ROLE and NATIONAL_OF of Germany):

- per sentence where both entities are mentioned (closest mention pair): the
  words between them (as a sequence and as a bag), their order and distance,
  the words around each mention, entities in between, whether a role word, a
  kinship word, "of", "'s" or a verb intervenes, the dependency path between
  the mentions' head tokens;
- per document (also for pairs never in one sentence, tail a country only):
  how often they co-occur, the sentence distance, how prominent each entity is
  (mention count, rank among its label, in the title), role words before the
  person, demonym mentions of the country next to the person, and which
  precise patterns (`relations.py`) fired for the pair.

Every feature is lowercased: casing never reaches the model. The weights are
an artifact of `tools/training/train_relations.py` (see `make
train-relations`), stored in `extractors/models/relations/` as `cfg`,
`features.json` and `weights.npy`.

`__call__` sets `doc._.relations`: plain tuples (head uri, type, tail uri,
confidence, sentence indices), which `relations.find_relations` maps onto the
document's entities.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from extractors.artifacts import require
from extractors.assemble import Cand, build_entities, collect_candidates, sentence_index
from extractors.doc_state import state_of
from extractors.gazetteer import load_gazetteer
from extractors.relations import find_relations, pattern_relations
from extractors.types import Document, Entity
from extractors.vocab import KIN, ROLE_HEADS, ROLE_MODIFIERS

MODEL_DIR = Path(__file__).resolve().parent / "models" / "relations"
RELATION_TYPES = ("HOLDS_ROLE", "NATIONAL_OF", "RELATIVE_OF", "LIVES_IN", "LOCATED_IN")
# (head label, tail label) -> relation types the pair may hold (DESIGN.md directions)
ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("Person", "Country"): ("HOLDS_ROLE", "NATIONAL_OF", "LIVES_IN"),
    ("Person", "Organization"): ("HOLDS_ROLE",),
    ("Person", "Place"): ("LIVES_IN",),
    ("Person", "Person"): ("RELATIVE_OF",),
    ("Organization", "Country"): ("LOCATED_IN",),
    ("Organization", "Place"): ("LOCATED_IN",),
    ("Place", "Country"): ("LOCATED_IN",),
    ("Place", "Place"): ("LOCATED_IN",),
    ("Event", "Country"): ("LOCATED_IN",),
    ("Event", "Place"): ("LOCATED_IN",),
}
# pairs scored even when never mentioned in one sentence (document-level facts)
DOC_LEVEL_TAILS: frozenset[str] = frozenset()
MAX_BETWEEN = 25  # same-sentence mention pairs further apart than this are skipped

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)

PairKey = tuple[str, str]  # head entity id, tail entity id


@dataclass
class PairContext:
    """What the classifier reads of one document (built once per Doc)."""

    doc: Doc
    cands: list[Cand]
    cand_entity: dict[int, str]
    entities: list[Entity]
    tok_sent: list[int]
    patterns: set[tuple[str, str, str]] = field(default_factory=set)  # (head id, type, tail id)
    starts: list[int] = field(default_factory=list)  # cands' start tokens (cands are sorted by start)

    def __post_init__(self) -> None:
        self.starts = [c.start for c in self.cands]


@dataclass
class Candidate:
    head: str
    tail: str
    allowed: tuple[str, ...]
    features: list[str]
    sentences: list[int]  # supporting sentences (co-occurrence, else one per entity)
    pair: str = ""  # "Person>Country": the labels of head and tail


def pair_key(head_label: str, tail_label: str) -> str:
    return f"{head_label}>{tail_label}"


def context_for(doc: Doc, document: Document | None = None) -> PairContext:
    """Candidates, entities and pattern relations of a Doc, as `assemble` builds
    them (for training and tests; the pipeline reuses its own assembly)."""
    document = document or Document(id="", text=doc.text)
    tok_sent, sentences = sentence_index(doc)
    cands = collect_candidates(doc, document)
    entities, cand_entity = build_entities(doc, document, cands, tok_sent)
    patterns = {(r.head, r.type, r.tail)
                for r in pattern_relations(doc, cands, cand_entity, entities, sentences, tok_sent)}
    return PairContext(doc, cands, cand_entity, entities, tok_sent, patterns)


# ----------------------------------------------------------------- features
def _bucket(n: int) -> str:
    return str(n) if n < 4 else ("4-6" if n < 7 else ("7-12" if n < 13 else "13+"))


def _head_token(doc: Doc, start: int, end: int) -> int:
    for i in range(start, end):
        if not start <= doc[i].head.i < end or doc[i].head.i == i:
            return i
    return end - 1


def _dep_path(doc: Doc, a: int, b: int) -> str | None:
    up_a = [a]
    while doc[up_a[-1]].head.i != up_a[-1] and len(up_a) < 12:
        up_a.append(doc[up_a[-1]].head.i)
    pos = {t: n for n, t in enumerate(up_a)}
    up_b = [b]
    while up_b[-1] not in pos and doc[up_b[-1]].head.i != up_b[-1] and len(up_b) < 12:
        up_b.append(doc[up_b[-1]].head.i)
    if up_b[-1] not in pos:
        return None
    common = pos[up_b[-1]]
    if common + len(up_b) - 1 > 6:
        return None
    left = [f"{doc[t].dep_}^" for t in up_a[:common]]
    mid = [doc[up_a[common]].lower_ if common > 0 and len(up_b) > 1 else doc[up_a[common]].dep_]
    right = [f"v{doc[t].dep_}" for t in reversed(up_b[:-1])]
    return "/".join(left + mid + right)


def _pair_features(ctx: PairContext, lows: list[str], h: Cand, t: Cand, out: set[str]) -> None:
    doc = ctx.doc
    head_first = h.start < t.start
    first, second = (h, t) if head_first else (t, h)
    order = "ht" if head_first else "th"
    between = lows[first.end:second.start]
    n = len(between)
    out.add(f"dist={order}|{_bucket(n)}")
    if n <= 8:
        out.add(f"btw={order}|{' '.join(between)}")
    words = between if n <= 12 else between[:5] + between[-5:]
    for w in words:
        out.add(f"bw={order}|{w}")
        if w in ROLE_HEADS:
            out.add(f"role_btw={order}|{w}")
        if w in KIN:
            out.add(f"kin_btw={order}|{w}")
    for tok in doc[first.end:second.start]:
        if tok.pos_ == "VERB":
            out.add(f"verb={order}|{tok.lower_}")
    if "of" in between:
        out.add(f"of={order}")
    if "'s" in between or "'" in between:
        out.add(f"poss={order}")
    if "," in between:
        out.add(f"comma={order}")
    mids = [c.label for c in ctx.cands[bisect_left(ctx.starts, first.end):bisect_left(ctx.starts, second.start)]
            if c.end <= second.start and not c.nested]
    out.add(f"mid_ents={order}|{_bucket(len(mids))}")
    for label in set(mids):
        out.add(f"mid_ent={order}|{label.lower()}")

    def low(i: int) -> str:
        return lows[i] if 0 <= i < len(lows) and ctx.tok_sent[i] == ctx.tok_sent[first.start] else "<s>"

    out.add(f"pre1={low(first.start - 1)}")
    out.add(f"pre2={low(first.start - 2)}|{low(first.start - 1)}")
    out.add(f"post1={low(second.end)}")
    out.add(f"post2={low(second.end)}|{low(second.end + 1)}")
    out.add(f"h_prev={low(h.start - 1)}")
    out.add(f"h_next={low(h.end)}")
    out.add(f"t_prev={low(t.start - 1)}")
    out.add(f"t_next={low(t.end)}")
    if t.demonym:
        out.add(f"t_demonym={order}|{_bucket(n)}")
    if h.demonym:
        out.add(f"h_demonym={order}|{_bucket(n)}")
    path = _dep_path(doc, _head_token(doc, h.start, h.end), _head_token(doc, t.start, t.end))
    if path is not None:
        out.add(f"dep={path}")


def _role_before(lows: list[str], cand: Cand) -> str | None:
    """A role head in the three tokens before a person mention ("german foreign minister X")."""
    for i in range(cand.start - 1, max(cand.start - 4, -1), -1):
        if lows[i] in ROLE_HEADS:
            return lows[i]
        if lows[i] not in ROLE_MODIFIERS and lows[i] not in (",", "the"):
            return None
    return None


def candidates(ctx: PairContext) -> Iterator[Candidate]:
    """Every ordered entity pair the classifier scores, with its features."""
    doc = ctx.doc
    lows = [t.lower_ for t in doc]
    ent_label = {e.id: e.label for e in ctx.entities}
    by_ent: dict[str, list[Cand]] = {}
    for idx, cand in enumerate(ctx.cands):
        if not cand.nested and cand.label != "Date":
            by_ent.setdefault(ctx.cand_entity[idx], []).append(cand)
    if not by_ent:
        return
    # prominence: mention count rank within the label
    counts = {e: len(ms) for e, ms in by_ent.items()}
    rank: dict[str, int] = {}
    for label in {ent_label[e] for e in by_ent}:
        same = sorted((e for e in by_ent if ent_label[e] == label),
                      key=lambda e: (-counts[e], by_ent[e][0].start))
        for n, e in enumerate(same):
            rank[e] = n
    n_label = Counter(ent_label[e] for e in by_ent)
    sent_of = {e: sorted({ctx.tok_sent[c.start] for c in ms}) for e, ms in by_ent.items()}
    roles = {e: {r for c in ms if (r := _role_before(lows, c))} for e, ms in by_ent.items()
             if ent_label[e] == "Person"}
    terms = load_gazetteer().country_terms
    country_code = {e.id: e.attributes.get("iso_code") for e in ctx.entities if e.label == "Country"}
    # countries named inside an organisation's or event's own name ("german football association")
    named_in = {e: {terms[w][0] for c in ms for w in lows[c.start:c.end] if w in terms}
                for e, ms in by_ent.items() if ent_label[e] in ("Organization", "Event", "Place")}
    for h, h_ms in by_ent.items():
        for t, t_ms in by_ent.items():
            if h == t:
                continue
            lp = (ent_label[h], ent_label[t])
            allowed = ALLOWED.get(lp)
            if allowed is None:
                continue
            common = sorted(set(sent_of[h]) & set(sent_of[t]))
            if not common and lp[1] not in DOC_LEVEL_TAILS:
                continue
            feats: set[str] = set()
            close = False
            for s in common[:6]:
                hs = [c for c in h_ms if ctx.tok_sent[c.start] == s]
                ts = [c for c in t_ms if ctx.tok_sent[c.start] == s]
                a, b = min(((a, b) for a in hs for b in ts),
                           key=lambda p: max(p[0].start, p[1].start) - min(p[0].end, p[1].end))
                if max(a.start, b.start) - min(a.end, b.end) <= MAX_BETWEEN:
                    _pair_features(ctx, lows, a, b, feats)
                    close = True
            tag = f"{lp[0]}>{lp[1]}".lower()
            doc_feats = [f"cooc={_bucket(len(common))}", f"close={close}",
                         f"h_rank={min(rank[h], 3)}", f"t_rank={min(rank[t], 3)}",
                         f"t_rank_n={min(rank[t], 3)}|{min(n_label[lp[1]], 4)}",
                         f"h_count={_bucket(counts[h])}", f"t_count={_bucket(counts[t])}",
                         f"h_title={sent_of[h][0] == 0}", f"t_title={sent_of[t][0] == 0}"]
            if not common:
                gap = min(abs(a - b) for a in sent_of[h] for b in sent_of[t])
                doc_feats.append(f"sdist={_bucket(gap)}")
            if any(c.demonym for c in t_ms):
                doc_feats.append("t_has_demonym")
                adjacent = {hm.start for hm in h_ms} & {c.end for c in t_ms if c.demonym}
                if any(0 <= hm.start - c.end <= 3 for hm in h_ms for c in t_ms if c.demonym):
                    doc_feats.append("t_demonym_near_h")
                if adjacent:
                    doc_feats.append("t_demonym_adj_h")
            has_role = bool(roles.get(h))
            for role in roles.get(h, ()):
                doc_feats.append(f"h_role={role}")
                doc_feats.append(f"h_role={role}|{rank[t] == 0}|{bool(common)}")
            doc_feats.append(f"conj={has_role}|{min(rank[t], 2)}|{_bucket(len(common))}|{'t_has_demonym' in doc_feats}")
            if h in named_in and t in country_code:
                doc_feats.append(f"h_names_t={country_code[t] in named_in[h]}|{bool(named_in[h])}")
            if h in named_in:
                for w in {w for c in h_ms for w in lows[c.start:c.end]}:
                    doc_feats.append(f"h_word={w}")
            for head, rtype, tail in ctx.patterns:
                if head == h and tail == t:
                    doc_feats.append(f"pat={rtype}")
                elif head == t and tail == h:
                    doc_feats.append(f"pat_rev={rtype}")
            feats.update(doc_feats)
            feats.add("bias")
            features = sorted(f"{tag}|{f}" for f in feats)
            features += sorted(f for f in feats if f.startswith(("bw=", "btw=", "dep=", "verb=")))
            yield Candidate(h, t, allowed, features, common[:3] or [sent_of[h][0], sent_of[t][0]],
                            pair_key(*lp))


# -------------------------------------------------------------------- model
class LinearModel:
    """One-vs-rest logistic regression over named binary features."""

    def __init__(self, features: list[str], weights: np.ndarray, bias: np.ndarray,
                 types: tuple[str, ...] = RELATION_TYPES) -> None:
        self.types = types
        self.features = features
        self.index = {f: i for i, f in enumerate(features)}
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)

    @classmethod
    def empty(cls) -> LinearModel:
        return cls([], np.zeros((0, len(RELATION_TYPES)), np.float32), np.full(len(RELATION_TYPES), -10.0))

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        rows = [i for f in features if (i := self.index.get(f)) is not None]
        z = self.bias + (self.weights[rows].sum(axis=0) if rows else 0.0)
        return {t: 1.0 / (1.0 + math.exp(-float(v))) for t, v in zip(self.types, z, strict=True)}

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "features.json").write_text(json.dumps(self.features, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
        np.save(path / "weights.npy", np.vstack([self.bias[None, :], self.weights]).astype(np.float16))

    @classmethod
    def from_disk(cls, path: Path, types: tuple[str, ...] = RELATION_TYPES) -> LinearModel:
        features = json.loads((path / "features.json").read_text(encoding="utf-8"))
        table = np.load(path / "weights.npy").astype(np.float32)
        if table.shape != (len(features) + 1, len(types)):
            raise ValueError(f"{path}: weights {table.shape} do not fit {len(features)} features x {types}")
        return cls(features, table[1:], table[0], types)


# ---------------------------------------------------------------- component
class RelationClassifier:
    """Scores entity pairs (see module docstring); `thresholds` per type."""

    def __init__(self, nlp: Language, name: str = "newsgraph_relations", *, threshold: float = 0.5,
                 thresholds: dict[str, float] | None = None, model_dir: str = "") -> None:
        self.name = name
        self.cfg: dict[str, Any] = {"threshold": threshold, "thresholds": dict(thresholds or {}),
                                    "types": list(RELATION_TYPES)}
        self.model = LinearModel.empty()
        source = Path(model_dir) if model_dir else MODEL_DIR
        if (source / "weights.npy").exists():
            self.from_disk(source)
        elif not model_dir:
            # without the packaged weights the component would predict no relation at all, silently
            require(MODEL_DIR / "weights.npy", "run `make train-relations`")
        if thresholds:  # the config's own thresholds win over the trained ones
            self.cfg["thresholds"] = dict(thresholds)

    def threshold(self, rtype: str) -> float:
        return float(self.cfg["thresholds"].get(rtype, self.cfg["threshold"]))

    def scored_types(self, cand: Candidate) -> tuple[str, ...]:
        """The types the pair may hold that the model was trained on for this label
        pair (`cfg["pairs"]`, written by training): a type never trained on a pair
        ("LIVES_IN" for a person and a country, say) is never predicted for it."""
        trained = self.cfg.get("pairs")
        if trained is None:  # weights from before the mask: the ontology's pairs
            return cand.allowed
        ok = trained.get(cand.pair, ())
        return tuple(t for t in cand.allowed if t in ok)

    def predict(self, ctx: PairContext) -> list[tuple[str, str, str, float, list[int]]]:
        """(head entity id, type, tail entity id, confidence, sentence indices) above threshold."""
        out = []
        for cand in candidates(ctx):
            types = self.scored_types(cand)
            if not types:
                continue
            probs = self.model.probabilities(cand.features)
            for rtype in types:
                if probs[rtype] >= self.threshold(rtype):
                    out.append((cand.head, rtype, cand.tail, probs[rtype], cand.sentences))
        return out

    def __call__(self, doc: Doc) -> Doc:
        """The relation step of the pipeline: the precise patterns, then this
        model on the pairs of the entities `newsgraph_entities` assembled."""
        state = state_of(doc)
        args = (doc, state.cands, state.cand_entity, state.entities, state.sentences, state.tok_sent)
        patterns = {(r.head, r.type, r.tail) for r in pattern_relations(*args)}
        ctx = PairContext(doc, state.cands, state.cand_entity, state.entities, state.tok_sent, patterns)
        uri = {e.id: e.uri for e in state.entities}
        predicted = [(uri[h], rtype, uri[t], round(conf, 4), sents) for h, rtype, t, conf, sents in self.predict(ctx)]
        state.relations = find_relations(*args, predicted=predicted)
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        self.model.to_disk(path)
        (path / "cfg").write_text(json.dumps(self.cfg, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RelationClassifier:
        path = Path(path)
        cfg = json.loads((path / "cfg").read_text(encoding="utf-8"))
        self.cfg.update(cfg)
        self.model = LinearModel.from_disk(path, tuple(self.cfg["types"]))
        return self


@Language.factory(
    "newsgraph_relations",
    requires=["doc.sents", "token.dep", "doc._.ng_state"],
    assigns=["doc._.ng_state"],
    default_config={"threshold": 0.5, "thresholds": {}, "model_dir": ""},
)
def make_relation_classifier(nlp: Language, name: str, threshold: float, thresholds: dict[str, float],
                             model_dir: str | None) -> RelationClassifier:
    return RelationClassifier(nlp, name, threshold=threshold, thresholds=thresholds, model_dir=model_dir or "")
