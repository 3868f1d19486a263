"""`make install` says nothing but the commands it runs: no setuptools notices, no Maven escape codes.

What pip and setuptools print depends on the metadata they are given, so the
checks are on that metadata (and on the installed distribution built from it).
"""

from __future__ import annotations

import importlib.metadata
import re
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _installed() -> importlib.metadata.Distribution:
    # From site-packages: the checkout's own newsgraph.egg-info (left by a build) is on sys.path too.
    found = list(importlib.metadata.distributions(name="newsgraph", path=[sysconfig.get_paths()["purelib"]]))
    assert found, "newsgraph is not installed in this environment"
    return found[0]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_string() -> None:
    # The table form ({text = ...}) makes setuptools print a deprecation notice on every build.
    data = _pyproject()
    assert data["project"]["license"] == "Apache-2.0"
    requires = " ".join(data["build-system"]["requires"])
    minimum = re.search(r"setuptools>=(\d+)", requires)
    assert minimum and int(minimum.group(1)) >= 77, requires  # the first to read the SPDX form


def test_installed_metadata_carries_the_license_expression() -> None:
    metadata = _installed().metadata
    assert metadata.get("License-Expression") == "Apache-2.0"


def test_editable_install_is_a_plain_path_entry() -> None:
    # With the packages' folder named, setuptools writes a .pth to the checkout instead
    # of installing an import finder, which comes with an "Editable installation" notice.
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == {"": "."}
    pth = [f for f in _installed().files or [] if f.name.startswith("__editable__") and f.suffix == ".pth"]
    if not pth:  # a regular (non-editable) install
        return
    text = pth[0].locate().read_text(encoding="utf-8")
    assert "import " not in text and Path(text.strip()).resolve() == ROOT


def test_maven_runs_quiet_and_colourless() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    mvn = [line for line in makefile.splitlines() if re.search(r"\bmvn\b.*\bpackage\b", line)]
    assert len(mvn) == 1, mvn
    for flag in ("-q", "-B", "-Dstyle.color=never"):
        assert f" {flag} " in mvn[0], flag
    # Debian's Maven 3.8 prints colour resets even then: its output goes to a log shown on failure.
    assert ">../../build/maven.log 2>&1" in mvn[0]
