"""The size budget: recompress the volume copy's scans, never below 150 dpi where they are placed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pikepdf
import pytest
from pkg_helpers import make_info, make_inputs, member, noisy_scan, scan_pdf
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from zscq_desktop.core.findings import Severity
from zscq_desktop.package import read_manifest, verify_package
from zscq_desktop.package.shrink import LEVELS, Level, image_placements, shrink_pdf
from zscq_desktop.package.zipper import build_package

MB = 1024 * 1024


def effective_dpis(pdf: bytes) -> list[tuple[float, float]]:
    """(x dpi, y dpi) of every image at its largest placement."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [(int(p.obj["/Width"]) / (p.width_pt / 72), int(p.obj["/Height"]) / (p.height_pt / 72))
                for p in image_placements(doc)]


@pytest.fixture(scope="session")
def scans(tmp_path_factory, call, fonts):
    """A volume of four large noisy 300-dpi scans (one in colour): about 7 MB."""
    jpegs = [noisy_scan(1843, 2657, seed=n, rgb=n == 0) for n in range(4)]
    return make_inputs(tmp_path_factory.mktemp("scans"), call, fonts, scans=jpegs)


def _build(inputs, out, budget):
    return build_package(out, files=inputs.files, submission=inputs.submission,
                         info=make_info(inputs.stamp, inputs.volume_name), budget_bytes=budget)


def test_over_budget_recompresses_the_zipped_volume(scans, tmp_path):
    volume_path = scans.files[0][1]
    printed = hashlib.sha256(volume_path.read_bytes()).hexdigest()
    assert volume_path.stat().st_size > 6 * MB
    assert min(x for d in effective_dpis(volume_path.read_bytes()) for x in d) > 299

    result = _build(scans, tmp_path, 4 * MB)

    assert result.size_before is not None and result.size_before > 6 * MB
    assert result.size <= 4 * MB and result.size == result.path.stat().st_size
    assert [(f.severity, f.code) for f in result.findings] == [(Severity.INFO, "package.recompressed")]
    msg = result.findings[0].message
    assert f"{result.size_before / MB:.1f} MB" in msg and f"{result.size / MB:.1f} MB" in msg and "4.0 MB" in msg
    assert "打印用的申报材料 PDF 未作改动" in msg
    # the printed volume on disk is untouched
    assert hashlib.sha256(volume_path.read_bytes()).hexdigest() == printed
    # the zipped copy: same pages and stamp, images still ≥ 150 dpi where placed
    zipped = member(result.path, scans.volume_name)
    reader = PdfReader(io.BytesIO(zipped))
    assert len(reader.pages) == scans.volume_pages
    assert reader.metadata["/ZSCQStamp"] == scans.stamp
    dpis = effective_dpis(zipped)
    assert len(dpis) == 4 and all(149.5 <= x <= 230 for d in dpis for x in d)
    if shutil.which("pdfimages"):  # an independent reading of the placed resolution (poppler)
        (tmp_path / "zipped.pdf").write_bytes(zipped)
        rows = subprocess.run(["pdfimages", "-list", str(tmp_path / "zipped.pdf")], capture_output=True, text=True,
                              check=True).stdout.splitlines()[2:]
        ppis = [(int(r.split()[12]), int(r.split()[13])) for r in rows]
        assert len(ppis) == 4 and all(150 <= x <= 230 for d in ppis for x in d), ppis
    m = read_manifest(result.path)
    rec = m["volume_recompressed"]
    assert rec["original_sha256"] == printed and rec["images"] == 4 and rec["min_effective_dpi"] >= 150
    assert m["volume_pages"] == scans.volume_pages
    assert verify_package(result.path) == []


def test_the_recompressed_page_still_shows_the_scan(scans, tmp_path):
    """Compare the rendered scan before/after: same picture, only softer."""
    vol = scans.files[0][1].read_bytes()
    small = shrink_pdf(vol, LEVELS[1]).pdf

    def pixels(pdf: bytes) -> Image.Image:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            obj = image_placements(doc)[0].obj
            return pikepdf.PdfImage(obj).as_pil_image().convert("L").resize((200, 290))

    a, b = pixels(vol), pixels(small)
    diff = ImageStat.Stat(ImageChops.difference(a, b)).mean[0]
    assert diff < 12  # mean grey difference on 0–255: the same page
    other = Image.open(io.BytesIO(noisy_scan(1843, 2657, seed=99))).convert("L").resize((200, 290))
    assert ImageStat.Stat(ImageChops.difference(a, other)).mean[0] > 2 * diff  # the check can fail


