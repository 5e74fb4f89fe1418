"""Recompress the scanned images inside a PDF so that the e-mail zip fits its size budget.

Only the copy of the volume that goes into the zip is shrunk; the printed volume is never touched.
Pages, text, fonts, metadata (the version stamp), bookmarks and content streams are kept as they
are: only image XObjects are re-encoded in place, so the page count and the stamp cannot change.

Legibility comes first. The resolution that matters is the *effective* one: pixels per inch at
the size the image is drawn on the page. Every page's content stream (and the form XObjects it
calls) is walked with the current transformation matrix to find the largest size each image is
placed at; an image is never resampled below ``min_dpi`` (150 dpi) at that size. Images that are
drawn nowhere, masks, soft-masked images and unusual colour spaces (CMYK, indexed, bitonal scans,
which are already small) are left alone. A re-encoded image is kept only when it is clearly
smaller.

No Qt here.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pikepdf
from pikepdf import Dictionary, Name, Stream
from PIL import Image

log = logging.getLogger(__name__)

MIN_DPI = 150.0  # below this a scanned A4 page stops being comfortably legible
KEEP_RATIO = 0.9  # keep a re-encoded image only when it is at least 10 % smaller
MAX_FORM_DEPTH = 12  # nested form XObjects followed at most this deep (guards against cycles)

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Level:
    """One step of recompression: resample down to ``dpi`` (never below 150), JPEG ``quality``."""

    dpi: float
    quality: int


#: tried in order until the zip fits: gentle first, the legibility floor last.
LEVELS: tuple[Level, ...] = (Level(220, 80), Level(150, 75), Level(150, 60), Level(150, 50))


@dataclass
class ShrinkResult:
    pdf: bytes  # empty when the PDF was written to `path`
    pages: int
    changed: int  # images re-encoded
    skipped: int  # placed images left as they were (masks, colour spaces we do not re-encode, no gain)
    min_dpi: float | None  # lowest effective dpi among re-encoded images, at their largest placement
    path: Path | None = None  # the file the PDF was written to (`shrink_to_fit(to=…)`)
    size: int = 0  # bytes of the PDF


@dataclass
class _Placement:
    obj: Stream
    width_pt: float = 0.0  # largest placed size along the image's x axis
    height_pt: float = 0.0


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m × n in PDF row-vector convention (apply m first, then n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix(values: Any) -> Matrix | None:
    try:
        m = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        return None
    return m if len(m) == 6 else None  # type: ignore[return-value]


def _has_images(resources: Any, depth: int = 0) -> bool:
    """Cheap pre-check so text-only pages are not parsed."""
    if not isinstance(resources, Dictionary) or depth > MAX_FORM_DEPTH:
        return False
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, Dictionary):
        return False
    for _name, x in xobjects.items():
        if not isinstance(x, Stream):
            continue
        if x.get("/Subtype") == Name.Image:
            return True
        if x.get("/Subtype") == Name.Form and _has_images(x.get("/Resources") or resources, depth + 1):
            return True
    return False


def _walk(content: Any, resources: Any, ctm: Matrix, found: dict[Any, _Placement], depth: int) -> None:
    """Record where each image is drawn by ``content`` (a page or a form XObject)."""
    if depth > MAX_FORM_DEPTH or not isinstance(resources, Dictionary):
        return
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, Dictionary):
        return
    try:
        ops = pikepdf.parse_content_stream(content, "q Q cm Do")
    except (pikepdf.PdfError, ValueError, KeyError, TypeError) as exc:  # a damaged stream: leave its images alone
        log.info("content stream not parsed: %s", exc)
        return
    stack: list[Matrix] = []
    for inst in ops:
        operands, op = inst.operands, str(inst.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm":
            m = _matrix(operands)
            if m is not None:
                ctm = _mul(m, ctm)
        elif op == "Do" and operands:
            x = xobjects.get(str(operands[0]))
            if not isinstance(x, Stream):
                continue
            if x.get("/Subtype") == Name.Image:
                key = x.objgen if x.is_indirect else id(x)
                p = found.setdefault(key, _Placement(x))
                p.width_pt = max(p.width_pt, math.hypot(ctm[0], ctm[1]))
                p.height_pt = max(p.height_pt, math.hypot(ctm[2], ctm[3]))
            elif x.get("/Subtype") == Name.Form:
                inner = _matrix(x.get("/Matrix", IDENTITY)) or IDENTITY
                _walk(x, x.get("/Resources") or resources, _mul(inner, ctm), found, depth + 1)


def _inherited(page: Any, key: str) -> Any:
    """A page attribute, looked up the page tree as PDF inheritance allows (Resources may sit on /Pages)."""
    node, depth = page, 0
    while isinstance(node, Dictionary) and depth < 64:
        if key in node:
            return node[key]
        node, depth = node.get("/Parent"), depth + 1
    return None


def image_placements(pdf: pikepdf.Pdf) -> list[_Placement]:
    """Every image XObject drawn in ``pdf``'s pages with its largest placed size in points."""
    found: dict[Any, _Placement] = {}
    for page in pdf.pages:
        resources = _inherited(page.obj, "/Resources")
        if not _has_images(resources) or "/Contents" not in page.obj:
            continue
        _walk(page, resources, IDENTITY, found, 0)
    return list(found.values())


