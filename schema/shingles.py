"""A document's text → a MinHash signature of its word shingles, and what the
graph store needs to find near-duplicates by it (datasketch's MinHash and the
band layout of its MinHashLSH).

Two articles are near-duplicates (one story: a syndicated wire copy, a lightly
edited repost) when the Jaccard similarity of their sets of word 5-shingles is
at least the story threshold (NEWSGRAPH_STORY_THRESHOLD, 0.8 by default). The
signature estimates that similarity; its bands, hashed to short keys, are what
the graph indexes, so a new document is compared only with the documents that
share a band with it (locality-sensitive hashing), never with all of them.

The bands are laid out for a candidate floor of 0.5, below any threshold one
should set: pairs well above the floor almost surely share a band, and the
threshold is then applied to the estimated similarity. So the keys stored in
the graph do not depend on the threshold, which can change between runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5  # words per shingle
NUM_PERM = 128  # hash functions in a signature: the estimate's error is about 1/sqrt(NUM_PERM)
SEED = 1  # fixes the hash functions: signatures made with another seed cannot be compared
# datasketch's permutation scheme (its default since 2.0), named because stored
# signatures are only comparable with ones made the same way.
SCHEME = "affine32"
CANDIDATE_FLOOR = 0.5  # the similarity the band layout is tuned to catch
DEFAULT_THRESHOLD = 0.8

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The text's word `size`-shingles, lower-cased and without punctuation, so
    the seeds' tokenized lower case and cased prose of one article agree. A
    text shorter than `size` words is one shingle; an empty text has none."""
    words = _WORD.findall(text.lower())
    if not words:
        return set()
    if len(words) < size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """The exact similarity a signature estimates (for checks and measurements)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _empty() -> MinHash:
    """A signature of nothing: its hash functions are every signature's (made once, not per document)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def signature(text: str) -> MinHash | None:
    """The MinHash of the text's shingles, or None for a text without words
    (nothing to compare: such a document is a story of its own)."""
    grams = shingles(text)
    if not grams:
        return None
    minhash = _empty().copy()
    minhash.update_batch([g.encode("utf-8") for g in sorted(grams)])
    return minhash


def encode(minhash: MinHash) -> str:
    """A signature as one string (a Document property, an RDF literal)."""
    return base64.b64encode(minhash.hashvalues.astype(">u4").tobytes()).decode("ascii")


def decode(text: str) -> MinHash:
    values = np.frombuffer(base64.b64decode(text.encode("ascii")), dtype=">u4").astype(np.uint64)
    if values.size != NUM_PERM:
        raise ValueError(f"a signature has {NUM_PERM} values; this one has {values.size}")
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=values,
                   permutations=_empty().permutations)


def similarity(a: MinHash, b: MinHash) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(a.jaccard(b))


@lru_cache(maxsize=1)
def _layout() -> tuple[tuple[int, int], ...]:
    """The (start, end) of each band: MinHashLSH's own choice for the floor."""
    lsh = MinHashLSH(threshold=CANDIDATE_FLOOR, num_perm=NUM_PERM)
    return tuple((start, end) for start, end in lsh.hashranges)


def new_index() -> MinHashLSH:
    """An in-memory LSH index with the bands the graph's keys use (a batch's own documents)."""
    layout = _layout()
    return MinHashLSH(num_perm=NUM_PERM, params=(len(layout), layout[0][1] - layout[0][0]))


def band_keys(minhash: MinHash) -> list[str]:
    """One short key per band: two signatures share a key exactly when they
    agree on that band (up to a 64-bit hash collision, which the similarity
    check then rejects). Letters and digits only: they go into a full-text index."""
    values = minhash.hashvalues.astype(">u4")
    return [f"b{band:02d}{hashlib.blake2b(values[start:end].tobytes(), digest_size=8).hexdigest()}"
            for band, (start, end) in enumerate(_layout())]
