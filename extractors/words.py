"""Reading words off spaCy tokens."""

from __future__ import annotations

from spacy.tokens import Doc

# Positions the press writes open or hyphenated ("full back", "scrum-half").
OPEN_FIRST = frozenset({"full", "centre", "center", "left", "right", "scrum", "fly"})


def word_at(doc: Doc, i: int) -> tuple[str, int]:
    """The lowercase word at token i and the token after it. The tokenizer splits
    hyphenated words ("team - mates", "full - back"); here they read as one."""
    if (i + 1 < len(doc) and doc[i].lower_ in OPEN_FIRST and doc[i + 1].lower_ in ("back", "half")
            and doc[i].whitespace_):
        return f"{doc[i].lower_}-{doc[i + 1].lower_}", i + 2  # "full back": the position "full-back"
    j = i
    while (j + 2 < len(doc) and doc[j + 1].text == "-" and not doc[j].whitespace_
           and not doc[j + 1].whitespace_ and doc[j + 2].text[:1].isalnum()):
        j += 2
    return "".join(t.lower_ for t in doc[i:j + 1]), j + 1
