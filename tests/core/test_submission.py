"""The submission JSON form round-trips losslessly; bad documents are refused in Chinese."""

from __future__ import annotations

import json

import pytest

from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.core.submission import Attachment, Submission, SubmissionError


def test_json_round_trip_is_lossless(call) -> None:
    for d in call.directions:
        sub = build_sample(call, d.id)
        sub.attachments.append(Attachment("cases", "案例《甲》&<乙>", "案例.pdf", "ab" * 32, 1234, 7))
        sub.sends.append({"time": "2023-05-20T10:00:00+08:00", "to": "zscqsl@163.com", "message_id": "<x@y>"})
        text = json.dumps(sub.to_dict(), ensure_ascii=False)
        again = Submission.from_dict(json.loads(text))
        assert again.to_dict() == sub.to_dict()
        assert json.dumps(again.to_dict(), ensure_ascii=False) == text


def test_paths(call) -> None:
    sub = build_sample(call, "creation-pilot")
    assert sub.get("unit.name") == "天津示例科技有限公司"
    assert sub.get("form.team.members[1].name") == "赵示例"
    assert sub.get("form.team.members[9].name", "none") == "none"
    sub.set("form.team.members[1].name", "孙")
    sub.set("form.new_section.x", 1)
    assert sub.form["team"]["members"][1]["name"] == "孙" and sub.form["new_section"] == {"x": 1}
    with pytest.raises(KeyError):
        sub.set("meta.x", 1)


def test_stamp_ignores_bookkeeping_but_not_content(call) -> None:
    sub = build_sample(call, "creation-pilot")
    s1 = version_stamp(sub.to_dict())
    sub.touch()
    sub.sends.append({"to": "x"})
    assert version_stamp(sub.to_dict()) == s1 and len(s1) == 8
    sub.unit["name"] += "甲"
    assert version_stamp(sub.to_dict()) != s1


@pytest.mark.parametrize(("doc", "words"), [
    ([], "不是申报助手"),
    ({"format": "other"}, "不是申报助手"),
    ({"format": "zscq-submission", "version": 99, "call": "x"}, "更新版本"),
    ({"format": "zscq-submission", "version": 1}, "call"),
    ({"format": "zscq-submission", "version": 1, "call": "x", "plan": []}, "plan"),
    ({"format": "zscq-submission", "version": 1, "call": "x", "attachments": [{"title": "x"}]}, "附件"),
])
def test_bad_documents(doc: object, words: str) -> None:
    with pytest.raises(SubmissionError, match=words):
        Submission.from_dict(doc)


def test_binding_order_follows_the_guide_categories(call) -> None:
    sub = Submission(call.id, "creation-pilot")
    for cat, title in [("other", "其它1"), ("qualification", "执照"), ("cases", "案例"), ("qualification", "资质2")]:
        sub.attachments.append(Attachment(cat, title, f"{title}.pdf", "0" * 64))
    order = [c.id for c in call.attachment_categories]
    assert [a.title for a in sub.attachments_in_order(order)] == ["执照", "资质2", "案例", "其它1"]
