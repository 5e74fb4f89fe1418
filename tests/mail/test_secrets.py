"""The keyring interface with real backends: a keyrings.alt file in a temporary folder, and the fail backend."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring
from mailkit import PASSWORD, USER, files_containing

from zscq_desktop.mail import secrets


@pytest.fixture
def use_backend(monkeypatch):
    """Install a keyring backend for one test; keyring's previous choice comes back afterwards."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    return install


@pytest.fixture
def file_keyring(use_backend, tmp_path_factory) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path_factory.mktemp("keyring") / "keyring_pass.cfg")
    return use_backend(backend)


def test_round_trip_in_a_real_file_backend(file_keyring):
    assert secrets.keyring_available()
    assert secrets.get_password(USER) is None
    assert secrets.set_password(USER, PASSWORD) is True
    assert Path(file_keyring.file_path).is_file()
    assert secrets.get_password(USER) == PASSWORD
    assert secrets.get_password(" Sender@Example.com ") == PASSWORD  # one entry per mailbox, any spelling
    assert file_keyring.get_password(secrets.SERVICE, USER) == PASSWORD  # under the app's service name
    secrets.set_password(USER, "replaced-1")
    assert secrets.get_password(USER) == "replaced-1"
    secrets.delete_password(USER)
    assert secrets.get_password(USER) is None
    secrets.delete_password(USER)  # absent: no error


def test_nothing_to_store(file_keyring):
    assert secrets.set_password(USER, "") is False
    assert secrets.set_password("", PASSWORD) is False
    assert not Path(file_keyring.file_path).exists()


def test_fail_backend_stores_nothing(use_backend, tmp_path):
    use_backend(fail.Keyring())
    assert not secrets.keyring_available()
    assert secrets.set_password(USER, PASSWORD) is False
    assert secrets.get_password(USER) is None
    secrets.delete_password(USER)
    home_roots = [tmp_path, Path(os.environ["ZSCQ_USER_DIR"])]
    assert files_containing(home_roots, [PASSWORD.encode()]) == []
    assert list(tmp_path.iterdir()) == []


def test_a_backend_that_raises_is_not_used(use_backend):
    class Broken(fail.Keyring):
        priority = 5

        def get_password(self, service, username):
            raise RuntimeError("dbus went away")

        def set_password(self, service, username, password):
            raise RuntimeError("dbus went away")

    use_backend(Broken())
    assert secrets.get_password(USER) is None
    assert secrets.set_password(USER, PASSWORD) is False


def test_auto_detection_never_picks_a_plaintext_file(monkeypatch, tmp_path):
    # keyrings.alt is installed here; left to itself keyring would pick its plaintext file backend.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no keyringrc.cfg
    backend = secrets._backend()
    assert not isinstance(backend, PlaintextKeyring)
    assert isinstance(backend, fail.Keyring) or backend.priority >= 1
