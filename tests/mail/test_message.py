"""Composing the message and the mailto: URL from a package zip; presets and server resolution."""

from __future__ import annotations

import email
import json
import socket
import zipfile
from email import policy
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from mailkit import DIRECTION, RCPT, UNIT, USER, make_package, sha

from zscq_desktop.mail.cli import resolve_server
from zscq_desktop.mail.message import MailError, compose, human_size, mailto_note, mailto_url, read_package
from zscq_desktop.mail.presets import PRESETS, SECURITIES, guess_preset, preset_by_id

SUBJECT = f"2023年天津市知识产权资助项目申报-{DIRECTION}-{UNIT}"


def _parse(msg) -> email.message.EmailMessage:
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_subject_body_and_attachment(tmp_path):
    zip_path = make_package(tmp_path, extra_files=3)
    raw = compose(zip_path, sender=USER, to=RCPT).as_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == SUBJECT
    assert msg["To"] == RCPT and msg["From"].addresses[0].addr_spec == USER
    assert msg["From"].addresses[0].display_name == UNIT
    assert msg["Date"] and msg["Message-ID"].endswith("@example.com>")
    host = socket.gethostname()
    if len(host) > 6:  # this computer's name stays out of the message
        assert host.encode() not in raw
    body = msg.get_body(("plain",)).get_content()
    for text in (UNIT, DIRECTION, "赵示例", "022-23039856", "ip@example.com", "3F2A9C1D",
                 zip_path.name, sha(zip_path.read_bytes())):
        assert text in body
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert len(manifest["files"]) == 5
    for f in manifest["files"]:
        assert f["name"] in body and f["sha256"] in body and f"{f['size']:,} 字节" in body
    (part,) = list(msg.iter_attachments())
    assert part.get_content_type() == "application/zip"
    assert part.get_filename() == zip_path.name
    assert b"filename*0*=utf-8''2023" in raw  # RFC 2231, not a raw UTF-8 header
    assert part.get_content() == zip_path.read_bytes()
    assert all(ord(c) < 128 for c in raw.decode("ascii"))  # 7-bit clean: passes any relay


def test_header_injection_is_neutralised(tmp_path):
    zip_path = make_package(tmp_path, unit="恶意单位\r\nBcc: victim@example.net")
    msg = _parse(compose(zip_path, sender=USER, to=RCPT))
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "恶意单位 Bcc" in msg["Subject"]


def test_zip_without_manifest(tmp_path):
    with pytest.raises(MailError, match="没有清单 manifest.json"):
        compose(make_package(tmp_path, manifest=False), sender=USER, to=RCPT)


@pytest.mark.parametrize("content, match", [(b"PK\x03\x04 truncated", "不是有效的 zip"),
                                            (b"hello", "不是有效的 zip")])
def test_not_a_zip(tmp_path, content, match):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(content)
    with pytest.raises(MailError, match=match):
        read_package(bad)


def test_truncated_zip(tmp_path):
    zip_path = make_package(tmp_path)
    data = zip_path.read_bytes()
    zip_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MailError):
        read_package(zip_path)


@pytest.mark.parametrize("manifest, match", [("{not json", "已损坏"), ("[1, 2]", "格式不对"),
                                             ('{"files": [], "unit_name": "x"}', "缺少direction_name"),
                                             ('{"direction_name": "a", "unit_name": "b"}', "缺少文件列表")])
def test_broken_manifest(tmp_path, manifest, match):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", manifest)
    with pytest.raises(MailError, match=match):
        read_package(path)


def test_missing_zip(tmp_path):
    with pytest.raises(MailError, match="找不到"):
        read_package(tmp_path / "none.zip")


def test_bad_sender_address(tmp_path):
    with pytest.raises(MailError, match="发件地址"):
        compose(make_package(tmp_path), sender="张三", to=RCPT)


