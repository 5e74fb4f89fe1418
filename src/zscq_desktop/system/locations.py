"""Where a `.zscq` lives: synced (OneDrive, 坚果云, Dropbox…) and network folders.

The document is saved on every edit. A sync client copies the file while it changes and, when the
same document is opened on two computers, keeps one side's saves and calls the other a conflict;
a network share can vanish in the middle of a save. The program works there (a save is one
transaction, and no journal file appears or disappears per save: see store/document.py), but the
user should know: `location_warning` gives a Chinese sentence for such a path, `warn_once` gives it
only the first time per path in a session (the UI shows it without blocking).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

from zscq_desktop.system.processes import inside

DRIVE_REMOTE = 4
#: environment variables Windows' OneDrive client sets to its folders
ONEDRIVE_VARS = ("OneDrive", "OneDriveConsumer", "OneDriveCommercial")
#: folder names of sync clients common in China and elsewhere → the name the user knows
SYNC_FOLDERS = {"onedrive": "OneDrive", "我的坚果云": "坚果云", "nutstore": "坚果云", "dropbox": "Dropbox",
                "icloud drive": "iCloud", "iclouddrive": "iCloud", "百度网盘同步空间": "百度网盘",
                "baidunetdisksync": "百度网盘", "wps云盘": "WPS 云盘", "google drive": "Google Drive"}
_checked: set[str] = set()


def sync_client(path: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The sync service whose folder holds `path` (e.g. "OneDrive"), or None."""
    env = os.environ if environ is None else environ
    for var in ONEDRIVE_VARS:
        root = env.get(var)
        if root and inside(str(path), root):
            return "OneDrive"
    for part in Path(path).absolute().parts[:-1]:
        name = part.lower()
        if name.startswith("onedrive - ") or name.startswith("onedrive-"):
            return "OneDrive"  # "OneDrive - 公司名称", the business client's folder
        if name in SYNC_FOLDERS:
            return SYNC_FOLDERS[name]
    return None


def is_network(path: Path) -> bool:
    """Whether `path` is on a network share: a UNC path (\\\\server\\share), or on Windows a mapped
    network drive."""
    text = str(path)
    if text.startswith(("\\\\", "//")) and not text.startswith(("\\\\?\\", "\\\\.\\")):
        return True
    if text.startswith("\\\\?\\UNC\\"):
        return True
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        drive = PureWindowsPath(os.path.abspath(text)).drive
        if drive and len(drive) == 2:
            return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE
    return False


def location_warning(path: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """A Chinese warning when `path` is in a synced or network folder, else None."""
    path = Path(path)
    client = sync_client(path, environ)
    if client:
        where = f"{client} 同步文件夹"
    elif is_network(path):
        where = "网络文件夹"
    else:
        return None
    name = re.split(r"[\\/]", str(path))[-1]  # a UNC path read on Linux has backslashes
    return (f"《{name}》位于 {where}中：每次修改都会立即保存，同步或网络中断可能留下不完整的副本，"
            "两台电脑同时打开会互相覆盖。建议在本机不同步的文件夹中编辑，完成后再复制过去。")


def warn_once(path: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """`location_warning`, but only the first time for this path in this session."""
    key = os.path.normcase(os.path.abspath(str(path)))
    if key in _checked:
        return None
    _checked.add(key)
    return location_warning(Path(path), environ)
