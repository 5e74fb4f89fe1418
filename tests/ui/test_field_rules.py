"""Field editors follow the call's rules: open choices take free text, typed full-width codes are
normalised (no crash), phone numbers are stored as typed in ASCII."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from zscq_desktop.core.sample import sample_credit_code
from zscq_desktop.ui.widgets.fields import ChoiceEditor, LineEditor, make_editor


def _ime(widget: QWidget, text: str) -> None:
    """Type `text` the way a Chinese input method commits it (QTest cannot type non-ASCII keys)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _field(call, section: str, key: str, form: str = "a2"):
    spec = call.forms[form].section(section) if section != "unit" else call.forms[form].section("unit")
    return next(f for f in spec.fields if f.key == key)


def test_industry_chain_is_an_open_choice(qtbot, call) -> None:
    spec = _field(call, "ip_base", "target_industry")
    editor = make_editor(call, spec, "patent-navigation")
    qtbot.addWidget(editor)
    assert isinstance(editor, ChoiceEditor) and editor.combo.isEditable()
    suggestions = [editor.combo.itemText(i) for i in range(editor.combo.count())]
    assert suggestions == list(call.direction("patent-navigation").industries)
    got: list[object] = []
    editor.edited.connect(got.append)
    _ime(editor.combo.lineEdit(), "生物医药")
    assert editor.value() == "生物医药" and got[-1] == "生物医药"
    editor.set_value("集成电路")
    assert editor.value() == "集成电路"
    editor.set_value(None)
    assert editor.value() is None
    assert "重点支持" in editor.combo.toolTip()


def test_closed_choice_stays_closed(qtbot, call) -> None:
    spec = _field(call, "unit", "district")
    editor = make_editor(call, spec, "patent-navigation")
    qtbot.addWidget(editor)
    assert not editor.combo.isEditable() and editor.value() is None


def test_full_width_credit_code_does_not_crash_and_is_stored_in_ascii(qtbot, call) -> None:
    spec = _field(call, "unit", "credit_code")
    editor = LineEditor(spec)
    qtbot.addWidget(editor)
    code = sample_credit_code()
    wide = code[:5] + chr(ord(code[5]) + 0xFEE0) + code[6:]  # one full-width digit, as an IME types it
    _ime(editor.edit, wide)
    assert editor.value() == code
    assert "校验位正确" in editor.status.text()
    editor.set_value("91120０16MA06W3KQ53")  # the reported crash: no exception, a reason shown
    assert editor.status.text() and "校验位正确" not in editor.status.text()


def test_full_width_counts_amounts_and_phone(qtbot, call) -> None:
    staff = LineEditor(_field(call, "unit", "staff"))
    capital = LineEditor(_field(call, "unit", "registered_capital_wan"))
    phone = LineEditor(_field(call, "cover", "contact_phone"))
    for w in (staff, capital, phone):
        qtbot.addWidget(w)
    _ime(staff.edit, "１２０")
    _ime(capital.edit, "１０．５")
    _ime(phone.edit, "０２２－２３５１９１４５转７０９")
    assert staff.value() == 120
    assert capital.value() == 10.5
    assert phone.value() == "022-23519145转709"


def test_json_import_refuses_a_text_yes_no_naming_the_path(window, qtbot, tmp_path, call, dialogs_recorder) -> None:
    import json

    from zscq_desktop.core.sample import write_sample

    path = tmp_path / "类型错误.json"
    write_sample(call, "creation-pilot", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["eligibility"]["independent_account"] = "否"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.opening is None, timeout=10000)
    assert window.session is None
    title, text = dialogs_recorder.messages[-1]
    assert title == "无法打开文件" and "eligibility.independent_account" in text
