"""Console output that reads right on a Chinese Windows (issue 9 item 6).

A redirected stream on a cp936 console is simulated by a text stream over bytes with the cp936
encoding, and the console module is told it runs on Windows with code page 936.
"""

from __future__ import annotations

import io
import json

import pytest

from zscq_desktop import cli
from zscq_desktop.system import console


def _cp936_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="cp936")


@pytest.fixture
def chinese_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows with console code page 936, no UTF-8 override."""
    monkeypatch.setattr(console, "IS_WINDOWS", True, raising=False)
    monkeypatch.setattr(console, "console_output_cp", lambda: 936, raising=False)
    monkeypatch.setattr(console, "utf8_mode", lambda: False, raising=False)
    for var in ("PYTHONIOENCODING", "PYTHONUTF8"):
        monkeypatch.delenv(var, raising=False)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("cp936")  # type: ignore[attr-defined]


def test_redirected_cli_output_reads_right_in_cp936(chinese_windows, monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = _cp936_stream(), _cp936_stream()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    assert cli.main(["directions", "--json"]) == 0
    assert cli.main(["check", "不存在的文件.zscq"]) == 2
    data = json.loads(_text(out))
    assert len(data) == 13 and data[0]["name"] == "高质量知识产权创造试点"
    assert "不存在的文件.zscq" in _text(err)


def test_characters_outside_cp936_do_not_crash(chinese_windows) -> None:
    stream = _cp936_stream()
    console.configure_streams((stream,))
    stream.write("申报单位：天津𠀀科技 😀 完成\n")  # CJK Extension B and an emoji: not in GBK
    assert _text(stream) == "申报单位：天津?科技 ? 完成\n"


def test_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "utf8_mode", lambda: False)
    redirected = _cp936_stream()
    assert console.choose_encoding(redirected, windows=True, environ={}, code_page=936) == "cp936"
    assert console.choose_encoding(redirected, windows=True, environ={}, code_page=65001) == "utf-8"
    assert console.choose_encoding(redirected, windows=False, environ={}) == "utf-8"
    # the user's explicit choice wins
    assert console.choose_encoding(redirected, windows=True, environ={"PYTHONUTF8": "1"}, code_page=936) is None
    assert console.choose_encoding(redirected, windows=True, environ={"PYTHONIOENCODING": "utf-8"}, code_page=936) is None

    class Console(io.StringIO):
        def isatty(self) -> bool:
            return True

    # a real console: CPython writes through the Unicode console API, nothing to change
    assert console.choose_encoding(Console(), windows=True, environ={}, code_page=936) is None


def test_missing_streams_are_skipped() -> None:
    console.configure_streams((None,))  # the windowed executable has no stdout/stderr
