"""Case augmentation for NER training: each example, each epoch, is seen as
written, lowercased or UPPERCASED (same tokens, same entity offsets).

Registered as `newsgraph.case_augmenter.v1`; `ner.cfg` uses it on the train
corpus. Load with `spacy train ... --code tools/training/augment.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import spacy
from spacy.language import Language
from spacy.training import Example


def _recased(nlp: Language, example: Example, change: Callable[[str], str]) -> Example:
    data = example.to_dict()
    words = [change(t.text) if len(change(t.text)) == len(t.text) else t.text for t in example.reference]
    spaces = [bool(t.whitespace_) for t in example.reference]
    text = "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True))
    data["token_annotation"]["ORTH"] = words
    return example.from_dict(nlp.make_doc(text), data)


@spacy.registry.augmenters("newsgraph.case_augmenter.v1")
def create_case_augmenter(lower: float, upper: float, seed: int = 0) -> Callable[[Language, Example],
                                                                                Iterator[Example]]:
    rng = random.Random(seed)

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        draw = rng.random()
        if draw < lower:
            yield _recased(nlp, example, str.lower)
        elif draw < lower + upper:
            yield _recased(nlp, example, str.upper)
        else:
            yield example

    return augment
