"""The recipient of the electronic copy comes from the call's data, not from the code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zscq_desktop.call import loader
from zscq_desktop.mail.message import MailError, PackageSummary, default_recipient
from zscq_desktop.resources import data_root


def _summary(call_id: str) -> PackageSummary:
    return PackageSummary(path=Path("x.zip"), size=1, sha256="0" * 64, call_id=call_id, call_title="",
                          direction_name="", unit_name="", stamp="", files=[])


@pytest.fixture
def next_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A data folder with a copy of the 2023 call whose submission address changed."""
    root = data_root()
    (tmp_path / "forms").mkdir()
    shutil.copytree(root / "forms" / "tianjin-2023", tmp_path / "forms" / "tianjin-2099")
    call_toml = tmp_path / "forms" / "tianjin-2099" / "call.toml"
    call_toml.write_text(call_toml.read_text(encoding="utf-8").replace("zscqsl@163.com", "next@example.org"),
                         encoding="utf-8")
    (tmp_path / "resources").symlink_to(root / "resources")
    monkeypatch.setenv("ZSCQ_DATA_DIR", str(tmp_path))
    data_root.cache_clear()
    loader.load_call.cache_clear()
    yield "tianjin-2099"
    data_root.cache_clear()
    loader.load_call.cache_clear()


def test_recipient_is_the_calls_submit_email(next_year: str) -> None:
    assert default_recipient(_summary(next_year)) == "next@example.org"


def test_unknown_call_gives_a_chinese_message() -> None:
    with pytest.raises(MailError, match="收件人"):
        default_recipient(_summary("no-such-call"))
