"""A smaller ICU data library for the Linux bundle: only the ICU data Qt can ask for in this app.

PySide6's Linux Qt links ICU; `libicudata.so.73` is 32 MB of data (every locale's names, currencies,
units, 200 legacy converters, break-iterator dictionaries…).  QtCore calls ICU for four things only
(`nm -D --undefined-only libQt6Core.so.6`): collation (`ucol_*`, QCollator — the file dialog sorts
names with it), converters (`ucnv_*`, QStringConverter for non-UTF encodings), time-zone ids and
display names (`ucal_*`) and locale case mapping (`u_strTo{Upper,Lower}`, code not data).  This
module rebuilds the library with the items those need for Chinese and English: collation root, zh,
en; the locale tree's root, zh, en; time-zone data and zone names; converter aliases and the
Chinese converters (GB18030, GBK, Big5).  The rest goes (≈ 29 MB).

`check()` proves the subset: one child process runs those Qt calls with the original library,
another with the subset preloaded, and their outputs must be identical (build.py stops otherwise).
Windows bundles have no ICU (PySide6's Windows Qt uses the system's), so this is Linux only; it
needs `nm` and `gcc` (the library is the subset data `.incbin`'d into a shared object with the same
SONAME and symbol).  Without them the bundle keeps the full library and says so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Item names inside the package (without the "icudt73l/" prefix) that stay.
KEEP = re.compile(
    r"^(?:"
    r"(?:coll/|zone/)?(?:res_index|root|pool)\.res"  # the trees' roots and indexes
    r"|(?:coll/|zone/)?(?:zh(?:_\w+)?|en|en_US|en_US_POSIX|en_001|en_GB)\.res"  # Chinese, English
    r"|coll/ucadata\.icu"  # the collation base table
    r"|zone/tzdbNames\.res"
    r"|(?:likelySubtags|supplementalData|metadata|keyTypeData|timezoneTypes|metaZones|windowsZones|zoneinfo64|numberingSystems)\.res"
    r"|cnvalias\.icu|gb18030\.cnv|windows-936-2000\.cnv|ibm-1386_P100-2001\.cnv|windows-950-2000\.cnv"
    r"|ibm-1373_P100-2002\.cnv|ibm-1383_P110-1999\.cnv|ibm-5478_P100-1995\.cnv"
    r"|ulayout\.icu|uemoji\.icu"  # small property data ICU may load on demand
    r")$"
)

CHECK_CHILD = r"""
import json, sys
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QStringEncoder, QTimeZone
names = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑十一", "冯十二", "陈", "褚", "卫",
         "蒋", "沈", "韩", "杨", "天津市", "天津港", "北京", "上海", "重庆", "file10.pdf", "file2.pdf", "File1.PDF",
         "ábc", "abc", "Zeta", "alpha", "阿", "啊", "吖", "〇", "一", "二", "三", "十", "百", "千", "万", "亿"]
out = {}
for loc in ("zh_CN", "en_US", "C"):
    for numeric in (False, True):
        c = QCollator(QLocale(loc)); c.setNumericMode(numeric)
        import functools
        out[f"sort {loc} {numeric}"] = sorted(names, key=functools.cmp_to_key(c.compare))
        out[f"key {loc} {numeric}"] = [c.sortKey(n).compare(c.sortKey("天津")) for n in names]
for loc in ("zh_CN", "en_US", "tr_TR"):
    out[f"upper {loc}"] = QLocale(loc).toUpper("istanbul ıi ǆ straße")
    out[f"lower {loc}"] = QLocale(loc).toLower("İSTANBUL IÍ Σ")
# PySide6 exposes no ICU encoding call; Qt itself decodes e.g. HTML from the clipboard with these
for enc in ("GB18030", "GBK", "GB2312", "Big5", "windows-936", "cp936", "UTF-8", "UTF-16LE", "ISO-8859-1"):
    e, d = QStringEncoder(enc), QStringDecoder(enc)
    out[f"codec {enc}"] = [e.isValid(), d.isValid(), e.name() if e.isValid() else ""]
out["codecs (the subset keeps fewer)"] = len(QStringEncoder.availableCodecs())
for tz in ("Asia/Shanghai", "America/New_York", "Europe/London", "UTC"):
    z = QTimeZone(tz.encode())
    out[f"tz {tz}"] = [z.isValid(), z.id().data().decode()]
    for loc in ("zh_CN", "en_US"):
        for t in (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName, QTimeZone.NameType.OffsetName):
            out[f"tz {tz} {loc} {t.name}"] = z.displayName(QTimeZone.TimeType.StandardTime, t, QLocale(loc))
