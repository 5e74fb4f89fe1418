"""File names made from what users type (unit names, project titles): one rule for every place.

Windows forbids ``\\ / : * ? " < > |`` and control characters in names, drops trailing dots and
spaces, reserves the device names CON, PRN, AUX, NUL, COM1–9 and LPT1–9 (with any extension, in
any case) and allows 255 UTF-16 units per name — most Linux file systems 255 UTF-8 bytes, the
stricter of the two for Chinese. Invisible format characters (bidi controls such as U+202E, which
makes ``申报gpj.exe`` display as ``申报exe.jpg``, zero-width spaces and joiners) are removed so that a
name reads as what it is. The export folder, the e-mail zip, the drafts and ``convert``'s
attachment folder are all named through :func:`safe_name`.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]+')
_DEVICES = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {f"{p}{d}" for p in ("com", "lpt")
                                                                    for d in "123456789¹²³"}
MAX_NAME_BYTES = 255


def is_reserved(name: str) -> bool:
    """Whether Windows treats `name` as a device (``CON``, ``nul.pdf``, ``Com1 .txt``…)."""
    return name.split(".", 1)[0].rstrip(" ").casefold() in _DEVICES


def _cut_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, never inside a character."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", "ignore")


def safe_name(text: str, limit: int = 60, fallback: str = "", *, keep_extension: bool = False,
              max_bytes: int = MAX_NAME_BYTES) -> str:
    """`text` as a file name that is valid and reads the same on Windows, macOS and Linux.

    Forbidden, control and invisible format characters are removed; leading and trailing dots and
    spaces stripped; a device name gets a ``_`` (``CON`` → ``CON_``); the result has at most `limit`
    characters and `max_bytes` UTF-8 bytes. With `keep_extension` a short extension (``.pdf``) is
    kept when the name is cut. `fallback` when nothing is left.
    """
    text = "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cf", "Cs"))
    cleaned = _FORBIDDEN.sub("", text).strip(" .")
    stem, ext = cleaned, ""
    if keep_extension and "." in cleaned:
        head, tail = cleaned.rsplit(".", 1)
        if head.strip(" .") and 0 < len(tail) <= 10 and " " not in tail:
            stem, ext = head.rstrip(" ."), "." + tail
    room_chars = max(1, limit - len(ext))
    room_bytes = max(1, max_bytes - len(ext.encode("utf-8")))
    stem = _cut_bytes(stem[:room_chars], room_bytes).strip(" .")
    if not stem:
        return fallback
    if is_reserved(stem + ext):
        head = stem.split(".", 1)[0].rstrip(" ")
        stem = _cut_bytes((head + "_" + stem[len(head):])[:room_chars], room_bytes).rstrip(" .")
    return stem + ext
