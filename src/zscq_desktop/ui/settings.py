"""UI preferences and window state, each declared once with its type and default (QSettings).

Preferences (what the user chose) and window state (geometry) are kept apart by key prefix, and a
settings version allows upgrades later. Tests call `QStandardPaths.setTestModeEnabled(True)` and
point QSettings at a temporary folder, so they never touch the user's real settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_VERSION = 1


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any


WINDOW_GEOMETRY = Setting("state/window_geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("state/window_state", QByteArray, QByteArray())
LAST_PAGE = Setting("state/last_page", str, "")
LAST_FOLDER = Setting("prefs/last_folder", str, "")
ATTACH_FOLDER = Setting("prefs/attach_folder", str, "")
EXPORT_FOLDER = Setting("prefs/export_folder", str, "")
DUPLEX = Setting("prefs/duplex", bool, False)
PRINT_FONTS = Setting("prefs/print_fonts", str, "")  # "" bundled, "song" or "fangsong": Windows' own faces


def _store() -> QSettings:
    s = QSettings()
    if int(s.value("version", 0) or 0) < SETTINGS_VERSION:  # type: ignore[call-overload]
        s.setValue("version", SETTINGS_VERSION)  # no earlier versions to upgrade from yet
    return s


def get(setting: Setting) -> Any:
    """The stored value of `setting`, or its default when absent or of the wrong type."""
    value = _store().value(setting.key, setting.default)
    if setting.type is bool and isinstance(value, str):  # some backends store "true"/"false"
        return value.lower() == "true"
    if value is None or not isinstance(value, setting.type):
        try:
            return setting.type(value) if value is not None else setting.default
        except (TypeError, ValueError):
            return setting.default
    return value


def put(setting: Setting, value: Any) -> None:
    _store().setValue(setting.key, value)
