"""The sample submission reads like clean text: no dangling 、 or （ from cut task titles, and a
made-up phone number for the sample applicant, never the agency's own consultation line."""

import json
import re

import pytest

from zscq_desktop.call.loader import load_call
from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.validators import check_phone

CALL = load_call()
ARTEFACT = re.compile(r"[、，（(][，、）)]|（，|[、（]$")


@pytest.mark.parametrize("direction", [d.id for d in CALL.directions])
def test_sample_text_has_no_punctuation_artefacts(direction: str) -> None:
    sub = build_sample(CALL, direction)
    texts = [s for s in _strings(sub.to_dict())]
    bad = [t for t in texts if ARTEFACT.search(t)]
    assert not bad, bad[:3]
    # a clause ends in a word, not in the middle of one ("培育阶，")
    assert not any(re.search(r"阶，", t) for t in texts)


def test_sample_phone_is_made_up_and_valid() -> None:
    agency = {c.phone for d in CALL.directions for c in [d.contact]}
    agency |= {str(c.get("phone", "")) for c in CALL.submission.get("contacts", []) if isinstance(c, dict)}
    pc = CALL.submission.get("process_contact") or {}
    agency.add(str(pc.get("phone", "")))
    for d in CALL.directions:
        phone = build_sample(CALL, d.id).form["cover"]["contact_phone"]
        assert check_phone(phone) is None
        digits = re.sub(r"\D", "", phone)
        assert not any(a and re.sub(r"\D", "", a)[-7:] in digits for a in agency), phone


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
