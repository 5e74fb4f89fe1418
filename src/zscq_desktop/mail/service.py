"""Sending the package zip over SMTP: encrypted, verified, and explained in Chinese when it fails.

Only two ways to connect exist: implicit TLS (``ssl``, port 465, `smtplib.SMTP_SSL`) and STARTTLS
(``starttls``, port 587). The server certificate is always verified against the system's trust
store (``cafile`` exists only so tests can trust a throw-away certificate); when a server does not
offer STARTTLS we stop instead of sending the password in plain text.

The exact bytes that were sent are saved as ``<zip stem>.eml`` beside the zip as proof, and a send
record (time, recipient, Message-ID, the package's SHA-256) is returned for the document. The
password is never logged, never written to a file and never part of an error message.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from zscq_desktop.mail.message import MailError, compose, default_recipient, human_size, mailto_url, read_package
from zscq_desktop.mail.presets import SECURITIES
from zscq_desktop.store.files import atomic_write

__all__ = ["MailError", "SendCancelled", "SendResult", "compose", "default_recipient", "mailto_url", "send_package"]

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]
_CHUNK = 256 * 1024  # the message goes out in slices: upload progress, and cancel between slices
# What we say in EHLO: smtplib would announce this computer's network name otherwise.
_EHLO_NAME = "[127.0.0.1]"
_AUTH_HINT = "163/QQ 邮箱需使用授权码而非登录密码：请在网页版邮箱的设置中开启 SMTP 服务并获取授权码。"
_SIZE_WORDS = ("size", "too large", "too big", "exceed", "limit")


class SendCancelled(MailError):
    """The user cancelled; the server got no complete message (the connection was cut mid-data)."""

    def __init__(self) -> None:
        super().__init__("已取消发送，邮件未发出。")


class _Sliced:
    """Mixin for smtplib's SMTP classes: send big payloads (the DATA) in slices, reporting each."""

    on_slice: Callable[[int, int], None] | None = None  # (bytes sent, total); may raise SendCancelled

    def send(self, s: bytes | str) -> None:
        watch = self.on_slice
        if watch is None or len(s) <= _CHUNK:
            return super().send(s)  # type: ignore[misc]
        data = s.encode(self.command_encoding) if isinstance(s, str) else s  # type: ignore[attr-defined]
        # Watched before each slice only: the last slice ends with the terminating ".", so after
        # it a cancel would come too late to stop the message.
        for start in range(0, len(data), _CHUNK):
            watch(start, len(data))
            super().send(data[start:start + _CHUNK])  # type: ignore[misc]


class _SMTP(_Sliced, smtplib.SMTP):
    pass


class _SMTPSSL(_Sliced, smtplib.SMTP_SSL):
    pass


@dataclass
class SendResult:
    """A delivered message.

    Attributes:
        record: ``{"time","to","from","message_id","package","package_sha256","size", …}`` for
            ``submission.sends``; file names only, never local paths.
        eml_path: where the sent message was saved (beside the zip; in the user data folder when
            that folder is not writable); None only if it could be saved nowhere.
    """

    record: dict
    eml_path: Path | None


