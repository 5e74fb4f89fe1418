"""Field-by-field differences between a Word file and the submission, and applying the accepted ones.

Each marked field's text in Word is compared with its *printed* form at export (so an untouched file
gives no difference at all); a changed text is parsed back and compared with the value *exported*.
Where the app's current value also changed since the export the difference is a conflict: nothing
is taken without the user's choice. Tables are read by header row and aligned row by row (rows
added or removed in Word are found as such). Text outside the marks that changed is listed as not
imported.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from zscq_desktop.wordio.match import TableSpec
from zscq_desktop.wordio.parse import is_blank, parse_period, parse_value, same
from zscq_desktop.wordio.read import Block, Text

CHANGED, ADDED, REMOVED, CONFLICT = "changed", "added", "removed", "conflict"
TOTAL = "合计"
LONG_TEXT = 40  # texts longer than this get a character-level diff
MAX_DIFF_WORK = 4_000_000  # beyond this many character pairs the diff is by line (it stays fast)


@dataclass
class Difference:
    path: str
    label: str
    kind: str
    old: Any  # the value exported (or the app's, for a file the app never exported)
    new: Any  # Word's, with all tracked changes accepted
    before: Any = None  # Word's as it was before the tracked changes
    tracked: bool = False
    comments: list[str] = field(default_factory=list)
    app: Any = None  # the app's current value (differs from `old` in a conflict)
    table: str = ""  # the table path of a cell or row difference
    row: tuple[int | None, int | None] = (None, None)  # (exported row, Word row)
    key: str = ""  # the column key of a cell difference

    def value(self, use_before: bool) -> Any:
        return self.before if use_before and self.tracked else self.new

    def to_dict(self) -> dict[str, Any]:
        d = {"path": self.path, "label": self.label, "old": self.old, "new": self.new, "kind": self.kind,
             "tracked": self.tracked, "comments": self.comments}
        if self.tracked:
            d["before"] = self.before
        if self.kind == CONFLICT:
            d["app"] = self.app
        return d


@dataclass
class TableChange:
    path: str
    base: list[dict[str, Any]]  # the rows the accepted changes are applied to
    new: list[dict[str, Any]]
    new_before: list[dict[str, Any]]
    ops: list[tuple[str, int, int, int, int]]


@dataclass
class Result:
    """Everything an import found."""

    differences: list[Difference] = field(default_factory=list)
    tables: dict[str, TableChange] = field(default_factory=dict)
    not_imported: list[str] = field(default_factory=list)  # Chinese lines: edits outside fields, images …
    notes: list[str] = field(default_factory=list)  # Chinese lines: older stamp, fallback used …
    reminders: list[str] = field(default_factory=list)  # comments not anchored in a field

    def assignments(self, accepted: set[int] | None = None, use_before: bool = False) -> list[tuple[str, Any]]:
        """(path, value) to set for the accepted differences (indices; None = all): scalar fields one by
        one, each changed table once as a whole."""
        chosen = [d for i, d in enumerate(self.differences) if accepted is None or i in accepted]
        out = [(d.path, d.value(use_before)) for d in chosen if not d.table]
        for path, tc in self.tables.items():
            mine = [d for d in chosen if d.table == path]
            if mine:
                out.append((path, _rebuild(tc, mine, use_before)))
        return out


def _rebuild(tc: TableChange, accepted: list[Difference], use_before: bool) -> list[dict[str, Any]]:
    take = {(d.row, d.key) for d in accepted}
    rows_new = tc.new_before if use_before else tc.new
    out: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in tc.ops:
        for k in range(max(i2 - i1, j2 - j1)):
            oi = i1 + k if k < i2 - i1 else None
            nj = j1 + k if k < j2 - j1 else None
            if oi is not None and nj is not None:
                row = copy.deepcopy(tc.base[oi]) if oi < len(tc.base) else {}
                for key, value in rows_new[nj].items():
                    if ((oi, nj), key) in take:
                        row[key] = copy.deepcopy(value)
                out.append(row)
            elif oi is not None:
                if ((oi, None), "") not in take and oi < len(tc.base):
                    out.append(copy.deepcopy(tc.base[oi]))
            elif ((None, nj), "") in take:
                out.append(copy.deepcopy(rows_new[nj]))  # type: ignore[index]
    return out


def char_diff(old: str, new: str, *, keep: int = 4) -> list[tuple[str, str]]:
    """A character-level diff: (op, text) with op one of '=', '-', '+'. Runs of fewer than `keep`
    equal characters between two changes are folded into them: Chinese text otherwise matches on
    stray single characters (的, 和) and the diff becomes confetti."""
    if len(old) * len(new) > MAX_DIFF_WORK:  # a whole book pasted in: whole lines, not characters
        return _line_diff(old, new)
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    blocks: list[list[str]] = []  # [op, old text, new text]
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        blocks.append(["=" if tag == "equal" else "~", old[i1:i2], new[j1:j2]])
    merged: list[list[str]] = []
    for i, b in enumerate(blocks):
        inner = 0 < i < len(blocks) - 1
        if b[0] == "=" and inner and len(b[1]) < keep:
            b = ["~", b[1], b[2]]
        if merged and merged[-1][0] == "~" and b[0] == "~":
            merged[-1][1] += b[1]
            merged[-1][2] += b[2]
        else:
            merged.append(list(b))
    out: list[tuple[str, str]] = []
    for op, a, c in merged:
        if op == "=":
            out.append(("=", a))
            continue
        if a:
            out.append(("-", a))
        if c:
            out.append(("+", c))
    return out


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return out


# -- scalar fields ---------------------------------------------------------------------------------------

def diff_text(path: str, label: str, ftype: str, printed: str | None, exported: Any, current: Any, text: Text,
              comments: list[str]) -> Difference | None:
    """The difference of one text field, or None. `printed` None: never exported (compare with the app)."""
    if printed is not None and text.text == printed and text.before_text == printed:
        return None
    new, before = parse_value(ftype, text.text), parse_value(ftype, text.before_text)
    if same(ftype, new, exported) and same(ftype, before, exported):
        return None
    kind = CHANGED
    if not same(ftype, current, exported):
        if same(ftype, new, current):
            return None  # the app already says what Word says
        kind = CONFLICT
    return Difference(path, label, kind, exported, new, before, text.tracked and not same(ftype, new, before),
                      comments, current)


# -- tables ----------------------------------------------------------------------------------------------

def parse_rows(spec: TableSpec, rows: list[list[str]], base_rows: list[dict[str, Any]] | None = None) -> list[dict]:
    """Word table rows (cell texts, header first) → row dicts, by header label; the 合计 row and the
    placeholder row of an empty table are left out."""
    if not rows:
        return []
    header = rows[0]
    index = {h.strip(): k for k, h in enumerate(header)}
    out = []
    for r in rows[1:]:
        if r and r[0].strip() == TOTAL:
            continue
        if all(is_blank(c) for c in r):
            continue
        row: dict[str, Any] = {}
        for col in spec.cols:
            if not col.key or col.label not in index or index[col.label] >= len(r):
                continue
            cell = r[index[col.label]]
            if col.type == "period":
                row["start"], row["end"] = parse_period(cell)
            else:
                value = parse_value(col.type, cell)
                row[col.key] = "" if value is None and col.type in ("text", "textarea") else value
        out.append(row)
    return out


def _signature(spec: TableSpec, header: list[str], row: list[str]) -> tuple[str, ...]:
    index = {h.strip(): k for k, h in enumerate(header)}
    return tuple(row[index[c.label]].strip() if c.label in index and index[c.label] < len(row) else ""
                 for c in spec.cols if c.key)


def diff_table(spec: TableSpec, label: str, printed: list[list[str]] | None, exported: Any, current: Any,
               block: Block, comments: list[str]) -> tuple[list[Difference], TableChange | None]:
    """Differences of one table, aligned row by row on the field columns' printed text."""
    exported = [r for r in exported if isinstance(r, dict)] if isinstance(exported, list) else []
    current = [r for r in current if isinstance(r, dict)] if isinstance(current, list) else []
    word_acc = [[c.text for c in row] for row in block.rows]
    word_bef = [[c.before_text for c in row] for row in block.rows]
    tracked_rows = [any(c.tracked for c in row) for row in block.rows[1:]]
    foreign = printed is None
    if printed is None:  # never exported: compare with the app's rows, matched by their first column
        printed = [word_acc[0]]
        exported = current
    if word_acc == printed and word_bef == printed:
        return [], None
    body_old = [r for r in printed[1:] if not (r and r[0].strip() == TOTAL) and not all(is_blank(c) for c in r)]
    body_new = [r for r in word_acc[1:] if not (r and r[0].strip() == TOTAL) and not all(is_blank(c) for c in r)]
    tracked_new = [t for r, t in zip(word_acc[1:], tracked_rows)
                   if not (r and r[0].strip() == TOTAL) and not all(is_blank(c) for c in r)]
    new_rows = parse_rows(spec, [word_acc[0], *body_new])
    before_rows = parse_rows(spec, [word_bef[0], *[r for r in word_bef[1:]
                                                   if not (r and r[0].strip() == TOTAL)
                                                   and not all(is_blank(c) for c in r)]])
    if len(before_rows) != len(new_rows):  # a row added or removed as a tracked change: no per-row "before"
        before_rows = new_rows
    old_sig = [_signature(spec, printed[0], r) for r in body_old]
    new_sig = [_signature(spec, word_acc[0], r) for r in body_new]
    if foreign:
        first = next((c.key for c in spec.cols if c.key and c.type == "text"), "")
        old_sig = [(str(r.get(first) or "").strip(),) for r in exported]
        new_sig = [(str(r.get(first) or "").strip(),) for r in new_rows]
    if old_sig == new_sig and len(exported) == len(new_rows) and all(
            _row_same(spec, a, b) for a, b in zip(exported, new_rows)):
        return [], None
    ops: list[tuple[str, int, int, int, int]] = list(
        difflib.SequenceMatcher(None, old_sig, new_sig, autojunk=False).get_opcodes())
    conflict = not _rows_same(spec, current, exported)
    if conflict and _rows_same(spec, current, new_rows):
        return [], None  # the app already says what Word says
    base = current if (not conflict or len(current) == len(exported)) else exported
    kind_of = (lambda k: CONFLICT) if conflict else (lambda k: k)
    out: list[Difference] = []
    types = {c.key: c.type for c in spec.cols if c.key}
    for tag, i1, i2, j1, j2 in ops:
        for k in range(max(i2 - i1, j2 - j1)):
            oi = i1 + k if k < i2 - i1 else None
            nj = j1 + k if k < j2 - j1 else None
            old_row = exported[oi] if oi is not None and oi < len(exported) else {}
            if oi is not None and nj is not None:
                for key, value in new_rows[nj].items():
                    t = "month" if types.get(key) is None and key in ("start", "end") else types.get(key, "text")
                    if same(t, value, old_row.get(key)):
                        continue
                    head = _col_header(spec, key)
                    if not foreign and _cell(printed[0], body_old[oi], head) == _cell(word_acc[0], body_new[nj], head):
                        continue  # printed as exported: a rounding in print is no change
                    before = before_rows[nj].get(key) if nj < len(before_rows) else value
                    app_row = current[oi] if oi < len(current) else {}
                    out.append(Difference(f"{spec.path}[{oi}].{key}", f"{label}（第{oi + 1}行）{_col_label(spec, key)}",
                                          kind_of(CHANGED), old_row.get(key), value, before,
                                          tracked_new[nj] and not same(t, value, before), list(comments),
                                          app_row.get(key), spec.path, (oi, nj), key))
            elif oi is not None:
                if foreign:
                    continue  # a row a hand-written table does not mention is not a deletion
                out.append(Difference(f"{spec.path}[{oi}]", f"{label}（删除第{oi + 1}行）", kind_of(REMOVED),
                                      old_row, None, None, False, list(comments), old_row, spec.path, (oi, None)))
            else:
                out.append(Difference(f"{spec.path}[{nj}]", f"{label}（新增第{nj + 1}行）",  # type: ignore[operator]
                                      kind_of(ADDED), None, new_rows[nj], None, tracked_new[nj],  # type: ignore[index]
                                      list(comments), None, spec.path, (None, nj)))
    if not out:
        return [], None
    return out, TableChange(spec.path, [copy.deepcopy(r) for r in base], new_rows, before_rows, ops)


