"""The mail dialog against a real SMTP server on loopback (aiosmtpd, implicit TLS, AUTH).

The package is a real zip built by `package.zipper.build_package`; the password goes through a
real file keyring in a temporary folder; the send record is read back from the `.zscq` document.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import ipaddress
import ssl
from email import policy
from pathlib import Path

import keyring
import keyring.core
import pytest

from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.ui import jobs, mail_dialog

pytestmark = [
    pytest.mark.gui,
    # aiosmtpd only counts STARTTLS as TLS; on its implicit-TLS port (the 465 setup of 163/QQ) the
    # session is encrypted from the first byte, so AUTH without "TLS" is safe here.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

ACCOUNT = "tester@example.com"
PASSWORD = "QWErty123abc"  # 授权码 are ASCII (QTest.keyClicks aborts on non-ASCII)


# ---- a real TLS SMTP server ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server(certificate):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == ACCOUNT \
            and auth_data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    import socket

    with socket.socket() as probe:  # aiosmtpd's readiness check cannot use port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context,
                            authenticator=authenticator, auth_required=True, auth_require_tls=False)
    controller.start()
    controller.inbox = inbox  # type: ignore[attr-defined]
    yield controller
    controller.stop()


# ---- keyring, settings, session, package ------------------------------------------------------------
@pytest.fixture
def file_keyring(tmp_path):
    from keyrings.alt.file import PlaintextKeyring

    previous = keyring.core._keyring_backend
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    previous = keyring.core._keyring_backend
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.core._keyring_backend = previous


@pytest.fixture
def session(qtbot, call):
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.ui.session import Session

    s = Session.new(call, build_sample(call, "creation-pilot"), hint="邮件测试")
    yield s
    s.close()


@pytest.fixture
def package(tmp_path, session, call) -> Path:
    from zscq_desktop.package.zipper import PackageInfo, build_package

    sub = session.submission.to_dict()
    out = tmp_path / "导出"
    out.mkdir()
    volume = out / "申报材料-测试.pdf"
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "volume")
    c.showPage()
    c.save()
    volume.write_bytes(buf.getvalue())
    d = call.direction("creation-pilot")
    info = PackageInfo(call_id=call.id, call_title=call.short_title, direction_id=d.id, direction_name=d.name,
                       unit_name=str(session.submission.unit.get("name")), stamp=version_stamp(sub),
                       volume_name=volume.name, created=dt.datetime.now(dt.timezone.utc))
    return build_package(out, files=[(volume.name, volume)], submission=sub, info=info).path


def _fill_custom(qtbot, d: mail_dialog.MailDialog, port: int) -> None:
    d.account_edit.clear()
    qtbot.keyClicks(d.account_edit, ACCOUNT)
    d.account_edit.editingFinished.emit()
    d.preset_combo.setCurrentIndex(d.preset_combo.findData("custom"))
    d.host_edit.setText("127.0.0.1")
    d.port_spin.setValue(port)
    d.security_combo.setCurrentIndex(d.security_combo.findData("ssl"))
    d.password_edit.clear()
    qtbot.keyClicks(d.password_edit, PASSWORD)


# ---- tests ----------------------------------------------------------------------------------------
def test_send_records_the_send_and_remembers_the_code(qtbot, session, package, smtp_server, certificate,
                                                      file_keyring, dialogs_recorder):
    told = dialogs_recorder.messages
    d = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(d)
    d.cafile = str(certificate[0])
    assert d.to_edit.text() == "zscqsl@163.com"
    _fill_custom(qtbot, d, smtp_server.port)
    d.to_edit.setText("zscqsl@example.org")
    d.remember_box.setChecked(True)
    assert d.remember_box.isEnabled()
    assert d.send_button.isEnabled()
    # the preview is the message that will be sent
    assert str(session.submission.unit["name"]) in d.subject_label.text()
    assert package.name in d.body_view.toPlainText() or "申报" in d.body_view.toPlainText()

    job = d.send()
    assert job is not None and not d.send_button.isEnabled() and not d.close_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass

    # the server got one message, from the account to the recipient, with the zip attached
    assert len(smtp_server.inbox.messages) == 1, (d.status_label.text(), job.error)
    mail_from, rcpt, raw = smtp_server.inbox.messages[0]
    assert mail_from == ACCOUNT and rcpt == ["zscqsl@example.org"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    parts = [p for p in msg.iter_attachments()]
    assert [p.get_filename() for p in parts] == [package.name]
    assert hashlib.sha256(parts[0].get_content()).hexdigest() == hashlib.sha256(package.read_bytes()).hexdigest()

    # recorded in the document (read back from disk through a second connection)
    assert d.result is not None and d.result.eml_path is not None and d.result.eml_path.exists()
    from zscq_desktop.store.document import Document

    with Document.open(session.path, readonly=True) as doc:
        sends = doc.load()["sends"]
    assert len(sends) == 1 and sends[0]["to"] == "zscqsl@example.org" and sends[0]["from"] == ACCOUNT
    assert told and told[0][0] == "发送成功" and str(d.result.eml_path) in told[0][1]
    assert "已发送" in d.status_label.text()

    # the 授权码 is in the (file) keyring and comes back in a new dialog for the same account
    assert file_keyring.get_password("zscq-desktop", ACCOUNT) == PASSWORD
    again = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(again)
    assert again.account_edit.text() == ACCOUNT  # from the send record
    assert again.password_edit.text() == PASSWORD and again.remember_box.isChecked()

    # the custom server is remembered (in the settings, never the code) for the next submission
    from zscq_desktop.ui import settings

    assert settings.get(mail_dialog.MAIL_PRESET) == "custom" and settings.get(mail_dialog.MAIL_HOST) == "127.0.0.1"
    session.submission.sends.clear()
    fresh = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(fresh)
    assert fresh.account_edit.text() == ACCOUNT and fresh.preset_combo.currentData() == "custom"
    assert fresh.host_edit.text() == "127.0.0.1" and fresh.port_spin.value() == smtp_server.port


def test_wrong_code_shows_chinese_error_and_records_nothing(qtbot, session, package, smtp_server, certificate,
                                                            file_keyring, dialogs_recorder):
    d = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(d)
    d.cafile = str(certificate[0])
    _fill_custom(qtbot, d, smtp_server.port)
    d.password_edit.setText("wrong-code")
    d.remember_box.setChecked(True)
    job = d.send()
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    text = d.status_label.text()
    assert text.startswith("发送失败：") and "授权码" in text
    assert smtp_server.inbox.messages == []
    assert session.submission.sends == []
    assert file_keyring.get_password("zscq-desktop", ACCOUNT) is None
    assert d.send_button.isEnabled() and d.close_button.isEnabled()
    assert dialogs_recorder.messages == []  # no success box


def test_untrusted_certificate_is_refused(qtbot, session, package, smtp_server, file_keyring, dialogs_recorder):
    d = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(d)
    _fill_custom(qtbot, d, smtp_server.port)  # no cafile: the self-signed certificate is not trusted
    job = d.send()
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert d.status_label.text().startswith("发送失败：") and "证书" in d.status_label.text()
    assert smtp_server.inbox.messages == [] and dialogs_recorder.messages == []


def test_preset_is_guessed_from_the_address(qtbot, session, package, no_keyring):
    d = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(d)
    d.account_edit.clear()
    qtbot.keyClicks(d.account_edit, "zhangsan@qq.com")
    assert d.preset_combo.currentData() == "qq"
    assert d.host_edit.text() == "smtp.qq.com" and d.port_spin.value() == 465
    assert not d.host_edit.isEnabled() and "授权码" in d.note_label.text()
    d.account_edit.clear()
    qtbot.keyClicks(d.account_edit, "lisi@163.com")
    assert d.preset_combo.currentData() == "163" and d.host_edit.text() == "smtp.163.com"
    d.preset_combo.setCurrentIndex(d.preset_combo.findData("custom"))
    assert d.host_edit.isEnabled() and d.port_spin.isEnabled()
    d.security_combo.setCurrentIndex(d.security_combo.findData("starttls"))
    assert d.port_spin.value() == 587


def test_without_keyring_remember_is_disabled_and_explained(qtbot, session, package, no_keyring):
    d = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(d)
    assert not d.remember_box.isEnabled()
    assert "不可用" in d.remember_box.text() and "钥匙串" in d.remember_box.toolTip()
    assert d.password_edit.text() == ""


def test_dialog_cannot_be_closed_while_sending(qtbot, session, package, no_keyring):
    import socket

    # A server that accepts the connection and never answers: the send times out for real.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        d = mail_dialog.MailDialog(session, package)
        qtbot.addWidget(d)
        d.show()
        d.timeout = 1.0
        _fill_custom(qtbot, d, silent.getsockname()[1])
        job = d.send()
        d.reject()
        assert d.isVisible() and "正在发送" in d.status_label.text()
        with qtbot.waitSignal(job.finished, timeout=15000):
            pass
        assert d.status_label.text().startswith("发送失败：")
        assert session.submission.sends == []
        d.reject()
        assert not d.isVisible()
    finally:
        silent.close()
        jobs.wait_idle(5)


def test_custom_server_is_remembered_per_account_without_the_password(qtbot, session, package, no_keyring):
    """Issue 12 item 7: a custom SMTP server comes back with its address (even after a failed send);
    another address keeps its own server; QSettings never holds the password."""
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the send fails at once
    jobs.set_synchronous(True)
    try:
        d = mail_dialog.MailDialog(session, package)
        qtbot.addWidget(d)
        _fill_custom(qtbot, d, port)
        d.security_combo.setCurrentIndex(d.security_combo.findData("starttls"))
        d.port_spin.setValue(port)
        d.send()
        qtbot.waitUntil(lambda: d.job is None, timeout=20000)
        assert "发送失败" in d.status_label.text()
        d.close()
    finally:
        jobs.set_synchronous(False)

    d2 = mail_dialog.MailDialog(session, package)
    qtbot.addWidget(d2)
    d2.account_edit.clear()
    qtbot.keyClicks(d2.account_edit, "other@qq.com")
    d2.account_edit.editingFinished.emit()
    assert d2.preset_combo.currentData() == "qq" and d2.host_edit.text() == "smtp.qq.com"
    d2.account_edit.clear()
    qtbot.keyClicks(d2.account_edit, ACCOUNT.upper())
    d2.account_edit.editingFinished.emit()
    assert d2.preset_combo.currentData() == "custom"
    assert (d2.host_edit.text(), d2.port_spin.value(), d2.security_combo.currentData()) == ("127.0.0.1", port, "starttls")
    from PySide6.QtCore import QSettings

    stored = QSettings()
    assert all(PASSWORD not in str(stored.value(k)) for k in stored.allKeys())
