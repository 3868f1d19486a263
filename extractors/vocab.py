"""Word lists for roles, titles and kinship (plain data, lowercase).

The office words are here; the role nouns of teams and jobs are data in
`data/roles.tsv`, read once at import.
"""

from __future__ import annotations

from extractors.artifacts import DATA, require


def _roles_by_kind() -> dict[str, frozenset[str]]:
    kinds: dict[str, set[str]] = {}
    path = require(DATA / "roles.tsv", "a committed file of the package: restore it from git")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, kind = line.split("\t")
            kinds.setdefault(kind, set()).add(word)
    return {kind: frozenset(words) for kind, words in kinds.items()}


_ROLES = _roles_by_kind()
SPORT_ROLES = _ROLES["sport"]  # a name before one of these is a team's: "chelsea striker diego costa"
JOB_ROLES = _ROLES["job"]

# A role is MODIFIER* HEAD ("deputy foreign minister", "presidential aide").
ROLE_HEADS = frozenset({
    "president", "minister", "chancellor", "king", "queen", "prince", "princess", "emperor", "leader",
    "aide", "adviser", "advisor", "spokesman", "spokeswoman", "spokesperson", "professor", "chairman",
    "chairwoman", "chair", "ceo", "executive", "secretary", "ambassador", "envoy", "governor", "mayor",
    "senator", "premier", "director", "founder", "commander", "chief", "president-elect", "diplomat",
    "official", "general", "dictator", "ruler", "monarch", "pope", "lawmaker", "legislator", "economist",
    "analyst", "head", "vice-president", "treasurer", "representative", "congressman", "congresswoman",
    "judge", "prosecutor", "negotiator", "correspondent", "editor", "reporter", "coach", "captain",
    "manager", "owner", "marshal", "sheikh", "emir", "sultan", "ayatollah", "empress", "consort", "duke",
    "duchess", "archbishop", "bishop", "cardinal",
}) | SPORT_ROLES | JOB_ROLES
ROLE_MODIFIERS = frozenset({
    "prime", "foreign", "defense", "defence", "finance", "interior", "trade", "presidential", "deputy",
    "vice", "senior", "chief", "economy", "energy", "oil", "agriculture", "health", "justice",
    "education", "supreme", "general", "executive", "state", "top", "former", "acting", "crown",
    "first", "home", "industry", "transport", "culture", "labor", "labour", "environment", "security",
    "national", "managing", "assistant", "associate", "military", "party", "communist", "grand",
})
# Roles held in and for a state: "[country] [role] [person]" is HOLDS_ROLE.
DROP_FROM_ROLE = frozenset({"former", "acting", "then", "new", "top", "late"})
HONORIFICS = frozenset({
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "sir", "dame", "lord", "lady",
    "gen", "gen.", "col", "col.", "lt", "lt.", "capt", "capt.", "sen", "sen.", "rep", "rep.", "gov",
    "gov.", "rev", "rev.", "prof", "prof.", "mme", "herr", "the", "late", "comrade", "his", "her",
    "majesty", "excellency", "st.", "saint", "invincible", "great", "dear",
})
KIN = frozenset({
    "father", "mother", "son", "daughter", "brother", "sister", "grandfather", "grandmother", "grandson",
    "granddaughter", "uncle", "aunt", "nephew", "niece", "cousin", "wife", "husband", "spouse", "widow",
    "widower", "half-brother", "half-sister", "stepfather", "stepmother", "stepson", "stepdaughter",
    "father-in-law", "mother-in-law", "son-in-law", "daughter-in-law", "brother-in-law", "sister-in-law",
    "great-grandfather", "great-grandmother", "fiancee", "fiance", "partner", "parents", "children",
    "granduncle", "grandnephew",
})
ATTEND_VERBS = frozenset({
    "attend", "attends", "attended", "attending", "visit", "visits", "visited", "visiting", "join",
    "joins", "joined", "joining", "participate", "participates", "participated", "participating",
    "watch", "watched", "boycott", "boycotts", "boycotted", "skip", "skipped", "skips", "address",
    "addressed", "addresses", "take", "took", "takes", "taking", "come", "came", "go", "went",
})
# verbs that need a particle before the event: take part in, come to, go to
PARTICLE_VERBS = {"take": ("part", "in"), "took": ("part", "in"), "takes": ("part", "in"),
                  "taking": ("part", "in"), "participate": ("in",), "participates": ("in",),
                  "participated": ("in",), "participating": ("in",), "come": ("to",), "came": ("to",),
                  "go": ("to",), "went": ("to",)}
