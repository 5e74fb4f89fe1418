"""Build the fonts that the PDFs are set in, from Debian's font packages, once.

reportlab embeds only fonts with TrueType (``glyf``) outlines; Noto CJK ships CFF outlines in a
``.ttc``.  This script takes the Simplified Chinese faces out of Debian's collections, subsets them
to the characters a Chinese application needs, converts the cubic CFF outlines to quadratic
TrueType outlines (fontTools' cu2qu, the ``otf2ttf`` recipe from fontTools' snippets), drops the
hinting and the OpenType layout tables (reportlab uses neither) and writes them to
``resources/fonts/``.  It also adds Hanazono Mincho (already TrueType) as two fallbacks
for the characters Noto lacks: CJK Ext-B…F (HanaMinB, copied unchanged: subsetting it
saves only 0.1 MB) and a few rare characters (a small subset of HanaMinA).

Run it from the repository root on Debian 12 (or any system with the same packages)::

    apt-get install -y fonts-noto-cjk fonts-hanazono
    pip install fonttools
    python tools/build_fonts.py            # ≈ 1–2 min on 2 cores; writes resources/fonts/*.ttf

``python tools/build_fonts.py --check`` only verifies the committed outputs (glyf outlines,
coverage of GBK, rare name characters and Ext-B) without rebuilding them.

Inputs (Debian 12 package versions used for the committed files):

* ``fonts-noto-cjk`` 1:20220127+repack1-1: ``NotoSerifCJK-Regular.ttc`` and ``NotoSansCJK-Bold.ttc``,
  face index 2 (``Noto Serif CJK SC`` / ``Noto Sans CJK SC Bold``), SIL OFL 1.1;
* ``fonts-hanazono`` 20170904-2.1: ``HanaMinA.ttf``, ``HanaMinB.ttf`` (GlyphWiki Project),
  Hanazono Font License or SIL OFL 1.1 at the user's choice.

The output is deterministic for the same inputs and fontTools version (``head`` timestamps are fixed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "fonts"

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
HANAZONO_DIR = Path("/usr/share/fonts/truetype/hanazono")
SC_INDEX = 2  # face order in the Noto CJK collections: JP, KR, SC, TC, HK

BODY_OUT = "NotoSerifSC-Regular.ttf"
HEADING_OUT = "NotoSansSC-Bold.ttf"
EXTB_OUT = "HanaMinB.ttf"  # copied unchanged: a subset to Ext-B…F saves only 0.1 MB
RARE_OUT = "HanaMinA-Sub.ttf"

# A fixed build date (1 January 2024) keeps rebuilt files byte-identical.
FIXED_TIMESTAMP = 3787084800  # seconds since 1904-01-01, OpenType's epoch

# Unicode blocks a Chinese application may contain, beyond what GBK lists.  Hangul syllables,
# bopomofo, Yi and the like are left out on purpose.
BMP_RANGES: list[tuple[int, int]] = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x0100, 0x024F),  # Latin extended A/B (pinyin tone marks ā á ǎ à, ü)
    (0x02B0, 0x02FF),  # spacing modifier letters (ˇ ˉ ˊ ˋ ˙)
    (0x0370, 0x03FF),  # Greek (formulae, α β Ω)
    (0x0400, 0x04FF),  # Cyrillic (in GBK)
    (0x2000, 0x206F),  # general punctuation (— … ‰ ※)
    (0x2070, 0x209F),  # super- and subscripts
    (0x20A0, 0x20CF),  # currency symbols (€)
    (0x2100, 0x214F),  # letterlike symbols (℃ № ™)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ Ⅲ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2300, 0x23FF),  # miscellaneous technical
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x2580, 0x259F),  # block elements
    (0x25A0, 0x25FF),  # geometric shapes (□ ■ ○ ● ◆ △)
    (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆ √ in 221A)
    (0x2700, 0x27BF),  # dingbats (✓ ✔ ➀)
    (0x2E80, 0x2EFF),  # CJK radicals supplement
    (0x2F00, 0x2FDF),  # Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〈〉《》「」【】〔〕)
    (0x3040, 0x30FF),  # kana (in GBK)
    (0x31C0, 0x31EF),  # CJK strokes
    (0x3200, 0x32FF),  # enclosed CJK letters and months (㈠ ㊣)
    (0x3300, 0x33FF),  # CJK compatibility (㎡ ㎏)
    (0x3400, 0x4DBF),  # CJK Ext-A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFE50, 0xFE6F),  # small form variants
    (0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
    (0xFFFC, 0xFFFD),  # object / replacement character
]

# CJK ideographs outside the BMP: Ext-B … Ext-F and the compatibility supplement.
SIP_RANGES: list[tuple[int, int]] = [
    (0x20000, 0x2A6DF),  # Ext-B
    (0x2A700, 0x2B73F),  # Ext-C
    (0x2B740, 0x2B81F),  # Ext-D
    (0x2B820, 0x2CEAF),  # Ext-E
    (0x2CEB0, 0x2EBEF),  # Ext-F
    (0x2F800, 0x2FA1F),  # compatibility ideographs supplement
]


def gbk_chars() -> set[int]:
    """Every character of GBK (all double-byte codes Python's codec decodes), private use excluded."""
    out: set[int] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                ch = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if unicodedata.category(ch) != "Co":
                out.add(ord(ch))
    return out


def expand(ranges: list[tuple[int, int]]) -> set[int]:
    return {cp for lo, hi in ranges for cp in range(lo, hi + 1)}


def body_codepoints() -> set[int]:
    """What the body and heading faces keep: the blocks above, GBK and GB18030's BMP ideographs."""
    return expand(BMP_RANGES) | gbk_chars() | set(range(0x20, 0x7F))


# -- conversion ------------------------------------------------------------------------------------


def _subset(font: TTFont, codepoints: set[int]) -> None:
    opts = subset.Options()
    opts.hinting = False
    opts.desubroutinize = True
    opts.layout_features = []
    opts.drop_tables += ["BASE", "GDEF", "GPOS", "GSUB", "VORG", "vhea", "vmtx", "DSIG", "FFTM", "prop",
                         "gasp", "JSTF", "MATH", "meta"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.recalc_timestamp = False
    opts.prune_unicode_ranges = True
    s = subset.Subsetter(opts)
    s.populate(unicodes=sorted(codepoints))
    s.subset(font)


def _cff_to_glyf(font: TTFont, max_err: float = 1.0) -> None:
    """Replace the CFF table by a glyf table (fontTools' snippets/otf2ttf.py)."""
    assert font.sfntVersion == "OTTO" and "CFF " in font
    order = font.getGlyphOrder()
    glyphset = font.getGlyphSet()
    quad = {}
    for name in order:
        tt_pen = TTGlyphPen(glyphset)
        glyphset[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        quad[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quad
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, g in quad.items():
        width = hmtx.metrics[name][0]
        hmtx.metrics[name] = (width, getattr(g, "xMin", 0))
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, attr, 0)
    maxp.maxComponentElements = max((len(g.components) for g in quad.values() if hasattr(g, "components")),
                                    default=0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and CID-keyed fonts have none worth keeping
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def _finish(font: TTFont, path: Path) -> None:
    font["head"].created = font["head"].modified = FIXED_TIMESTAMP
    font.recalcTimestamp = False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    font.save(str(tmp))
    os.replace(tmp, path)


def build_noto(src: Path, out: Path, codepoints: set[int]) -> None:
    t0 = time.perf_counter()
    font = TTFont(str(src), fontNumber=SC_INDEX, recalcTimestamp=False)
    _subset(font, codepoints)
    _cff_to_glyf(font)
    _finish(font, out)
    print(f"{out.name}: {out.stat().st_size / 1e6:.1f} MB, {font['maxp'].numGlyphs} glyphs, "
          f"{time.perf_counter() - t0:.0f} s")


def build_hanazono(src: Path, out: Path, codepoints: set[int]) -> None:
    t0 = time.perf_counter()
    font = TTFont(str(src), recalcTimestamp=False)
    _subset(font, codepoints | {0x20})
    _finish(font, out)
    print(f"{out.name}: {out.stat().st_size / 1e6:.1f} MB, {font['maxp'].numGlyphs} glyphs, "
          f"{time.perf_counter() - t0:.0f} s")


def cmap_of(path: Path) -> set[int]:
    with TTFont(str(path), lazy=True) as font:
        return set(font.getBestCmap())


def build(out_dir: Path = OUT) -> None:
    wanted = body_codepoints()
    build_noto(NOTO_DIR / "NotoSerifCJK-Regular.ttc", out_dir / BODY_OUT, wanted)
    build_noto(NOTO_DIR / "NotoSansCJK-Bold.ttc", out_dir / HEADING_OUT, wanted)
    body = cmap_of(out_dir / BODY_OUT)
    shutil.copyfile(HANAZONO_DIR / "HanaMinB.ttf", out_dir / EXTB_OUT)
    print(f"{EXTB_OUT}: {(out_dir / EXTB_OUT).stat().st_size / 1e6:.1f} MB, copied unchanged")
    extb = cmap_of(out_dir / EXTB_OUT)
    # HanaMinA: only what neither the body face nor the Ext-B fallback has, in the wanted blocks
    # (the BMP ideographs Noto lacks, a few symbols of GBK) and the SIP ideographs HanaMinB lacks.
    hana_a = cmap_of(HANAZONO_DIR / "HanaMinA.ttf")
    rare = (hana_a - body - extb) & (wanted | expand(SIP_RANGES))
    build_hanazono(HANAZONO_DIR / "HanaMinA.ttf", out_dir / RARE_OUT, rare)
    sys.path.insert(0, str(ROOT / "src"))
    from zscq_desktop.render.font_files import write_manifest  # sizes and SHA-256 a packed font is checked against

    write_manifest(out_dir)


# -- verification ------------------------------------------------------------------------------------

RARE_NAME_CHARS = "喆堃昇珺镕䶮"
EXT_B_SAMPLE = "\U00020000"  # 𠀀


def check(out_dir: Path = OUT) -> list[str]:
    """Return the problems found in the built fonts (empty when they are fine)."""
    problems: list[str] = []
    cmaps: dict[str, set[int]] = {}
    for name in (BODY_OUT, HEADING_OUT, EXTB_OUT, RARE_OUT):
        path = out_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        with TTFont(str(path), lazy=True) as font:
            if "glyf" not in font or "CFF " in font:
                problems.append(f"{name}: not TrueType outlines")
            cmaps[name] = set(font.getBestCmap())
        print(f"{name}: {path.stat().st_size / 1e6:.1f} MB, {len(cmaps[name])} characters")
    if problems:
        return problems
    body, heading = cmaps[BODY_OUT], cmaps[HEADING_OUT]
    everything = body | cmaps[EXTB_OUT] | cmaps[RARE_OUT]
    hanzi = {cp for cp in gbk_chars() if unicodedata.name(chr(cp), "").startswith("CJK")}
    for label, cov in (("body", body), ("heading", heading)):
        lost = sorted(hanzi - cov)
        if lost:
            problems.append(f"{label} lacks {len(lost)} GBK ideographs: {''.join(map(chr, lost[:20]))}")
    lost = sorted(gbk_chars() - everything)
    if lost:
        problems.append(f"GBK characters no font has: {' '.join(f'U+{c:04X}' for c in lost)}")
    for ch in RARE_NAME_CHARS:
        if ord(ch) not in everything:
            problems.append(f"no font has {ch}")
    if ord(EXT_B_SAMPLE) not in cmaps[EXTB_OUT]:
        problems.append("the Ext-B fallback lacks U+20000")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify the committed fonts, build nothing")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default: resources/fonts)")
    args = ap.parse_args(argv)
    if not args.check:
        build(args.out)
    problems = check(args.out)
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
