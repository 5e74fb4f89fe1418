"""Which calls exist: the built-in ones (`forms/`) and the ones a user installed from a call pack.

Installed calls live in `<user data folder>/calls/<id>/` (see `store.profiles.user_data_dir`). A call is
*open* until its deadline; without an explicit choice the app uses the newest open call, else the newest.
Nothing here knows a particular year, region or direction: everything is read from the folders.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from zscq_desktop.call.errors import CallDataError

MANIFEST = "manifest.json"


class UnknownCallError(CallDataError):
    """No built-in or installed call has this id."""

    def __init__(self, call_id: str, known: list[str]) -> None:
        super().__init__("", "--call", f"没有申报年度“{call_id}”。可选：{', '.join(known) or '（无）'}")
        self.call_id = call_id

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class CallEntry:
    """One call as listed by `zscq-desktop calls`."""

    id: str
    title: str
    issuer: str
    deadline: datetime
    open: bool
    source: str  # "builtin" | "installed"
    path: Path
    version: int
    submit_email: str
    address: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["deadline"] = self.deadline.isoformat()
        d["path"] = str(self.path)
        return d


def _load_cached(folder: Path) -> Any:
    from zscq_desktop.call.loader import _load_cached as load

    return load(folder)


def builtin_root() -> Path:
    from zscq_desktop.resources import data_root

    return data_root() / "forms"


def installed_root() -> Path:
    """The folder holding installed calls (created)."""
    from zscq_desktop.store.profiles import user_data_dir

    folder = user_data_dir() / "calls"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "call.toml").is_file())


def _raw_call(folder: Path) -> dict:
    """The `[call]` table of a folder, read cheaply (no validation); {} when unreadable."""
    import tomllib

    try:
        with (folder / "call.toml").open("rb") as fh:
            table = tomllib.load(fh).get("call", {})
        return table if isinstance(table, dict) else {}
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _entry(folder: Path, source: str, now: datetime) -> CallEntry | None:
    from zscq_desktop.call.summary import summary

    # From the summary of the folder as the loader last checked it (no model loaded at start-up); when
    # there is none or the folder changed since, the folder is loaded and checked (and summarised).
    call: Any = summary(folder)
    if call is None:
        try:
            call = _load_cached(folder)
        except CallDataError:
            return None  # a broken installed folder is skipped, never fatal; `call check` explains it
        address = str(call.submission.get("address", ""))
    else:
        address = call.address
    return CallEntry(call.id, call.title, call.issuer, call.deadline, now < call.deadline, source, folder,
                     call.version, call.submit_email, address)


def list_calls(now: datetime | None = None) -> list[CallEntry]:
    """Every usable call: open ones first (newest deadline first), then closed ones (newest first).

    An installed folder whose id is also a built-in id is ignored (a pack may not replace a built-in call).
    """
    now = _now(now)
    builtin = [e for e in (_entry(f, "builtin", now) for f in _folders(builtin_root())) if e]
    taken = {e.id for e in builtin}
    installed = [e for e in (_entry(f, "installed", now) for f in _folders(installed_root())) if e and e.id not in taken]
    calls = builtin + installed
    return sorted(calls, key=lambda e: (not e.open, -e.deadline.timestamp(), e.id))


def default_call_id(now: datetime | None = None) -> str:
    """The newest open call, else the newest call."""
    calls = list_calls(now)
    if not calls:
        raise CallDataError("forms", "", "没有可用的申报年度数据")
    return calls[0].id


def open_calls(now: datetime | None = None) -> list[CallEntry]:
    return [e for e in list_calls(now) if e.open]


def call_folder(call_id: str) -> Path:
    """The folder of a built-in or installed call; raises `UnknownCallError`."""
    for root in (builtin_root(), installed_root()):
        folder = root / call_id
        # a folder is named by its call's id (`install_pack` names installed ones so)
        if "/" not in call_id and "\\" not in call_id and call_id not in ("", ".", "..") \
                and (folder / "call.toml").is_file():
            return folder
    raise UnknownCallError(call_id, [e.id for e in list_calls()])


def find(call_id: str) -> CallEntry | None:
    for e in list_calls():
        if e.id == call_id:
            return e
    return None


def builtin_ids() -> set[str]:
    return {str(_raw_call(f).get("id", f.name)) for f in _folders(builtin_root())}


def builtin_contacts() -> tuple[set[str], set[str], set[str]]:
    """The submission e-mails, postal addresses and issuers the built-in calls use (for the safety check)."""
    emails, addresses, issuers = set(), set(), set()
    for f in _folders(builtin_root()):
        try:
            c = _load_cached(f)
        except CallDataError:
            continue
        emails.add(c.submit_email.strip().lower())
        addresses.add(str(c.submission.get("address", "")).strip())
        issuers.add(c.issuer.strip())
    return emails, addresses, issuers


def installed_version(call_id: str) -> int | None:
    folder = installed_root() / call_id
    if not (folder / "call.toml").is_file():
        return None
    manifest = folder / MANIFEST
    try:
        return int(json.loads(manifest.read_text(encoding="utf-8")).get("version", 1))
    except (OSError, ValueError, AttributeError):
        v = _raw_call(folder).get("version", 1)
        return v if isinstance(v, int) else 1