def _mode(obj: Stream) -> str | None:
    """'L' or 'RGB' for the colour spaces we re-encode as JPEG, else None."""
    cs = obj.get("/ColorSpace")
    if cs == Name.DeviceGray:
        return "L"
    if cs == Name.DeviceRGB:
        return "RGB"
    if isinstance(cs, pikepdf.Array) and len(cs) == 2 and cs[0] == Name.ICCBased and isinstance(cs[1], Stream):
        n = cs[1].get("/N")
        return {1: "L", 3: "RGB"}.get(int(n) if n is not None else 0)
    return None


def _filters(obj: Stream) -> list[str]:
    f = obj.get("/Filter")
    if f is None:
        return []
    return [str(x) for x in f] if isinstance(f, pikepdf.Array) else [str(f)]


#: filters that only wrap the data (text encodings, lossless compression): qpdf undoes them
_WRAPPERS = {"/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx", "/FlateDecode", "/Fl", "/LZWDecode", "/LZW",
             "/RunLengthDecode", "/RL"}


def _decode(obj: Stream, mode: str, size: tuple[int, int], target: tuple[int, int]) -> Image.Image | None:
    """The image's pixels as a PIL image (JPEG drafted towards ``target`` for speed), or None."""
    filters = _filters(obj)
    if _is_jpeg(filters):
        return _open_jpeg(_jpeg_bytes(obj, filters), mode, size, target)
    if set(filters) <= _WRAPPERS:
        data = obj.read_bytes()
        if len(data) != size[0] * size[1] * len(mode):
            return None
        return Image.frombytes(mode, size, data)
    return None  # JPX, CCITT, JBIG2: rare for colour scans, and bitonal scans are already small


def _is_jpeg(filters: list[str]) -> bool:
    return bool(filters) and filters[-1] in ("/DCTDecode", "/DCT") and set(filters[:-1]) <= _WRAPPERS


def _open_jpeg(jpeg: bytes, mode: str, size: tuple[int, int], target: tuple[int, int]) -> Image.Image | None:
    img = Image.open(io.BytesIO(jpeg))
    if img.mode not in ("L", "RGB") or img.size != size:
        return None  # CMYK/YCCK JPEGs carry inverted Adobe data: leave them
    img.draft(img.mode, target)
    return img.convert(mode)


def _jpeg_bytes(obj: Stream, filters: list[str]) -> bytes:
    """The JPEG inside a DCT stream, its wrappers (ASCII85, Flate…) undone: qpdf decodes a stream
    only completely and never decodes DCT, so the wrappers are decoded on a scratch copy."""
    raw = obj.read_raw_bytes()
    if len(filters) == 1:
        return raw
    with pikepdf.new() as doc:  # kept open while its stream is read
        scratch = doc.make_stream(b"")
        scratch.write(raw, filter=pikepdf.Array([Name(f) for f in filters[:-1]]))
        return scratch.read_bytes()


def _target(p: _Placement, level: Level, min_dpi: float) -> tuple[str, int, int, int, int] | None:
    """(mode, width, height, new width, new height) for an image we may re-encode at `level`, else None."""
    obj = p.obj
    if obj.get("/ImageMask") or "/Mask" in obj or "/SMask" in obj or "/Decode" in obj:
        return None
    if int(obj.get("/BitsPerComponent", 8)) != 8:
        return None
    mode = _mode(obj)
    w, h = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
    if mode is None or w <= 0 or h <= 0 or p.width_pt <= 0 or p.height_pt <= 0:
        return None
    dpi_x, dpi_y = w / (p.width_pt / 72), h / (p.height_pt / 72)
    goal = max(level.dpi, min_dpi)
    scale = min(1.0, max(goal / dpi_x, goal / dpi_y))  # the axis that needs more pixels decides
    return mode, w, h, max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale))


