"""Helpers for the call tests: a next-year call written by `call new` and edited like an author would."""

from __future__ import annotations

import re
from pathlib import Path

from zscq_desktop.cli import main


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a data file (the text must be there)."""
    p = folder / name
    text = p.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    p.write_text(text.replace(old, new, count), encoding="utf-8")


def new_call(tmp: Path, new_id: str = "tj-2099") -> Path:
    """`call new NEW_ID --from <built-in> --out DIR`, checked to exit 0."""
    out = tmp / new_id
    assert main(["call", "new", new_id, "--from", "tianjin-2023", "--out", str(out)]) == 0
    return out


def author_next_year(tmp: Path, new_id: str = "tj-2099") -> Path:
    """A next-year call with what a real new guide changes: a cap, a renamed direction, a new form id
    (附件3 becomes form-b1.toml) and a new required form field."""
    folder = new_call(tmp, new_id)
    edit(folder, "call.toml", "cap_wan = 10\n", "cap_wan = 12\n")  # creation-pilot: 10 → 12 万元
    # a direction is replaced by a new one (new id, new name)
    edit(folder, "call.toml", 'id = "gi-protection"', 'id = "gi-promotion"')
    for name in ("form-a3.toml",):
        edit(folder, name, '"gi-protection"', '"gi-promotion"')
    # the 附件3 form gets a new id and file name
    (folder / "form-a3.toml").rename(folder / "form-b1.toml")
    edit(folder, "form-b1.toml", 'id = "a3"', 'id = "b1"')
    text = (folder / "call.toml").read_text(encoding="utf-8")
    (folder / "call.toml").write_text(re.sub(r'form = "a3"', 'form = "b1"', text), encoding="utf-8")
    # a new required field in the shared work-base section of that form
    edit(folder, "form-b1.toml", "[[sections.fields]]\nkey = \"team_intro\"",
         "[[sections.fields]]\nkey = \"data_security\"\nlabel = \"数据安全保障措施\"\ntype = \"textarea\"\n"
         "required = true\nmax_chars = 500\n\n[[sections.fields]]\nkey = \"team_intro\"")
    return folder
