"""Smoke test of the frozen app: proves data files, fonts and Qt plugins were bundled.

    python installer/smoke_test.py dist/zscq-desktop

Runs the frozen executable headless (QT_QPA_PLATFORM=offscreen) to list the directions, write a
sample, export it, and verify the zip; then checks the volume PDF (pages, fonts embedded) and
the zip's names with pypdf/zipfile. Exit 0 when everything holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pypdf import PdfReader


def run(exe: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([str(exe), *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    if r.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def fonts_embedded(reader: PdfReader) -> bool:
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if desc is None or not any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


def main(bundle: Path) -> int:
    exe = bundle / ("zscq-desktop.exe" if os.name == "nt" else "zscq-desktop")
    work = Path(tempfile.mkdtemp(prefix="zscq-smoke-"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZSCQ_USER_DIR": str(work / "user")}
    env.pop("ZSCQ_DATA_DIR", None)
    directions = json.loads(run(exe, "directions", "--json", env=env).stdout)
    assert len(directions) == 13, directions
    run(exe, "sample", "--direction", "creation-pilot", "-o", str(work / "s.json"), env=env)
    run(exe, "export", str(work / "s.json"), "--out", str(work / "out"), "--quiet", env=env)
    volume = next((work / "out").glob("申报材料-*.pdf"))
    reader = PdfReader(volume)
    assert len(reader.pages) >= 8, len(reader.pages)
    assert fonts_embedded(reader), "a font is not embedded"
    assert "天津示例科技有限公司" in reader.pages[0].extract_text()
    zip_path = next((work / "out").glob("*.zip"))
    names = zipfile.ZipFile(zip_path).namelist()
    assert "manifest.json" in names and any(n.startswith("申报材料-") for n in names), names
    run(exe, "verify", str(zip_path), env=env)
    print(f"smoke test passed: {len(reader.pages)} pages, zip {zip_path.stat().st_size / 1e6:.1f} MB, {len(names)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/zscq-desktop")))