HOST_VERBS = frozenset({"host", "hosts", "hosted", "hosting", "organise", "organize", "organised",
                        "organized", "organises", "organizes", "stage", "stages", "staged"})
INVITE_VERBS = frozenset({"invite", "invites", "invited", "inviting"})
LIVE_VERBS = frozenset({"lives", "live", "lived", "living", "resides", "reside", "resided", "residing"})
EVENT_TAILS = frozenset({"celebrations", "celebration", "festivities", "parade", "parades", "ceremony",
                         "ceremonies", "commemorations", "commemoration", "events", "anniversary",
                         "talks", "meeting"})
ORG_WORDS = frozenset({
    "university", "bank", "ministry", "party", "council", "committee", "agency", "corporation", "corp",
    "corp.", "inc", "inc.", "company", "co", "co.", "group", "association", "union", "institute",
    "federation", "organization", "organisation", "news", "times", "post", "airlines", "airways",
    "college", "school", "fund", "foundation", "commission", "army", "navy", "court", "parliament",
    "congress", "exchange", "press", "network", "league", "club", "ltd", "ltd.", "plc", "ag",
    "center", "centre", "academy", "society", "authority", "museum", "orchestra", "institution", "trust",
    "hospital", "department",
})
# Words that say what a person is ("resident", "footballer", "actress"): before a
# name they describe it ("utah photographer alan lawrence"), they are not part of it.
PERSON_NOUNS = frozenset({
    "man", "woman", "boy", "girl", "resident", "residents", "mother", "father", "mum", "dad", "mom",
    "teenager", "teen", "pensioner", "grandmother", "grandfather", "grandmother-of-two", "couple",
    "photographer", "artist", "businessman", "businesswoman", "farmer", "shepherd", "teacher", "nurse",
    "doctor", "lawyer", "student", "native", "housewife", "landlord", "builder", "driver", "worker",
    "blogger", "singer", "musician", "actor", "actress", "designer", "inventor", "entrepreneur",
    "writer", "author", "comedian", "chef", "priest", "vicar", "councillor", "schoolboy", "schoolgirl",
    "widow", "widower", "baby", "toddler", "lawmaker", "mother-of-two", "father-of-two", "mother-of-three",
    "father-of-three", "girlfriend", "boyfriend", "neighbour", "neighbor", "footballer", "champion",
    "sufferer", "victim", "suspect", "model", "star", "veteran", "fan", "owner", "presenter", "rapper",
    "golfer", "cricketer", "boxer", "cyclist", "jockey", "trainer", "tennis", "player", "skier", "swimmer",
    "challenger", "sprinter", "rider",
})
# Nouns that say a name is a company's or a body's: "dutch hosting company transip".
COMPANY_NOUNS = frozenset({"company", "firm", "group", "carmaker", "automaker", "bank", "retailer", "airline",
                           "giant", "maker", "manufacturer", "startup", "start-up", "broadcaster", "newspaper",
                           "insurer", "lender", "conglomerate", "chain", "club", "charity", "organisation",
                           "organization", "brand", "label", "studio", "publisher", "agency", "outfit", "team",
                           "broadcasters", "network", "magazine", "daily", "tabloid", "weekly", "watchdog",
                           "operator", "airliner", "consortium", "ngo"})
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
# The first words of the names of bodies of many countries ("european commission",
# "world trade organization", "organisation for economic co-operation ..."), which
# no one country holds: a country named with one does not contain it.
INTERNATIONAL_OPENERS = (("european",), ("world",), ("international",), ("global",), ("united", "nations"),
                         ("organisation", "for"), ("organization", "for"), ("organisation", "of"),
                         ("organization", "of"), ("un",), ("eu",))