def send_package(zip_path: Path, *, account: str, password: str, to: str | None = None, host: str, port: int,
                 security: str, timeout: float = 60, cafile: str | None = None,
                 progress: Progress | None = None, cancel: Cancel | None = None) -> SendResult:
    """Connect, log in, send the package and save the sent message as ``.eml`` beside the zip.

    Args:
        zip_path: the exported package (must contain ``manifest.json``).
        account: the sender's mailbox address, also the SMTP user name.
        password: password or 授权码; used for this login only.
        to: recipient, by default the call's address.
        host, port, security: the server; ``security`` is ``"ssl"`` or ``"starttls"``.
        timeout: seconds allowed for each network step.
        cafile: extra trusted certificates (tests only; verification itself is never switched off).
        progress: optional ``(fraction, message)`` callback, also during the upload.
        cancel: optional; returning True stops before login or between upload slices.

    Raises:
        SendCancelled: ``cancel`` returned True; nothing was delivered.
        MailError: with a Chinese explanation; nothing was delivered (or the server said so).
    """
    report = progress or (lambda _f, _m: None)
    cancelled = cancel or (lambda: False)
    if security not in SECURITIES:
        raise MailError(f"不支持的加密方式“{security}”：只能选择 SSL（465 端口）或 STARTTLS（587 端口）。")
    if not host.strip():
        raise MailError("请填写 SMTP 服务器地址（可向邮箱服务商或贵单位邮箱管理员询问）。")
    if not password:
        raise MailError("请填写邮箱的授权码或密码。")
    summary = read_package(zip_path)
    to = to or default_recipient(summary)
    msg = compose(zip_path, sender=account, to=to, summary=summary)
    data = msg.as_bytes()  # the SMTP policy: CRLF line ends, exactly what goes over the wire
    context = ssl.create_default_context(cafile=cafile)
    failure: MailError | None = None
    smtp: smtplib.SMTP | None = None
    sent = False

    def on_slice(done: int, total: int) -> None:
        if cancelled():
            raise SendCancelled()
        report(0.3 + 0.6 * done / total, f"正在上传 {human_size(done)} / {human_size(total)}")

    try:
        if cancelled():
            raise SendCancelled()
        report(0.05, f"正在连接 {host}:{port}")
        smtp = _connect(host.strip(), port, security, timeout, context)
        if cancelled():
            raise SendCancelled()
        report(0.2, "正在登录邮箱")
        smtp.login(account.strip(), password)
        limit = str(smtp.esmtp_features.get("size", "")).strip()
        if limit.isdigit() and int(limit) > 0 and len(data) > int(limit):
            raise MailError(_size_message(len(data), int(limit)))
        report(0.3, f"正在发送（{human_size(len(data))}）")
        smtp.on_slice = on_slice  # type: ignore[attr-defined]
        smtp.sendmail(account.strip(), [to.strip()], data)
        sent = True
    except MailError as exc:
        failure = exc
    except (OSError, UnicodeError) as exc:  # smtplib and ssl errors are OSErrors
        # Built here, raised below, so the original exception (which may hold the AUTH string)
        # is not chained to what the caller sees.
        failure = _translate(exc, host=host, port=port, security=security, timeout=timeout,
                             secrets=_secret_forms(account.strip(), password), size=len(data))
    finally:
        if smtp is not None:
            # After a cancel mid-data a QUIT would only become part of the message: just hang up.
            _close(smtp, polite=not isinstance(failure, SendCancelled))
    if failure is not None or not sent:
        log.info("发送失败：%s", failure)
        raise failure or MailError("发送未完成。")
    report(0.9, "正在保存已发送邮件")
    eml = _save_eml(Path(zip_path), data)
    record = {
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        "to": to.strip(), "from": account.strip(), "message_id": str(msg["Message-ID"]),
        "subject": str(msg["Subject"]), "package": summary.name, "package_sha256": summary.sha256,
        "size": summary.size, "message_size": len(data), "server": f"{host.strip()}:{port}",
        "eml": eml.name if eml else "",
    }
    log.info("已发送 %s 至 %s（%s）", summary.name, to, record["message_id"])
    report(1.0, "发送完成")
    return SendResult(record, eml)


def _connect(host: str, port: int, security: str, timeout: float, context: ssl.SSLContext) -> smtplib.SMTP:
    if security == "ssl":
        return _SMTPSSL(host, port, local_hostname=_EHLO_NAME, timeout=timeout, context=context)
    smtp = _SMTP(host, port, local_hostname=_EHLO_NAME, timeout=timeout)
    try:
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            raise MailError(f"服务器 {host}:{port} 不支持 STARTTLS 加密。为保护授权码，本软件不会以明文连接发送；"
                            "请改用 SSL 加密（通常为 465 端口），或向邮箱服务商确认加密方式。")
        smtp.starttls(context=context)
        smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP, *, polite: bool = True) -> None:
    # QUIT is a courtesy: once the server has accepted the message, a failing QUIT changes nothing.
    try:
        if polite:
            smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass
    smtp.close()


def _secret_forms(account: str, password: str) -> list[str]:
    """The password as it may appear in a server reply: plain and as the AUTH PLAIN/LOGIN base64."""
    forms = [password]
    for raw in (password, f"\0{account}\0{password}", f"{account}\0{account}\0{password}"):
        try:
            forms.append(base64.b64encode(raw.encode("utf-8")).decode("ascii"))
        except UnicodeError:
            pass
    return [f for f in forms if f]


def _reply(code: int | None, text: bytes | str | None, secrets: list[str]) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(str(text or "").split())
    for secret in secrets:
        text = text.replace(secret, "***")
    text = text[:200]
    return f"{code} {text}".strip() if code else text


def _size_message(size: int, limit: int | None = None) -> str:
    allowed = f"，服务器允许的上限约为 {human_size(limit)}" if limit else ""
    return (f"邮件过大，被服务器拒收：本邮件约 {human_size(size)}（附件经编码后比压缩包大约三分之一）{allowed}。"
            "可在导出时降低扫描件的分辨率以缩小压缩包，或换用附件上限更大的邮箱；仍然过大时，请电话联系受理单位"
            "询问是否可以分多封邮件发送。")


