"""Shared test setup: user data goes to a temporary folder, never the real profile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


class CallCounter(dict):
    """How often the functions it watches were called: ``counter[key]`` (key: the name by default)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        super().__init__()
        self._monkeypatch = monkeypatch

    def watch(self, owner: Any, name: str, key: str | None = None) -> "CallCounter":
        """Wrap ``owner.name`` (a module's function or a class's method) so that each call counts."""
        key = key or name
        real = getattr(owner, name)
        self[key] = 0

        def counted(*args: Any, **kwargs: Any) -> Any:
            self[key] += 1
            return real(*args, **kwargs)

        self._monkeypatch.setattr(owner, name, counted)
        return self


@pytest.fixture
def call_counter(monkeypatch: pytest.MonkeyPatch) -> CallCounter:
    return CallCounter(monkeypatch)

