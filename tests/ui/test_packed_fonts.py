"""The frozen bundle ships the Ext-B font only packed (``HanaMinB.ttf.xz``): right after the first
picture the GUI unpacks it in the background and gives it to Qt, so rare characters (𠮷, 𪚥 in a unit
or person name) do not show as boxes where the system has no such font. A damaged archive is logged
and changes nothing else (issue 15)."""

from __future__ import annotations

import logging
import lzma
import shutil
from pathlib import Path

import pytest

from zscq_desktop.resources import data_root, resource_path

EXTB = "HanaMinB.ttf"
ORIGINAL = resource_path("fonts", EXTB)  # the real bundled file, found before any test moves the data folder


@pytest.fixture(scope="module")
def packed_extb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return lzma.compress(ORIGINAL.read_bytes(), preset=0)


def _bundle(root: Path, packed: bytes) -> Path:
    """A data folder like the frozen bundle's whose fonts folder has the Ext-B font only packed."""
    (root / "forms").mkdir(parents=True)
    fonts = root / "resources" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copyfile(data_root() / "resources" / "fonts" / "MANIFEST.json", fonts / "MANIFEST.json")
    (fonts / (EXTB + ".xz")).write_bytes(packed)
    return root


def _register_later(qtbot, monkeypatch, tmp_path: Path, packed: bytes):
    from zscq_desktop import resources
    from zscq_desktop.ui import app as gui

    bundle = _bundle(tmp_path / "bundle", packed)
    monkeypatch.setattr(resources, "data_root", lambda: bundle)  # (the real one is cached per process)
    monkeypatch.setenv("ZSCQ_USER_DIR", str(tmp_path / "user"))
    app = gui.make_app()
    monkeypatch.setattr(app, "_zscq_fonts", set(), raising=False)  # as in a new process: none registered yet
    got: list[tuple[str, list]] = []
    returned = gui.register_fonts(app, later=True)  # as right after the first paint
    worker = app._zscq_font_unpacker
    worker.registered.connect(lambda name, families: got.append((name, families)))
    return returned, worker, got


def test_a_packed_font_is_unpacked_in_the_background_and_given_to_qt(qtbot, monkeypatch, tmp_path: Path,
                                                                     packed_extb: bytes) -> None:
    import threading

    from PySide6.QtGui import QFontDatabase

    seen_threads: list[bool] = []
    from zscq_desktop.render import font_files

    real = font_files.unpacked

    def unpacked(path, folder=None):
        seen_threads.append(threading.current_thread() is threading.main_thread())
        return real(path, folder)

    monkeypatch.setattr(font_files, "unpacked", unpacked)
    returned, worker, got = _register_later(qtbot, monkeypatch, tmp_path, packed_extb)
    assert returned == []  # nothing registered synchronously: no .ttf in this bundle
    qtbot.waitUntil(lambda: bool(got), timeout=60_000)
    assert seen_threads == [False]  # the unpacking ran off the GUI thread
    assert got == [(EXTB, ["HanaMinB"])]
    assert "HanaMinB" in QFontDatabase.families()
    cached = list((tmp_path / "user" / "cache" / "fonts").glob("HanaMinB-*.ttf"))
    assert len(cached) == 1 and cached[0].read_bytes() == ORIGINAL.read_bytes()


def test_a_damaged_packed_font_is_logged_and_nothing_else(qtbot, monkeypatch, tmp_path: Path, caplog,
                                                          packed_extb: bytes) -> None:
    damaged = packed_extb[: len(packed_extb) // 2]  # a truncated archive
    with caplog.at_level(logging.ERROR, logger="zscq_desktop.ui.app"):
        returned, worker, got = _register_later(qtbot, monkeypatch, tmp_path, damaged)
        worker.thread.join(60)
        qtbot.wait(50)  # any queued registration would have arrived
    assert not worker.thread.is_alive()
    assert returned == [] and got == []
    assert any("HanaMinB.ttf.xz" in r.getMessage() for r in caplog.records)
    assert list((tmp_path / "user" / "cache" / "fonts").glob("HanaMinB-*.ttf")) == []
