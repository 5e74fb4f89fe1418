"""Adding a supporting file (drag and drop, 添加文件): only a regular file within the size limit is
read; a FIFO, a folder or a 3 GB file is refused at once with a Chinese message."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def session(qtbot, call):
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.ui.session import Session

    s = Session.new(call, build_sample(call, "creation-pilot"), hint="附件上限")
    yield s
    s.close()


def test_fifo_folder_and_huge_file_refused_unread(session, tmp_path, monkeypatch) -> None:
    from zscq_desktop.ui.session import SessionError

    os.mkfifo(tmp_path / "管道.pdf")  # open() of a FIFO without O_NONBLOCK would block the GUI for ever
    (tmp_path / "文件夹.pdf").mkdir()
    with open(tmp_path / "巨大.pdf", "wb") as f:
        f.truncate(3 * 1024 ** 3)  # sparse
    real_read = os.read

    def guarded(fd, n):
        assert os.fstat(fd).st_size < 1024 ** 3, "the huge file was read"
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", guarded)
    before = len(session.submission.attachments)
    for name, reason in (("管道.pdf", "命名管道"), ("文件夹.pdf", "文件夹"), ("巨大.pdf", "超过上限 200 MB")):
        with pytest.raises(SessionError, match=reason):
            session.add_attachment(tmp_path / name, "qualification")
    assert len(session.submission.attachments) == before
    ok = tmp_path / "小.png"
    ok.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    session.add_attachment(ok, "qualification")
    assert len(session.submission.attachments) == before + 1
