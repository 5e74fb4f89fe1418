"""Build the one-folder bundle on the current platform and report its size and build time.

    python installer/build.py                  # → dist/zscq-desktop/
    python installer/build.py --smoke          # then run the frozen-app smoke test
    python installer/build.py --no-excludes    # measuring build without the excludes → dist/full/
    python installer/build.py --no-strip       # keep debug symbols (Linux/macOS; Windows never strips)

On Windows, `iscc installer\\zscq-desktop.iss` then turns the folder into the per-user installer.
"""

from __future__ import annotations

import argparse
import os
import re
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
      StringStruct('LegalCopyright', 'MIT License'),
      StringStruct('OriginalFilename', 'zscq-desktop.exe'),
      StringStruct('ProductName', '{title}'),
      StringStruct('ProductVersion', '{dotted}')])]),
    VarFileInfo([VarStruct('Translation', [2052, 1200])])
  ]
)
"""


def folder_size(path: Path) -> int:
    """Bytes of all files below `path` (what the installer has to carry)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """"1.2.3" / "1.2.3rc1" / "1.2" → (1, 2, 3, 0) / (1, 2, 3, 0) / (1, 2, 0, 0): Windows wants four integers."""
    m = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?", version)
    if not m:
        raise SystemExit(f"版本号无法解析：{version}")
    return tuple(int(g or 0) for g in m.groups())  # type: ignore[return-value]


def write_version_info(out: Path = ROOT / "installer" / "version_info.txt") -> Path:
    """The Windows version resource (文件属性 → 详细信息) the spec gives both executables."""
    out.write_text(VERSION_INFO.format(v=", ".join(map(str, version_tuple(__version__))), dotted=__version__,
                                       title=APP_TITLE), encoding="utf-8")
    return out


def build(*, full: bool = False, strip: bool = True) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder."""
    write_version_info()
    dist = ROOT / "dist" / "full" if full else ROOT / "dist"
    env = {**os.environ, "ZSCQ_BUNDLE_FULL": "1" if full else "0", "ZSCQ_BUNDLE_STRIP": "1" if strip else "0"}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(ROOT / "build" / ("full" if full else "bundle")),
                    str(ROOT / "installer" / "zscq-desktop.spec")], check=True, cwd=ROOT, env=env)
    bundle = dist / "zscq-desktop"
    if sys.platform != "win32":  # one console executable serves both names there (see the spec)
        link = bundle / "zscq-desktop-cli"
        link.unlink(missing_ok=True)
        link.symlink_to("zscq-desktop")
    print(f"built {bundle} in {time.perf_counter() - t:.0f} s: {folder_size(bundle) / 1e6:.0f} MB "
          f"({'no excludes' if full else 'with excludes'}, {'stripped' if strip else 'not stripped'})")
    return bundle


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the zscq-desktop one-folder bundle")
    p.add_argument("--smoke", action="store_true", help="run installer/smoke_test.py on the bundle")
    p.add_argument("--no-excludes", action="store_true", help="measuring build without excludes (dist/full/)")
    p.add_argument("--no-strip", action="store_true", help="keep debug symbols")
    args = p.parse_args(argv)
    bundle = build(full=args.no_excludes, strip=not args.no_strip)
    if args.smoke:
        return subprocess.call([sys.executable, str(ROOT / "installer" / "smoke_test.py"), str(bundle)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
