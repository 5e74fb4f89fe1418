"""Build the one-folder bundle on the current platform and report its size.

    python installer/build.py            # → dist/zscq-desktop/
    python installer/build.py --smoke    # then run the frozen-app smoke test

On Windows, `iscc installer/zscq-desktop.iss` turns the folder into the per-user installer.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from zscq_desktop import APP_TITLE, __version__  # noqa: E402

VERSION_INFO = """# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(filevers=({v}), prodvers=({v}), mask=0x3f, flags=0x0, OS=0x40004, fileType=0x1,
                    subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080404B0', [
      StringStruct('CompanyName', 'zscq-desktop'),
      StringStruct('FileDescription', '{title}'),
      StringStruct('FileVersion', '{dotted}'),
      StringStruct('InternalName', 'zscq-desktop'),
      StringStruct('OriginalFilename', 'zscq-desktop.exe'),
      StringStruct('ProductName', '{title}'),
      StringStruct('ProductVersion', '{dotted}')])]),
    VarFileInfo([VarStruct('Translation', [2052, 1200])])
  ]
)
"""


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def write_version_info() -> Path:
    parts = [int(x) for x in __version__.split(".")[:3]] + [0]
    out = ROOT / "installer" / "version_info.txt"
    out.write_text(VERSION_INFO.format(v=", ".join(map(str, parts[:4])), dotted=__version__, title=APP_TITLE),
                   encoding="utf-8")
    return out


def build() -> Path:
    write_version_info()
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build"),
                    str(ROOT / "installer" / "zscq-desktop.spec")], check=True, cwd=ROOT)
    dist = ROOT / "dist" / "zscq-desktop"
    print(f"built {dist} in {time.perf_counter() - t:.1f} s, {folder_size(dist) / 1e6:.0f} MB")
    return dist


if __name__ == "__main__":
    bundle = build()
    if "--smoke" in sys.argv:
        sys.exit(subprocess.call([sys.executable, str(ROOT / "installer" / "smoke_test.py"), str(bundle)]))
