"""The e-mail dialog: send the exported zip from the user's own mailbox over SMTP (TLS only).

The user gives the mailbox address; the provider preset (163, QQ, enterprise mail…) is guessed
from it and fills server, port and encryption, which are editable only for 其他邮箱.  The
password / 授权码 comes from the OS keyring when one was saved, and is saved there only when the
user ticks 记住授权码 and a real keyring exists.  Subject and body are shown before sending
(`mail.service.compose`).  Sending runs in a background job; on success the send is recorded in
the document (`Session.record_send`) and the dialog says where the ``.eml`` proof was saved.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QProgressBar, QSpinBox, QVBoxLayout, QWidget)

from zscq_desktop.mail import presets, secrets
from zscq_desktop.ui import jobs, settings
from zscq_desktop.ui.widgets import dialogs

log = logging.getLogger(__name__)

_SECURITY_LABELS = {"ssl": "SSL（通常 465 端口）", "starttls": "STARTTLS（通常 587 端口）"}
# Preferences of this dialog, declared like those of `ui.settings` (no secrets: the 授权码 lives
# only in the keyring).
MAIL_ACCOUNT = settings.Setting("prefs/mail_account", str, "")
MAIL_PRESET = settings.Setting("prefs/mail_preset", str, "")
MAIL_HOST = settings.Setting("prefs/mail_host", str, "")
MAIL_PORT = settings.Setting("prefs/mail_port", int, 465)
MAIL_SECURITY = settings.Setting("prefs/mail_security", str, "ssl")
# The server of each sending address (JSON: address → preset, host, port, security), kept when the
# user sends, so a custom SMTP server comes back with its address. Never the password.
MAIL_SERVERS = settings.Setting("prefs/mail_servers", str, "{}")


def saved_server(account: str) -> dict | None:
    """The server settings last used with `account` (case-insensitive), or None."""
    import json

    try:
        servers = json.loads(settings.get(MAIL_SERVERS) or "{}")
    except ValueError:
        return None
    entry = servers.get(account.strip().lower()) if isinstance(servers, dict) else None
    return entry if isinstance(entry, dict) else None


def save_server(account: str, preset: str, host: str, port: int, security: str) -> None:
    import json

    try:
        servers = json.loads(settings.get(MAIL_SERVERS) or "{}")
    except ValueError:
        servers = {}
    if not isinstance(servers, dict):
        servers = {}
    servers[account.strip().lower()] = {"preset": preset, "host": host, "port": int(port), "security": security}
    settings.put(MAIL_SERVERS, json.dumps(servers, ensure_ascii=False))


class MailDialog(QDialog):
    """Send ``zip_path`` by e-mail for ``session`` (a `ui.session.Session`).

    Attributes:
        cafile: extra trusted certificates passed to `send_package` (tests only).
        job: the running send job, None when idle.
        result: the `SendResult` after a successful send.
    """

    def __init__(self, session: Any, zip_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.zip_path = Path(zip_path)
        self.cafile: str | None = None
        self.timeout = 60.0
        self.job: jobs.Job | None = None
        self.result: Any = None
        self.setWindowTitle("通过电子邮件报送")
        self.setMinimumWidth(560)
        self._build()
        self._prefill()

    # ---- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.account_edit = QLineEdit()
        self.account_edit.setPlaceholderText("例如 zhangsan@163.com")
        self.preset_combo = QComboBox()
        for p in presets.PRESETS:
            self.preset_combo.addItem(p.name, p.id)
        self.host_edit = QLineEdit()
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.security_combo = QComboBox()
        for key, label in _SECURITY_LABELS.items():
            self.security_combo.addItem(label, key)
        server = QHBoxLayout()
        server.addWidget(self.host_edit, 1)
        server.addWidget(QLabel("端口"))
        server.addWidget(self.port_spin)
        server.addWidget(self.security_combo)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setObjectName("hint")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("163/QQ 邮箱请填写授权码，不是登录密码")
        self.remember_box = QCheckBox("记住授权码（保存到系统钥匙串）")
        if not secrets.keyring_available():
            self.remember_box.setEnabled(False)
            self.remember_box.setToolTip("本机没有可用的系统钥匙串（如 Windows 凭据管理器），为安全起见不把授权码写入普通文件。")
            self.remember_box.setText("记住授权码（不可用：本机没有可用的系统钥匙串，每次发送时需重新填写）")
        self.to_edit = QLineEdit(self.session.call.submit_email)

        form = QFormLayout()
        form.addRow("发件邮箱：", self.account_edit)
        form.addRow("邮箱服务商：", self.preset_combo)
        form.addRow("SMTP 服务器：", server)
        form.addRow("", self.note_label)
        form.addRow("授权码/密码：", self.password_edit)
        form.addRow("", self.remember_box)
        form.addRow("收件人：", self.to_edit)
        self.recipient_note = QLabel()  # the address, always shown; a warning when it is not the usual one
        self.recipient_note.setWordWrap(True)
        form.addRow("", self.recipient_note)

        self.subject_label = QLabel()
        self.subject_label.setWordWrap(True)
        self.subject_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body_view = QPlainTextEdit()
        self.body_view.setReadOnly(True)
        self.body_view.setMinimumHeight(140)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.send_button = self.buttons.addButton("发送", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(f"附件：{self.zip_path.name}"))
        layout.addWidget(self.subject_label)
        layout.addWidget(self.body_view, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

        self.account_edit.editingFinished.connect(self._account_done)
        self.account_edit.textChanged.connect(self._guess)
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        self.security_combo.currentIndexChanged.connect(self._security_changed)
        self.to_edit.textChanged.connect(self._refresh_preview)
        self.account_edit.textChanged.connect(self._refresh_preview)
        self.password_edit.textChanged.connect(self._update_send)
        self._preset_changed()

    def _prefill(self) -> None:
        sends = list(getattr(self.session.submission, "sends", []) or [])
        account = (sends[-1].get("from") if sends else "") or settings.get(MAIL_ACCOUNT)
        if not account:
            account = str(self.session.submission.get("form.cover.contact_email") or "")
        preset_id = settings.get(MAIL_PRESET)
        self.account_edit.setText(account)
        self._guess(account)
        if preset_id and (not presets.guess_preset(account)) and presets.preset_by_id(preset_id):
            self._select_preset(preset_id)
            if preset_id == "custom":
                self.host_edit.setText(settings.get(MAIL_HOST))
                self.port_spin.setValue(settings.get(MAIL_PORT))
                self._select_security(settings.get(MAIL_SECURITY))
        self._account_done()
        self._refresh_preview()

    # ---- reactions ------------------------------------------------------------------------------
    def _preset(self) -> presets.Preset:
        return presets.preset_by_id(self.preset_combo.currentData()) or presets.PRESETS[-1]

    def _select_preset(self, preset_id: str) -> None:
        i = self.preset_combo.findData(preset_id)
        if i >= 0:
            self.preset_combo.setCurrentIndex(i)

    def _select_security(self, security: str) -> None:
        i = self.security_combo.findData(security)
        if i >= 0:
            self.security_combo.setCurrentIndex(i)

    def _guess(self, address: str) -> None:
        guessed = presets.guess_preset(address)
        if guessed is not None:
            self._select_preset(guessed.id)

    def _preset_changed(self, *_: object) -> None:
        p = self._preset()
        custom = p.id == "custom"
        if not custom:
            self.host_edit.setText(p.host)
            self.port_spin.setValue(p.port)
            self._select_security(p.security)
        for w in (self.host_edit, self.port_spin, self.security_combo):
            w.setEnabled(custom)
        self.note_label.setText(p.note)
        self._update_send()

    def _security_changed(self, *_: object) -> None:
        if self._preset().id == "custom":
            security = self.security_combo.currentData()
            if self.port_spin.value() in presets.DEFAULT_PORTS.values():
                self.port_spin.setValue(presets.default_port(security))

    def _account_done(self) -> None:
        """Fill the server last used with this address and its saved 授权码, if any."""
        account = self.account_edit.text().strip()
        server = saved_server(account) if account else None
        if server and presets.preset_by_id(str(server.get("preset"))):
            self._select_preset(str(server["preset"]))
            if server["preset"] == "custom":
                self.host_edit.setText(str(server.get("host") or ""))
                self.port_spin.setValue(int(server.get("port") or 465))
                self._select_security(str(server.get("security") or "ssl"))
        saved = secrets.get_password(account) if account else None
        if saved and not self.password_edit.text():
            self.password_edit.setText(saved)
            self.remember_box.setChecked(True)
        self._update_send()

    def _refresh_preview(self, *_: object) -> None:
        from zscq_desktop.mail.service import MailError, compose

        account, to = self.account_edit.text().strip(), self.to_edit.text().strip()
        from zscq_desktop.ui.call_dialogs import WARN_STYLE, recipient_note

        note, warn = recipient_note(self.session.call, to)
        self.recipient_note.setText(note)
        self.recipient_note.setStyleSheet(WARN_STYLE if warn else "")
        try:
            msg = compose(self.zip_path, sender=account or "example@example.com", to=to)
        except MailError as exc:
            self.subject_label.setText(f"无法生成邮件：{exc}")
            self.body_view.setPlainText("")
            self._update_send()
            return
        self.subject_label.setText(f"主题：{msg['Subject']}")
        body = msg.get_body(preferencelist=("plain",))
        self.body_view.setPlainText(body.get_content() if body is not None else "")
        self._update_send()

    def _update_send(self, *_: object) -> None:
        busy = self.job is not None
        ready = bool(self.account_edit.text().strip() and self.password_edit.text() and self.to_edit.text().strip()
                     and self.host_edit.text().strip()) and not self.subject_label.text().startswith("无法生成")
        self.send_button.setEnabled(ready and not busy)

    # ---- sending ----------------------------------------------------------------------------------
    def send(self) -> jobs.Job | None:
        """Start sending in the background; returns the job (None when inputs are missing)."""
        if self.job is not None:
            return None
        from zscq_desktop.mail.service import send_package

        account, password = self.account_edit.text().strip(), self.password_edit.text()
        to, host = self.to_edit.text().strip(), self.host_edit.text().strip()
        port, security = self.port_spin.value(), str(self.security_combo.currentData())
        if not (account and password and to and host):
            self.status_label.setText("请填写发件邮箱、授权码/密码、服务器和收件人。")
            return None
        zip_path, cafile, timeout = self.zip_path, self.cafile, self.timeout
        save_server(account, self._preset().id, host, port, security)  # kept even when this send fails

        def work(progress, _cancelled):
            return send_package(zip_path, account=account, password=password, to=to, host=host, port=port,
                                security=security, timeout=timeout, cafile=cafile, progress=progress)

        self.status_label.setText("正在连接邮件服务器……")
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._set_inputs(False)
        self.job = jobs.run_job(work, parent=self)
        self.job.progress.connect(self._on_progress)
        self.job.succeeded.connect(self._on_sent)
        self.job.failed.connect(self._on_failed)
        self._update_send()
        return self.job

    def _set_inputs(self, enabled: bool) -> None:
        for w in (self.account_edit, self.preset_combo, self.password_edit, self.to_edit, self.close_button):
            w.setEnabled(enabled)
        if secrets.keyring_available():
            self.remember_box.setEnabled(enabled)
        custom = self._preset().id == "custom"
        for server_widget in (self.host_edit, self.port_spin, self.security_combo):
            server_widget.setEnabled(enabled and custom)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if text:
            self.status_label.setText(text + "……")

    def _on_sent(self, result: Any) -> None:
        self.job = None
        self.result = result
        self.progress.setVisible(False)
        self._set_inputs(True)
        account = self.account_edit.text().strip()
        self.session.record_send(result.record)
        self._remember(account)
        where = f"\n已发送邮件的副本（.eml）保存在：{result.eml_path}" if result.eml_path else ""
        text = f"已发送到 {result.record.get('to', '')}。{where}\n发送记录已保存在申报文件中。"
        self.status_label.setText(text)
        self.send_button.setText("再次发送")
        self._update_send()
        dialogs.inform(self, "发送成功", text)

    def _on_failed(self, exc: BaseException) -> None:
        from zscq_desktop.mail.service import MailError

        self.job = None
        self.progress.setVisible(False)
        self._set_inputs(True)
        if isinstance(exc, MailError):
            text = str(exc)
        else:
            log.error("sending failed", exc_info=exc)
            text = f"发送时发生意外错误（{type(exc).__name__}），邮件没有发出。详细信息已写入日志。"
        self.status_label.setText(f"发送失败：{text}")
        self._update_send()

    def _remember(self, account: str) -> None:
        p = self._preset()
        settings.put(MAIL_ACCOUNT, account)
        settings.put(MAIL_PRESET, p.id)
        if p.id == "custom":
            settings.put(MAIL_HOST, self.host_edit.text().strip())
            settings.put(MAIL_PORT, self.port_spin.value())
            settings.put(MAIL_SECURITY, str(self.security_combo.currentData()))
        if self.remember_box.isChecked() and self.remember_box.isEnabled():
            if not secrets.set_password(account, self.password_edit.text()):
                self.status_label.setText(self.status_label.text() + "\n（授权码未能保存到钥匙串，下次需重新填写。）")
        else:
            secrets.delete_password(account)

    # ---- closing while busy -----------------------------------------------------------------------
    def reject(self) -> None:
        if self.job is not None:
            self.status_label.setText("正在发送，请等待发送完成（最长约一分钟）。")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 — Qt override
        if self.job is not None:
            event.ignore()
            self.status_label.setText("正在发送，请等待发送完成（最长约一分钟）。")
            return
        super().closeEvent(event)
