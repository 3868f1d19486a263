"""Line breaks end sentences: the seed format is one sentence per line and
Reuters-style text one paragraph per line. Inside a line a sentence can only
start after terminal punctuation (". ! ?", perhaps followed by a closing quote
or bracket): the parser otherwise splits a lowercased line such as "japan
prime minister shinzo abe offered ..." after "japan", and facts stated across
that false boundary are lost. Runs before the parser, which respects
boundaries that are already set."""

from __future__ import annotations

from typing import cast

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from thinc.types import Ints2d

TERMINAL = frozenset(".!?")
CLOSING = frozenset({'"', "'", ")", "]", "”", "’", "»", "''"})


class LineSentences:
    def __init__(self, name: str = "newsgraph_lines") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        # One pass that reads the tokens and one array write: setting each
        # token's is_sent_start costs more than the rest of the pass.
        starts = numpy.zeros(len(doc), dtype="int64")  # 1 starts, -1 does not, 0 the parser decides
        after_break = False
        after_terminal = False  # the line so far ends in terminal punctuation
        spaces = _spaces(doc)
        if len(doc) and not spaces[0]:
            starts[0] = 1  # what a Doc says of its first token unless told otherwise
        for i, (text, space, ws) in enumerate(zip(_texts(doc), spaces, _whitespaces(doc), strict=True)):
            if space:
                after_break = after_break or "\n" in text
                continue
            if i > 0:
                if after_break:
                    starts[i] = 1
                elif not after_terminal:
                    starts[i] = -1
            if text[-1:] in TERMINAL:
                after_terminal = True
            elif text not in CLOSING:
                after_terminal = False
            after_break = "\n" in ws
        if len(doc):
            doc.from_array([SENT_START], cast(Ints2d, starts.astype("uint64").reshape(-1, 1)))  # -1 as spaCy stores it
        return doc


def _texts(doc: Doc) -> list[str]:
    return [t.text for t in doc]


def _spaces(doc: Doc) -> list[bool]:
    return [t.is_space for t in doc]


def _whitespaces(doc: Doc) -> list[str]:
    return [t.whitespace_ for t in doc]


@Language.factory("newsgraph_lines", assigns=["token.is_sent_start"], default_config={})
def make_line_sentences(nlp: Language, name: str) -> LineSentences:
    return LineSentences(name)
