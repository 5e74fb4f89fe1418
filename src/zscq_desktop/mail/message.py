"""The e-mail that carries the electronic copy: subject, Chinese body, the zip attached.

Everything the message says is read from the zip itself — its ``manifest.json`` (unit, direction,
version stamp, every file with size and SHA-256) and the submission JSON inside it (the contact
person) — so the mail always describes exactly the package it carries. Also the ``mailto:``
fallback for users who prefer their own mail client (there the zip must be attached by hand).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zscq_desktop import APP_TITLE, __version__
from zscq_desktop.mail.presets import address_domain
from zscq_desktop.package.ziplimits import MAX_MEMBER_BYTES, ZipLimitError, open_zip, read_member

MANIFEST = "manifest.json"
_MAX_JSON = 10 * 1024 * 1024  # a manifest or submission JSON larger than this is not ours
_MAILTO_LIMIT = 1900  # Windows hands at most ~2 000 characters of a URL to the mail client
_ADDRESS = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


class MailError(Exception):
    """Composing or sending failed; the message is plain Chinese and never contains a password."""


@dataclass
class PackageSummary:
    """What a package zip holds, as far as the mail needs it."""

    path: Path
    size: int
    sha256: str
    call_id: str
    call_title: str
    direction_name: str
    unit_name: str
    stamp: str
    files: list[dict[str, Any]]
    contact: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name


def is_address(text: str) -> bool:
    """A plausible single e-mail address (what SMTP servers accept; no display name)."""
    return bool(_ADDRESS.match(text.strip()))


def human_size(size: int) -> str:
    """1536 → '1.5 KB'; sizes the way a file manager shows them."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.2f} MB"


def _clean(text: Any) -> str:
    # Header values must not contain line breaks (header injection); collapse all whitespace.
    return " ".join(str(text or "").split())


def _read_json(zf: zipfile.ZipFile, name: str, what: str) -> Any:
    info = zf.getinfo(name)
    if info.file_size > _MAX_JSON:
        raise MailError(f"压缩包中的{what} {name} 异常地大（{human_size(info.file_size)}），不是本软件生成的文件。")
    try:
        return json.loads(read_member(zf, info, _MAX_JSON).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, RecursionError, OSError):
        raise MailError(f"压缩包中的{what} {name} 已损坏，无法读取。请重新导出后再发送。") from None


def _contact(zf: zipfile.ZipFile, listed: list[str]) -> dict[str, str]:
    """Contact person from the submission JSON in the zip; empty when there is none."""
    names = [n for n in listed + zf.namelist() if n.lower().endswith(".json") and n != MANIFEST]
    for name in dict.fromkeys(names):  # in order, once each
        try:
            data = _read_json(zf, name, "申报数据")
        except (MailError, KeyError):
            continue
        if isinstance(data, dict) and isinstance(data.get("form"), dict):
            cover = data["form"].get("cover")
            cover = cover if isinstance(cover, dict) else {}
            return {k: _clean(cover.get(f"contact_{k}")) for k in ("name", "phone", "email")}
    return {}


