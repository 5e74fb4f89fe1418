"""Sending to real SMTP servers on loopback: implicit TLS, STARTTLS, and every failure we explain."""

from __future__ import annotations

import email
import logging
import smtplib
import socket
from email import policy
from pathlib import Path

import pytest
from mailkit import PASSWORD, RCPT, UNIT, USER, files_containing, free_port, make_package, sha

from zscq_desktop.mail.message import human_size
from zscq_desktop.mail.service import MailError, SendCancelled, SendResult, _secret_forms, _translate, send_package


def _send(zip_path: Path, server, pki, **kw) -> SendResult:
    args = dict(account=USER, password=PASSWORD, to=RCPT, host=server.host, port=server.port,
                security=server.security, timeout=10, cafile=str(pki.ca))
    args.update(kw)
    return send_package(zip_path, **args)


def _attachment(raw: bytes):
    msg = email.message_from_bytes(raw, policy=policy.default)
    parts = list(msg.iter_attachments())
    assert len(parts) == 1
    return msg, parts[0]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_delivers_the_zip_intact(tmp_path, smtp_server, pki, security, caplog):
    caplog.set_level(logging.DEBUG)
    server = smtp_server(security)
    zip_path = make_package(tmp_path / "out")
    original = zip_path.read_bytes()
    progress: list[tuple[float, str]] = []

    result = _send(zip_path, server, pki, progress=lambda f, m: progress.append((f, m)))

    assert server.sink.logins == [(USER, True)]
    assert len(server.sink.messages) == 1
    got = server.sink.messages[0]
    assert got.mail_from == USER and got.rcpt_tos == [RCPT]
    msg, part = _attachment(got.data)
    assert part.get_filename() == zip_path.name
    assert sha(part.get_content()) == sha(original)
    assert msg["Subject"] == f"2023年天津市知识产权资助项目申报-高质量知识产权创造试点-{UNIT}"
    body = msg.get_body(("plain",)).get_content()
    assert UNIT in body and "赵示例" in body and sha(original) in body
    # the .eml beside the zip holds exactly the bytes the server received
    assert result.eml_path == zip_path.with_suffix(".eml")
    assert result.eml_path.read_bytes().replace(b"\r\n", b"\n") == got.data.replace(b"\r\n", b"\n")
    rec = result.record
    assert rec["to"] == RCPT and rec["from"] == USER and rec["package"] == zip_path.name
    assert rec["package_sha256"] == sha(original) and rec["size"] == len(original)
    assert rec["message_id"] == msg["Message-ID"] and rec["eml"] == result.eml_path.name
    assert str(tmp_path) not in repr(rec)  # file names only: the record may travel inside a later zip
    assert progress[-1][0] == 1.0 and [f for f, _ in progress] == sorted(f for f, _ in progress)
    assert PASSWORD not in caplog.text


def test_second_send_keeps_the_first_eml(tmp_path, smtp_server, pki):
    server = smtp_server("ssl")
    zip_path = make_package(tmp_path)
    first = _send(zip_path, server, pki)
    second = _send(zip_path, server, pki)
    assert first.eml_path.name == f"{zip_path.stem}.eml"
    assert second.eml_path.name == f"{zip_path.stem}-2.eml"
    assert first.eml_path.read_bytes() != second.eml_path.read_bytes()  # other Message-ID and Date
    assert first.record["message_id"] != second.record["message_id"]


def test_wrong_password_is_explained_without_the_password(tmp_path, smtp_server, pki):
    server = smtp_server("ssl")
    wrong = "Wrong-pass-5566"
    with pytest.raises(MailError) as caught:
        _send(make_package(tmp_path), server, pki, password=wrong)
    text = str(caught.value)
    assert "用户名或授权码错误" in text and "163/QQ 邮箱需使用授权码而非登录密码" in text
    assert wrong not in text and caught.value.__cause__ is None and caught.value.__context__ is None
    assert server.sink.messages == []
    assert not list(tmp_path.glob("*.eml"))


def test_size_rejection(tmp_path, smtp_server, pki):
    zip_path = make_package(tmp_path, payload=200_000)
    server = smtp_server("starttls", data_size_limit=100_000)
    with pytest.raises(MailError, match="邮件过大") as caught:
        _send(zip_path, server, pki)
    assert human_size(100_000) in str(caught.value)
    assert server.sink.messages == []


@pytest.mark.parametrize("reply", [(552, b"5.3.4 Error: message file too big"),
                                   (554, b"Transaction failed: message size exceeds fixed limit")])
def test_size_rejection_during_data(reply):
    # Servers that do not announce SIZE refuse only after the data: the same explanation.
    exc = smtplib.SMTPDataError(*reply)
    text = str(_translate(exc, host="h", port=465, security="ssl", timeout=5, secrets=[], size=3_000_000))
    assert "邮件过大" in text and "2.86 MB" in text


def test_untrusted_certificate_stops_before_login(tmp_path, smtp_server, pki):
    server = smtp_server("ssl")
    with pytest.raises(MailError, match="安全证书"):
        _send(make_package(tmp_path), server, pki, cafile=None)
    assert server.sink.logins == []


def test_untrusted_certificate_with_starttls(tmp_path, smtp_server, pki):
    server = smtp_server("starttls")
    with pytest.raises(MailError, match="安全证书"):
        _send(make_package(tmp_path), server, pki, cafile=None)
    assert server.sink.logins == []


