"""Bad input, fuzzed and hand-made: the readers never crash or hang; every bad
document is named with a one-line reason and the good ones are still read.

Tests run as root here, so `chmod 000` does not stop a read (root bypasses file
modes): the "cannot read" cases are a FIFO (opening one for reading would wait
for a writer forever), a dangling symlink, a symlink to a character device
(/dev/zero never ends), a folder named like a document, and, when not root, a
file and a folder with mode 000; a PermissionError is also injected for one
file, which is what a non-root reader gets.
"""

from __future__ import annotations

import json
import os
import string
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.readers import DocumentReader, ReadFailure

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
GOOD_TEXT = "italy prime minister mario draghi spoke in rome .\n"


def _read(paths: list[Path], **kw: int) -> tuple[list, list[ReadFailure]]:
    reader = DocumentReader(paths, **kw)
    docs = list(reader)
    return docs, reader.failures


def _check_failures(failures: list[ReadFailure], folder: Path) -> None:
    for failure in failures:
        assert failure.reason and "\n" not in failure.reason and "\r" not in failure.reason, failure
        assert failure.source.startswith(str(folder)), failure


def _fresh(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


# Bytes a file may hold: anything, weighted towards the awkward.
awkward_bytes = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co"]), max_size=300).map(
        lambda t: t.encode("utf-8")
    ),
    st.sampled_from([b"", b"\n\n\n", b"\xff\xfe\x00\x00", b"\xef\xbb\xbfBOM text", b"\xc3", b"a\x00b",
                     b"%PDF-1.4\n%\xe2\xe3\xcf\xd3", b"\x89PNG\r\n\x1a\n\x00\x00"]),
    st.integers(min_value=1, max_value=20_000).map(lambda n: b"x" * n),  # one long token
)


@FUZZ
@given(contents=st.lists(awkward_bytes, min_size=1, max_size=5), suffix=st.sampled_from([".txt", ".story"]))
def test_text_files_any_bytes(tmp_path_factory: pytest.TempPathFactory, contents: list[bytes], suffix: str) -> None:
    folder = tmp_path_factory.mktemp("txt")
    for i, raw in enumerate(contents):
        (folder / f"f{i}{suffix}").write_bytes(raw)
    (folder / "zz_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    docs, failures = _read([folder], max_doc_bytes=10_000)
    _check_failures(failures, folder)
    names = {d.id for d in docs} | {Path(f.source).name for f in failures}
    assert names == {f"f{i}{suffix}" for i in range(len(contents))} | {"zz_good.txt"}, "a file went missing"
    assert any(d.id == "zz_good.txt" and d.text == GOOD_TEXT for d in docs)
    for doc in docs:
        assert doc.text.strip()
        doc.text.encode("utf-8")  # a document is always valid Unicode
        assert (folder / doc.id).read_bytes().decode("utf-8") == doc.text  # read exactly as stored


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
jsonl_line = st.one_of(
    # a well-formed record with awkward values
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(max_size=30), st.integers()), "text": st.text(max_size=300)},
        optional={"date": st.one_of(st.text(max_size=12), st.integers(), st.just("2015-05-09")),
                  "title": json_values, "url": json_values},
    ).map(lambda d: json.dumps(d).encode()),
    # the same, non-ASCII written as raw UTF-8
    st.fixed_dictionaries({"id": st.text(min_size=1, max_size=10), "text": st.text(min_size=1, max_size=200)}).map(
        lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8")
    ),
    # any JSON at all
    json_values.map(lambda v: json.dumps(v).encode()),
    # truncated JSON
    st.tuples(st.text(min_size=1, max_size=50), st.integers(min_value=1, max_value=40)).map(
        lambda t: json.dumps({"id": "cut", "text": t[0]}).encode()[: t[1]]
    ),
    # lone surrogates in \u escapes, deep nesting, junk
    st.sampled_from([b'{"id": "s", "text": "\\ud800 broken"}', b'{"id": "\\udfff", "text": "t"}',
                     b"[" * 5000 + b"]" * 5000, b'{"id": 1, "text": "\xff\xfe"}', b"\x00\x01{}",
                     b'{"id": "nul", "text": "a\\u0000b"}']),
    st.binary(max_size=200).filter(lambda b: b"\n" not in b),
)


@FUZZ
@given(lines=st.lists(jsonl_line, min_size=1, max_size=8))
def test_jsonl_any_lines(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]) -> None:
    folder = tmp_path_factory.mktemp("jsonl")
    good = json.dumps({"id": "good", "text": GOOD_TEXT}).encode()
    path = folder / "docs.jsonl"
    # The good line last, and no newline after it: a truncated file still reads.
    path.write_bytes(b"\n".join([*(line.replace(b"\n", b" ") for line in lines), good]))
    docs, failures = _read([path], max_doc_bytes=20_000)
    _check_failures(failures, folder)
    assert docs and docs[-1].id == "good" and docs[-1].text == GOOD_TEXT
    for doc in docs:
        doc.text.encode("utf-8")
        doc.id.encode("utf-8")
        assert doc.text.strip() and doc.id.strip()
    for failure in failures:
        assert failure.source.rsplit(":", 1)[1].isdigit(), "a JSONL failure names its line"
    blank = sum(1 for line in lines if not line.replace(b"\n", b" ").strip())
    assert len(docs) + len(failures) + blank == len(lines) + 1, "a line was neither read nor reported"