out["tz count"] = len(QTimeZone.availableTimeZoneIds())
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
"""


EXPECTED_FEWER = "codecs (the subset keeps fewer)"


def _symbol(lib: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the `icudtNN_dat` symbol that holds the data package."""
    nm = subprocess.run(["nm", "-D", "-S", "--defined-only", str(lib)], capture_output=True, text=True,
                        check=True).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 4 and re.fullmatch(r"icudt\d+_dat", parts[3]):
            addr, size = int(parts[0], 16), int(parts[1], 16)
            break
    else:
        raise ValueError(f"no icudt*_dat symbol in {lib}")
    # the file offset of the address: from the section that holds it
    sections = subprocess.run(["readelf", "-S", "-W", str(lib)], capture_output=True, text=True, check=True).stdout
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", sections):
        sec_addr, sec_off, sec_size = (int(m.group(i), 16) for i in (2, 3, 4))
        if sec_addr <= addr < sec_addr + sec_size:
            return parts[3], addr - sec_addr + sec_off, size
    raise ValueError(f"section of {parts[3]} not found in {lib}")


def items(dat: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header, [(name, data), …]) of an ICU common data package ("CmnD", little-endian)."""
    header_size = struct.unpack_from("<H", dat, 0)[0]
    if dat[2:4] != b"\xda\x27" or dat[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    count = struct.unpack_from("<I", dat, header_size)[0]
    toc = [struct.unpack_from("<II", dat, header_size + 4 + 8 * i) for i in range(count)]
    out = []
    for i, (name_off, data_off) in enumerate(toc):
        start = header_size + name_off
        name = dat[start:dat.index(b"\0", start)].decode("ascii")
        end = header_size + toc[i + 1][1] if i + 1 < count else len(dat)
        out.append((name, dat[header_size + data_off:end]))
    return dat[:header_size], out


def package(header: bytes, kept: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package of `kept` (names sorted as ICU's binary search needs)."""
    kept = sorted(kept, key=lambda item: item[0].encode("ascii"))
    toc_size = 4 + 8 * len(kept)
    names = b""
    name_offs = []
    for name, _ in kept:
        name_offs.append(toc_size + len(names))
        names += name.encode("ascii") + b"\0"
    pos = toc_size + len(names)
    pos += -pos % 16  # items are 16-byte aligned
    body = bytearray()
    data_offs = []
    for _, data in kept:
        data_offs.append(pos + len(body))
        body += data
        body += b"\0" * (-len(body) % 16)
    toc = struct.pack("<I", len(kept)) + b"".join(struct.pack("<II", n, d) for n, d in zip(name_offs, data_offs))
    pad = b"\0" * (-(toc_size + len(names)) % 16)
    return header + toc + names + pad + bytes(body)


def build(original: Path, out: Path) -> dict[str, int]:
    """Write the subset library for `original` (a libicudataNN.so) to `out`; returns sizes."""
    symbol, offset, size = _symbol(original)
    dat = original.read_bytes()[offset:offset + size]
    header, all_items = items(dat)
    prefix = all_items[0][0].split("/", 1)[0] + "/"  # "icudt73l/"
    kept = [(n, d) for n, d in all_items if KEEP.match(n[len(prefix):])]
    small = package(header, kept)
    soname = subprocess.run(["readelf", "-d", str(original)], capture_output=True, text=True, check=True).stdout
    soname = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", soname).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "icu.dat"
        data.write_bytes(small)
        asm = Path(tmp) / "icu.S"
        asm.write_text(f"""    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{data}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack,"",@progbits
""")
        subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(out), f"-Wl,-soname,{soname}", str(asm)], check=True)
    return {"items": len(all_items), "kept": len(kept), "before": original.stat().st_size, "after": out.stat().st_size}


def _probe(preload: Path | None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)
    r = subprocess.run([sys.executable, "-c", CHECK_CHILD], capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"ICU probe failed ({'subset' if preload else 'original'}): {r.stderr[-2000:]}")
    return json.loads(r.stdout)


def check(subset: Path) -> list[str]:
    """The Qt calls that answer differently with `subset` than with the original library ([] = none)."""
    full, small = _probe(None), _probe(subset)
    return sorted(k for k in full.keys() | small.keys()
                  if full.get(k) != small.get(k) and not k.startswith(EXPECTED_FEWER))


def available() -> bool:
    """Whether this machine can build the subset (Linux with nm, readelf and gcc)."""
    return sys.platform.startswith("linux") and all(shutil.which(t) for t in ("nm", "readelf", "gcc"))


if __name__ == "__main__":  # python installer/icu_subset.py LIB OUT → build and check
    sizes = build(Path(sys.argv[1]), Path(sys.argv[2]))
    print(sizes, "differences:", check(Path(sys.argv[2])))
