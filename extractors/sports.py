"""Sports clubs in news text: the names in `data/sports_clubs.tsv`, typed as
organisations.

Sports stories name clubs by their city ("leicester", "barcelona") and by
nicknames ("the foxes", "spurs"); a general NER calls those places or people.
Three kinds of name, by how much context they need:
- a club's full name ("leicester city", "queens park rangers"): always the club;
- a name that is also a place's, or any single-word name: the club in a sports
  story only (see `is_sports_story`);
- a name that is an everyday word ("city", "palace", "sale"): the club only
  right before a team role ("palace boss alan pardew", "city legend").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractors.artifacts import require
from extractors.truecase import case_table
from extractors.vocab import SPORT_ROLES
from extractors.words import word_at

CLUBS_FILE = Path(__file__).resolve().parent / "data" / "sports_clubs.tsv"
# Words that make a story a sports story; a handful of them must occur.
SPORTS_CUES = frozenset({
    "goal", "goals", "striker", "midfielder", "defender", "goalkeeper", "winger", "manager", "boss",
    "fixture", "fixtures", "squad", "kick-off", "scored", "penalty", "referee", "league", "cup",
    "match", "season", "football", "footballer", "rugby", "stadium", "premiership", "club", "coach",
    "team-mate", "team-mates", "semi-final", "quarter-final", "final", "tries", "clean", "sheet",
    "relegation", "promotion", "title", "derby", "flanker", "wicket", "innings", "tournament",
})
SPORTS_STORY_MIN = 6


@dataclass(frozen=True)
class Club:
    name: str
    full: bool  # a multi-word or otherwise unmistakable name
    everyday: bool  # an everyday English word: needs a role right after it


@lru_cache(maxsize=1)
def load_clubs() -> dict[str, Club]:
    """Lowercase surface form -> club."""
    table = case_table()
    forms: dict[str, Club] = {}
    clubs = require(CLUBS_FILE, "a committed file of the package: restore it from git")
    for line in clubs.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, aliases = line.split("\t")
        for alias in aliases.split("|"):
            words = alias.split()
            everyday = len(words) == 1 and alias in table.lower
            forms.setdefault(alias, Club(name, len(words) > 1 and alias not in ("man u",), everyday))
    return forms


@lru_cache(maxsize=4)
def _matcher(vocab: Vocab) -> PhraseMatcher:
    matcher = PhraseMatcher(vocab, attr="LOWER")
    for form in load_clubs():
        matcher.add(form, [Doc(vocab, words=form.split())])
    return matcher


def is_sports_story(doc: Doc) -> bool:
    return sum(1 for tok in doc if tok.lower_ in SPORTS_CUES) >= SPORTS_STORY_MIN


def club_mentions(doc: Doc) -> list[tuple[int, int, str]]:
    """(start token, end token, club name) of the club names the context allows,
    longest first where they overlap."""
    clubs = load_clubs()
    sports = is_sports_story(doc)
    found = []
    for match_id, start, end in _matcher(doc.vocab)(doc):
        club = clubs[doc.vocab.strings[match_id]]
        before_role = end < len(doc) and word_at(doc, end)[0] in SPORT_ROLES
        if club.full or (before_role and not club.everyday) or (sports and (before_role or not club.everyday)):
            found.append((start, end, club.name))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    out: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for start, end, name in sorted(found, key=lambda m: -(m[1] - m[0])):
        if not taken & set(range(start, end)):
            out.append((start, end, name))
            taken |= set(range(start, end))
    return sorted(out)
