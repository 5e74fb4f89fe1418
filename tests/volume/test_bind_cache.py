"""Binding again reuses the contents and overlay pages while nothing they show changed (issue 15)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import zscq_desktop.volume.binder as binder
from volume_helpers import blank_pdf
from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind
from zscq_desktop.volume.export import MemoryCache


@pytest.fixture
def counted(call_counter) -> dict[str, int]:
    return call_counter.watch(binder, "_render_contents").watch(binder, "_render_overlay")


def _input(**changes) -> VolumeInput:
    inp = VolumeInput(form_pdf=blank_pdf(3), plan_pdf=blank_pdf(2),
                      attachments=[AttachmentPart(label="附件材料3-1", title="营业执照", category="主体资格", pdf=blank_pdf(1)),
                                   AttachmentPart(label="附件材料3-2", title="专利证书", category="其他", pdf=blank_pdf(2))],
                      title="申报材料", unit="天津示例科技有限公司", direction="高质量知识产权创造试点", stamp="ABCD1234")
    return replace(inp, **changes)


def test_an_unchanged_binding_reuses_contents_and_overlay(tmp_path: Path, counted: dict) -> None:
    cache = MemoryCache()
    bind(_input(), to=tmp_path / "a.pdf", cache=cache)
    bind(_input(), to=tmp_path / "b.pdf", cache=cache)
    assert counted == {"_render_contents": 1, "_render_overlay": 1}
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


@pytest.mark.parametrize("change", [
    {"stamp": "EF012345"},  # every page's stamp
    {"attachments": [AttachmentPart(label="附件材料3-1", title="营业执照（副本）", category="主体资格", pdf=blank_pdf(1))]},
    {"form_pdf": blank_pdf(4)},  # every number after the form moves
])
def test_what_the_pages_show_changes_they_are_laid_out_again(change: dict, tmp_path: Path, counted: dict) -> None:
    cache = MemoryCache()
    bind(_input(), to=tmp_path / "a.pdf", cache=cache)
    bind(_input(**change), to=tmp_path / "b.pdf", cache=cache)
    assert counted["_render_overlay"] == 2
    fresh = bind(_input(**change), to=tmp_path / "c.pdf")  # no cache: what the reused binding must equal
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "c.pdf").read_bytes() and fresh.pages


def test_duplex_and_simplex_do_not_share_an_overlay(tmp_path: Path, counted: dict) -> None:
    cache = MemoryCache()
    bind(_input(), to=tmp_path / "a.pdf", cache=cache)
    bind(_input(), duplex=True, to=tmp_path / "b.pdf", cache=cache)
    assert counted["_render_overlay"] == 2
    bind(_input(), duplex=True, to=tmp_path / "c.pdf")
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "c.pdf").read_bytes()
