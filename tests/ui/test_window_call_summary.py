"""The window starts on the call's summary (issue 15): the start page shows the call's directions and
deadline without the call model, which is loaded and checked right after the first picture; should that
fail, the user is told as when the data cannot be read at start-up."""

from __future__ import annotations

import pytest


def _summarised():
    from zscq_desktop.call import load_call, summary
    from zscq_desktop.call.registry import call_folder

    call = load_call()
    folder = call_folder(call.id)
    summary.remember(folder, summary.folder_stamp(folder), call)  # as the loader does after checking it
    return call


def test_the_start_page_is_built_from_the_summary_and_the_call_loaded_after_the_first_picture(
        qtbot, dialogs_recorder) -> None:
    from zscq_desktop.call.summary import CallSummary
    from zscq_desktop.core import flow
    from zscq_desktop.ui.app import make_app
    from zscq_desktop.ui.window import MainWindow

    call = _summarised()
    make_app()
    w = MainWindow.create()
    qtbot.addWidget(w)
    assert isinstance(w.call_view, CallSummary) and w._call is None  # nothing loaded yet
    page = w.page(flow.START)
    assert [page.sample_direction.itemData(i) for i in range(page.sample_direction.count())] == [
        d.id for d in call.directions]
    assert call.guide_title in page.banner.text()
    assert w._call is None  # building the start page did not need the model
    w.show()
    qtbot.waitUntil(lambda: w._call is not None, timeout=10_000)  # right after the first picture
    assert w.call is call and w.call_view is call
    assert dialogs_recorder.messages == []


def test_a_call_that_cannot_be_loaded_after_the_first_picture_is_reported(qtbot, dialogs_recorder,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.call import CallDataError, loader
    from zscq_desktop.ui.app import make_app
    from zscq_desktop.ui.window import MainWindow

    _summarised()
    make_app()
    w = MainWindow.create()
    qtbot.addWidget(w)
    assert w._call is None

    def broken(_call_id=None):
        raise CallDataError("call.toml", "deadline", "应为 ISO 8601 时间")

    monkeypatch.setattr(loader, "load_call", broken)
    w.show()
    qtbot.waitUntil(lambda: bool(dialogs_recorder.messages), timeout=10_000)
    title, text = dialogs_recorder.messages[0]
    assert title == "无法启动" and "申报指南数据无法读取" in text and "deadline" in text
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5_000)
