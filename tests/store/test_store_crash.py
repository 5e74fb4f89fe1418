"""Crash safety: a writer process killed with SIGKILL in the middle of saving leaves a file that
opens with exactly one of the states that were committed (never a mixture, never damage)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document
from zscq_desktop.store.opening import journal_is_hot

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

# Each save changes a counter and a ~2 MB text that embeds it, so a torn write would show as a
# mismatch; every third save also adds a blob. The counter is printed only after save() returned.
WRITER = r"""
import hashlib, os, sys
from pathlib import Path
from zscq_desktop.store.document import Document
from zscq_desktop.store.opening import journal_is_hot
path, i = Path(sys.argv[1]), int(sys.argv[2])
pad = "知识产权创造运用保护" * 70_000
with Document.open(path) as doc:
    sub = doc.load()
    while True:
        i += 1
        sub["meta"] = {"counter": i}
        sub["plan"]["sections"]["background"] = f"{i}:{pad}:{i}"
        if i % 3 == 0:
            doc.put_blob(hashlib.sha256(str(i).encode()).digest() * 6250)  # same bytes again after a restart
        doc.save(sub)
        print(i, flush=True)
"""


def _run_and_kill(path: Path, start: int, rng: random.Random) -> int:
    """Start a writer, let it commit a few saves, SIGKILL it at a random moment; the last printed counter."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    seen: list[int] = []
    want = rng.randint(1, 4)
    while len(seen) < want:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the writer died on its own: {proc.stderr.read()[-2000:]}")
        seen.append(int(line))
    time.sleep(rng.uniform(0, 0.05))
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stdout.read()
    proc.wait(timeout=30)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, err[-2000:])
    seen += [int(x) for x in rest.split()]
    return seen[-1]


def test_sigkill_mid_save_keeps_a_committed_state(tmp_path: Path, sub: dict) -> None:
    path = tmp_path / "crash.zscq"
    journal = path.with_name(path.name + "-journal")
    sub["meta"] = {"counter": 0}
    Document.create(path, sub).close()
    rng = random.Random(20230531)
    counter, hot, history = 0, 0, []
    # Until three kills hit a save whose database writes had begun (a hot journal to roll back):
    # the case this test is about. Kills at other moments are checked along the way.
    while hot < 3 and len(history) < 100:
        last = _run_and_kill(path, counter, rng)
        is_hot = journal_is_hot(journal)
        hot += is_hot
        # Alternate read-only and read-write reopening: both must recover the interrupted save.
        readonly = bool(hot % 2) if is_hot else bool(len(history) % 2)
        history.append({"last_printed": last, "hot": is_hot, "readonly": readonly})
        with Document.open(path, readonly=readonly) as doc:
            state = doc.load()
            counter = state["meta"]["counter"]
            history[-1]["reopened"] = counter
            # The printed counter was committed; the next one may have committed just before the kill.
            assert counter in (last, last + 1), history
            text = state["plan"]["sections"]["background"]
            assert text.startswith(f"{counter}:") and text.endswith(f":{counter}"), history
            assert doc.verify() == [], history
            # put_blob and save are separate commits: the blob of the next save may already be in.
            assert len(doc.blob_sizes()) in (counter // 3, (counter + 1) // 3), (len(doc.blob_sizes()), history)
        assert not journal_is_hot(journal), history
    assert hot >= 3, f"only {hot} of {len(history)} kills interrupted a save's database writes"
