"""`CreateObject` of the stand-in comtypes (see the package docstring)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

from comtypes import LIVE, note


class _Com:
    def __init__(self, name: str) -> None:
        self._name = name
        LIVE.append(name)

    def __del__(self) -> None:
        LIVE.remove(self._name)


class _Doc(_Com):
    def __init__(self) -> None:
        super().__init__("document")

    def ExportAsFixedFormat(self, target: str, fmt: int) -> None:  # noqa: N802
        note(f"export {fmt}")
        shutil.copyfile(os.environ["ZSCQ_FAKE_COM_PDF"], target)

    def Close(self, save: bool) -> None:  # noqa: N802
        note(f"close {save}")


class _Documents:
    def __init__(self, behaviour: str) -> None:
        self._behaviour = behaviour

    def Open(self, *args):  # noqa: N802
        note("open " + json.dumps(args[1:], ensure_ascii=False))
        if self._behaviour == "block":
            time.sleep(3600)  # a hidden password or activation dialog
        if self._behaviour == "raise":
            raise OSError(-2146822880, "密码错误")
        return _Doc()


class _App(_Com):
    def __init__(self, behaviour: str) -> None:
        super().__init__("application")
        self.Documents = _Documents(behaviour)

    def __setattr__(self, key: str, value) -> None:
        if key[0].isupper() and key != "Documents":
            note(f"set {key}={value}")
        object.__setattr__(self, key, value)

    def Quit(self, save: bool) -> None:  # noqa: N802
        note(f"quit {save}")


def CreateObject(progid: str, dynamic: bool = False):  # noqa: N802
    behaviour = json.loads(os.environ["ZSCQ_FAKE_COM"]).get(progid, "unavailable")
    note(f"create {progid} dynamic={dynamic}")
    if behaviour == "unavailable":
        raise OSError(-2147221005, "无效的类字符串")
    if behaviour == "block":
        server = os.environ["ZSCQ_FAKE_COM_SERVER"]
        proc = subprocess.Popen([server, "3600"], start_new_session=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Like COM, return once the server runs: Linux closes the exec pipe (Popen returns) a moment
        # before it renames the process, and the child finds the server by that name.
        comm = f"/proc/{proc.pid}/comm"
        for _ in range(1000):
            with open(comm, encoding="utf-8") as f:
                if f.read().strip() == os.path.basename(server):
                    break
            time.sleep(0.01)
    return _App(behaviour)
