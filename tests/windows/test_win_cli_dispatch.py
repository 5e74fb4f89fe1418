"""One command-line dispatch (issue 9 item 4): Windows starts ``zscq-desktop.exe FILE`` when a .zscq is
dropped on the program or its shortcut, or chosen in 打开方式; the windowed exe has no stderr."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from zscq_desktop import cli


@pytest.fixture
def gui_runs(monkeypatch: pytest.MonkeyPatch) -> list:
    """What the wizard was started with (instead of starting it)."""
    from zscq_desktop.ui import app

    started: list = []
    monkeypatch.setattr(app, "run", lambda path=None: started.append(path) or 0)
    return started


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(cli, "show_error_box", lambda title, text: shown.append((title, text)), raising=False)
    return shown


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "申报 材料.zscq"
    assert cli.main(["sample", "--direction", "creation-pilot", "-o", str(path)]) == 0
    return path


def test_a_file_alone_opens_in_the_wizard(document: Path, gui_runs: list) -> None:
    assert cli.main([str(document)]) == 0
    assert gui_runs == [document]


@pytest.mark.parametrize("options", [["--call", "tianjin-2023"], ["--call=tianjin-2023"]])
def test_global_options_before_the_file(document: Path, gui_runs: list, options: list[str]) -> None:
    assert cli.main([*options, str(document)]) == 0
    assert gui_runs == [document]


def test_json_file_and_no_argument(tmp_path: Path, gui_runs: list) -> None:
    data = tmp_path / "申报.json"
    assert cli.main(["sample", "--direction", "gi-protection", "-o", str(data)]) == 0
    assert cli.main([str(data)]) == 0 and cli.main([]) == 0
    assert gui_runs == [data, None]


def test_command_names_stay_commands(document: Path, gui_runs: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--call", "tianjin-2023", "check", str(document)]) == 0
    assert cli.main(["gui", str(document)]) == 0
    assert gui_runs == [document]  # only `gui` started the wizard; `check` printed its findings
    assert "Traceback" not in capsys.readouterr().err


def test_route_is_table_driven() -> None:
    names = {"gui", "check", "export"}
    assert cli.route(["a.zscq"], names) == ["gui", "a.zscq"]
    assert cli.route(["--call", "x", "a.zscq"], names) == ["--call", "x", "gui", "a.zscq"]
    assert cli.route(["--call=x", "check", "a.zscq"], names) == ["--call=x", "check", "a.zscq"]
    assert cli.route(["--version"], names) == ["--version", "gui"]  # argparse acts on --version first
    assert cli.route(["--call"], names) == ["--call"]  # the missing value is argparse's error
    assert cli.route(["-h"], names) == ["-h"]
    assert cli.commands(cli.build_parser()) >= {"gui", "directions", "sample", "check", "convert", "export", "verify", "send"}


def test_other_file_types_get_a_chinese_message(tmp_path: Path, gui_runs: list,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "营业执照.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert cli.main([str(pdf)]) == 2
    err = capsys.readouterr().err
    assert "无法打开《营业执照.pdf》" in err and ".zscq" in err and "Traceback" not in err
    assert gui_runs == []


def test_windowed_missing_file_shows_a_message_box(tmp_path: Path, gui_runs: list, boxes: list,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "不存在.zscq"
    monkeypatch.setattr(sys, "argv", ["zscq-desktop", str(missing)])
    assert cli.gui_main() == 2
    assert boxes and "找不到文件" in boxes[-1][1] and str(missing) in boxes[-1][1]
    assert gui_runs == []


def test_exe_without_stderr_shows_argument_errors_in_a_box(gui_runs: list, boxes: list,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # what a PyInstaller windowed executable has
    assert cli.main(["export", "x.zscq"]) == 2  # --out missing
    assert boxes and boxes[-1][1].startswith("命令行参数有误") and "--out" in boxes[-1][1]
    assert cli.main(["--call"]) == 2
    assert len(boxes) == 2 and gui_runs == []


def test_the_message_box_is_a_qt_critical_box(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from zscq_desktop.ui import alert

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append((title, text))))
    alert.show_error("申报助手", "找不到文件：x.zscq")
    assert shown == [("申报助手", "找不到文件：x.zscq")]