def test_surrogates_and_nesting_are_reasons_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b'{"id": "s", "text": "\\ud800 broken"}\n' + b"[" * 100_000 + b"\n"
                     + b'{"id": "ok", "text": "fine"}\n')
    docs, failures = _read([path])
    assert [d.id for d in docs] == ["ok"]
    reasons = {f.source.rsplit(":", 1)[1]: f.reason for f in failures}
    assert "surrogate" in reasons["1"]
    assert "2" in reasons


# --------------------------------------------------------------- special files


def _deny_opening(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Opening a file called `name` is refused, as chmod 000 would refuse it to
    anyone but root (the tests may run as root)."""
    import newsgraph.readers as readers

    real_open = os.open

    def deny(path: object, flags: int, *args: object, **kw: object) -> int:
        if str(path).endswith(name):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(readers.os, "open", deny)


def test_special_files_are_named_and_never_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _fresh(tmp_path, "in")
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")  # reading it the ordinary way waits for a writer forever
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "zero.story").symlink_to("/dev/zero")  # an endless "file"
    (folder / "loop").symlink_to(folder)  # a symlink loop
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)
    (folder / "sub" / "nested.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "folder.txt").mkdir()  # a folder named like a document is a folder
    (folder / "denied.txt").write_text(GOOD_TEXT, encoding="utf-8")
    _deny_opening(monkeypatch, "denied.txt")
    began = time.monotonic()
    docs, failures = _read([folder])
    assert time.monotonic() - began < 10
    assert sorted(d.id for d in docs) == ["good.txt", "sub/nested.txt"]
    reasons = {Path(f.source).name: f.reason for f in failures}
    assert reasons.keys() == {"fifo.txt", "dangling.txt", "zero.story", "denied.txt"}
    assert "not a regular file (a FIFO)" in reasons["fifo.txt"]
    assert "cannot read" in reasons["dangling.txt"]
    assert "character device" in reasons["zero.story"]
    assert "Permission denied" in reasons["denied.txt"]
    _check_failures(failures, folder)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_mode_000_file_and_folder(tmp_path: Path) -> None:
    folder = _fresh(tmp_path, "in")
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "locked.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "locked.txt").chmod(0)
    (folder / "closed").mkdir()
    (folder / "closed").chmod(0)
    try:
        docs, failures = _read([folder])
    finally:
        (folder / "closed").chmod(0o755)
    assert [d.id for d in docs] == ["good.txt"]
    assert {Path(f.source).name for f in failures} == {"locked.txt", "closed"}


# ------------------------------------------------------------------ huge files

HUNDRED_MB = 100 * 1024 * 1024


def _write_big(path: Path, head: bytes, fill: bytes, tail: bytes) -> None:
    chunk = fill * (1024 * 1024 // len(fill))
    with path.open("wb") as fh:
        fh.write(head)
        for _ in range(HUNDRED_MB // len(chunk)):
            fh.write(chunk)
        fh.write(tail)


def test_hundred_megabyte_files_are_refused_without_reading_them_whole(tmp_path: Path) -> None:
    folder = _fresh(tmp_path, "in")
    _write_big(folder / "big.txt", b"", b"word ", b"\n")
    # One 100 MB JSONL line between two good ones.
    before = json.dumps({"id": "before", "text": GOOD_TEXT}).encode() + b"\n"
    prefix, suffix = b'{"id": "huge", "text": "', b'"}\n'
    after = json.dumps({"id": "after", "text": GOOD_TEXT}).encode() + b"\n"
    _write_big(folder / "big.jsonl", before + prefix, b"w" * 64, suffix + after)
    tracemalloc.start()
    began = time.monotonic()
    try:
        docs, failures = _read([folder], max_doc_bytes=2_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        seconds = time.monotonic() - began
        for big in folder.iterdir():
            big.unlink()
    assert [d.id for d in docs] == ["before", "after"]
    reasons = {f.source: f.reason for f in failures}
    assert reasons.keys() == {str(folder / "big.txt"), f"{folder / 'big.jsonl'}:2"}
    assert all("over the limit of 2000000" in r for r in reasons.values())
    assert f"line is {len(prefix) + HUNDRED_MB + len(suffix)} bytes" in reasons[f"{folder / 'big.jsonl'}:2"]
    assert peak < 16 * 1024 * 1024, f"reading held {peak / 2**20:.0f} MiB at once"
    assert seconds < 60


def test_limit_is_inclusive(tmp_path: Path) -> None:
    folder = _fresh(tmp_path, "in")
    (folder / "at.txt").write_text("a" * 100, encoding="utf-8")
    (folder / "over.txt").write_text("a" * 101, encoding="utf-8")
    docs, failures = _read([folder], max_doc_bytes=100)
    assert [d.id for d in docs] == ["at.txt"]
    assert [Path(f.source).name for f in failures] == ["over.txt"]
    line = json.dumps({"id": "x", "text": "a" * 60}).encode() + b"\n"  # the limit counts the newline
    longer = json.dumps({"id": "y", "text": "a" * 61}).encode() + b"\n"
    (folder / "lines.jsonl").write_bytes(line + longer + line.replace(b'"x"', b'"z"'))
    docs, failures = _read([folder / "lines.jsonl"], max_doc_bytes=len(line))
    assert [d.id for d in docs] == ["x", "z"]
    assert [f.source.rsplit(":", 1)[1] for f in failures] == ["2"]


def test_printable_names_survive(tmp_path: Path) -> None:
    folder = _fresh(tmp_path, "in")
    names = ["quote'\".txt", "back`tick.txt", "brace{}.txt", "semi;colon.txt", "space name.txt",
             "Ｍacron.txt", "ünïcödé.txt", "slash＼.txt", string.punctuation.replace("/", "") + ".txt"]
    for name in names:
        (folder / name).write_text(GOOD_TEXT, encoding="utf-8")
    docs, failures = _read([folder])
    assert failures == []
    assert sorted(d.id for d in docs) == sorted(names)


# ------------------------------------------------------- through the real flow


@pytest.mark.integration
def test_bad_files_fail_alone_in_a_real_ingest(empty_graph, prefect_harness, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """One batch of good, strange-but-valid and bad documents through `newsgraph ingest`:
    exit 1, one line per bad document naming it, every other document loaded."""
    from typer.testing import CliRunner

    from graphstore import store
    from newsgraph.cli import app

    monkeypatch.setenv("NEWSGRAPH_MAX_DOC_BYTES", "200000")
    folder = _fresh(tmp_path, "in")
    good = {
        "good.txt": GOOD_TEXT,
        "controls.txt": "\x07\x1b[31m france president emmanuel macron \u202e spoke \u200b in paris .\x7f\n",
        "look-alikes.txt": "Ｆｒａｎｃｅ president Emmanuel Macrоn met Angela Merkel in Berlin .\n",
    }
    for name, text in good.items():
        (folder / name).write_text(text, encoding="utf-8")
    lines = [json.dumps({"id": "j-good", "text": GOOD_TEXT}), '{"id": "j-cut", "text": "trunc',
             '{"id": "j-sur", "text": "\\ud83d alone"}', json.dumps({"id": "j-big", "text": "w " * 150_000}),
             json.dumps({"id": "j-weird", "text": "\u2028spain king felipe vi opened the fair\u2029 ."})]
    (folder / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = {"binary.txt": b"\x00\x01\x02", "latin1.txt": "caf\xe9 president macron".encode("latin-1"),
           "empty.story": b"  \n\t\n", "huge.txt": b"word " * 50_000}
    for name, raw in bad.items():
        (folder / name).write_bytes(raw)
    # Valid text, but its one 50,000-character token becomes a name Neo4j cannot index.
    # (the token is the surname of a person named in full, so the name is kept at the default cut-off)
    (folder / "long-token.story").write_text("germany chancellor olaf " + "z" * 50_000 + " said on monday .\n",
                                             encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop").symlink_to(folder)
    # A 100 MB file (sparse: its size is real, its disk blocks are not).
    with (folder / "hundred-mb.txt").open("wb") as fh:
        fh.write(b"word " * 1000)
        fh.truncate(HUNDRED_MB)
    # An unreadable file: chmod 000 does not stop root, so opening it is refused here.
    (folder / "denied.txt").write_text(GOOD_TEXT, encoding="utf-8")
    _deny_opening(monkeypatch, "denied.txt")
    began = time.monotonic()
    result = CliRunner().invoke(app, ["ingest", str(folder), "--json"])
    assert time.monotonic() - began < 300, "the ingest hung on a special file"
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    named = {}
    for source, reason in report["failed"]:
        assert reason and "\n" not in reason, (source, reason)
        path, _, line = source.partition(".jsonl:")
        named[Path(path).name + (f".jsonl:{line}" if line else "")] = reason
    assert named.keys() == {*bad, "fifo.txt", "dangling.txt", "zero.txt", "long-token.story", "docs.jsonl:2",
                            "docs.jsonl:3", "docs.jsonl:4", "hundred-mb.txt", "denied.txt"}
    assert "over the limit" in named["hundred-mb.txt"] and "Permission denied" in named["denied.txt"]
    assert "too long to index" in named["long-token.story"]
    assert "FIFO" in named["fifo.txt"] and "surrogate" in named["docs.jsonl:3"]
    assert "over the limit" in named["huge.txt"] and "over the limit" in named["docs.jsonl:4"]
    assert report["loaded"] == len(good) + 2
    loaded = {r["id"] for r in store.run_query(empty_graph, "MATCH (d:Document) RETURN d.source_id AS id")}
    assert loaded == {*good, "j-good", "j-weird"}
    text = store.run_query(empty_graph, "MATCH (d:Document {source_id: 'controls.txt'}) RETURN d.sha256 AS h")
    from extractors.types import sha256_text

    assert text == [{"h": sha256_text(good["controls.txt"])}]
