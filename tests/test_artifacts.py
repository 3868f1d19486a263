"""A missing artifact of the extraction pipeline is an error, never a quiet fallback.

Each artifact is looked up where the package keeps it (pointed elsewhere here,
at a path that does not exist); a clone or wheel without it must stop with
MissingArtifact instead of extracting something worse. tests/test_standalone.py
checks the other side: with everything shipped, a clone and a wheel extract
what the checkout does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import spacy

from extractors import calibration, gazetteer, relation_model, sports, truecase
from extractors.artifacts import MissingArtifact
from extractors.pipeline import DEFAULT_MODEL, NER_MODEL_ENV, load_pipeline


@pytest.fixture()
def fresh_caches() -> Iterator[Callable[[], None]]:
    """Clears the cached tables before and after, so no other test sees the broken ones."""
    cached = (truecase.case_table, calibration.calibration_table, sports.load_clubs, gazetteer.load_gazetteer)

    def clear() -> None:
        for fn in cached:
            fn.cache_clear()

    yield clear
    clear()


def test_missing_truecase_table(monkeypatch, tmp_path: Path, fresh_caches) -> None:
    monkeypatch.setenv(truecase.TABLE_ENV, str(tmp_path / "truecase.json"))
    fresh_caches()
    with pytest.raises(MissingArtifact, match=re.escape("truecase.json")):
        truecase.case_table()


def test_missing_calibration_table(monkeypatch, tmp_path: Path, fresh_caches) -> None:
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", tmp_path / "calibration.json")
    fresh_caches()
    with pytest.raises(MissingArtifact, match=re.escape("calibration.json")):
        calibration.default_min_confidence()


def test_missing_sports_clubs(monkeypatch, tmp_path: Path, fresh_caches) -> None:
    monkeypatch.setattr(sports, "CLUBS_FILE", tmp_path / "sports_clubs.tsv")
    fresh_caches()
    with pytest.raises(MissingArtifact, match=re.escape("sports_clubs.tsv")):
        sports.load_clubs()


def test_missing_countries_table(monkeypatch, tmp_path: Path, fresh_caches) -> None:
    monkeypatch.setattr(gazetteer, "DATA", tmp_path)
    fresh_caches()
    with pytest.raises(MissingArtifact, match=re.escape("countries.tsv")):
        gazetteer.load_gazetteer()


def test_missing_roles_list(tmp_path: Path) -> None:
    # roles.tsv is read when extractors.vocab is imported: a fresh interpreter sees it
    # missing through a DATA that points at an empty folder
    code = (
        "import extractors.artifacts as a, pathlib, sys\n"
        f"a.DATA = pathlib.Path({str(tmp_path)!r})\n"
        "try:\n"
        "    import extractors.vocab\n"
        "except a.MissingArtifact as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "roles.tsv" in proc.stdout


def test_missing_ner_model(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(NER_MODEL_ENV, str(tmp_path / "ner"))
    # past the per-process cache: the check comes before any model is loaded
    with pytest.raises(MissingArtifact, match="NER model"):
        load_pipeline.__wrapped__(DEFAULT_MODEL)


def test_missing_relation_weights(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(relation_model, "MODEL_DIR", tmp_path / "relations")
    with pytest.raises(MissingArtifact, match=re.escape("weights.npy")):
        relation_model.RelationClassifier(spacy.blank("en"))
