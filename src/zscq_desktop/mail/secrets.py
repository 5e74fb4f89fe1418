"""The SMTP password (授权码) behind a tiny interface over `keyring`.

Secrets live only in the operating system's keyring (Windows Credential Manager, macOS Keychain,
Secret Service/KWallet), under the service name ``zscq-desktop`` and the mailbox address. When
there is no usable keyring — the usual case on a headless Linux box, where keyring's fail backend
raises ``NoKeyringError`` — nothing is stored and the app asks for the password each time.

When keyring picks its backend itself we limit it to the recommended ones (priority ≥ 1, the OS
keyrings), so a plaintext file backend that happens to be installed is never chosen silently. A
backend chosen on purpose (``keyring.set_keyring``, ``PYTHON_KEYRING_BACKEND``, keyring's config
file) is respected: that is how the tests use a real file backend in a temporary folder.

No function here ever logs, prints or puts the password into an exception message.
"""

from __future__ import annotations

import logging

import keyring
import keyring.core
from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)
SERVICE = "zscq-desktop"


def _recommended(backend: KeyringBackend) -> bool:
    return backend.priority >= 1  # type: ignore[operator]


def _backend() -> KeyringBackend:
    # keyring keeps the chosen backend in a module global; None means nobody has chosen yet.
    if getattr(keyring.core, "_keyring_backend", object()) is None:
        keyring.core.init_backend(limit=_recommended)
    return keyring.get_keyring()


def _account(account: str) -> str:
    return account.strip().lower()


def _unusable(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return True
    return isinstance(backend, chainer.ChainerBackend) and not backend.backends


def keyring_available() -> bool:
    """True when a keyring that really stores secrets is in use."""
    try:
        return not _unusable(_backend())
    except Exception as exc:  # a broken keyring installation must not break sending
        log.info("钥匙串不可用：%s", type(exc).__name__)
        return False


def get_password(account: str) -> str | None:
    """The saved password/授权码 for a mailbox address, None if none is saved or no keyring."""
    if not account.strip():
        return None
    try:
        backend = _backend()
        if _unusable(backend):
            return None
        return backend.get_password(SERVICE, _account(account))
    except Exception as exc:  # NoKeyringError, a locked or broken keyring: ask the user instead
        log.info("无法从钥匙串读取 %s 的授权码：%s", _account(account), type(exc).__name__)
        return None


def set_password(account: str, password: str) -> bool:
    """Save the password/授权码 in the keyring; False when no usable keyring (then nothing is stored)."""
    if not account.strip() or not password:
        return False
    try:
        backend = _backend()
        if _unusable(backend):
            return False
        backend.set_password(SERVICE, _account(account), password)
        # Some backends accept a write and keep nothing; only a read-back proves it is stored.
        if backend.get_password(SERVICE, _account(account)) == password:
            return True
        delete_password(account)
    except Exception as exc:
        log.info("无法把 %s 的授权码保存到钥匙串：%s", _account(account), type(exc).__name__)
    return False


def delete_password(account: str) -> None:
    """Forget the saved password/授权码 of a mailbox (no error if there is none)."""
    if not account.strip():
        return
    try:
        backend = _backend()
        if not _unusable(backend):
            backend.delete_password(SERVICE, _account(account))
    except Exception as exc:  # PasswordDeleteError when absent, NoKeyringError when no keyring
        log.debug("删除 %s 的授权码：%s", _account(account), type(exc).__name__)
