"""Line breaks end sentences: the seed format is one sentence per line and
Reuters-style text one paragraph per line. Runs before the parser, which
respects boundaries that are already set."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


class LineSentences:
    def __init__(self, name: str = "newsgraph_lines") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        after_break = False
        for token in doc:
            if token.is_space:
                after_break = after_break or "\n" in token.text
                continue
            if after_break and token.i > 0:
                token.is_sent_start = True
            after_break = "\n" in token.whitespace_
        return doc


@Language.factory("newsgraph_lines", assigns=["token.is_sent_start"], default_config={})
def make_line_sentences(nlp: Language, name: str) -> LineSentences:
    return LineSentences(name)
