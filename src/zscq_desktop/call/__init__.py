"""The yearly call as data: `forms/<call>/*.toml` loaded and validated into typed objects.

The loader and the model (15 dataclasses, ≈ 20 ms to import) load on first use: the GUI's start page
shows a call from its summary (`call.summary`) and never needs them before its first picture.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from zscq_desktop.call.errors import CallDataError

if TYPE_CHECKING:
    from zscq_desktop.call.model import (
        Call, Column, Direction, Field, FormSpec, Indicator, PlanSection, PlanSpec, Question, Section, Task,
    )

_MODEL = ("Call", "Column", "Direction", "Field", "FormSpec", "Indicator", "PlanSection", "PlanSpec", "Question",
          "Section", "Task")


def load_call(call_id: str | None = None) -> "Call":
    """Load a built-in or installed call by id; without an id, the default call (newest open, else newest)."""
    from zscq_desktop.call.loader import load_call as load

    return load(call_id)


def _cache_clear() -> None:
    from zscq_desktop.call.loader import _load_cached

    _load_cached.cache_clear()


load_call.cache_clear = _cache_clear  # type: ignore[attr-defined]  # after installing a call


def __getattr__(name: str) -> Any:
    if name in _MODEL:
        return getattr(importlib.import_module("zscq_desktop.call.model"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CallDataError", "load_call", *_MODEL]
