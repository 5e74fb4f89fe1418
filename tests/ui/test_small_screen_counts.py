"""Size and counts (issue 12 item 9): every page fits 911×485 (1366×768 at 150 %) with 上一步/下一步
visible; the review and export pages give the same numbers, from the session's findings; visiting the
review page does not paint a fresh form red."""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QPushButton

from zscq_desktop.core import flow
from zscq_desktop.ui import jobs


def _inside(window, widget) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return QRect(0, 0, window.width(), window.height()).contains(QRect(top_left, widget.size()))


def test_every_page_fits_911_by_485_with_the_navigation_visible(window, qtbot):
    assert window.open_sample("creation-pilot")
    assert jobs.wait_idle(60)
    window.statusBar().showMessage("状态栏也占一行")  # the worst case: a message is showing
    for spec in list(window._specs):
        assert window.goto(spec.id)
        window.resize(911, 485)
        qtbot.waitUntil(lambda: window.height() <= 485 and window.width() <= 911, timeout=2000)
        for button in (window.back_button, window.next_button):
            assert button.isVisible() and _inside(window, button), (spec.id, button.text())
            assert button.visibleRegion().boundingRect().size() == button.size(), (spec.id, button.text())
        page = window.current_page()
        assert _inside(window, page), spec.id
        if spec.id == flow.EXPORT:  # with a volume in the preview, its page and zoom buttons show
            assert page.preview.load(_one_page_pdf())
            qtbot.waitUntil(lambda: page.preview.zoom_in.isVisible(), timeout=2000)
            qtbot.wait(50)  # the preview's rows settle after its resize
        squeezed = [b.text() for b in page.findChildren(QPushButton)
                    if b.isVisible() and b.width() < b.minimumSizeHint().width()]
        assert not squeezed, (spec.id, squeezed)  # no button cut until its words are unreadable
    window.resize(1280, 680)  # 1280×720 at 100 % less the taskbar
    assert window.height() <= 680


def _one_page_pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(100, 700, "preview")
    c.save()
    return out.getvalue()


def _numbers(text: str) -> tuple[int, int]:
    plain = re.sub(r"<[^>]+>", "", text)
    errors = re.search(r"(\d+) (?:处|个)错误", plain)
    reminders = re.search(r"(\d+) 条提醒", plain)
    return (int(errors.group(1)) if errors else 0), (int(reminders.group(1)) if reminders else 0)


def test_review_and_export_count_the_same_and_say_what_a_reminder_is(window, qtbot):
    assert window.open_sample("patent-admin-protection")  # its findings include an informational 提示
    assert jobs.wait_idle(60)
    session = window.session
    session.edit("unit.staff", None)  # and an error
    session.refresh_findings()
    found = session.findings()
    expected = (sum(f.blocking for f in found), sum(f.severity.value == "warning" for f in found))
    assert expected[0] >= 1 and expected[1] >= 1
    assert any(not f.blocking and f.severity.value == "info" for f in session.findings())
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.nav.visualItemRect(_nav_item(window, flow.REVIEW)).center())
    assert window.current_page_id == flow.REVIEW
    review = window.current_page().summary.text()
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.nav.visualItemRect(_nav_item(window, flow.EXPORT)).center())
    assert window.current_page_id == flow.EXPORT
    export = window.current_page().blocking_label.text()
    assert _numbers(review) == _numbers(export) == expected
    assert "提醒是建议核对的地方，不影响导出" in review and "提醒是建议核对的地方，不影响导出" in export


def _nav_item(window, page_id):
    return next(window.nav.item(i) for i in range(window.nav.count())
                if window.nav.item(i).data(Qt.ItemDataRole.UserRole) == page_id)


def test_visiting_review_does_not_paint_a_fresh_form_red(window, qtbot):
    assert window.new_submission()
    window.session.edit("direction", "creation-pilot")
    window._rebuild_nav()
    assert window.goto(flow.REVIEW)
    assert window.goto(flow.UNIT)
    page = window.current_page()
    assert window.session.blocking()  # there are "please fill in" errors …
    assert not page.inline_findings("unit.name") and not page.inline_findings("unit.address")  # … not shown
    name = page.rows["unit.name"].editor.focus_target()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus, timeout=2000)
    qtbot.keyClick(name, Qt.Key.Key_Tab)  # the user leaves the name empty
    assert [f.code for f in page.inline_findings("unit.name")] == ["field.required"]
    assert not page.inline_findings("unit.address")  # not yet visited
    # a check the user asks for: opening a finding from the review page shows it
    assert window.goto(flow.REVIEW)
    review = window.current_page()
    item = next(i for _f, i in review.items() if i.data(0, Qt.ItemDataRole.UserRole) == "unit.address")
    review.tree.setCurrentItem(item)
    qtbot.keyClick(review.tree, Qt.Key.Key_Return)
    assert window.current_page_id == flow.UNIT
    assert [f.code for f in page.inline_findings("unit.address")] == ["field.required"]
