"""Helpers for the store tests: a real submission dict and a document holding a few real blobs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document


def submission_dict(direction: str = "creation-pilot") -> dict:
    from zscq_desktop.call import load_call
    from zscq_desktop.core.sample import build_sample

    return build_sample(load_call(), direction).to_dict()


def _file_state(path: Path) -> tuple[bytes, list[str]]:
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def file_state():
    """The bytes of a file and the names in its folder: what "the file was not touched" compares."""
    return _file_state


@pytest.fixture
def sub() -> dict:
    return submission_dict()


@pytest.fixture
def doc_path(tmp_path: Path, sub: dict) -> Path:
    """A closed document with the sample submission and three 300 kB blobs."""
    path = tmp_path / "申报 文件#1.zscq"  # spaces, '#' and Chinese: the URI must be quoted right
    with Document.create(path, sub) as doc:
        for i in range(3):
            data = os.urandom(300_000)
            sha = doc.put_blob(data)
            assert sha == hashlib.sha256(data).hexdigest()
    return path
