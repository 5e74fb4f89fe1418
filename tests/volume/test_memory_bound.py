"""Memory flat in document size (issue 15 item 5): the reference ×8 exports under a 360 MB address-space limit.

Linux only (RLIMIT_AS); the export runs in a child process that sets the limit on itself first, so
the test process is not constrained (the normalising workers it spawns inherit the limit). The
issue asked for 1.5 GB. Measured on 2026-11-30 (MALLOC_ARENA_MAX=2): with the A4 PDFs bound as
bytes (main at 070598f) the export fails at 380 MB — qpdf aborts the process — and passes at
420 MB; bound from files it passes at 320 MB. The ×8 reference (240 A4 300-dpi scans, 48 text PDFs of 960
pages, 16 PNG certificates: ≈ 190 MB of supporting files) is built by `bench/make_reference.py`.
This test takes a few minutes: it normalises and binds the whole ×8 document once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LIMIT = 360 * 1024 * 1024
PEAK_MB = 400  # issue 15: peak resident memory of the ×8 export
ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from zscq_desktop.cli import main
rc = main(["export", sys.argv[2], "--out", sys.argv[3], "--quiet"])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so it would report the test process's
# own size at the fork (700 MB late in a full test run) instead of the export's
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rc": rc, "peak_mb": hwm / 1024}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced this way on Linux only")
def test_reference_x8_exports_under_a_360_mb_address_space_limit(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from make_reference import build
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from zscq_desktop.cli import main

    ref = build(tmp_path / "reference.json", 8)
    doc = tmp_path / "reference.zscq"
    assert main(["convert", str(ref), str(doc)]) == 0
    # glibc reserves 64 MB of address space per thread arena; two keep the limit about memory in use
    env = dict(os.environ, MALLOC_ARENA_MAX="2")
    r = subprocess.run([sys.executable, "-c", CHILD, str(LIMIT), str(doc), str(tmp_path / "out")], env=env,
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["rc"] == 0, r.stderr[-3000:]
    assert got["peak_mb"] <= PEAK_MB, got
    volume = next((tmp_path / "out").glob("申报材料-*.pdf"))
    assert volume.stat().st_size > 60 * 1024 * 1024  # it really is the ×8 volume
    assert "Traceback" not in r.stderr