def read_package(zip_path: Path) -> PackageSummary:
    """Read the manifest and the contact person of an exported package zip.

    Raises:
        MailError: the file is missing, not a zip, or has no usable ``manifest.json``.
    """
    zip_path = Path(zip_path)
    try:
        if zip_path.stat().st_size > MAX_MEMBER_BYTES:  # before reading it into memory
            raise MailError(f"{zip_path.name} 有 {human_size(zip_path.stat().st_size)}，远超电子邮件能携带的大小，"
                            "不是本软件导出的电子版压缩包。")
        data = zip_path.read_bytes()
    except FileNotFoundError:
        raise MailError(f"找不到要发送的压缩包：{zip_path}") from None
    except OSError as exc:
        raise MailError(f"无法读取压缩包 {zip_path}（{exc.strerror or type(exc).__name__}）。") from None
    try:
        with open_zip(io.BytesIO(data), zip_path.name) as zf:
            if MANIFEST not in zf.namelist():
                raise MailError(f"{zip_path.name} 中没有清单 manifest.json，不是本软件导出的电子版压缩包。"
                                "请用“导出”重新生成后再发送。")
            manifest = _read_json(zf, MANIFEST, "清单")
            if not isinstance(manifest, dict):
                raise MailError(f"{zip_path.name} 中的清单 manifest.json 格式不对。请重新导出后再发送。")
            files = manifest.get("files")
            if not isinstance(files, list) or not all(isinstance(f, dict) and f.get("name") for f in files):
                raise MailError(f"{zip_path.name} 的清单缺少文件列表。请重新导出后再发送。")
            missing = [k for k in ("direction_name", "unit_name") if not _clean(manifest.get(k))]
            if missing:
                raise MailError(f"{zip_path.name} 的清单缺少{'、'.join(missing)}。请重新导出后再发送。")
            named = [str(manifest["submission"])] if isinstance(manifest.get("submission"), str) else []
            contact = _contact(zf, named + [str(f["name"]) for f in files])
    except ZipLimitError as exc:
        raise MailError(str(exc)) from None
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError, OSError):
        raise MailError(f"{zip_path.name} 不是有效的 zip 压缩包（文件可能不完整或已损坏）。请重新导出后再发送。") from None
    return PackageSummary(
        path=zip_path, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        call_id=_clean(manifest.get("call_id")), call_title=_clean(manifest.get("call_title")),
        direction_name=_clean(manifest["direction_name"]), unit_name=_clean(manifest["unit_name"]),
        stamp=_clean(manifest.get("stamp")),
        files=[{"name": _clean(f["name"]), "size": f.get("size"), "sha256": _clean(f.get("sha256"))} for f in files],
        contact=contact)


def _call_facts(summary: PackageSummary) -> tuple[str, int]:
    """The call's full title and number of paper copies, from its data folder (the package's
    own short title if that folder cannot be read)."""
    from zscq_desktop.call import CallDataError, load_call

    try:
        call = load_call(summary.call_id or None)
    except (CallDataError, OSError):
        return summary.call_title, 0
    return call.title, int(call.submission.get("copies", 0) or 0)


def subject_for(summary: PackageSummary) -> str:
    """``<call title>申报-<方向>-<单位>``, e.g. ``2023年天津市知识产权资助项目申报-…``."""
    return f"{_call_facts(summary)[0]}申报-{summary.direction_name}-{summary.unit_name}"


def _contact_lines(summary: PackageSummary) -> list[str]:
    c = summary.contact
    return [f"联系人：{c.get('name') or '（未填写）'}",
            f"联系电话：{c.get('phone') or '（未填写）'}",
            f"电子邮箱：{c.get('email') or '（未填写）'}"]


def _size_text(size: Any) -> str:
    return f"{human_size(size)}，{size:,} 字节" if isinstance(size, int) else "大小未知"


def _copies(summary: PackageSummary) -> str:
    n = _call_facts(summary)[1]
    from zscq_desktop.core.validators import chinese_count

    return f"一式{chinese_count(n)}份，" if n else ""


def body_for(summary: PackageSummary) -> str:
    """The Chinese body: unit, direction, contacts, every file with size and SHA-256."""
    lines = [
        "您好：",
        "",
        f"现报送{_call_facts(summary)[0]}申报电子版材料，请查收。纸质材料（{_copies(summary)}加盖公章）另行报送。",
        "",
        f"申报单位：{summary.unit_name}",
        f"支持方向：{summary.direction_name}",
    ]
    if summary.stamp:
        lines.append(f"版本标识：{summary.stamp}（与纸质材料每页页脚的版本标识一致）")
    lines += _contact_lines(summary)
    lines += ["", f"附件：{summary.name}（{_size_text(summary.size)}）", f"  SHA-256：{summary.sha256}", "",
              "压缩包内文件："]
    for i, f in enumerate(summary.files, 1):
        lines.append(f"{i}. {f['name']}（{_size_text(f.get('size'))}）")
        if f.get("sha256"):
            lines.append(f"   SHA-256：{f['sha256']}")
    lines += ["", f"SHA-256 值可用于核对附件在传输中未被改动。本邮件由“{APP_TITLE}”生成。", ""]
    return "\n".join(lines)


