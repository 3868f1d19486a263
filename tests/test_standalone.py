"""A clone without ../shared, and the wheel installed in a fresh virtualenv,
extract exactly what this checkout extracts.

Every artifact extraction needs (extractors/data, extractors/models, ...) ships
inside the package; nothing at run time may read ../shared, which only the
project's own machines have beside the checkout. Both tests run
`newsgraph extract` on examples/ plus a lowercased article in the seed's form
and compare the JSON lines, extractor_version included, with the checkout's.

Each run also records, through an audit hook installed by a `sitecustomize`
module on PYTHONPATH, every file the process opens or lists, so that a read of
../shared (or, for the clone and the wheel, of this checkout) fails the test
even when the code would have coped with the file being absent.

"A clone" here is the tracked files as they are in the working tree: what a
clone holds once the current changes are committed. An artifact never
`git add`ed is then missing, which is the mistake this is meant to catch, while
uncommitted edits to tracked files do not make the checkout and the clone
differ for no reason.

The wheel test builds the image's environment the way docker/Dockerfile does:
a build context filtered by docker/Dockerfile.dockerignore, `pip wheel
--no-deps`, the wheel installed into a fresh virtualenv, and the build context
gone before extraction runs (only /opt/venv reaches the image's final stage).
Dependencies are held to the versions of the checkout's virtualenv, so that the
comparison is about what the package ships and not about a newer spaCy on PyPI.
The install takes about a minute with pip's cache warm (and needs the index or
the cache); `-m "not slow"` leaves both tests out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
DOCKER = REPO / "docker"

# The seed's form: lowercased, tokenized, one sentence a line. The truecasing
# table and the case-robust NER are what make this extract well, and both are
# package artifacts, so a package without them shows here first.
LOWERCASED_ARTICLE = """\
german chancellor olaf scholz met french president emmanuel macron in paris on tuesday .
scholz , who flew in from berlin , said the two leaders had agreed on a joint energy plan .
macron 's wife brigitte macron hosted a dinner at the elysee palace for the delegation .
chelsea striker diego costa was also in the french capital for the champions league match .
the ceo of apple , tim cook , visited the louvre on wednesday .
"""

# Records the files a process opens or lists (see the module docstring).
# Written as sitecustomize.py into a folder that only the runs put on PYTHONPATH.
_OPEN_LOGGER = '''\
import atexit
import os
import sys

_LOG = os.environ.get("STANDALONE_OPEN_LOG")
if _LOG:
    _SEEN = set()

    def _record(event, args):
        # an exception here would break the open itself: record what can be read, ignore the rest
        if event in ("open", "os.listdir", "os.scandir") and args:
            try:
                path = args[0]
                if isinstance(path, (str, bytes, os.PathLike)):
                    _SEEN.add(os.path.abspath(os.fsdecode(path)))
            except Exception:
                pass

    def _write():
        with open(_LOG, "w", encoding="utf-8") as fh:
            fh.write("\\n".join(sorted(_SEEN)))

    sys.addaudithook(_record)
    atexit.register(_write)
'''


def _git_tracked() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout (the test compares it with a clone of itself)")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def _copy_tracked(dest: Path, keep: Callable[[str], bool] | None = None) -> Path:
    """The tracked files (working-tree content) under dest; deleted ones are left out."""
    for rel in _git_tracked():
        src = REPO / rel
        if (keep is not None and not keep(rel)) or not src.is_file():
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)
    return dest


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex: `**` spans folders, `*` and `?` stay inside one."""
    pattern = pattern.strip().strip("/")
    assert not re.search(r"[\[\\]", pattern), f"pattern needs more than this matcher knows: {pattern}"
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def _docker_context_filter() -> Callable[[str], bool]:
    """keep(rel) for the build context: Docker drops a path when the last pattern that
    matches it or one of its folders is not a `!` exception."""
    rules = []
    for line in (DOCKER / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            rules.append((negated, _dockerignore_regex(line.lstrip("!"))))

    def keep(rel: str) -> bool:
        parts = rel.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        kept = True
        for negated, regex in rules:
            if any(regex.fullmatch(p) for p in prefixes):
                kept = negated
        return kept

    return keep


def _package_roots() -> list[str]:
    """The top-level packages pyproject.toml ships (its packages.find include list)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({name.rstrip("*").rstrip(".") for name in include})


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for path in sorted(EXAMPLES.iterdir()):
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    (folder / "lowercased_paris_visit.txt").write_text(LOWERCASED_ARTICLE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def open_logger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("open-logger")
    (folder / "sitecustomize.py").write_text(_OPEN_LOGGER, encoding="utf-8")
    return folder


class Run:
    def __init__(self, stdout: str, opened: list[Path]) -> None:
        self.stdout = stdout
        self.opened = opened

    def documents(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines()]


def _extract(command: list[str], inputs: Path, open_logger: Path, work: Path, pythonpath: Path | None = None) -> Run:
    """`newsgraph extract inputs` run from an empty folder, with no NEWSGRAPH_*/NEO4J_*
    settings (conftest sets some; a user's shell may set more) and no .env."""
    work.mkdir(parents=True)
    log = work / "opened.txt"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSGRAPH_", "NEO4J_", "PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (pythonpath, open_logger) if p is not None)
    env["STANDALONE_OPEN_LOG"] = str(log)
    proc = subprocess.run([*command, "extract", str(inputs), "--format", "jsonl"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    expected = sum(1 for _ in inputs.glob("*.txt")) + sum(
        len(p.read_text(encoding="utf-8").splitlines()) for p in inputs.glob("*.jsonl"))
    assert f"{expected} documents extracted, 0 failed" in proc.stderr, proc.stderr[-4000:]
    opened = [Path(p).resolve() for p in log.read_text(encoding="utf-8").splitlines()]
    return Run(proc.stdout, opened)


def _under(path: Path, root: Path) -> bool:
    return path.is_relative_to(root.resolve())


def _assert_same_extraction(got: Run, want: Run) -> None:
    got_docs, want_docs = got.documents(), want.documents()
    assert [d["id"] for d in got_docs] == [d["id"] for d in want_docs]
    for g, w in zip(got_docs, want_docs, strict=True):
        assert g == w, f"document {w['id']} differs"
    # byte for byte too: key order and number formatting are part of what extract prints
    assert got.stdout == want.stdout


@pytest.fixture(scope="module")
def checkout_run(inputs: Path, open_logger: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    work = tmp_path_factory.mktemp("checkout-run") / "cwd"
    run = _extract([sys.executable, "-m", "newsgraph.cli"], inputs, open_logger, work, pythonpath=REPO)
    assert not [p for p in run.opened if _under(p, SHARED)], "the checkout's extraction read ../shared"
    docs = run.documents()
    assert docs and all(d["entities"] for d in docs), "every input gives entities"
    lowered = next(d for d in docs if d["id"] == "lowercased_paris_visit.txt")
    assert {"Olaf Scholz", "Emmanuel Macron"} <= {e["name"] for e in lowered["entities"]}, lowered["entities"]
    return run


def test_a_clone_without_shared_extracts_what_the_checkout_extracts(
    checkout_run: Run, inputs: Path, open_logger: Path, tmp_path: Path
) -> None:
    clone = _copy_tracked(tmp_path / "newsgraph")
    assert not (clone.parent / "shared").exists()
    if shutil.which("make"):
        # what `make install` would run on this clone (printed, not run): nothing of ../shared
        # (--no-print-directory: under another make, as in `make test`, make names the
        # folder it enters, and the test's folder name itself says "without_shared")
        plan = subprocess.run(["make", "--no-print-directory", "-n", "-B", "install"], cwd=clone,
                              capture_output=True, text=True, check=True).stdout
        assert "/shared" not in plan and "build_truecaser" not in plan and "truecase-table" not in plan, plan
    # the checkout's interpreter and libraries, the clone's code: PYTHONPATH puts the
    # clone ahead of the editable install that points at this checkout
    # The editable install puts this checkout on sys.path (a .pth file); the run takes it
    # off before importing anything, so a module the clone lacks cannot come from here.
    bootstrap = ("import runpy, sys; "
                 f"sys.path[:] = [p for p in sys.path if p.rstrip('/') != {str(REPO)!r}]; "
                 "sys.argv[0] = 'newsgraph'; runpy.run_module('newsgraph.cli', run_name='__main__')")
    run = _extract([sys.executable, "-c", bootstrap], inputs, open_logger, tmp_path / "cwd", pythonpath=clone)

    venv = Path(sys.prefix).resolve()
    read_from_checkout = [p for p in run.opened if _under(p, REPO) and not _under(p, venv)]
    assert not read_from_checkout, f"the clone's run read this checkout: {read_from_checkout[:10]}"
    for shared in (SHARED, clone.parent / "shared"):
        assert not [p for p in run.opened if _under(p, shared)], f"the clone's run read {shared}"
    assert any(_under(p, clone / "extractors" / "models" / "ner") for p in run.opened), "used the clone's NER"
    _assert_same_extraction(run, checkout_run)


def test_the_wheel_in_a_fresh_virtualenv_extracts_what_the_checkout_extracts(
    checkout_run: Run, inputs: Path, open_logger: Path, tmp_path: Path
) -> None:
    # the Docker build context: tracked files that docker/Dockerfile.dockerignore lets through
    context = _copy_tracked(tmp_path / "src", keep=_docker_context_filter())
    dist = tmp_path / "dist"
    venv = tmp_path / "venv"
    try:
        # `python -m venv` from a virtualenv makes one on the base interpreter, with no site-packages of ours
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
        build = subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(dist), str(context)],
                               capture_output=True, text=True, timeout=300, check=False)
        assert build.returncode == 0, build.stderr[-4000:]
        (wheel,) = dist.glob("newsgraph-*.whl")

        # every file of the shipped packages is in the wheel: a clear message before any diff
        in_wheel = set(zipfile.ZipFile(wheel).namelist())
        roots = tuple(f"{root}/" for root in _package_roots())
        shipped = [rel for rel in _git_tracked() if rel.startswith(roots) and (context / rel).is_file()
                   and "__pycache__" not in rel]
        missing = [rel for rel in shipped if rel not in in_wheel]
        assert not missing, f"pyproject.toml's package-data leaves these out of the wheel: {missing}"

        frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                                capture_output=True, text=True, check=True).stdout
        pins = [ln for ln in frozen.splitlines()
                if re.fullmatch(r"[A-Za-z0-9_.\-]+==\S+", ln) and not ln.lower().startswith("newsgraph==")]
        constraints = tmp_path / "constraints.txt"
        constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
        install = subprocess.run([*pip, "install", "-c", str(constraints), str(wheel)],
                                 capture_output=True, text=True, timeout=900, check=False)
        assert install.returncode == 0, install.stderr[-4000:]

        # only /opt/venv reaches the image: the sources and the wheel are gone
        shutil.rmtree(context)
        shutil.rmtree(dist)
        run = _extract([str(venv / "bin" / "newsgraph")], inputs, open_logger, tmp_path / "cwd")

        outside = [p for p in run.opened if _under(p, REPO) or _under(p, SHARED) or _under(p, context)]
        assert not outside, f"the installed wheel read files outside its virtualenv: {outside[:10]}"
        site = next((venv / "lib").glob("python3*/site-packages")).resolve()
        assert any(_under(p, site / "extractors" / "models" / "ner") for p in run.opened), "used the wheel's NER"
        _assert_same_extraction(run, checkout_run)
    finally:
        # the virtualenv is most of a gigabyte: not left for pytest's kept temp folders
        shutil.rmtree(venv, ignore_errors=True)
