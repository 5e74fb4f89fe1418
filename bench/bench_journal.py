"""What SQLite leaves beside a `.zscq` per autosave: the file events a sync client would see.

    python bench/bench_journal.py [--saves 50] [--dir DIR] [--json]

For each rollback journal mode (DELETE — the old setting —, TRUNCATE — the current one —, PERSIST)
it opens a document built from the sample, watches its folder with Linux inotify and performs
`--saves` saves that each change one field. It reports, per save, how many side files were created
and deleted and how many write events they got, the largest side file seen, and what is left beside
the document after it is closed. OneDrive, 坚果云 and network-share offline caches react to exactly
these events (a new file is scheduled for upload; a file deleted while uploading is a conflict).
Linux only (inotify); the Windows behaviour follows from SQLite's documented journal modes.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import struct
import tempfile
from pathlib import Path

from zscq_desktop.call import load_call
from zscq_desktop.core.sample import build_sample
from zscq_desktop.store import opening
from zscq_desktop.store.document import Document

IN_MODIFY, IN_CREATE, IN_DELETE, IN_NONBLOCK = 0x2, 0x100, 0x200, 0o4000


class Watch:
    """A minimal inotify watch on one folder (create / delete / modify of its entries)."""

    def __init__(self, folder: Path) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(IN_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.libc.inotify_add_watch(self.fd, str(folder).encode(), IN_CREATE | IN_DELETE | IN_MODIFY)

    def events(self) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return out
            i = 0
            while i < len(data):
                _wd, mask, _cookie, size = struct.unpack_from("iIII", data, i)
                name = data[i + 16:i + 16 + size].rstrip(b"\0").decode()
                out.append((mask, name))
                i += 16 + size

    def close(self) -> None:
        os.close(self.fd)


def measure(mode: str, folder: Path, saves: int) -> dict:
    path = folder / f"{mode.lower()}.zscq"
    sub = build_sample(load_call(), "creation-pilot").to_dict()
    Document.create(path, sub).close()
    opening.JOURNAL_MODE = mode
    doc = Document.open(path)
    watch = Watch(folder)
    created = deleted = writes = 0
    biggest = 0
    for i in range(saves):
        sub["form"]["cover"]["project_name"] = f"项目名称 {i}"
        doc.save(sub)
        for mask, name in watch.events():
            if name == path.name:
                continue
            created += bool(mask & IN_CREATE)
            deleted += bool(mask & IN_DELETE)
            writes += bool(mask & IN_MODIFY)
        journal = path.with_name(path.name + "-journal")
        biggest = max(biggest, journal.stat().st_size if journal.exists() else 0)
    open_left = sorted(p.name for p in folder.iterdir() if p.name.startswith(path.name) and p != path)
    doc.close()
    watch.close()
    closed_left = sorted(p.name for p in folder.iterdir() if p.name.startswith(path.name) and p != path)
    return {"mode": mode, "saves": saves, "side_files_created_per_save": created / saves,
            "side_files_deleted_per_save": deleted / saves, "side_file_writes_per_save": writes / saves,
            "largest_side_file_bytes": biggest, "beside_it_while_open": open_left, "beside_it_after_close": closed_left}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saves", type=int, default=50)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    keep = opening.JOURNAL_MODE
    results = []
    try:
        for mode in ("DELETE", "TRUNCATE", "PERSIST"):
            with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                results.append(measure(mode, Path(tmp), args.saves))
    finally:
        opening.JOURNAL_MODE = keep
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for r in results:
        print(f"{r['mode']:9} per save: {r['side_files_created_per_save']:.2f} created, "
              f"{r['side_files_deleted_per_save']:.2f} deleted, {r['side_file_writes_per_save']:.2f} writes; "
              f"largest {r['largest_side_file_bytes']} B; open: {r['beside_it_while_open']}; "
              f"closed: {r['beside_it_after_close']}")


if __name__ == "__main__":
    main()