def default_recipient(summary: PackageSummary) -> str:
    """The address the package's call names for the electronic copy (``submit_email`` in
    ``forms/<call>/call.toml``), so a later year's call brings its own."""
    from zscq_desktop.call import CallDataError, load_call

    try:
        return load_call(summary.call_id or None).submit_email
    except (CallDataError, OSError) as exc:
        raise MailError(f"无法读取申报年度数据中的报送邮箱（{exc}），请直接填写收件人。") from None


def compose(zip_path: Path, *, sender: str, to: str | None = None,
            summary: PackageSummary | None = None) -> EmailMessage:
    """The complete message: headers, Chinese body and the zip attached under its Chinese name.

    The attachment name is encoded per RFC 2231 (``filename*=utf-8''…``), which 163/QQ webmail,
    Outlook, Foxmail and Thunderbird all read.

    Raises:
        MailError: the zip is unusable (see `read_package`) or an address is malformed.
    """
    summary = summary or read_package(zip_path)
    to = to or default_recipient(summary)
    for who, addr in (("发件", sender), ("收件", to)):
        if not is_address(addr):
            raise MailError(f"{who}地址“{_clean(addr)}”不是有效的电子邮箱地址。")
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject_for(summary)
    msg["From"] = formataddr((summary.unit_name, sender.strip()))
    msg["To"] = to.strip()
    msg["Date"] = format_datetime(datetime.now().astimezone())
    # make_msgid() would put this computer's name into the header; use the sender's domain instead.
    msg["Message-ID"] = make_msgid(domain=address_domain(sender) or "zscq-desktop.invalid")
    msg["X-Mailer"] = f"zscq-desktop {__version__}"
    # base64 body: safe through servers without 8BITMIME.
    msg.set_content(body_for(summary), charset="utf-8", cte="base64")
    data = Path(summary.path).read_bytes()
    if hashlib.sha256(data).hexdigest() != summary.sha256:
        raise MailError(f"{summary.name} 在读取过程中被改动了，请等导出完成后再发送。")
    msg.add_attachment(data, maintype="application", subtype="zip", filename=summary.name)
    return msg


def mailto_note(zip_path: Path) -> str:
    """What the user must do by hand after the mail client opens."""
    return (f"邮件客户端不会自动添加附件：请在打开的新邮件中手动添加压缩包 {Path(zip_path).name}"
            f"（位于 {Path(zip_path).parent}），核对收件人、主题和正文后再发送。")


def mailto_url(zip_path: Path, to: str | None = None) -> str:
    """A ``mailto:`` URL with subject and a shortened body, percent-encoded (RFC 6068).

    The body names the files without their hashes so the URL stays short enough for Windows.
    """
    summary = read_package(zip_path)
    to = to or default_recipient(summary)
    head = ["现报送电子版申报材料，请查收。", "", f"申报单位：{summary.unit_name}", f"支持方向：{summary.direction_name}"]
    if summary.stamp:
        head.append(f"版本标识：{summary.stamp}")
    head += _contact_lines(summary)
    tail = ["", f"【请手动添加附件 {summary.name}】", f"SHA-256：{summary.sha256}"]
    files = ["", "压缩包内文件："] + [f"{i}. {f['name']}（{_size_text(f.get('size')).split('，')[0]}）"
                                  for i, f in enumerate(summary.files, 1)]

    def url(lines: list[str]) -> str:
        body = "\r\n".join(lines)
        return f"mailto:{quote(to.strip(), safe='@')}?subject={quote(subject_for(summary), safe='')}" \
               f"&body={quote(body, safe='')}"

    full = url(head + files + tail)
    return full if len(full) <= _MAILTO_LIMIT else url(head + tail)
