"""The zip budget is reached in one pass: quality chosen from a sample, every image re-encoded once (issue 15)."""

from __future__ import annotations

import io

import pytest
from pkg_helpers import make_info, make_inputs, noisy_scan
import pikepdf

import zscq_desktop.package.shrink as shrink
import zscq_desktop.package.zipper as zipper
from zscq_desktop.package.shrink import LADDER, estimate, image_placements, shrink_pdf

MB = 1024 * 1024


@pytest.fixture(scope="module")
def scans(tmp_path_factory, call, fonts):
    """Four large noisy 300-dpi scans (two in colour)."""
    jpegs = [noisy_scan(1843, 2657, seed=20 + n, rgb=n % 2 == 0) for n in range(4)]
    return make_inputs(tmp_path_factory.mktemp("onepass"), call, fonts, scans=jpegs)


@pytest.fixture
def counted(monkeypatch):
    calls = {"reencode": 0, "zip": 0}
    real_reencode, real_zip = shrink._reencode, zipper._write_zip

    def reencode(*a, **kw):
        calls["reencode"] += 1
        return real_reencode(*a, **kw)

    def write_zip(*a, **kw):
        calls["zip"] += 1
        return real_zip(*a, **kw)

    monkeypatch.setattr(shrink, "_reencode", reencode)
    monkeypatch.setattr(zipper, "_write_zip", write_zip)
    return calls


def _build(inputs, out, budget):
    return zipper.build_package(out, files=inputs.files, submission=inputs.submission,
                                info=make_info(inputs.stamp, inputs.volume_name), budget_bytes=budget)


def test_budget_reached_with_one_reencode_per_image(scans, tmp_path, counted):
    full = _build(scans, tmp_path / "full", 1 << 40).size
    counted.update(reencode=0, zip=0)
    budget = int(full * 0.55)
    result = _build(scans, tmp_path / "out", budget)
    assert result.size_before == full
    assert result.size <= budget, (result.size, budget)
    assert counted == {"reencode": 4, "zip": 2}  # each image once; the zip written once more
    assert [f.code for f in result.findings] == ["package.recompressed"]


def test_the_estimate_predicts_every_level(scans):
    """The sample-based estimate is within 10 % of what re-encoding the whole volume gives."""
    volume = scans.files[0][1].read_bytes()
    pdf = pikepdf.open(io.BytesIO(volume))
    placements = image_placements(pdf)
    images = sum(len(p.obj.read_raw_bytes()) for p in placements)
    predicted = estimate(placements, LADDER, 150.0)
    assert predicted == sorted(predicted, reverse=True)  # each step smaller: bisecting is sound
    for level, guess in zip(LADDER[::6], predicted[::6]):  # the gentlest and the floor
        actual = len(shrink_pdf(volume, level).pdf) - (len(volume) - images)
        assert abs(guess - actual) <= 0.1 * actual, (level, guess, actual)


def test_over_budget_says_by_how_much(call, fonts, tmp_path, counted):
    inputs = make_inputs(tmp_path / "in", call, fonts, scans=[noisy_scan(1843, 2657, seed=31)])
    result = _build(inputs, tmp_path / "out", 300 * 1024)
    assert counted["reencode"] == 1
    over = result.size - 300 * 1024
    msg = result.findings[-1].message
    assert result.findings[-1].code == "package.over_budget"
    assert f"超出 {over / MB:.1f} MB" in msg or f"超出 {over / 1024:.0f} KB" in msg