def test_no_plaintext_when_starttls_is_missing(tmp_path, smtp_server, pki):
    server = smtp_server("plain")
    with pytest.raises(MailError, match="不支持 STARTTLS") as caught:
        _send(make_package(tmp_path), server, pki)
    assert "明文" in str(caught.value)
    assert server.sink.logins == [] and server.sink.messages == []


def test_ssl_against_a_starttls_port(tmp_path, smtp_server, pki):
    server = smtp_server("starttls")
    with pytest.raises(MailError, match="加密连接失败"):
        _send(make_package(tmp_path), server, pki, security="ssl")


def test_recipient_refused(tmp_path, smtp_server, pki):
    server = smtp_server("ssl", refuse={RCPT})
    with pytest.raises(MailError, match="收件地址被服务器拒绝") as caught:
        _send(make_package(tmp_path), server, pki)
    assert RCPT in str(caught.value) and "550" in str(caught.value)


def test_timeout(tmp_path):
    # A port that accepts the connection but never greets (as an SSL port does for a STARTTLS client).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        with pytest.raises(MailError, match="超时"):
            send_package(make_package(tmp_path), account=USER, password=PASSWORD, to=RCPT, host="127.0.0.1",
                         port=port, security="starttls", timeout=0.5)


def test_connection_refused(tmp_path):
    with pytest.raises(MailError, match="拒绝连接"):
        send_package(make_package(tmp_path), account=USER, password=PASSWORD, to=RCPT, host="127.0.0.1",
                     port=free_port(), security="ssl", timeout=5)


@pytest.mark.parametrize("kw, match", [({"security": "plain"}, "不支持的加密方式"), ({"host": " "}, "服务器地址"),
                                       ({"password": ""}, "授权码"), ({"to": "not-an-address"}, "收件地址")])
def test_unusable_arguments(tmp_path, kw, match):
    args = dict(account=USER, password=PASSWORD, to=RCPT, host="127.0.0.1", port=1, security="ssl")
    args.update(kw)
    with pytest.raises(MailError, match=match):
        send_package(make_package(tmp_path), **args)


def test_server_replies_are_scrubbed_of_the_password():
    # A (hypothetical) server echoing the AUTH PLAIN string back must not leak it into the message.
    secrets = _secret_forms(USER, PASSWORD)
    echoed = f"authentication failed for {secrets[1]} / {PASSWORD}".encode()
    text = str(_translate(smtplib.SMTPAuthenticationError(535, echoed), host="h", port=465, security="ssl",
                          timeout=5, secrets=secrets, size=1))
    assert PASSWORD not in text and secrets[1] not in text and "***" in text


def test_password_written_nowhere(tmp_path, smtp_server, pki, caplog):
    caplog.set_level(logging.DEBUG)
    import os

    server = smtp_server("starttls")
    zip_path = make_package(tmp_path / "export")
    _send(zip_path, server, pki)
    with pytest.raises(MailError):
        _send(zip_path, server, pki, password=PASSWORD + "x")
    needles = [s.encode() for s in _secret_forms(USER, PASSWORD)]
    assert files_containing([tmp_path, Path(os.environ["ZSCQ_USER_DIR"])], needles) == []
    assert not any(s in caplog.text for s in _secret_forms(USER, PASSWORD))


def test_upload_progress_and_cancel(tmp_path, smtp_server, pki):
    server = smtp_server("ssl")
    zip_path = make_package(tmp_path, payload=1_500_000)
    seen: list[str] = []
    result = _send(zip_path, server, pki, progress=lambda f, m: seen.append(m))
    uploads = [m for m in seen if m.startswith("正在上传")]
    assert len(uploads) >= 8 and result.record["message_size"] > 2_000_000  # base64 grows the zip by ~1/3

    calls = {"n": 0}

    def cancel_in_upload() -> bool:  # let connect and login pass, stop during the data
        calls["n"] += 1
        return calls["n"] > 4

    with pytest.raises(SendCancelled, match="已取消发送"):
        _send(zip_path, server, pki, cancel=cancel_in_upload)
    assert len(server.sink.messages) == 1  # only the first, complete send arrived
    assert sorted(p.name for p in tmp_path.glob("*.eml")) == [f"{zip_path.stem}.eml"]

    with pytest.raises(SendCancelled):
        _send(zip_path, server, pki, cancel=lambda: True)
    assert len(server.sink.logins) == 2  # the cancel before connecting never reached the server


def test_non_ascii_password(tmp_path, smtp_server, pki):
    server = smtp_server("ssl")
    with pytest.raises(MailError, match="中文或全角字符") as caught:
        _send(make_package(tmp_path), server, pki, password="授权码ａｂｃ")
    assert "授权码ａｂｃ" not in str(caught.value)


def test_eml_falls_back_to_the_user_folder(tmp_path):
    import os

    from zscq_desktop.mail.service import _save_eml

    gone = tmp_path / "removed-export-folder" / "p.zip"  # the export folder vanished after sending
    saved = _save_eml(gone, b"Subject: x\r\n\r\nbody\r\n")
    assert saved is not None and saved.parent == Path(os.environ["ZSCQ_USER_DIR"]) / "sent"
    assert saved.name == "p.eml" and saved.read_bytes().startswith(b"Subject: x")
    assert not [p for p in saved.parent.iterdir() if p.suffix == ".tmp"]
