"""Line breaks end sentences: the seed format is one sentence per line and
Reuters-style text one paragraph per line. Inside a line a sentence can only
start after terminal punctuation (". ! ?", perhaps followed by a closing quote
or bracket): the parser otherwise splits a lowercased line such as "japan
prime minister shinzo abe offered ..." after "japan", and facts stated across
that false boundary are lost. Runs before the parser, which respects
boundaries that are already set."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

TERMINAL = frozenset(".!?")
CLOSING = frozenset({'"', "'", ")", "]", "”", "’", "»", "''"})


class LineSentences:
    def __init__(self, name: str = "newsgraph_lines") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        after_break = False
        after_terminal = False  # the line so far ends in terminal punctuation
        for token in doc:
            if token.is_space:
                after_break = after_break or "\n" in token.text
                continue
            if token.i > 0:
                if after_break:
                    token.is_sent_start = True
                elif not after_terminal:
                    token.is_sent_start = False
            if token.text[-1:] in TERMINAL:
                after_terminal = True
            elif token.text not in CLOSING:
                after_terminal = False
            after_break = "\n" in token.whitespace_
        return doc


@Language.factory("newsgraph_lines", assigns=["token.is_sent_start"], default_config={})
def make_line_sentences(nlp: Language, name: str) -> LineSentences:
    return LineSentences(name)
