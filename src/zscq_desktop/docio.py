"""Open and write a submission as a `.zscq` document or as JSON with its files beside it.

Both forms hold the same data: the JSON form lists each attachment with a path relative to the
JSON file; the `.zscq` form keeps the bytes as blobs keyed by SHA-256. Converting one into the
other and back loses nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from zscq_desktop.call.model import Call
from zscq_desktop.core.filenames import safe_name
from zscq_desktop.core.submission import Submission, SubmissionError
from zscq_desktop.core.typecheck import check_types


class InputError(Exception):
    """A file the user named cannot be used; the message says why in Chinese."""


@dataclass
class Loaded:
    """A submission with the bytes of its attachments (by sha256)."""

    submission: Submission
    blobs: dict[str, bytes] = field(default_factory=dict)
    path: Path | None = None

    def blob(self, sha256: str) -> bytes:
        return self.blobs[sha256]


def load_json(path: Path, call: Call | None = None) -> Loaded:
    """Read a submission JSON file and the attachment files it names; types checked against `call`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"《{path.name}》不是有效的申报数据 JSON 文件：{exc}") from None
    try:
        sub = Submission.from_dict(raw)
        check_types(sub, call)  # a yes/no, count or target of the wrong type refuses the file
    except SubmissionError as exc:
        raise InputError(f"《{path.name}》：{exc}") from None
    blobs: dict[str, bytes] = {}
    for a in sub.attachments:
        if not a.path:
            raise InputError(f"附件《{a.title or a.source_name}》没有文件路径（path）。")
        file = (path.parent / a.path).resolve()
        try:
            data = file.read_bytes()
        except OSError:
            raise InputError(f"找不到附件文件：{a.path}（相对于 {path.name}）") from None
        digest = hashlib.sha256(data).hexdigest()
        if a.sha256 and a.sha256 != digest:
            raise InputError(f"附件文件 {a.path} 的内容与记录的 SHA-256 不一致，文件可能已被修改。")
        a.sha256, a.size, a.path = digest, len(data), None
        blobs[digest] = data
    return Loaded(sub, blobs, path)


def load_zscq(path: Path, call: Call | None = None) -> Loaded:
    from zscq_desktop.store.document import Document, DocumentError

    try:
        with Document.open(path, readonly=True) as doc:  # reading only: a read-only file opens too
            sub = Submission.from_dict(doc.load())
            check_types(sub, call)
            blobs = {a.sha256: doc.get_blob(a.sha256) for a in sub.attachments}
    except DocumentError as exc:
        raise InputError(str(exc)) from None
    except SubmissionError as exc:
        raise InputError(f"《{path.name}》：{exc}") from None
    except KeyError as exc:
        raise InputError(f"《{path.name}》缺少附件数据 {exc}，文件可能已损坏。") from None
    return Loaded(sub, blobs, path)


def load_any(path: Path, call: Call | None = None) -> Loaded:
    """Open a `.zscq` document or a submission `.json` file."""
    if not path.exists():
        raise InputError(f"找不到文件：{path}")
    if path.suffix.lower() == ".json":
        return load_json(path, call)
    return load_zscq(path, call)


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
