"""Reading what a user (or a hostile file) names, without hanging, exhausting memory or straying.

* :func:`read_regular`: only a regular file is read — a folder, a device (``/dev/zero``), a FIFO
  (which would block ``open()`` forever) or a socket is refused from ``stat`` before any read — and
  the size limit is applied before reading (and again while reading, should the file grow).
* :func:`confined`: an attachment path written in a submission JSON (``/`` or ``\\``) must lead, after
  following links, to a file inside the JSON's folder: ``../../``, absolute paths, a link to a secret
  file or ``/proc/self/environ`` are refused.
* :func:`parse_json`: a submission JSON of at most :data:`MAX_JSON_BYTES` and :data:`MAX_JSON_DEPTH`
  levels of nesting, both checked *before* parsing (the parser would raise RecursionError on deep
  nesting), no ``NaN``/``Infinity``, and no lone UTF-16 surrogate (``"\\ud800"``: it cannot be stored,
  printed or typeset).

Every refusal is a `ReadRefused` whose message is Chinese and quotes none of the file's content.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_JSON_DEPTH = 64
CHUNK = 1024 * 1024

# A JSON string (escapes included), written so that the regex engine does not backtrack.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(rb"[\[\]{}]")


class ReadRefused(Exception):
    """A file that must not be read; ``str()`` is the Chinese reason (without the file's content)."""


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in Chinese; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "一个文件夹"
    if stat.S_ISFIFO(mode):
        return "一个命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "一个套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "一个设备"
    return "一个特殊文件"


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def read_regular(path: Path, max_bytes: int, label: str = "") -> bytes:
    """The bytes of the regular file `path`, at most `max_bytes`; `ReadRefused` otherwise.

    `label` names the file in messages (default: 《file name》). ``FileNotFoundError`` and other
    ``OSError`` pass through for the caller's own wording.
    """
    label = label or f"《{Path(path).name}》"
    st = os.stat(path)  # follows links: what would be read
    what = kind_of(st.st_mode)
    if what:
        raise ReadRefused(f"{label}是{what}，不是普通文件，未读取。")
    if st.st_size > max_bytes:
        raise ReadRefused(f"{label}有 {_mb(st.st_size)}，超过上限 {_mb(max_bytes)}，未读取。")
    # O_NONBLOCK: should the file have been swapped for a FIFO since the stat, open() still returns.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        what = kind_of(os.fstat(fd).st_mode)
        if what:
            raise ReadRefused(f"{label}是{what}，不是普通文件，未读取。")
        parts, size = [], 0
        while chunk := os.read(fd, min(CHUNK, max_bytes + 1 - size)):
            parts.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise ReadRefused(f"{label}超过上限 {_mb(max_bytes)}，未读取。")
    finally:
        os.close(fd)
    return b"".join(parts)


def confined(folder: Path, relative: Any, label: str) -> Path:
    """The file that `relative` (a path from a submission JSON, with ``/`` or ``\\``) names inside
    `folder`, links followed; `ReadRefused` when it is not a relative path or leads outside."""
    if not isinstance(relative, str) or not relative.strip():
        raise ReadRefused(f"{label}没有有效的文件路径（path 应为相对于申报数据文件的路径文字）。")
    if "\x00" in relative or any(0xD800 <= ord(c) <= 0xDFFF for c in relative):
        raise ReadRefused(f"{label}的文件路径含有无效字符，未读取。")
    text = relative.replace("\\", "/")
    win = PureWindowsPath(relative)
    if PurePosixPath(text).is_absolute() or win.drive or win.root or text.startswith("~"):
        raise ReadRefused(f"{label}的文件路径是绝对路径；附件文件须放在申报数据文件所在的文件夹（或其子文件夹）中，"
                          "路径写成相对路径。未读取。")
    root = Path(folder).resolve()
    try:
        target = (root / text).resolve()
    except (OSError, RuntimeError):  # a loop of links
        raise ReadRefused(f"{label}的文件路径无法解析（链接循环？），未读取。") from None
    if target == root or not target.is_relative_to(root):
        raise ReadRefused(f"{label}的文件路径指向申报数据文件所在文件夹之外（“..”或链接），为安全起见未读取。"
                          "请把附件文件复制到该文件夹中。")
    return target


def nesting_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text `raw` nests arrays/objects deeper than `limit` (strings skipped)."""
    depth = 0
    for m in _BRACKETS.finditer(_STRING.sub(b"", raw)):
        if m.group() in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} not allowed")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def bad_text_at(node: Any, where: str = "") -> str | None:
    """The field path (``unit.name``) of the first string holding a lone surrogate, or None."""
    stack = [(where, node)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return at or "（根）"
        elif isinstance(value, dict):
            for k, v in value.items():
                key = str(k)
                if bad_text_at(key) is not None:
                    return f"{at}.（字段名）" if at else "（字段名）"
                stack.append((f"{at}.{key}" if at else key, v))
        elif isinstance(value, list):
            stack.extend((f"{at}[{i}]", v) for i, v in enumerate(value))
    return None


def parse_json(raw: bytes, label: str) -> Any:
    """Parse a submission JSON text after checking its size and nesting; `ReadRefused` with a Chinese
    reason (position only, never content) when it is not acceptable."""
    if len(raw) > MAX_JSON_BYTES:
        raise ReadRefused(f"{label}有 {_mb(len(raw))}，超过申报数据文件 {_mb(MAX_JSON_BYTES)} 的上限，未读取。")
    if nesting_depth_exceeds(raw):
        raise ReadRefused(f"{label}的嵌套层数超过 {MAX_JSON_DEPTH} 层，不是有效的申报数据文件。")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadRefused(f"{label}不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节处），不是有效的申报数据 JSON 文件。") from None
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise ReadRefused(f"{label}不是有效的 JSON 文件（第 {exc.lineno} 行第 {exc.colno} 列格式错误）。") from None
    except (ValueError, RecursionError):  # NaN/Infinity, 1e999, an integer of thousands of digits
        raise ReadRefused(f"{label}中有无法使用的数值（NaN、Infinity 或超出范围的数字），不是有效的申报数据文件。") from None
    where = bad_text_at(data)
    if where is not None:
        raise ReadRefused(f"{label}中“{where}”含有无效的字符（不成对的 UTF-16 代理项），无法保存或打印。请修改后重试。")
    return data
