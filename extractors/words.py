"""Reading words off spaCy tokens."""

from __future__ import annotations

from spacy.tokens import Doc


def word_at(doc: Doc, i: int) -> tuple[str, int]:
    """The lowercase word at token i and the token after it. The tokenizer splits
    hyphenated words ("team - mates", "full - back"); here they read as one."""
    j = i
    while (j + 2 < len(doc) and doc[j + 1].text == "-" and not doc[j].whitespace_
           and not doc[j + 1].whitespace_ and doc[j + 2].text[:1].isalnum()):
        j += 2
    return "".join(t.lower_ for t in doc[i:j + 1]), j + 1
