"""Build the truecasing table `extractors/data/truecase.json` from cased corpora.

For every word seen *mid-sentence* (the first word of a sentence is capitalised
for grammatical reasons and tells nothing), count how often each casing of it
occurs. The table maps a lowercase word to its preferred casing when that is
not lowercase ("moscow" -> "Moscow", "nato" -> "NATO"), and lists the words that
are mostly written lowercase. Words absent from the table are treated as
unknown (likely names) by the truecaser.

    newsgraph build truecase-table [--out extractors/data/truecase.json] [SOURCES...]

The table is committed: users and the Docker image never rebuild it, and
nothing at run time reads ../shared.

Sources default to ../shared/corpora/reuters21578.jsonl and the train splits
under ../shared/datasets (paths relative to the repository root); missing
sources are skipped. Only counts are written, never text.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
DEFAULT_OUT = REPO / "extractors" / "data" / "truecase.json"

WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|[.!?:;]|\"")
SENTENCE_END = {".", "!", "?", ":", ";", '"'}
MIN_COUNT = 2  # a casing must be seen this often to count
AMBIGUOUS_SHARE = 0.85  # lowercase less often than this: also a name


def _reuters(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            # the first line is the ALL-CAPS headline: useless for casing
            yield from rec.get("text", "").split("\n")[1:]


def _dwie(folder: Path) -> Iterator[str]:
    for path in sorted(folder.glob("*.json")):
        content = json.loads(path.read_text(encoding="utf-8")).get("content", "")
        yield from content.split("\n")[1:]


def _crossre(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield " ".join(json.loads(line)["sentence"])


def _conll04(path: Path) -> Iterator[str]:
    tokens: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#doc"):
                if tokens:
                    yield " ".join(tokens)
                tokens = []
                continue
            parts = line.split("\t")
            if len(parts) > 1:
                tokens.append(parts[1])
    if tokens:
        yield " ".join(tokens)


def default_sources() -> list[Path]:
    return [
        SHARED / "corpora" / "reuters21578.jsonl",
        SHARED / "datasets" / "dwie" / "train",
        SHARED / "datasets" / "crossre-news" / "news-train.json",
        SHARED / "datasets" / "crossre-news" / "ext-news-train.json",
        SHARED / "datasets" / "conll04" / "train.txt",
    ]


def read_lines(source: Path) -> Iterator[str]:
    if source.is_dir():
        return _dwie(source)
    if source.name.endswith(".jsonl"):
        return _reuters(source)
    if source.suffix == ".json":
        return _crossre(source)
    return _conll04(source)


def count_casings(lines: Iterable[str]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        letters = [c for c in line if c.isalpha()]
        if not letters or sum(c.isupper() for c in letters) > 0.5 * len(letters):
            continue  # headlines, tables, shouting
        start = True
        for match in WORD_RE.finditer(line):
            word = match.group()
            if word in SENTENCE_END:
                start = True
                continue
            if not start:
                counts[word.lower()][word] += 1
            start = False
    return counts


# Spelling dictionaries (Debian's wbritish-large / wamerican-large, SCOWL):
# read at build time only, when installed. They know the everyday words the
# news corpora never happened to use mid-sentence ("kite", "whopping"),
# which the truecaser would otherwise capitalise as unknown names.
DICTIONARIES = (Path("/usr/share/dict/british-english-large"), Path("/usr/share/dict/american-english-large"))


def dictionary_casings(paths: Iterable[Path]) -> dict[str, set[str]]:
    """Lowercase word -> the spellings the dictionaries list for it."""
    forms: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            word = line.strip()
            if word.endswith("'s") or not word.isalpha():
                continue
            forms[word.lower()].add(word)
    return forms


def build_table(counts: dict[str, Counter[str]],
                dictionary: dict[str, set[str]] | None = None) -> dict[str, object]:
    cased: dict[str, str] = {}
    lower: list[str] = []
    ambiguous: list[str] = []
    for low, spellings in (dictionary or {}).items():
        if sum(counts.get(low, Counter()).values()) >= MIN_COUNT:
            continue  # the corpora saw it often enough: their counts decide
        if low in spellings:
            lower.append(low)
            if len(spellings) > 1:  # "rose" and "Rose": a name as well
                ambiguous.append(low)
        elif len(spellings) == 1:
            cased[low] = next(iter(spellings))
    for low, forms in counts.items():
        total = sum(forms.values())
        if total < MIN_COUNT:
            continue
        if forms.get(low, 0) >= 0.5 * total:
            lower.append(low)
            # mostly lowercase, but a name often enough to matter ("sung", "may")
            if forms.get(low, 0) < AMBIGUOUS_SHARE * total and total - forms.get(low, 0) >= MIN_COUNT:
                ambiguous.append(low)
        else:
            best, _ = max(((f, n) for f, n in forms.items() if f != low), key=lambda fn: fn[1])
            cased[low] = best
    return {
        "version": 1,
        "lower": sorted(lower),
        "ambiguous": sorted(ambiguous),
        "cased": dict(sorted(cased.items())),
    }


def write_table(sources: list[Path], out: Path = DEFAULT_OUT) -> None:
    """Count the casings in `sources` (each must exist) and write the table to `out`."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    def all_lines() -> Iterator[str]:
        for src in sources:
            log.info("reading %s", src)
            yield from read_lines(src)

    table = build_table(count_casings(all_lines()), dictionary_casings(DICTIONARIES))
    out.parent.mkdir(parents=True, exist_ok=True)
    # one word a line: a rebuild shows as a readable diff
    out.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    log.info("wrote %s: %d lowercase words, %d cased words", out,
             len(table["lower"]), len(table["cased"]))  # type: ignore[arg-type]
