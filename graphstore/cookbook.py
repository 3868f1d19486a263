"""The Cypher cookbook: analyst questions kept as .cypher files.

Each file starts with a `// description` line and a `// params: {json}` line
giving example values; the rest is the query, constant text with parameters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

COOKBOOK_DIR = Path(__file__).resolve().parent / "cookbook"
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Recipe:
    name: str  # file stem without its number: "roles_in_country"
    path: Path
    description: str
    params: dict[str, Any]  # example values, used when none are given
    cypher: str

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The query's $parameters, in order of first use: the names `--param` accepts."""
        return tuple(dict.fromkeys(_PARAMETER.findall(self.cypher)))


def _parse(path: Path) -> Recipe:
    lines = path.read_text(encoding="utf-8").splitlines()
    description = lines[0].removeprefix("//").strip()
    params: dict[str, Any] = {}
    if len(lines) > 1 and lines[1].startswith("// params:"):
        params = json.loads(lines[1].removeprefix("// params:"))
    body = "\n".join(line for line in lines if not line.startswith("//")).strip()
    stem = path.stem.split("_", 1)[1] if path.stem[:2].isdigit() else path.stem
    return Recipe(name=stem, path=path, description=description, params=params, cypher=body)


@lru_cache(maxsize=1)
def recipes() -> dict[str, Recipe]:
    return {r.name: r for r in (_parse(p) for p in sorted(COOKBOOK_DIR.glob("*.cypher")))}


def recipe(name: str) -> Recipe:
    found = recipes().get(name.removesuffix(".cypher"))
    if found is None:
        for r in recipes().values():  # also by file name, "01_roles_in_country"
            if r.path.stem == name.removesuffix(".cypher"):
                return r
        raise KeyError(name)
    return found
