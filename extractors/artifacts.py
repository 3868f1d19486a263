"""The files the extraction pipeline reads: all inside the package.

Nothing at run time reads ../shared: every table, list and model ships in
`extractors/data` and `extractors/models` (committed, or built by the package's
own build step from committed inputs). A missing one is an error.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE / "data"
MODELS = PACKAGE / "models"


class MissingArtifact(RuntimeError):
    """An artifact the pipeline needs is not in the package."""


def require(path: Path, rebuild: str) -> Path:
    """`path`, or a MissingArtifact error that says how to rebuild it."""
    if not path.exists():
        raise MissingArtifact(f"{path} is missing from the package ({rebuild})")
    return path
