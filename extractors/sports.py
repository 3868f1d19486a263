"""Sports clubs in news text: the names in `data/sports_clubs.tsv`, typed as
organisations.

Sports stories name clubs by their city ("leicester", "barcelona") and by
nicknames ("the foxes", "spurs"); a general NER calls those places or people.
Three kinds of name, by how much context they need:
- a club's full name ("leicester city", "queens park rangers"): always the club;
- a name that is also a place's, or any single-word name: the club in a sports
  story only (see `is_sports_story`);
- a name that is an everyday word ("city", "palace", "sale"): the club only
  right before a team role ("palace boss alan pardew", "city legend"), or, in a
  sports story, as a side of a fixture ("wasps v exeter", "the draw against
  reading but", "wear no 8 for wasps after") where no noun follows to make it
  an everyday phrase ("against city rivals").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from spacy.attrs import LOWER
from spacy.tokens import Doc

from extractors.known_names import NameList
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
# Words that make the name after them (or, for "v", before them) a side in a match.
FIXTURE_BEFORE = frozenset({"for", "against", "v", "vs", "v.", "vs.", "versus"})
FIXTURE_AFTER = frozenset({"v", "vs", "v.", "vs.", "versus"})
# What may follow a fixture's side: anything but a word that continues a phrase
# the name would be an everyday word in ("city rivals", "sale price").
PHRASE_GOES_ON = frozenset({"NOUN", "PROPN", "ADJ", "NUM"})


@lru_cache(maxsize=1)
def load_clubs() -> NameList:
    return NameList(CLUBS_FILE)


def is_sports_story(doc: Doc) -> bool:
    # several components ask of the same document: counted once, on the LOWER ids
    cached = doc.user_data.get(_SPORTS_KEY)
    if cached is None:
        strings = doc.vocab.strings
        cues = {strings.add(cue) for cue in SPORTS_CUES}
        cached = doc.user_data[_SPORTS_KEY] = sum(
            1 for low in doc.to_array(LOWER).tolist() if low in cues) >= SPORTS_STORY_MIN
    return bool(cached)


_SPORTS_KEY = "newsgraph_sports_story"


def club_mentions(doc: Doc) -> list[tuple[int, int, str]]:
    """(start token, end token, club name) of the club names the context allows."""
    sports = is_sports_story(doc)
    found = []
    for start, end, club in load_clubs().matches(doc):
        before_role = end < len(doc) and word_at(doc, end)[0] in SPORT_ROLES
        full = club.full and doc[start:end].text.lower() != "man u"
        if full or (before_role and not club.everyday) or (sports and (
                before_role or not club.everyday or _fixture_side(doc, start, end))):
            found.append((start, end, club.name))
    return found


def _fixture_side(doc: Doc, start: int, end: int) -> bool:
    """Whether the name from `start` to `end` is a side in a match: after "for",
    "against" or "v", or before "v", and not the start of a longer phrase."""
    after = doc[end] if end < len(doc) else None
    if after is not None and after.lower_ in FIXTURE_AFTER:
        return True
    before = doc[start - 1].lower_ if start > 0 else ""
    return before in FIXTURE_BEFORE and (after is None or after.is_punct or after.pos_ not in PHRASE_GOES_ON)