def test_effective_dpi_follows_the_placement():
    """A 300-px-per-inch scan placed at a quarter of its size is 1200 dpi: it may shrink a lot, but not below 150."""
    big = noisy_scan(1843, 2657, seed=7)
    pdf = scan_pdf([big], width_mm=156 / 4, height_mm=225 / 4)
    assert effective_dpis(pdf)[0][0] == pytest.approx(1200, rel=0.01)
    out = shrink_pdf(pdf, Level(150, 75))
    (dx, dy), = effective_dpis(out.pdf)
    assert out.changed == 1 and 150 <= dx < 152 and 150 <= dy < 152
    assert out.min_dpi is not None and out.min_dpi >= 150


def test_an_image_used_twice_keeps_the_resolution_of_its_largest_placement():
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    reader = ImageReader(io.BytesIO(noisy_scan(1843, 2657, seed=3)))
    c.drawImage(reader, 28 * mm, 37 * mm, 156 * mm, 225 * mm)
    c.showPage()
    c.drawImage(reader, 28 * mm, 37 * mm, 30 * mm, 43 * mm)
    c.showPage()
    c.save()
    out = shrink_pdf(buf.getvalue(), Level(150, 75))
    (dx, dy), = effective_dpis(out.pdf)  # one image object, two placements
    assert out.changed == 1 and dx >= 150 and dy >= 150


def test_never_below_150_dpi_even_when_asked():
    pdf = scan_pdf([noisy_scan(1843, 2657, seed=9)])
    out = shrink_pdf(pdf, Level(72, 40))
    assert min(x for d in effective_dpis(out.pdf) for x in d) >= 150


def test_raw_pixel_images_become_jpeg_and_masked_ones_are_left():
    noisy = Image.open(io.BytesIO(noisy_scan(900, 1300, seed=5))).convert("RGB")
    with_alpha = noisy.copy()
    with_alpha.putalpha(200)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(noisy), 28 * mm, 37 * mm, 60 * mm, 87 * mm)  # Flate-encoded pixels, ~380 dpi
    c.drawImage(ImageReader(with_alpha), 100 * mm, 37 * mm, 60 * mm, 87 * mm, mask="auto")  # with a soft mask
    c.showPage()
    c.save()
    out = shrink_pdf(buf.getvalue(), Level(150, 75))
    assert out.changed == 1 and out.skipped == 1 and len(out.pdf) < 0.6 * len(buf.getvalue())  # the masked half stays
    with pikepdf.open(io.BytesIO(out.pdf)) as doc:
        filters = sorted(str(p.obj.get("/Filter")) for p in image_placements(doc) if "/SMask" not in p.obj)
    assert "/DCTDecode" in filters


def test_still_over_budget_warns_with_the_options(call, fonts, tmp_path):
    """A budget even the 150-dpi floor cannot reach: nothing is re-encoded (the zipped volume is the
    printed one), and the warning says how far over, what the floor would give and what to do."""
    inputs = make_inputs(tmp_path / "in", call, fonts, scans=[noisy_scan(1843, 2657, seed=11)])
    result = _build(inputs, tmp_path / "out", 200 * 1024)
    codes = [(f.severity, f.code) for f in result.findings]
    assert codes == [(Severity.WARNING, "package.over_budget")]
    msg = result.findings[0].message
    assert "询问受理单位" in msg and "分几封邮件" in msg and "150–200 dpi" in msg and "0.2 MB" in msg
    assert "清晰度下限（150 dpi）" in msg and "与打印版完全相同" in msg
    with zipfile.ZipFile(result.path) as zf:
        assert json.loads(zf.read("manifest.json"))["volume_recompressed"] is None
        assert zf.read(inputs.volume_name) == (inputs.files[0][1]).read_bytes()
    assert result.size > 200 * 1024 and result.path.exists()
    assert verify_package(result.path) == []  # over budget, but complete: never a silently broken mail


def test_nothing_to_recompress_says_so(build, inputs, tmp_path):
    result = build(tmp_path, budget_bytes=10 * 1024)
    assert [f.code for f in result.findings] in (["package.over_budget"],
                                                 ["package.recompressed", "package.over_budget"])
    assert result.findings[-1].severity is Severity.WARNING
    assert verify_package(result.path) == []
