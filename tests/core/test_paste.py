"""core.paste: blocks from Excel/WPS/Word in, blocks out; amounts as people write them."""

from __future__ import annotations

import pytest

from zscq_desktop.core import paste


def test_tab_text_with_excel_quoting_and_trailing_newline():
    text = '设备费\t1,200.50\t"含\n安装"\r\n差旅费\t5万\t\r\n'
    assert paste.parse_text(text) == [["设备费", "1,200.50", "含\n安装"], ["差旅费", "5万", ""]]
    assert paste.parse_text("") == [] and paste.parse_text("a") == [["a"]]


def test_html_table_from_excel_and_word():
    excel = ('<html><body><!--StartFragment--><table><col width=72><tr height=19><td>设备费</td>'
             '<td align=right>1,200.50</td></tr><tr><td colspan=2>合&nbsp;计</td><td>x</td></tr></table>'
             '<!--EndFragment--></body></html>')
    assert paste.parse_html(excel) == [["设备费", "1,200.50"], ["合 计", "", "x"]]
    word = "<table><tr><td><p>第一段</p><p>第二段</p></td><td><table><tr><td>内</td></tr></table></td></tr></table>"
    assert paste.parse_html(word) == [["第一段\n第二段", "内"]]
    assert paste.parse_html("<p>no table</p>") is None


@pytest.mark.parametrize("text, wan, integer, expected", [
    ("1,200.50", False, False, 1200.5),
    ("5万", True, False, 5),
    ("5万元", True, False, 5),
    ("5万", False, False, 50000),
    ("12000元", True, False, 1.2),
    ("￥1 200", False, False, 1200),
    ("１２", False, True, 12),
    ("2.5", False, True, None),
    ("-3", False, False, -3),
    ("三万", True, False, None),
    ("", True, False, None),
])
def test_numbers_as_people_write_them(text, wan, integer, expected):
    value = paste.parse_number(text, wan=wan, integer=integer)
    assert value == expected and type(value) is type(expected)


def test_a_copied_block_reads_back_the_same():
    grid = [["设备费", "1200.5", "含\t税"], ["说明\n两行", "", '带"引号"']]
    assert paste.parse_text(paste.to_text(grid)) == grid
    assert paste.parse_html(paste.to_html(grid)) == [["设备费", "1200.5", "含 税"], ["说明\n两行", "", '带"引号"']]