def _translate(exc: BaseException, *, host: str, port: int, security: str, timeout: float,
               secrets: list[str], size: int) -> MailError:
    """A Chinese `MailError` for what smtplib, ssl and socket raise."""
    where = f"{host}:{port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError(f"登录失败：用户名或授权码错误（服务器返回：{_reply(exc.smtp_code, exc.smtp_error, secrets)}）。"
                         + _AUTH_HINT)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{addr}（{_reply(code, text, secrets)}）" for addr, (code, text) in exc.recipients.items()]
        return MailError(f"收件地址被服务器拒绝：{'；'.join(parts)}。请检查收件人地址是否填写正确。")
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        reply = _reply(exc.smtp_code, exc.smtp_error, secrets)
        if exc.smtp_code == 552 or any(w in reply.lower() for w in _SIZE_WORDS):
            return MailError(_size_message(size) + f"（服务器返回：{reply}）")
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return MailError(f"发件地址 {exc.sender} 被服务器拒绝（{reply}）。请确认该邮箱已开启 SMTP 服务，"
                             "且发件地址与登录账号一致。")
        return MailError(f"邮件被服务器拒收（{reply}）。可能被判定为垃圾邮件或超出发送频率，请稍后再试，"
                         "或登录网页版邮箱查看提示。")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "auth" in str(exc).lower():
            return MailError(f"服务器 {where} 不支持登录认证（AUTH），无法用账号发送。请检查服务器地址和端口。")
        return MailError(f"服务器 {where} 不支持本邮件需要的功能（{_reply(None, str(exc), secrets)}）。"
                         "发件和收件地址请只使用英文字符。")
    if isinstance(exc, smtplib.SMTPServerDisconnected) and (
            isinstance(exc.__context__, TimeoutError) or "timed out" in str(exc)):
        exc = TimeoutError()  # smtplib reports a read timeout as a disconnection
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailError(f"与服务器 {where} 的连接意外中断。请检查网络后重试；邮件较大时，部分服务器也会直接断开连接。")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError(f"服务器 {where} 返回错误：{_reply(exc.smtp_code, exc.smtp_error, secrets)}。")
    if isinstance(exc, smtplib.SMTPException):
        return MailError(f"发送失败：{_reply(None, str(exc), secrets)}。")
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = _reply(None, exc.verify_message or exc.reason or "", secrets)
        return MailError(f"无法验证服务器 {host} 的安全证书（{reason}）。为保护授权码，已停止连接。"
                         "请检查服务器地址是否填写正确、电脑的日期和时间是否准确，或网络是否经过会拦截加密连接的代理。")
    if isinstance(exc, ssl.SSLError):
        other = "STARTTLS（587 端口）" if security == "ssl" else "SSL（465 端口）"
        return MailError(f"与服务器 {where} 建立加密连接失败（{_reply(None, exc.reason or str(exc), secrets)}）。"
                         f"请确认端口与加密方式相符，必要时改用 {other}。")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return MailError(f"连接服务器 {where} 超时（{timeout:g} 秒内无响应）。请检查网络、服务器地址和端口；"
                         "465 端口通常须选 SSL，587 端口须选 STARTTLS。")
    if isinstance(exc, ConnectionRefusedError):
        return MailError(f"服务器 {where} 拒绝连接。请检查服务器地址和端口是否正确，或网络（防火墙）是否允许外发邮件。")
    if isinstance(exc, socket.gaierror):
        return MailError(f"找不到服务器 {host}。请检查服务器地址是否填写正确，以及电脑是否已联网。")
    if isinstance(exc, UnicodeError):
        return MailError("账号或授权码中含有中文或全角字符，邮件服务器无法识别。请检查后重新输入（授权码一般为英文字母和数字）。")
    if isinstance(exc, OSError):
        return MailError(f"网络错误，无法连接服务器 {where}（{exc.strerror or type(exc).__name__}）。请检查网络后重试。")
    return MailError(f"发送失败（{type(exc).__name__}）。")


def _free_name(folder: Path, stem: str) -> Path:
    target = folder / f"{stem}.eml"
    n = 2
    while target.exists():  # never overwrite the proof of an earlier send
        target = folder / f"{stem}-{n}.eml"
        n += 1
    return target


def _sent_folder() -> Path:
    try:
        from zscq_desktop.store.profiles import user_data_dir
    except ImportError:  # the store package is optional for the command line
        import platformdirs

        base = Path(os.environ.get("ZSCQ_USER_DIR") or platformdirs.user_data_dir("zscq-desktop", appauthor=False))
    else:
        base = user_data_dir()
    folder = base / "sent"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save_eml(zip_path: Path, data: bytes) -> Path | None:
    """Save the sent bytes beside the zip, else in the user data folder; the mail is sent either way."""
    for folder in (lambda: zip_path.parent, _sent_folder):
        try:
            target = _free_name(folder(), zip_path.stem)
            atomic_write(target, data)
            return target
        except OSError as exc:
            log.warning("无法保存已发送邮件：%s", exc.strerror or type(exc).__name__)
    return None
