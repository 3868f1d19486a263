"""Readers: every kind of bad input is named with a reason, and the rest is read."""

import json
from pathlib import Path

from newsgraph.readers import DocumentReader, batches_by_words


def _read(paths: list[Path], **kw: int) -> tuple[list, list]:
    reader = DocumentReader(paths, **kw)
    docs = list(reader)
    return docs, reader.failures


def test_text_file_keeps_text_exactly(tmp_path: Path) -> None:
    text = "first line , tokenized .\nsecond line 's here\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    docs, failures = _read([tmp_path])
    assert failures == []
    assert docs[0].id == "a.txt"
    assert docs[0].text == text


def test_folder_is_recursive_with_relative_ids(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.story").write_text("a story", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a text", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored in folders", encoding="utf-8")
    docs, failures = _read([tmp_path])
    assert sorted(d.id for d in docs) == ["a.txt", "sub/b.story"]
    assert failures == []


def test_bad_files_are_named_and_others_still_read(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (tmp_path / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "big.txt").write_text("word " * 1000, encoding="utf-8")
    (tmp_path / "good.txt").write_text("a good document", encoding="utf-8")
    docs, failures = _read([tmp_path], max_doc_bytes=2000)
    assert [d.id for d in docs] == ["good.txt"]
    reasons = {Path(f.source).name: f.reason for f in failures}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin.txt"]
    assert "over the limit" in reasons["big.txt"]


def test_jsonl_lines_fail_alone(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "d1", "text": "one", "date": "2015-04-30", "title": "T"}),
        '{"id": "d2", "text": "broken',
        json.dumps({"id": "d3"}),
        json.dumps({"id": "d4", "text": "four", "date": "not a date"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "d6", "text": "six"}),
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, failures = _read([path])
    assert [d.id for d in docs] == ["d1", "d6"]
    assert docs[0].date == "2015-04-30" and docs[0].title == "T"
    where = {f.source.rsplit(":", 1)[1]: f.reason for f in failures}
    assert set(where) == {"2", "3", "4", "5"}
    assert "malformed JSON" in where["2"]
    assert "text" in where["3"]
    assert "date" in where["4"]


def test_missing_and_unsupported_paths(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    docs, failures = _read([tmp_path / "missing.txt", tmp_path / "x.pdf"])
    assert docs == []
    assert "no such file" in failures[0].reason
    assert "unsupported" in failures[1].reason


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "doc.txt").write_text("text", encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    docs, _ = _read([tmp_path])
    assert [d.id for d in docs] == ["a/doc.txt"]


def test_batches_by_words(tmp_path: Path) -> None:
    from extractors.types import Document

    docs = [Document(id=str(i), text="w " * 10) for i in range(7)]
    batches = list(batches_by_words(docs, 30))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [d.id for b in batches for d in b] == [str(i) for i in range(7)]


def test_other_file_types_in_a_folder_are_listed_not_failed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"id": "b", "text": "not jsonl"}', encoding="utf-8")
    (tmp_path / "c.TXT").write_text("a text with an upper-case suffix", encoding="utf-8")
    reader = DocumentReader([tmp_path])
    assert [d.id for d in reader] == ["c.TXT"]
    assert reader.failures == []
    assert [p.name for p in reader.unsupported] == ["a.md", "b.json"]
