"""Input files → Documents, streaming, with a one-line reason for each bad one.

`.txt` and `.story` hold one document each (the seed's one-sentence-per-line
lowercased form or ordinary prose); `.jsonl` holds one document per line:
{"id", "text", "date"?, "title"?, "url"?}. Nothing here raises on bad input:
a bad file or line becomes a ReadFailure and reading goes on.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

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


def _iter_files(root: Path, failures: list[ReadFailure], unsupported: list[Path]) -> Iterator[Path]:
    """Files under root, sorted, following no directory link twice (no loops);
    files of other types are added to `unsupported`."""
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
                else:
                    unsupported.append(path)
            except OSError as exc:
                failures.append(ReadFailure(str(path), f"cannot read: {exc.strerror or exc}"))
        stack.extend(reversed(subfolders))


class DocumentReader:
    """Reads paths (files or folders, recursively) into Documents.

    Failures are collected in `failures`; files of another type found in a
    folder are not read, but listed in `unsupported` (a file named explicitly
    with another type is a failure). Iterate once.
    """

    def __init__(self, paths: Iterable[str | Path], *, max_doc_bytes: int = 2_000_000) -> None:
        self.paths = [Path(p) for p in paths]
        self.max_doc_bytes = max_doc_bytes
        self.failures: list[ReadFailure] = []
        self.unsupported: list[Path] = []

    def __iter__(self) -> Iterator[Document]:
        for path in self.paths:
            if not path.exists() and not path.is_symlink():
                self.failures.append(ReadFailure(str(path), "no such file or folder"))
            elif path.is_dir():
                for file in _iter_files(path, self.failures, self.unsupported):
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
            # Non-blocking open: a FIFO must not wait for a writer; fstat then
            # says what was opened, so only regular files are read.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            self.failures.append(ReadFailure(str(path), f"cannot read: {exc.strerror or exc}"))
            return
        with os.fdopen(fd, "rb") as handle:
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    self.failures.append(ReadFailure(str(path), f"not a regular file ({_file_kind(st.st_mode)})"))
                    return
                if path.suffix.lower() in JSONL_SUFFIXES:
                    yield from self._read_jsonl(path, handle)
                    return
                if st.st_size > self.max_doc_bytes:
                    self.failures.append(ReadFailure(
                        str(path), f"document is {st.st_size} bytes, over the limit of {self.max_doc_bytes}"))
                    return
                raw = handle.read(self.max_doc_bytes + 1)  # the file may have grown since fstat
            except OSError as exc:
                self.failures.append(ReadFailure(str(path), f"cannot read: {exc.strerror or exc}"))
                return
        if len(raw) > self.max_doc_bytes:
            self.failures.append(ReadFailure(str(path), f"document is over the limit of {self.max_doc_bytes} bytes"))
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

    def _read_jsonl(self, path: Path, handle: BinaryIO) -> Iterator[Document]:
        for number, (raw, size) in enumerate(_bounded_lines(handle, self.max_doc_bytes), start=1):
            where = f"{path}:{number}"
            if raw is None:
                self.failures.append(
                    ReadFailure(where, f"line is {size} bytes, over the limit of {self.max_doc_bytes}")
                )
                continue
            if not raw.strip():
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
                    id=_unicode(str(doc_id), "id"),
                    text=_unicode(text, "text"),
                    date=_check_date(record.get("date")),
                    title=_unicode(title, "title") if isinstance(title, str) else None,
                    url=_unicode(url, "url") if isinstance(url, str) else None,
                    source=where,
                )
            except json.JSONDecodeError as exc:
                self.failures.append(ReadFailure(where, f"malformed JSON: {exc.msg} (column {exc.colno})"))
                continue
            except (ValueError, RecursionError) as exc:
                reason = str(exc) if isinstance(exc, ValueError) else "JSON nested too deeply"
                self.failures.append(ReadFailure(where, reason))
                continue
            yield doc


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def _unicode(value: str, key: str) -> str:
    """JSON's \\uXXXX escapes can spell lone surrogates, which no UTF-8 can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise ValueError(f"{key!r} holds a lone surrogate (\\u{code:04x}), not valid Unicode") from None
    return value


def _bounded_lines(handle: BinaryIO, limit: int) -> Iterator[tuple[bytes | None, int]]:
    """(line, size) for each line; (None, size) for a line over `limit` bytes,
    which is skipped in 1 MiB pieces and never held in memory whole."""
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        if len(raw) <= limit:
            yield raw, len(raw)
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = handle.readline(1 << 20)
            if not raw:
                break
            size += len(raw)
        yield None, size


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
