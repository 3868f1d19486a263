"""Input files → Documents, streaming, with a one-line reason for each bad one.

`.txt` and `.story` hold one document each (the seed's one-sentence-per-line
lowercased form or ordinary prose); `.jsonl` holds one document per line:
{"id", "text", "date"?, "title"?, "url"?}. Nothing here raises on bad input:
a bad file or line becomes a ReadFailure and reading goes on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from extractors.types import Document

TEXT_SUFFIXES = {".txt", ".story"}
JSONL_SUFFIXES = {".jsonl"}
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES


@dataclass(frozen=True)
class ReadFailure:
    source: str  # file, or file:line
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}") from None


def _check_date(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("'date' must be an ISO date string")
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"'date' is not an ISO date: {value[:40]!r}") from None
    return value[:10]


def _iter_files(root: Path, failures: list[ReadFailure]) -> Iterator[Path]:
    """Files under root, sorted, following no directory link twice (no loops)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            failures.append(ReadFailure(str(folder), f"cannot list folder: {exc.strerror or exc}"))
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    subfolders.append(path)
                elif path.suffix.lower() in SUFFIXES:
                    yield path
            except OSError as exc:
                failures.append(ReadFailure(str(path), f"cannot read: {exc.strerror or exc}"))
        stack.extend(reversed(subfolders))


class DocumentReader:
    """Reads paths (files or folders, recursively) into Documents.

    Failures are collected in `failures`; iterate once.
    """

    def __init__(self, paths: Iterable[str | Path], *, max_doc_bytes: int = 2_000_000) -> None:
        self.paths = [Path(p) for p in paths]
        self.max_doc_bytes = max_doc_bytes
        self.failures: list[ReadFailure] = []

    def __iter__(self) -> Iterator[Document]:
        for path in self.paths:
            if not path.exists() and not path.is_symlink():
                self.failures.append(ReadFailure(str(path), "no such file or folder"))
            elif path.is_dir():
                for file in _iter_files(path, self.failures):
                    yield from self._read_file(file, file.relative_to(path).as_posix())
            elif path.suffix.lower() not in SUFFIXES:
                self.failures.append(
                    ReadFailure(str(path), f"unsupported file type {path.suffix or '(none)'}; "
                                "expected .txt, .story or .jsonl")
                )
            else:
                yield from self._read_file(path, path.name)

    def _read_file(self, path: Path, doc_id: str) -> Iterator[Document]:
        try:
            size = path.stat().st_size
            if path.suffix.lower() in TEXT_SUFFIXES and size > self.max_doc_bytes:
                self.failures.append(
                    ReadFailure(str(path), f"document is {size} bytes, over the limit of {self.max_doc_bytes}")
                )
                return
            if path.suffix.lower() in JSONL_SUFFIXES:
                yield from self._read_jsonl(path)
                return
            raw = path.read_bytes()
        except OSError as exc:
            self.failures.append(ReadFailure(str(path), f"cannot read: {exc.strerror or exc}"))
            return
        try:
            text = _decode(raw)
        except ValueError as exc:
            self.failures.append(ReadFailure(str(path), str(exc)))
            return
        if not text.strip():
            self.failures.append(ReadFailure(str(path), "empty document"))
            return
        yield Document(id=doc_id, text=text, source=str(path))

    def _read_jsonl(self, path: Path) -> Iterator[Document]:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                where = f"{path}:{number}"
                if not raw.strip():
                    continue
                if len(raw) > self.max_doc_bytes:
                    self.failures.append(
                        ReadFailure(where, f"line is {len(raw)} bytes, over the limit of {self.max_doc_bytes}")
                    )
                    continue
                try:
                    record = json.loads(_decode(raw))
                    if not isinstance(record, dict):
                        raise ValueError("not a JSON object")
                    doc_id, text = record.get("id"), record.get("text")
                    if not isinstance(doc_id, str | int) or str(doc_id).strip() == "":
                        raise ValueError("missing 'id'")
                    if not isinstance(text, str) or not text.strip():
                        raise ValueError("missing or empty 'text'")
                    title, url = record.get("title"), record.get("url")
                    doc = Document(
                        id=str(doc_id),
                        text=text,
                        date=_check_date(record.get("date")),
                        title=title if isinstance(title, str) else None,
                        url=url if isinstance(url, str) else None,
                        source=where,
                    )
                except json.JSONDecodeError as exc:
                    self.failures.append(ReadFailure(where, f"malformed JSON: {exc.msg} (column {exc.colno})"))
                    continue
                except ValueError as exc:
                    self.failures.append(ReadFailure(where, str(exc)))
                    continue
                yield doc


def batches_by_words(docs: Iterable[Document], max_words: int) -> Iterator[list[Document]]:
    """Group documents into batches of about max_words words (at least one doc each)."""
    batch: list[Document] = []
    words = 0
    for doc in docs:
        n = len(doc.text.split())
        if batch and words + n > max_words:
            yield batch
            batch, words = [], 0
        batch.append(doc)
        words += n
    if batch:
        yield batch