def _cell(header: list[str], row: list[str], label: str) -> str | None:
    index = {h.strip(): k for k, h in enumerate(header)}
    k = index.get(label)
    return row[k].strip() if k is not None and k < len(row) else None


def _col_header(spec: TableSpec, key: str) -> str:
    return next((c.label for c in spec.cols if c.key == key or (c.type == "period" and key in ("start", "end"))), "")


def _col_label(spec: TableSpec, key: str) -> str:
    for c in spec.cols:
        if c.key == key or (c.type == "period" and key in ("start", "end")):
            return c.label + ("（起）" if key == "start" else "（止）" if key == "end" else "")
    return key


def _row_same(spec: TableSpec, a: dict, b: dict) -> bool:
    for c in spec.cols:
        keys = ("start", "end") if c.type == "period" else (c.key,) if c.key else ()
        for k in keys:
            if not same("month" if c.type == "period" else c.type, a.get(k), b.get(k)):
                return False
    return True


def _rows_same(spec: TableSpec, a: list[dict], b: list[dict]) -> bool:
    return len(a) == len(b) and all(_row_same(spec, x, y) for x, y in zip(a, b))


def printed_rows(printed: str) -> list[list[str]] | None:
    try:
        rows = json.loads(printed)
    except ValueError:
        return None
    return rows if isinstance(rows, list) else None


def frame_changes(exported: list[str], word: list[str]) -> list[str]:
    """Lines of Word text outside the fields that are new or changed (listed as not imported)."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, exported, word, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out += [f"未导入（不是可导入的字段）：“{_short(x)}”" for x in word[j1:j2]]
        elif tag == "delete":
            out += [f"未导入（删除了非字段文字）：“{_short(x)}”" for x in exported[i1:i2]]
    return out


def _short(s: str, n: int = 40) -> str:
    s = s.replace("\n", " ").replace("\t", " ")
    return s if len(s) <= n else s[:n] + "…"
