"""One place that finds the project's data folders, from source and from a frozen bundle.

The yearly call (`forms/`) and the bundled assets (`resources/`) live at the top of the repository,
beside `src/`, as the design card asks, so they are not Python package data. This module finds them:

1. `ZSCQ_DATA_DIR` (an override for tests and unusual installs): a folder holding `forms/` and `resources/`;
2. a PyInstaller bundle: `sys._MEIPASS` holds both folders;
3. a source checkout or editable install: two levels above this package.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path


class ResourceError(RuntimeError):
    """A data folder the application needs is missing."""


@cache
def data_root() -> Path:
    """Return the folder that holds `forms/` and `resources/`."""
    candidates: list[Path] = []
    env = os.environ.get("ZSCQ_DATA_DIR")
    if env:
        candidates.append(Path(env))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen))
    candidates.append(Path(__file__).resolve().parents[2])
    for c in candidates:
        if (c / "forms").is_dir() and (c / "resources").is_dir():
            return c
    raise ResourceError(
        "找不到程序数据文件夹（forms/ 与 resources/），安装可能不完整。已查找：" + "；".join(map(str, candidates))
    )


def forms_dir(call_id: str) -> Path:
    """The data folder of one built-in call, `forms/<id>` (installed calls: `call.registry.call_folder`)."""
    return data_root() / "forms" / call_id


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, e.g. `resource_path("fonts", "x.ttf")`."""
    return data_root() / "resources" / Path(*parts)


def user_cache_dir() -> Path:
    """The user's cache folder for this program: ``$ZSCQ_USER_DIR/cache`` when set (tests, portable
    use), else platformdirs' user cache folder. Not created here."""
    env = os.environ.get("ZSCQ_USER_DIR")
    if env:
        return Path(env) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("zscq-desktop", appauthor=False))
