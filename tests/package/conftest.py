"""Fixtures for the package tests: real generated inputs, built once per session."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pkg_helpers import Inputs, make_info, make_inputs  # noqa: E402


@pytest.fixture(scope="session")
def fonts():
    from zscq_desktop.render.fonts import register_fonts

    return register_fonts()


@pytest.fixture(scope="session")
def inputs(tmp_path_factory, call, fonts) -> Inputs:
    return make_inputs(tmp_path_factory.mktemp("inputs"), call, fonts)


@pytest.fixture
def build(inputs):
    """build(out_dir, **kwargs) → PackageResult from the session's inputs."""
    from zscq_desktop.package.zipper import build_package

    def _build(out_dir: Path, **kw: Any):
        info = kw.pop("info", None) or make_info(inputs.stamp, inputs.volume_name)
        return build_package(out_dir, files=kw.pop("files", inputs.files), submission=kw.pop("submission", inputs.submission),
                             info=info, **kw)

    return _build
