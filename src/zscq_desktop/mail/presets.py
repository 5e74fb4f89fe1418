"""SMTP server presets for the mailboxes Tianjin enterprises commonly use.

Each preset carries the server, the port, the kind of TLS and a short Chinese note on which
password the server wants: most Chinese free mailboxes refuse the web login password over SMTP
and require a separately generated 授权码 (client authorization code). Only encrypted
connections exist here: implicit TLS ("ssl", port 465) or STARTTLS ("starttls", port 587).
"""

from __future__ import annotations

from dataclasses import dataclass

SECURITIES = ("ssl", "starttls")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587}


@dataclass(frozen=True)
class Preset:
    """One mail provider's SMTP settings.

    Attributes:
        id: stable identifier used by the command line (``--preset``) and saved settings.
        name: the provider's name as users know it.
        host: SMTP server; empty for the custom preset.
        port: 465 for implicit TLS, 587 for STARTTLS.
        security: ``"ssl"`` (implicit TLS) or ``"starttls"``.
        note: which password to use and where to enable SMTP, in Chinese.
        domains: address domains that identify the provider (for `guess_preset`).
    """

    id: str
    name: str
    host: str
    port: int
    security: str
    note: str = ""
    domains: tuple[str, ...] = ()


_NETEASE_NOTE = ("{name}需先在网页版邮箱“设置 → POP3/SMTP/IMAP”中开启 SMTP 服务，按提示获取“授权码”，"
                 "在本软件中填写授权码，而不是邮箱的登录密码。")

PRESETS: tuple[Preset, ...] = (
    Preset("163", "网易 163 邮箱", "smtp.163.com", 465, "ssl", _NETEASE_NOTE.format(name="网易 163 邮箱"),
           ("163.com",)),
    Preset("126", "网易 126 邮箱", "smtp.126.com", 465, "ssl", _NETEASE_NOTE.format(name="网易 126 邮箱"),
           ("126.com",)),
    Preset("qq", "QQ 邮箱", "smtp.qq.com", 465, "ssl",
           "QQ 邮箱需先在网页版“设置 → 账号与安全 → 安全设置”（旧版为“设置 → 账户”）中开启 POP3/SMTP 服务并生成"
           "“授权码”，在本软件中填写授权码，而不是 QQ 密码。", ("qq.com", "vip.qq.com", "foxmail.com")),
    Preset("exmail", "腾讯企业邮箱", "smtp.exmail.qq.com", 465, "ssl",
           "腾讯企业邮箱一般填写邮箱密码；如已开启“安全登录”或微信动态密码，须在网页版“设置 → 账户 → 客户端专用密码”"
           "中生成专用密码后填写。如提示未开启 SMTP，请联系贵单位邮箱管理员。"),
    Preset("aliyun-qiye", "阿里企业邮箱", "smtp.qiye.aliyun.com", 465, "ssl",
           "阿里企业邮箱一般填写邮箱密码；如开启了二次验证，须在网页版“设置 → 账户与安全”中生成“三方客户端安全密码”"
           "后填写。如提示未开启 SMTP，请联系贵单位邮箱管理员。"),
    Preset("netease-qiye", "网易企业邮箱", "smtphz.qiye.163.com", 465, "ssl",
           "网易企业邮箱须在网页版“设置 → 客户端设置”中开启 SMTP 服务；开启了客户端授权密码时，填写生成的授权密码，"
           "否则填写邮箱密码。"),
    Preset("custom", "其他邮箱（自定义服务器）", "", 465, "ssl",
           "请向贵单位邮箱管理员询问 SMTP 服务器地址、端口和加密方式，以及应填写邮箱密码还是客户端授权码。本软件只使用加密连接："
           "SSL（通常为 465 端口）或 STARTTLS（通常为 587 端口）。"),
)


def preset_by_id(preset_id: str) -> Preset | None:
    """The preset with this id (case-insensitive), or None."""
    wanted = preset_id.strip().lower()
    return next((p for p in PRESETS if p.id == wanted), None)


def address_domain(address: str) -> str:
    """The lower-case domain of an e-mail address, '' if there is none."""
    _, at, domain = address.strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def guess_preset(address: str) -> Preset | None:
    """The preset for an address's domain (163.com → 网易 163), None when it cannot be told.

    Enterprise mailboxes (腾讯/阿里/网易企业邮箱) use the company's own domain, so they are never
    guessed: the user picks them.
    """
    domain = address_domain(address)
    if not domain:
        return None
    return next((p for p in PRESETS if domain in p.domains), None)


def default_port(security: str) -> int:
    """465 for implicit TLS, 587 for STARTTLS."""
    return DEFAULT_PORTS[security]
