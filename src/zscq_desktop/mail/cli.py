"""``zscq-desktop send ZIP --to … --account …``: send the package from the command line.

The server comes from ``--preset`` (or is guessed from the account's domain) and may be
overridden with ``--host/--port/--security``. The password/授权码 is taken from ``--password-stdin``
when given, else from the keyring, else asked for on the terminal; with no terminal the command
stops (exit 2). ``--remember`` saves it in the keyring after a successful send — never in a file.

Exit codes: 0 sent, 1 the send failed (`MailError`), 2 unusable input.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from zscq_desktop.mail import secrets
from zscq_desktop.mail.message import MailError, default_recipient, is_address, mailto_note, mailto_url, read_package
from zscq_desktop.mail.presets import PRESETS, Preset, address_domain, default_port, guess_preset, preset_by_id
from zscq_desktop.mail.service import send_package

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def resolve_server(account: str, *, preset_id: str | None, host: str | None, port: int | None,
                   security: str | None) -> tuple[str, int, str, Preset | None]:
    """(host, port, security, preset) from the options; ValueError with a Chinese message if unknown.

    A port without a security choice implies it: 587 → STARTTLS, otherwise SSL.
    """
    preset: Preset | None = None
    if preset_id:
        preset = preset_by_id(preset_id)
        if preset is None:
            raise ValueError(f"未知的邮箱预设：{preset_id}。可选：{', '.join(p.id for p in PRESETS)}")
    elif not host:
        preset = guess_preset(account)
    server = (host or (preset.host if preset else "")).strip()
    if not server:
        raise ValueError(f"无法根据邮箱域名“{address_domain(account)}”判断 SMTP 服务器。请用 --preset 指定服务商"
                         f"（可选：{', '.join(p.id for p in PRESETS if p.host)}），或用 --host、--port、--security 指定服务器。")
    if security is None:
        if port:
            security = preset.security if preset and port == preset.port else ("starttls" if port == 587 else "ssl")
        else:
            security = preset.security if preset else "ssl"
    if not port:
        port = preset.port if preset and preset.security == security and preset.host else default_port(security)
    if not 0 < port < 65536:
        raise ValueError(f"端口号 {port} 无效。")
    return server, port, security, preset


def _password(args: argparse.Namespace, account: str) -> tuple[str | None, str]:
    """(password, where it came from: "stdin" | "keyring" | "prompt" | "")."""
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        return (line.rstrip("\r\n") or None), "stdin"
    saved = secrets.get_password(account)
    if saved:
        return saved, "keyring"
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(f"{account} 的授权码/密码（输入时不显示）：") or None, "prompt"
        except (EOFError, KeyboardInterrupt):
            return None, "prompt"
    return None, ""


def _verify(zip_path: Path) -> list[str]:
    """Reasons the package is not intact, empty if it is (or no verifier is installed)."""
    try:
        from zscq_desktop.package.verify import verify_package
    except ImportError:
        return []
    try:
        return [str(f) for f in verify_package(zip_path) if f.blocking]
    except Exception as exc:  # the verifier must not crash the command; refusing to send is the safe side
        return [f"校验压缩包时出错（{type(exc).__name__}）"]


def _record_in_document(path: Path, record: dict) -> str | None:
    """Append the send record to a .zscq document; a Chinese reason when that fails."""
    try:
        from zscq_desktop.store.document import Document, DocumentError
    except ImportError:
        return "本程序不含文档存储模块"
    try:
        with Document.open(path) as doc:
            submission = doc.load()
            submission.setdefault("sends", []).append(record)
            doc.save(submission)
    except (DocumentError, OSError) as exc:
        return str(exc)
    return None


def run_send(args: argparse.Namespace) -> int:
    """The ``send`` command; returns the exit code."""
    zip_path = Path(args.zip)
    if not zip_path.is_file():
        _err(f"找不到要发送的压缩包：{zip_path}")
        return EXIT_INPUT
    try:
        summary = read_package(zip_path)
        to = (args.to or default_recipient(summary)).strip()
    except MailError as exc:
        _err(str(exc))
        return EXIT_INPUT
    if not is_address(to):
        _err(f"收件地址“{to}”不是有效的电子邮箱地址。")
        return EXIT_INPUT
    if getattr(args, "mailto", False):
        print(mailto_url(zip_path, to))
        _err(mailto_note(zip_path))
        return EXIT_OK
    problems = _verify(zip_path)
    if problems:
        _err("压缩包校验未通过，未发送（请重新导出）：")
        for p in problems:
            _err("  " + p)
        return EXIT_INPUT
    account = (args.account or "").strip()
    if not account:
        _err("请用 --account 指定发件邮箱地址（也是登录 SMTP 服务器的账号）。")
        return EXIT_INPUT
    if not is_address(account):
        _err(f"发件邮箱“{account}”不是有效的电子邮箱地址。")
        return EXIT_INPUT
    try:
        host, port, security, preset = resolve_server(account, preset_id=args.preset, host=args.host,
                                                      port=args.port, security=args.security)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_INPUT
    password, source = _password(args, account)
    if not password:
        _err("没有授权码/密码：钥匙串中未保存，也无法在终端询问。请用 --password-stdin 从标准输入提供（不会被保存）。")
        if preset and preset.note:
            _err(preset.note)
        return EXIT_INPUT
    print(f"正在通过 {host}:{port}（{'SSL' if security == 'ssl' else 'STARTTLS'}）把 {zip_path.name} 发送至 {to} …",
          file=sys.stderr)
    try:
        result = send_package(zip_path, account=account, password=password, to=to, host=host, port=port,
                              security=security, timeout=float(getattr(args, "timeout", None) or 60))
    except MailError as exc:
        _err(f"发送失败：{exc}")
        if source == "keyring":
            _err("（使用的是钥匙串中保存的授权码；如已更换，请加 --password-stdin 重新输入。）")
        return EXIT_FAILED
    rec = result.record
    print(f"已发送至 {rec['to']}：{rec['subject']}")
    print(f"Message-ID：{rec['message_id']}")
    print(f"压缩包 SHA-256：{rec['package_sha256']}")
    print(f"已发送邮件保存为：{result.eml_path}" if result.eml_path else "注意：已发送邮件未能保存为 .eml（磁盘不可写）。")
    if getattr(args, "remember", False) and source != "keyring":
        if secrets.set_password(account, password):
            print("授权码已保存到系统钥匙串。")
        else:
            _err("系统钥匙串不可用，授权码未保存，下次发送时需重新输入。")
    document = getattr(args, "document", None)
    if document:
        reason = _record_in_document(Path(document), rec)
        if reason:
            _err(f"邮件已发送，但发送记录未能写入 {document}：{reason}")
        else:
            print(f"发送记录已写入：{document}")
    return EXIT_OK
