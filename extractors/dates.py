"""Date normalisation with dateparser.

Only the choice of what to feed dateparser is ours: modifiers ("early",
"late", "the") are dropped, decades ("the early 1990s") become "199X", and a
date without a year keeps "XXXX" unless the publication date anchors it.
Relative dates ("thursday", "last year") need the publication date; without
one they are dropped (None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH_RE = re.compile(r"\b(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\.?(?![a-z])", re.I)
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_DECADE_RE = re.compile(r"(?<!\d)(1[5-9]\d|20\d)0\s*'?s\b", re.I)
_RELATIVE_RE = re.compile(
    r"\b(today|yesterday|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"week|month|year|ago|last|next|this|weekend)\b", re.I)
_DROP_RE = re.compile(r"\b(early|late|mid|the|in|on|of|around|about|by|since|until|from|"
                      r"beginning|end|start|middle)\b-?", re.I)
_WEEKDAY_RE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_DURATION_RE = re.compile(r"\b(years|months|weeks|days|decades|centuries|hours|minutes)\b", re.I)


@dataclass(frozen=True)
class DateValue:
    value: str  # ISO 8601, with X for unknown digits
    precision: str  # day, month, year, decade
    resolved: bool  # anchored to the publication date

    def attributes(self) -> dict[str, Any]:
        return {"value": self.value, "precision": self.precision, "resolved": self.resolved}


@lru_cache(maxsize=64)
def _parser(base: str | None, prefer: str) -> DateDataParser:
    settings: dict[str, Any] = {"PREFER_DATES_FROM": prefer, "PREFER_DAY_OF_MONTH": "first"}
    if base:
        settings["RELATIVE_BASE"] = dt.datetime.fromisoformat(base[:10])
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=4096)
def normalize_date(text: str, doc_date: str | None = None) -> DateValue | None:
    """'may 9' -> XXXX-05-09 (or 2015-05-09 given doc_date 2015-04-30)."""
    low = " ".join(text.lower().replace("-", " ").split())
    if _DURATION_RE.search(low) and not _YEAR_RE.search(low):
        return None  # "two years", "several days": durations, not dates
    decade = _DECADE_RE.search(low)
    if decade:
        return DateValue(decade.group(1) + "X", "decade", False)
    has_year = bool(_YEAR_RE.search(low))
    has_month = bool(_MONTH_RE.search(low))
    relative = not has_year and not has_month and bool(_RELATIVE_RE.search(low))
    if not (has_year or has_month or relative):
        return None  # "70th", "several times"
    if relative and not doc_date:
        return None
    feed = " ".join(_DROP_RE.sub(" ", low).split())
    if not feed:
        return None
    prefer = "past" if _WEEKDAY_RE.search(low) else "current_period"
    anchor = doc_date if (relative or not has_year) else None
    data = _parser(anchor, prefer).get_date_data(feed)
    if data is None or data.date_obj is None:
        return None
    when, period = data.date_obj, data.period
    if has_year and not has_month and not relative:
        return DateValue(f"{when.year:04d}", "year", False)
    if period == "year":
        return DateValue(f"{when.year:04d}", "year", relative)
    resolved = bool(doc_date) and not has_year
    year = f"{when.year:04d}" if (has_year or doc_date) else "XXXX"
    if period == "month":
        return DateValue(f"{year}-{when.month:02d}", "month", resolved)
    if period in ("day", "time"):
        return DateValue(f"{year}-{when.month:02d}-{when.day:02d}", "day", resolved)
    return None  # weeks are not among the precisions
