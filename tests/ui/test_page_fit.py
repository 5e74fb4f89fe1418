"""Nothing cut off: the review page wraps long findings inside the window width (its citation is in
the detail area), and 下一步 on the start page is only offered once a submission is open."""

from __future__ import annotations

import math

from zscq_desktop.core import flow


def _unwrapped_lines(tree, item) -> int:
    """How many lines `item`'s message needs in the message column."""
    fm = tree.fontMetrics()
    width = tree.header().sectionSize(0) - tree.indentation() * 2 - 12  # indentation, margins
    longest = max(fm.horizontalAdvance(line) for line in item.text(0).splitlines() or [""])
    return max(1, math.ceil(longest / max(1, width)))


def _check_review_fits(window, qtbot) -> int:
    page = window.current_page()
    tree = page.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=2000)
    header = tree.header()
    # laid out for the window's current width (the stretched column fills the viewport)
    qtbot.waitUntil(lambda: abs(header.sectionSize(0) + header.sectionSize(1) - tree.viewport().width()) <= 1,
                    timeout=2000)
    assert header.sectionSize(0) + header.sectionSize(1) <= tree.viewport().width() + 1
    assert header.sectionViewportPosition(1) + header.sectionSize(1) <= tree.viewport().width() + 1
    tree.doItemsLayout()
    line = tree.fontMetrics().lineSpacing()
    wrapped = 0
    for head_i in range(tree.topLevelItemCount()):
        head = tree.topLevelItem(head_i)
        for j in range(head.childCount()):
            item = head.child(j)
            need = _unwrapped_lines(tree, item)
            height = tree.visualItemRect(item).height()
            if height == 0:
                continue  # scrolled out of the laid-out part
            assert height >= need * line - 2, (item.text(0), need, height)
            wrapped += need > 1
    return wrapped


def test_review_messages_wrap_instead_of_being_cut(window, qtbot):
    assert window.new_submission()
    window.session.edit("direction", "creation-pilot")
    window.session.edit("unit.name", "测试单位" * 30)  # a long name makes long messages
    window.goto(flow.REVIEW)
    _check_review_fits(window, qtbot)
    window.resize(900, 700)  # narrower: the long messages now need several lines
    qtbot.waitUntil(lambda: window.current_page().tree.header().sectionSize(0) < 600, timeout=2000)
    assert _check_review_fits(window, qtbot) > 0
    page = window.current_page()
    source_items = [i for _f, i in page.items() if i.data(0, 0x0101)]
    assert source_items, "expected findings that cite the guide"
    page.tree.setCurrentItem(source_items[0])
    assert "依据：" in page.detail.text()  # the citation is shown in full below the list


def test_next_is_disabled_on_the_start_page_until_a_submission_is_open(window):
    assert window.current_page_id == flow.START and window.session is None
    assert not window.next_button.isEnabled()
    assert window.new_submission()
    window.goto(flow.START)
    assert window.next_button.isEnabled()
