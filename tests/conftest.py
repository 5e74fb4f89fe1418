"""Shared test setup: user data goes to a temporary folder, never the real profile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    user = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("ZSCQ_USER_DIR", str(user))
    return user


@pytest.fixture(scope="session")
def call():
    from zscq_desktop.call import load_call

    return load_call()