def _pixels(p: _Placement, level: Level, min_dpi: float) -> Image.Image | None:
    """The image of `p` decoded and resampled for `level`, or None to leave it."""
    t = _target(p, level, min_dpi)
    if t is None:
        return None
    mode, w, h, nw, nh = t
    try:
        img = _decode(p.obj, mode, (w, h), (nw, nh))
    except (OSError, ValueError, pikepdf.PdfError, NotImplementedError) as exc:
        log.info("image not decoded: %s", exc)
        return None
    if img is None:
        return None
    return img if img.size == (nw, nh) else img.resize((nw, nh), Image.Resampling.LANCZOS)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _stored(obj: Stream) -> int:
    """The image's size as stored in the PDF (encoded)."""
    return len(obj.read_raw_bytes())


def _reencode(p: _Placement, level: Level, min_dpi: float) -> tuple[bytes, int, int, float] | None:
    """New JPEG bytes, size and effective dpi for one placed image, or None to leave it."""
    img = _pixels(p, level, min_dpi)
    if img is None:
        return None
    data = _jpeg(img, level.quality)
    if len(data) >= KEEP_RATIO * _stored(p.obj):
        return None
    nw, nh = img.size
    return data, nw, nh, min(nw / (p.width_pt / 72), nh / (p.height_pt / 72))


class Cache(Protocol):
    """Where re-encoded images are kept between exports (a `.zscq` Document, `volume.caches`)."""

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None: ...

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None: ...


#: the cache kind of a re-encoded image: ONE entry per image (keyed by its stored bytes), replaced
#: when another level is chosen, so the document grows by at most one small copy of each image
CACHE_KIND = "zip-jpeg"


def _image_key(p: _Placement) -> str:
    """SHA-256 of what decides the image's pixels: its stored bytes and how they are to be read."""
    obj = p.obj
    h = hashlib.sha256(obj.read_raw_bytes())
    h.update(repr((int(obj.get("/Width", 0)), int(obj.get("/Height", 0)), _mode(obj), _filters(obj))).encode())
    return h.hexdigest()


def _cached(p: _Placement, t: tuple[str, int, int, int, int], level: Level, cache: Cache | None
            ) -> tuple[bool, bytes | None, str, dict]:
    """(found, JPEG bytes or None for "no gain", key, what the entry must match) from `cache`."""
    if cache is None:
        return False, None, "", {}
    key, want = _image_key(p), {"w": t[3], "h": t[4], "q": level.quality}
    try:
        hit = cache.get_derived(key, CACHE_KIND)
    except Exception:  # noqa: BLE001 - a cache that cannot be read only costs time
        log.info("shrink cache not read", exc_info=True)
        hit = None
    if hit is not None and {k: hit[1].get(k) for k in want} == want:
        return True, (hit[0] or None), key, want
    return False, None, key, want


#: the cache kind of a sample's measured bytes per pixel at one level (a few bytes; see `_Sampler`)
BPP_KIND = "zip-bpp"
BPP_VERSION = 1  # raised when the way the sample is measured changes


def _store_meta(cache: Cache | None, key: str, kind: str, meta: dict) -> None:
    if cache is None:
        return
    try:
        cache.put_derived(key, kind, b"", meta)
    except Exception:  # noqa: BLE001 - read-only document, full disk: the cache only saves time
        log.info("shrink cache not written", exc_info=True)


def _store(cache: Cache | None, key: str, want: dict, jpeg: bytes | None) -> None:
    if cache is None:
        return
    try:
        cache.put_derived(key, CACHE_KIND, jpeg or b"", want)  # empty: "no gain", not tried again
    except Exception:  # noqa: BLE001 - read-only document, full disk: the cache only saves time
        log.info("shrink cache not written", exc_info=True)


def _replace(obj: Stream, jpeg: bytes, w: int, h: int) -> None:
    for key in ("/DecodeParms", "/DL"):
        if key in obj:
            del obj[key]
    obj.write(jpeg, filter=Name.DCTDecode)  # the JPEG bytes as they are (already encoded)
    obj.Width, obj.Height, obj.BitsPerComponent = w, h, 8


