"""Open and write a submission as a `.zscq` document or as JSON with its files beside it.

Both forms hold the same data: the JSON form lists each attachment with a path relative to the
JSON file; the `.zscq` form keeps the bytes as blobs keyed by SHA-256. Converting one into the
other and back loses nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

from zscq_desktop.attachments.common import Limits
from zscq_desktop.call.model import Call
from zscq_desktop.core.filenames import safe_name
from zscq_desktop.core.findings import Finding, error
from zscq_desktop.core.shape import check_shape
from zscq_desktop.core.submission import Attachment, Submission, SubmissionError
from zscq_desktop.core.typecheck import check_types
from zscq_desktop.store import safe_read


class InputError(Exception):
    """A file the user named cannot be used; the message says why in Chinese."""


@dataclass
class Loaded:
    """A submission with the bytes of its attachments (by sha256).

    `findings`: the attachments a lenient load left out, one error each (see `load_json`)."""

    submission: Submission
    blobs: Mapping[str, bytes] = field(default_factory=dict)
    path: Path | None = None
    findings: list[Finding] = field(default_factory=list)

    def blob(self, sha256: str) -> bytes:
        return self.blobs[sha256]


def _entry_label(index: int, a: Attachment) -> str:
    name = a.title or PureWindowsPath(a.source_name).name
    return f"第 {index + 1} 个附件《{safe_name(name, 60)}》" if safe_name(name, 60) else f"第 {index + 1} 个附件"


def _submission(data: Any, name: str, call: Call | None) -> Submission:
    """The submission in `data`, its types checked against `call` (`core.typecheck`) and the shape
    the renderers read (`core.shape`); `InputError` naming the field otherwise."""
    try:
        sub = Submission.from_dict(data)
        check_types(sub, call)  # a yes/no, count or target of the wrong type refuses the file
    except SubmissionError as exc:
        raise InputError(f"《{name}》：{exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError):
        raise InputError(f"《{name}》中的申报数据格式不正确，无法读取。") from None
    problems = check_shape(sub, call)
    if problems:
        raise InputError(f"《{name}》：" + problems[0])
    return sub


def load_json(path: Path, call: Call | None = None, *, lenient: bool = False) -> Loaded:
    """Read a submission JSON file and the attachment files it names; types checked against `call`.

    Nothing outside the JSON's folder is read, nor anything but regular files within the size
    limit (`store.safe_read`). A refused entry raises `InputError` naming it; with `lenient` it is
    left out instead, with an error finding (``check`` lists them all; ``export`` is then blocked
    by them). A missing or changed file (the JSON and its files disagree) always raises.
    """
    label = f"《{path.name}》"
    try:
        raw = safe_read.read_regular(path, safe_read.MAX_JSON_BYTES, label)
        data = safe_read.parse_json(raw, label)
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}") from None
    except safe_read.ReadRefused as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"无法读取{label}：{exc.strerror or type(exc).__name__}") from None
    sub = _submission(data, path.name, call)
    blobs: dict[str, bytes] = {}
    findings: list[Finding] = []
    kept = []
    limit = Limits().max_bytes
    for i, a in enumerate(sub.attachments):
        entry = _entry_label(i, a)
        try:
            file = safe_read.confined(path.parent, a.path, entry)
            data = safe_read.read_regular(file, limit, entry + "的文件")
        except safe_read.ReadRefused as exc:  # a refused entry: nothing read
            if not lenient:
                raise InputError(str(exc)) from None
            findings.append(error("attachment.refused", str(exc), f"attachments[{i}]"))
            continue
        except FileNotFoundError:  # the JSON and its files disagree: unusable input either way
            raise InputError(f"找不到{entry}的文件（路径相对于 {path.name}）。") from None
        except OSError as exc:
            raise InputError(f"无法读取{entry}的文件：{exc.strerror or type(exc).__name__}。") from None
        digest = hashlib.sha256(data).hexdigest()
        if a.sha256 and a.sha256.lower() != digest:
            raise InputError(f"{entry}的文件内容与记录的 SHA-256 不一致，文件可能已被修改。")
        a.sha256, a.size, a.path = digest, len(data), None
        blobs[digest] = data
        kept.append(a)
    sub.attachments = kept
    return Loaded(sub, blobs, path, findings)


class StoredBlobs(Mapping[str, bytes]):
    """Attachment bytes read from the `.zscq` only when asked for: an export whose supporting files
    are cached never holds the originals in memory (issue 15: memory flat in document size)."""

    def __init__(self, path: Path, shas: Iterable[str]) -> None:
        self.path, self._shas = path, frozenset(shas)

    def __getitem__(self, sha256: str) -> bytes:
        from zscq_desktop.store.document import Document, DocumentError

        if sha256 not in self._shas:
            raise KeyError(sha256)
        try:
            with Document.open(self.path, readonly=True) as doc:
                return doc.get_blob(sha256)
        except DocumentError:  # moved, replaced or damaged since it was opened: reported as missing data
            raise KeyError(sha256) from None

    def __contains__(self, sha256: object) -> bool:
        # Mapping's own `in` calls __getitem__, which would read the whole blob just to answer
        return sha256 in self._shas

    def ref(self, sha256: str) -> Any:
        """Where the bytes are, for a process that reads them itself (`volume.parallel.StoredBlob`)."""
        from zscq_desktop.volume.parallel import StoredBlob

        if sha256 not in self._shas:
            raise KeyError(sha256)
        return StoredBlob(str(self.path), sha256)

    def __iter__(self) -> Iterator[str]:
        return iter(self._shas)

    def __len__(self) -> int:
        return len(self._shas)


def load_zscq(path: Path, call: Call | None = None, *, lenient: bool = False, lazy: bool = False) -> Loaded:
    """Read a `.zscq` document (read-only); blobs over the size limit are refused before reading.
    With `lazy` the attachment bytes are read from it only when used (`StoredBlobs`)."""
    from zscq_desktop.store.document import TEXT_DAMAGED, Document, DocumentError

    blobs: dict[str, bytes] = {}
    findings: list[Finding] = []
    try:
        with Document.open(path, readonly=True) as doc:  # reading only: a read-only file opens too
            sub = _submission(doc.load(), path.name, call)
            sizes = doc.blob_sizes()
            kept = []
            for i, a in enumerate(sub.attachments):
                size = sizes.get(a.sha256)
                if size is None:
                    raise InputError(f"《{path.name}》缺少附件数据（{_entry_label(i, a)}），文件可能已损坏。")
                if size > Limits().max_bytes:  # from the size column, before the bytes are read
                    reason = (f"{_entry_label(i, a)}有 {size / 2**20:.0f} MB，超过单个附件 "
                              f"{Limits().max_bytes / 2**20:.0f} MB 的上限，未读取。")
                    if not lenient:
                        raise InputError(reason)
                    findings.append(error("attachment.refused", reason, f"attachments[{i}]"))
                    continue
                if a.sha256 not in blobs and not lazy:
                    blobs[a.sha256] = doc.get_blob(a.sha256)
                kept.append(a)
            sub.attachments = kept
            if lazy:  # the export reads a file's bytes only when its A4 PDF is not cached
                blobs = StoredBlobs(path, {a.sha256 for a in kept})  # type: ignore[assignment]
    except DocumentError as exc:
        hint = "请在申报助手中打开此文件，选择“使用上一次保存的版本”。" if exc.kind == TEXT_DAMAGED else ""
        raise InputError(str(exc) + hint) from None
    except KeyError:
        raise InputError(f"《{path.name}》缺少附件数据，文件可能已损坏。") from None
    return Loaded(sub, blobs, path, findings)


def load_any(path: Path, call: Call | None = None, *, lenient: bool = False, lazy: bool = False) -> Loaded:
    """Open a `.zscq` document or a submission `.json` file (see `load_json` for `lenient`,
    `load_zscq` for `lazy`)."""
    if not path.exists():
        raise InputError(f"找不到文件：{path}")
    if path.suffix.lower() == ".json":
        return load_json(path, call, lenient=lenient)
    return load_zscq(path, call, lenient=lenient, lazy=lazy)


def attachment_file_names(attachments: list[dict]) -> list[str]:
    """One file name per attachment for the JSON form's folder: safe on Windows (`safe_name`),
    unique ignoring case (NTFS and APFS do not tell ``A.pdf`` from ``a.pdf``)."""
    used: set[str] = set()
    names = []
    for a in attachments:
        source = PureWindowsPath(str(a.get("source_name") or "")).name  # the last part after / or \\
        fallback = str(a.get("sha256") or "附件")[:12]
        name = safe_name(source, 200, fallback, keep_extension=True, max_bytes=200)
        stem, suffix = (name.rsplit(".", 1)[0], "." + name.rsplit(".", 1)[1]) if "." in name else (name, "")
        n = 1
        while name.casefold() in used:
            n += 1
            name = f"{stem}-{n}{suffix}"
        used.add(name.casefold())
        names.append(name)
    return names


def write_json(loaded: Loaded, out: Path) -> None:
    """Write the JSON form with the attachments in a folder `<name>-附件` beside it."""
    folder = out.parent / f"{safe_name(out.stem, 200, '申报数据')}-附件"
    data = loaded.submission.to_dict()
    for a, name in zip(data["attachments"], attachment_file_names(data["attachments"])):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(loaded.blobs[a["sha256"]])
        a["path"] = f"{folder.name}/{name}"
    from zscq_desktop.store.files import atomic_write

    atomic_write(out, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def write_zscq(loaded: Loaded, out: Path, overwrite: bool = False) -> None:
    """Write a new `.zscq` document holding the submission and its attachment bytes."""
    from zscq_desktop.store.document import Document, DocumentError

    if out.exists():
        if not overwrite:
            raise InputError(f"目标文件已存在：{out}")
        out.unlink()
    try:
        with Document.create(out, loaded.submission.to_dict()) as doc:
            for data in loaded.blobs.values():
                doc.put_blob(data)
    except DocumentError as exc:
        raise InputError(str(exc)) from None