def test_mailto_url(tmp_path):
    zip_path = make_package(tmp_path)
    url = mailto_url(zip_path)
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and parts.path == "zscqsl@163.com"
    assert all(ord(c) < 128 and c not in " \n" for c in url)
    query = parse_qs(parts.query)
    assert query["subject"] == [SUBJECT]
    body = query["body"][0]
    assert UNIT in body and "赵示例" in body and "请手动添加附件" in body and zip_path.name in body
    assert "\r\n" in body  # RFC 6068 line breaks
    assert "2023天津知识产权资助-申报材料.pdf" in body
    assert zip_path.name in mailto_note(zip_path) and "手动" in mailto_note(zip_path)


def test_mailto_url_stays_short(tmp_path):
    zip_path = make_package(tmp_path, extra_files=40)
    url = mailto_url(zip_path, "other@example.org")
    assert len(url) <= 1900 and url.startswith("mailto:other@example.org?")
    body = unquote(url.split("&body=")[1])
    assert "请手动添加附件" in body and "附件39" not in body  # the file list went, the essentials stayed


def test_human_size():
    assert human_size(512) == "512 字节"
    assert human_size(1536) == "1.5 KB"
    assert human_size(20 * 1024 * 1024) == "20.00 MB"


def test_presets():
    ids = [p.id for p in PRESETS]
    assert len(ids) == len(set(ids))
    assert {"163", "126", "qq", "exmail", "aliyun-qiye", "netease-qiye", "custom"} <= set(ids)
    for p in PRESETS:
        assert p.security in SECURITIES and p.note
        assert ("授权码" in p.note or "密码" in p.note) and (p.host or p.id == "custom")
    assert preset_by_id("163").host == "smtp.163.com" and preset_by_id("126").host == "smtp.126.com"
    assert preset_by_id("QQ").host == "smtp.qq.com"
    assert preset_by_id("exmail").host == "smtp.exmail.qq.com"
    assert preset_by_id("aliyun-qiye").host == "smtp.qiye.aliyun.com"
    assert preset_by_id("netease-qiye").host == "smtphz.qiye.163.com"
    assert all(p.port == 465 and p.security == "ssl" for p in PRESETS)


@pytest.mark.parametrize("address, expected", [("a@163.com", "163"), ("A@126.COM", "126"), ("x@qq.com", "qq"),
                                               ("x@foxmail.com", "qq"), ("boss@company.cn", None),
                                               ("no-at-sign", None), ("", None)])
def test_guess_preset(address, expected):
    p = guess_preset(address)
    assert (p.id if p else None) == expected


def test_resolve_server():
    assert resolve_server("a@163.com", preset_id=None, host=None, port=None, security=None)[:3] == \
        ("smtp.163.com", 465, "ssl")
    assert resolve_server("a@corp.cn", preset_id="exmail", host=None, port=None, security=None)[:3] == \
        ("smtp.exmail.qq.com", 465, "ssl")
    assert resolve_server("a@corp.cn", preset_id=None, host="mail.corp.cn", port=587, security=None)[:3] == \
        ("mail.corp.cn", 587, "starttls")
    assert resolve_server("a@corp.cn", preset_id=None, host="mail.corp.cn", port=None, security="starttls")[:3] == \
        ("mail.corp.cn", 587, "starttls")
    assert resolve_server("a@163.com", preset_id=None, host=None, port=None, security="starttls")[:3] == \
        ("smtp.163.com", 587, "starttls")
    with pytest.raises(ValueError, match="无法根据邮箱域名"):
        resolve_server("a@corp.cn", preset_id=None, host=None, port=None, security=None)
    with pytest.raises(ValueError, match="未知的邮箱预设"):
        resolve_server("a@corp.cn", preset_id="gmail", host=None, port=None, security=None)
    with pytest.raises(ValueError, match="无法根据邮箱域名"):
        resolve_server("a@corp.cn", preset_id="custom", host=None, port=None, security=None)
