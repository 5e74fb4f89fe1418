"""``zscq-desktop send``: end to end against a loopback server, in-process and as a real process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import keyring.core
import pytest
from keyring.backends import fail
from mailkit import PASSWORD, RCPT, USER, files_containing, make_package, real_package

from zscq_desktop.cli import build_parser, main
from zscq_desktop.mail.cli import run_send
from zscq_desktop.mail.service import _secret_forms


@pytest.fixture
def trusted(monkeypatch, pki):
    """The test CA becomes the system trust store (verification itself stays on)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca))


@pytest.fixture
def no_keyring(monkeypatch):
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())


@pytest.fixture(scope="module")
def package(tmp_path_factory, call) -> Path:
    return real_package(tmp_path_factory.mktemp("export"), call)


def _args(zip_path: Path, server, *extra: str) -> list[str]:
    return ["send", str(zip_path), "--to", RCPT, "--account", USER, "--host", server.host,
            "--port", str(server.port), "--security", server.security, *extra]


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_send_with_password_from_stdin(package, smtp_server, trusted, no_keyring, monkeypatch, capsys):
    server = smtp_server("starttls")
    _stdin(monkeypatch, PASSWORD + "\n")
    assert main(_args(package, server, "--password-stdin", "--remember")) == 0
    out, err = capsys.readouterr()
    assert "已发送至 " + RCPT in out and "Message-ID" in out
    assert "钥匙串不可用" in err  # --remember with no keyring: said so, nothing stored
    assert len(server.sink.messages) == 1 and server.sink.logins == [(USER, True)]
    assert PASSWORD not in out + err


def test_wrong_password_exit_1(package, smtp_server, trusted, no_keyring, monkeypatch, capsys):
    server = smtp_server("ssl")
    _stdin(monkeypatch, "wrong-one\n")
    assert main(_args(package, server, "--password-stdin")) == 1
    err = capsys.readouterr().err
    assert "用户名或授权码错误" in err and "wrong-one" not in err


def test_no_password_and_no_terminal_exit_2(package, smtp_server, no_keyring, monkeypatch, capsys):
    server = smtp_server("ssl")
    _stdin(monkeypatch, "")
    assert main(_args(package, server)) == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert server.sink.logins == []


@pytest.mark.parametrize("extra, match", [(["--preset", "gmail"], "未知的邮箱预设"),
                                          (["--account", "boss@corp.cn"], "无法根据邮箱域名"),
                                          (["--account", "张三"], "不是有效的电子邮箱地址"),
                                          (["--to", "nobody"], "不是有效的电子邮箱地址")])
def test_unusable_options_exit_2(package, no_keyring, monkeypatch, capsys, extra, match):
    _stdin(monkeypatch, PASSWORD + "\n")
    argv = ["send", str(package), "--account", USER, "--password-stdin", *extra]
    assert main(argv) == 2
    assert match in capsys.readouterr().err


def test_unusable_zips_exit_2(tmp_path, no_keyring, monkeypatch, capsys):
    _stdin(monkeypatch, PASSWORD + "\n")
    assert main(["send", str(tmp_path / "none.zip"), "--account", USER, "--password-stdin"]) == 2
    assert "找不到" in capsys.readouterr().err
    bare = make_package(tmp_path / "bare", manifest=False)
    assert main(["send", str(bare), "--account", USER, "--password-stdin"]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_tampered_package_is_not_sent(package, tmp_path, smtp_server, trusted, no_keyring, monkeypatch, capsys):
    import zipfile

    copy = tmp_path / package.name
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(copy, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"\xe5\xa4\xa9\xe6\xb4\xa5", b"\xe5\x8c\x97\xe4\xba\xac")
                         if info.filename == "submission.json" else data)  # 天津 → 北京
    server = smtp_server("ssl")
    _stdin(monkeypatch, PASSWORD + "\n")
    assert main(_args(copy, server, "--password-stdin")) == 2
    assert "校验未通过" in capsys.readouterr().err
    assert server.sink.logins == []


def test_mailto(package, capsys):
    ns = Namespace(zip=str(package), to=None, account=USER, preset=None, host=None, port=None, security=None,
                   password_stdin=False, remember=False, mailto=True)
    assert run_send(ns) == 0
    out, err = capsys.readouterr()
    assert out.startswith("mailto:zscqsl@163.com?subject=") and "手动添加" in err


def test_send_record_stored_in_document(package, tmp_path, smtp_server, trusted, no_keyring, monkeypatch, capsys,
                                        call):
    document = pytest.importorskip("zscq_desktop.store.document")
    from zscq_desktop.core.sample import build_sample

    path = tmp_path / "申报.zscq"
    document.Document.create(path, build_sample(call, "creation-pilot").to_dict()).close()
    server = smtp_server("ssl")
    _stdin(monkeypatch, PASSWORD + "\n")
    args = build_parser().parse_args(_args(package, server, "--password-stdin"))
    args.document = str(path)
    assert run_send(args) == 0
    with document.Document.open(path) as doc:
        sends = doc.load()["sends"]
    assert len(sends) == 1 and sends[0]["to"] == RCPT and sends[0]["package"] == package.name
    assert PASSWORD.encode() not in path.read_bytes()


def _run(argv: list[str], env: dict[str, str], stdin: str | None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zscq_desktop", *argv], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120,
                          stdin=subprocess.DEVNULL if stdin is None else None)


def test_remember_then_send_from_the_keyring(package, tmp_path, smtp_server, pki):
    """Two real processes: the first remembers the 授权码 in a file keyring, the second uses it."""
    server = smtp_server("ssl")
    export = tmp_path / "export"
    export.mkdir()
    zip_path = export / package.name
    zip_path.write_bytes(package.read_bytes())
    keyring_home = tmp_path / "keyring-home"
    env = dict(os.environ, SSL_CERT_FILE=str(pki.ca), PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
               XDG_DATA_HOME=str(keyring_home), PYTHONIOENCODING="utf-8")
    first = _run(_args(zip_path, server, "--password-stdin", "--remember"), env, PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    assert "授权码已保存到系统钥匙串" in first.stdout
    second = _run(_args(zip_path, server), env, None)
    assert second.returncode == 0, second.stderr
    assert [ok for _, ok in server.sink.logins] == [True, True] and len(server.sink.messages) == 2
    assert sorted(p.name for p in export.glob("*.eml")) == [f"{zip_path.stem}-2.eml", f"{zip_path.stem}.eml"]
    # The password is in the keyring (here a test file backend) and nowhere else the app writes.
    needles = [s.encode() for s in _secret_forms(USER, PASSWORD)]
    assert files_containing([export, Path(os.environ["ZSCQ_USER_DIR"])], needles) == []
    for proc in (first, second):
        assert PASSWORD not in proc.stdout + proc.stderr


def test_account_missing_exit_2(package, no_keyring, capsys):
    ns = Namespace(zip=str(package), to=None, account=None, preset=None, host=None, port=None, security=None,
                   password_stdin=False, remember=False)
    assert run_send(ns) == 2
    assert "--account" in capsys.readouterr().err
