"""The base spaCy model (en_core_web_sm by default) without its neural
components: its metadata, its lexical tables and its attribute rules, which the
pipeline reads beside the components `config.cfg` sources from it. Loaded once
per process and model, whoever asks first."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

_NEURAL = ["tok2vec", "tagger", "parser", "lemmatizer", "ner", "senter"]


@lru_cache(maxsize=4)
def base_model(model: str) -> Language:
    return spacy.load(model, exclude=_NEURAL)
