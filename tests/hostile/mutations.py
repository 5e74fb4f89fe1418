"""A generated corpus of mutated submission JSON files (no downloaded files): type swaps, deletions,
huge values, odd Unicode, deep nesting, hostile attachment paths. Deterministic (fixed seed)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

ODD_TEXT = ["\ud800", "a\udfffb", "\u202e申报gpj.exe", "\u200b\u200d\ufeff", "\x00\x01\x1f", "😀" * 50,
            "e\u0301" * 30, "\u2028\u2029", "%s%n{0}", "<script>", "'\"\\", "A" * 100_000, "甲" * 20_000, "",
            " ", "NaN", "-0", "1e999", "CON", "../../etc/passwd"]
ODD_VALUES: list[Any] = [None, [], {}, -7, 0, 10 ** 30, -1e308, 1.5, True, False, [[[]]], {"a": {"b": []}},
                         [None] * 1000, list(range(300)), {"format": "zscq-submission"}]


def paths(node: Any, at: tuple = ()) -> Iterator[tuple]:
    """Every key/index path in `node` (containers and leaves)."""
    yield at
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, at + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):  # the first rows stand for all
            yield from paths(v, at + (i,))


def _set(doc: Any, at: tuple, value: Any) -> None:
    for k in at[:-1]:
        doc = doc[k]
    doc[at[-1]] = value


def _delete(doc: Any, at: tuple) -> None:
    for k in at[:-1]:
        doc = doc[k]
    del doc[at[-1]]


def mutations(sample: dict, count: int = 200, seed: int = 20231) -> Iterator[tuple[str, str]]:
    """(label, JSON text) pairs: the named classes first, then `count` random ones."""
    rnd = random.Random(seed)

    def variant(label: str, change) -> tuple[str, str]:
        doc = copy.deepcopy(sample)
        change(doc)
        return label, json.dumps(doc, ensure_ascii=rnd.random() < 0.5)

    yield "nesting-1000", json.dumps(dict(sample, unit={"x": None})).replace("null", "[" * 1000 + "]" * 1000)
    yield "nesting-100000", "[" * 100_000 + "]" * 100_000
    yield variant("surrogate-name", lambda d: d["unit"].__setitem__("name", "\ud800"))
    yield variant("path-int", lambda d: d["attachments"][0].__setitem__("path", -7))
    yield variant("indicator-max-list", lambda d: d["plan"]["indicators"][0].__setitem__("max", []))
    yield "nan", json.dumps(sample).replace('"staff": 120', '"staff": NaN')
    yield "huge-exponent", json.dumps(sample).replace('"staff": 120', '"staff": 1e999')
    yield "huge-int", json.dumps(sample).replace('"staff": 120', '"staff": ' + "9" * 5000)
    yield "not-json", "{\"format\": \"zscq-submission\", 申报"
    yield "bom", "\ufeff" + json.dumps(sample)
    yield "array-top", "[]"
    yield "empty", ""
    all_paths = [p for p in paths(sample) if p]
    for n in range(count):
        at = rnd.choice(all_paths)
        kind = rnd.choice(["swap", "swap", "delete", "text", "huge-list"])
        if kind == "swap":
            value = rnd.choice(ODD_VALUES)
            yield variant(f"{n}-swap-{'.'.join(map(str, at))}={str(value)[:12]}", lambda d: _set(d, at, copy.deepcopy(value)))
        elif kind == "delete":
            yield variant(f"{n}-delete-{'.'.join(map(str, at))}", lambda d: _delete(d, at))
        elif kind == "text":
            text = rnd.choice(ODD_TEXT)
            yield variant(f"{n}-text-{'.'.join(map(str, at))}", lambda d: _set(d, at, text))
        else:
            yield variant(f"{n}-list-{'.'.join(map(str, at))}", lambda d: _set(d, at, [copy.deepcopy(sample["plan"])] * 200))