def _open(data: bytes | Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        raise ValueError(f"申报材料 PDF 无法读取，不能压缩其中的图片：{exc}") from None


def _apply(pdf: pikepdf.Pdf, placements: list[_Placement], level: Level, min_dpi: float,
           to: Path | None = None, cache: Cache | None = None) -> ShrinkResult:
    """Re-encode every placed image once at `level` and write the PDF (to the file `to` when given:
    the shrunk copy is then never in memory as one piece). Images `cache` has are taken from it."""
    changed = skipped = 0
    lowest: float | None = None
    for p in placements:
        t = _target(p, level, min_dpi)
        jpeg: bytes | None = None
        if t is not None:
            found, jpeg, key, want = _cached(p, t, level, cache)
            if not found:
                try:
                    new = _reencode(p, level, min_dpi)
                except Exception:  # noqa: BLE001 - one odd image must not stop the others; it stays as it was
                    log.exception("image not recompressed")
                    new = None
                jpeg = new[0] if new else None
                _store(cache, key, want, jpeg)
        if t is None or jpeg is None:
            skipped += 1
            continue
        nw, nh = t[3], t[4]
        _replace(p.obj, jpeg, nw, nh)
        changed += 1
        dpi = min(nw / (p.width_pt / 72), nh / (p.height_pt / 72))
        lowest = dpi if lowest is None else min(lowest, dpi)
    out = io.BytesIO() if to is None else to
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    if to is None:
        data = out.getvalue()  # type: ignore[union-attr]
        return ShrinkResult(data, len(pdf.pages), changed, skipped, lowest, size=len(data))
    return ShrinkResult(b"", len(pdf.pages), changed, skipped, lowest, path=to, size=to.stat().st_size)


def shrink_pdf(data: bytes, level: Level, *, min_dpi: float = MIN_DPI) -> ShrinkResult:
    """Return a copy of the PDF ``data`` with its images recompressed at ``level``.

    Raises:
        ValueError: ``data`` is not a readable PDF (message in Chinese).
    """
    pdf = _open(data)
    return _apply(pdf, image_placements(pdf), level, min_dpi)


#: the levels `shrink_to_fit` chooses from, gentlest first; the last is the legibility floor
LADDER: tuple[Level, ...] = (Level(220, 80), Level(200, 75), Level(180, 70), Level(150, 75), Level(150, 65),
                             Level(150, 58), Level(150, 50))
SAMPLE_IMAGES = 6  # images encoded at the levels tried, to learn the bytes per pixel of this document
MARGIN = 0.05  # the estimate's error seen on scans and photos stays well inside this


@dataclass
class FitResult:
    result: ShrinkResult | None  # None: nothing re-encoded (no image that could be, or `unreachable`)
    level: Level | None
    estimate: int  # the PDF's predicted size at `level`
    #: even the legibility floor (the last level) is predicted to stay over the budget, so no image
    #: was re-encoded; `estimate` is the predicted size at the floor
    unreachable: bool = False


class _Sampler:
    """Predicts the stored bytes of all images at a level from a few sample images.

    A JPEG's bytes per pixel at a given quality depend on the content far more than on the size,
    so a handful of images spread over the document, each decoded once (at the largest size any
    level needs) and encoded at the levels asked about, predicts the whole within a few per cent
    without touching the others. With a `cache`, the bytes per pixel found for a sample and a level
    are kept (kind `BPP_KIND`), so exporting the same images again decodes none of them.
    """

    def __init__(self, placements: list[_Placement], top: Level, min_dpi: float, cache: Cache | None = None) -> None:
        self.placements, self.top, self.min_dpi, self.cache = placements, top, min_dpi, cache
        self.stored = [_stored(p.obj) for p in placements]
        usable = [p for p in placements if _target(p, top, min_dpi) is not None]
        step = max(1, len(usable) // SAMPLE_IMAGES)
        self.chosen = usable[::step][:SAMPLE_IMAGES]
        self._sample: list[tuple[_Placement, Image.Image]] | None = None  # decoded on first need
        self._sizes: dict[tuple[int, tuple[int, int]], Image.Image] = {}

    @property
    def sample(self) -> list[tuple[_Placement, Image.Image]]:
        if self._sample is None:
            self._sample = []
            for p in self.chosen:
                try:
                    img = _pixels(p, self.top, self.min_dpi)
                except Exception:  # noqa: BLE001 - an odd image is simply not part of the sample
                    log.exception("sample image not decoded")
                    img = None
                if img is not None:
                    self._sample.append((p, img))
        return self._sample

    def _resized(self, i: int, biggest: Image.Image, size: tuple[int, int]) -> Image.Image:
        """Sample `i` at `size`, resampled once per size (the 150-dpi levels share it)."""
        key = (i, size)
        if key not in self._sizes:
            self._sizes[key] = biggest if size == biggest.size else biggest.resize(size, Image.Resampling.LANCZOS)
        return self._sizes[key]

    def _bpp(self, level: Level) -> float | None:
        """Bytes per pixel of the sample at `level`: from the cache, or measured (and cached)."""
        key = None
        if self.cache is not None and self.chosen:
            ident = ([_image_key(p) for p in self.chosen], self.top, level, self.min_dpi, BPP_VERSION)
            key = hashlib.sha256(repr(ident).encode("utf-8")).hexdigest()
            try:
                hit = self.cache.get_derived(key, BPP_KIND)
            except Exception:  # noqa: BLE001 - a cache that cannot be read only costs time
                hit = None
            if hit is not None and isinstance(hit[1].get("bpp"), (int, float, type(None))):
                return hit[1]["bpp"]
        size = area = 0
        for i, (p, biggest) in enumerate(self.sample):
            t = _target(p, level, self.min_dpi)
            img = biggest if t is None else self._resized(i, biggest, (t[3], t[4]))
            size += len(_jpeg(img, level.quality))
            area += img.size[0] * img.size[1]
        bpp = size / area if area else None
        if key is not None:
            _store_meta(self.cache, key, BPP_KIND, {"bpp": bpp})
        return bpp

    def predict(self, level: Level) -> int:
        bpp = self._bpp(level)
        total = 0
        for p, old in zip(self.placements, self.stored):
            t = _target(p, level, self.min_dpi)
            new = None if t is None or bpp is None else bpp * t[3] * t[4]
            total += int(new) if new is not None and new < KEEP_RATIO * old else old
        return total


def estimate(placements: list[_Placement], levels: tuple[Level, ...], min_dpi: float) -> list[int]:
    """Predicted stored bytes of all images at each of `levels` (the first is the largest)."""
    sampler = _Sampler(placements, levels[0], min_dpi)
    return [sampler.predict(level) for level in levels]


def shrink_to_fit(data: bytes | Path, budget: int, *, levels: tuple[Level, ...] = LADDER,
                  min_dpi: float = MIN_DPI, to: Path | None = None, cache: Cache | None = None) -> FitResult:
    """The PDF ``data`` with its images re-encoded once, at the gentlest level predicted to fit ``budget`` bytes
    (written to the file ``to`` when given, else returned as bytes). With ``cache``, an image
    re-encoded to the same size and quality by an earlier export is taken from there.

    When even the legibility floor (the last level) is predicted to stay clearly over the budget,
    nothing is re-encoded (`FitResult.unreachable`, with the floor's predicted size): a copy that is
    still too large for the mail must be sent another way, and then the full-quality copy serves
    the applicant better; it also costs no time. Near the budget the floor is tried.

    Raises:
        ValueError: ``data`` is not a readable PDF (message in Chinese).
    """
    size = len(data) if isinstance(data, bytes) else data.stat().st_size
    pdf = _open(data)  # a file is read by qpdf as it goes, not into memory first
    try:
        placements = image_placements(pdf)
        if not any(_target(p, levels[0], min_dpi) for p in placements):
            return FitResult(None, None, size)
        sampler = _Sampler(placements, levels[0], min_dpi, cache)
        fixed = size - sum(sampler.stored)
        predicted: dict[int, int] = {}

        def fits(i: int) -> bool:
            if i not in predicted:
                predicted[i] = fixed + sampler.predict(levels[i])
            return predicted[i] * (1 + MARGIN) <= budget

        floor = len(levels) - 1
        if not fits(floor) and predicted[floor] * (1 - MARGIN) > budget:
            return FitResult(None, levels[floor], predicted[floor], unreachable=True)
        lo, hi = 0, floor  # the ladder shrinks step by step: bisect for the gentlest level that fits
        while lo < hi:
            mid = (lo + hi) // 2
            if fits(mid):
                hi = mid
            else:
                lo = mid + 1
        fits(lo)
        return FitResult(_apply(pdf, placements, levels[lo], min_dpi, to, cache), levels[lo], predicted[lo])
    finally:
        pdf.close()
