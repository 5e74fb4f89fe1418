"""The zip budget is reached in one pass: quality chosen from a sample, every image re-encoded once (issue 15)."""

from __future__ import annotations

import io
import re

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
def counted(call_counter):
    return call_counter.watch(shrink, "_reencode", "reencode").watch(zipper, "_write_zip", "zip")


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
    """Unreachable even at the floor: no image re-encoded, the zip written once, and the finding's
    estimate of the floor is a budget that then really is reached."""
    inputs = make_inputs(tmp_path / "in", call, fonts, scans=[noisy_scan(1843, 2657, seed=31)])
    result = _build(inputs, tmp_path / "out", 300 * 1024)
    assert counted == {"reencode": 0, "zip": 1}
    over = result.size - 300 * 1024
    msg = result.findings[-1].message
    assert [f.code for f in result.findings] == ["package.over_budget"]
    assert f"超出 {over / MB:.1f} MB" in msg or f"超出 {over / 1024:.0f} KB" in msg
    floor = float(re.search(r"压缩包估计仍有约 ([0-9.]+) MB", msg).group(1)) * MB
    assert 300 * 1024 < floor < result.size
    counted.update(reencode=0, zip=0)
    raised = _build(inputs, tmp_path / "raised", int(floor * 1.05))  # what the finding suggests
    assert counted == {"reencode": 1, "zip": 2}
    assert [f.code for f in raised.findings] == ["package.recompressed"] and raised.size <= int(floor * 1.05)


def test_a_repeated_export_takes_the_reencoded_images_from_the_cache(scans, tmp_path, counted):
    """With the document's cache, the second zip with the same images and budget re-encodes nothing
    and is byte for byte the first; another budget re-encodes again and replaces the entries."""
    from zscq_desktop.volume.export import MemoryCache

    full = _build(scans, tmp_path / "full", 1 << 40).size
    cache = MemoryCache()
    budget = int(full * 0.55)

    def build(out, budget):
        return zipper.build_package(out, files=scans.files, submission=scans.submission,
                                    info=make_info(scans.stamp, scans.volume_name), budget_bytes=budget, cache=cache)

    counted.update(reencode=0, zip=0)
    first = build(tmp_path / "a", budget)
    assert counted["reencode"] == 4 and [f.code for f in first.findings] == ["package.recompressed"]
    entries = {k: v for k, v in cache._d.items() if k[1] == shrink.CACHE_KIND}
    assert len(entries) == 4 and all(data for data, _ in entries.values())
    counted.update(reencode=0, zip=0)
    second = build(tmp_path / "b", budget)
    assert counted["reencode"] == 0
    assert second.path.read_bytes() == first.path.read_bytes()
    counted.update(reencode=0, zip=0)
    third = build(tmp_path / "c", int(full * 0.15))  # a tighter budget: another level, re-encoded once more
    assert [f.code for f in third.findings] == ["package.recompressed"] and third.size < first.size
    assert counted["reencode"] == 4
    assert len([k for k in cache._d if k[1] == shrink.CACHE_KIND]) == 4  # replaced, not accumulated


def test_a_repeated_export_reuses_the_shrunk_images_only_with_a_cache(call, tmp_path, counted):
    """Through the export: the document's cache (here in memory) carries the re-encoded images to the
    next export; without a cache (`--no-cache`) each export re-encodes them."""
    import hashlib
    import zipfile
    from datetime import datetime, timezone

    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.core.submission import Attachment
    from zscq_desktop.docio import Loaded
    from zscq_desktop.volume.export import MemoryCache, export

    sub = build_sample(call, "creation-pilot")
    sub.attachments, blobs = [], {}
    for i in range(3):
        data = noisy_scan(1843, 2657, seed=40 + i)
        sha = hashlib.sha256(data).hexdigest()
        sub.attachments.append(Attachment(call.attachment_categories[0].id, f"扫描件{i}", f"扫描{i}.jpg", sha, len(data)))
        blobs[sha] = data
    loaded, cache = Loaded(sub, blobs), MemoryCache()
    when = datetime(2026, 11, 30, tzinfo=timezone.utc)

    def run(out, budget, cache):
        counted.update(reencode=0, zip=0)
        result = export(loaded, call, tmp_path / out, cache=cache, budget_bytes=budget, now=when)
        with zipfile.ZipFile(result.zip) as zf:
            volume = zf.read(result.volume.name)
        return result, volume, counted["reencode"]

    full = run("full", 1 << 40, cache)[0].zip.stat().st_size
    first, volume, encoded = run("a", int(full * 0.7), cache)
    assert [f.code for f in first.findings] == ["package.recompressed"] and encoded == 3
    second, again, encoded = run("b", int(full * 0.7), cache)
    assert encoded == 0 and again == volume
    assert run("c", int(full * 0.7), None)[2] == 3  # no cache: nothing kept between exports
    assert run("d", int(full * 0.7), None)[2] == 3



def test_a_repeated_export_measures_the_sample_only_once(call, fonts, tmp_path, call_counter):
    """The sample's bytes per pixel are kept in the cache: exporting the same images again to an
    unreachable budget decodes no image at all and says the same; other images are measured anew."""
    from zscq_desktop.volume.export import MemoryCache

    decoded = call_counter.watch(shrink, "_pixels")
    cache = MemoryCache()
    inputs = make_inputs(tmp_path / "in", call, fonts, scans=[noisy_scan(1843, 2657, seed=41)])

    def build(out, inputs):
        return zipper.build_package(out, files=inputs.files, submission=inputs.submission,
                                    info=make_info(inputs.stamp, inputs.volume_name), budget_bytes=300 * 1024,
                                    cache=cache)

    first = build(tmp_path / "a", inputs)
    assert decoded["_pixels"] == 1 and [f.code for f in first.findings] == ["package.over_budget"]
    second = build(tmp_path / "b", inputs)
    assert decoded["_pixels"] == 1  # nothing decoded again
    assert [f.message for f in second.findings] == [f.message for f in first.findings]
    other = make_inputs(tmp_path / "in2", call, fonts, scans=[noisy_scan(1843, 2657, seed=42)])
    build(tmp_path / "c", other)
    assert decoded["_pixels"] == 2
