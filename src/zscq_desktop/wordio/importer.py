"""Import a Word file into a submission: read, compare field by field, apply what the user accepts.

Used by the command line (`zscq-desktop import`) and the app's 从 Word 导入修改… dialog alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zscq_desktop.call.model import Call
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.core.submission import Submission
from zscq_desktop.system import processes
from zscq_desktop.system.tempdirs import temporary_folder
from zscq_desktop.wordio import diff as d
from zscq_desktop.wordio import match as m
from zscq_desktop.wordio.marks import ID_KEY, Marks, find_marks
from zscq_desktop.wordio.read import MAX_FILE, Text, WordDoc, WordError, read_docx

OLD_FORMATS = (".doc", ".wps")
CONVERT_TIMEOUT = 120


class OtherDocument(WordError):
    """The DOCX was exported from another submission (another document id)."""


@dataclass
class Import(d.Result):
    """The outcome of comparing a Word file with a submission."""

    name: str = ""
    marks: Marks | None = None
    mapping: m.Mapping | None = None  # a file the app never exported: the proposed mapping
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def foreign(self) -> bool:
        return self.marks is None


def read_word_file(path: Path) -> bytes:
    """The bytes of a .docx; a .doc or .wps is converted with LibreOffice when it is installed."""
    from zscq_desktop.store.safe_read import ReadRefused, read_regular

    try:
        # the project's bounded reader: a FIFO, a device or an oversized file is refused unread
        data = read_regular(path, MAX_FILE)
    except ReadRefused as exc:
        raise WordError(str(exc)) from None
    except FileNotFoundError:
        raise WordError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise WordError(f"无法读取《{path.name}》：{exc.strerror or exc}") from None
    if path.suffix.lower() in OLD_FORMATS or data[:4] == b"\xd0\xcf\x11\xe0" and path.suffix.lower() != ".docx":
        return convert_old(data, path)
    return data


def convert_old(data: bytes, path: Path) -> bytes:
    """.doc/.wps → .docx through the office converter the app already uses for attachments."""
    from zscq_desktop.attachments.office import find_converters

    ask = f"请在 Word 或 WPS 中打开《{path.name}》，“另存为” .docx 格式后再导入。"
    conv = next((c for c in find_converters() if c.kind == "soffice"), None)  # Word/WPS automation: PDF only
    if conv is None:
        raise WordError(f"《{path.name}》是旧版 Word/WPS 格式，本机没有可用于转换的 LibreOffice。{ask}")
    # the app's own launcher and temporary folders: a clean environment for soffice started from the
    # frozen app, the process killed at the timeout, a cleanup failure (antivirus) never raised
    with temporary_folder("zscq-word-") as tmp:
        src = tmp / f"input{path.suffix.lower() or '.doc'}"
        src.write_bytes(data)
        out = tmp / "out"
        out.mkdir()
        cmd = [conv.path, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--invisible",
               "--nologo", "--nodefault", "--norestore", "--nolockcheck", "--convert-to", "docx", "--outdir",
               str(out), str(src)]
        if processes.run(cmd, timeout=CONVERT_TIMEOUT) is None:  # could not start, or killed at the timeout
            raise WordError(f"转换《{path.name}》失败。{ask}")
        result = out / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise WordError(f"无法转换《{path.name}》（文件可能已损坏或设置了密码）。{ask}")
        return result.read_bytes()


def compare(data: bytes, call: Call, sub: Submission, *, name: str = "", force: bool = False) -> Import:
    """Compare a Word file with `sub`. Raises `WordError` (unusable file) or `OtherDocument`."""
    wd = read_docx(data, name)
    marks = find_marks(wd.custom)
    if marks is None:
        return _compare_foreign(wd, call, sub, name)
    result = Import(name=name, marks=marks)
    mine = sub.meta.get(ID_KEY) if isinstance(sub.meta, dict) else None
    if mine and marks.doc_id and mine != marks.doc_id:
        if not force:
            raise OtherDocument(f"《{name or 'Word 文件'}》是从另一份申报导出的（文档标识不同），未导入。"
                                "如确实要把它的内容导入这份申报，请确认（命令行加 --force）。")
        result.notes.append("该 Word 文件来自另一份申报（文档标识不同），已按确认继续比较。")
    elif not mine:
        result.notes.append("这份申报还没有记录导出标识（较早版本导出）；导入时将记下该 Word 文件的标识。")
    if marks.direction and marks.direction != sub.direction:
        result.notes.append(f"导出时的支持方向（{marks.direction}）与当前（{sub.direction}）不同，请仔细核对。")
    now = version_stamp(sub.to_dict())
    if marks.stamp and marks.stamp != now:
        result.notes.append(f"该 Word 文件导出于版本 {marks.stamp}，此后程序中的内容又有修改（当前版本 {now}）："
                            "两边都改过的字段标为冲突，由您选择。")
    types = m.field_types(call, sub.direction)
    frame = list(wd.frame)
    known = {f.name for f in marks.fields}
    for fm in marks.fields:
        text = wd.spans.get(fm.name)
        if fm.path not in types or (fm.kind == "table") != (types[fm.path] == "table"):  # not a field here
            result.not_imported.append(f"未导入：“{fm.label or fm.path}”不是本申报表的字段（{fm.path}）。")
            continue
        current = sub.get(fm.path)
        result.labels[fm.path] = fm.label
        if fm.kind == "table":
            _table(result, wd, call, sub, fm, current, frame)
            continue
        if text is None:
            found = m.find_value_cell(wd, fm.label) or (m.find_section(wd, fm.label) or (None, []))[0]
            if found is None:
                result.not_imported.append(f"未找到“{fm.label or fm.path}”（标记和标签都已不在），该字段未导入。")
                continue
            text = found
            result.notes.append(f"“{fm.label}”的隐藏标记已丢失，按标签找到了它的内容。")
            _consume(frame, m.lines_of(found))
        comments = [wd.comments.get(c, "") for c in text.comments if c in wd.comments]
        for extra in text.extras:
            result.not_imported.append(f"“{fm.label}”中的{extra}未导入（其中的文字已导入）。")
        diff = d.diff_text(fm.path, fm.label, types.get(fm.path, "text"), fm.printed, fm.value, current, text,
                           comments)
        if diff:
            result.differences.append(diff)
        elif comments:
            result.reminders += [f"{fm.label}：{c}" for c in comments]
    for name_, span in wd.spans.items():
        if name_ not in known and span.text:
            result.not_imported.append(f"未导入（复制到别处的字段文字）：“{d._short(span.text)}”")
    result.not_imported += d.frame_changes(marks.frame, frame)
    result.reminders += [wd.comments[c] for c in wd.unanchored if c in wd.comments]
    return result


def _table(result: Import, wd: WordDoc, call: Call, sub: Submission, fm: Any, current: Any, frame: list[str]) -> None:
    from zscq_desktop.wordio.read import Block, bookmark_table, table_rows

    spec = m.table_spec(call, sub.direction, fm.path)
    printed = d.printed_rows(fm.printed)
    if spec is None or printed is None:
        return
    tbl = bookmark_table(wd.body, fm.name)
    block = Block("tbl", rows=table_rows(tbl), element=tbl) if tbl is not None else m.find_table(wd, printed[0], spec)
    if block is None:
        result.not_imported.append(f"未找到表格“{fm.label}”，未导入。")
        return
    if tbl is None:
        result.notes.append(f"表格“{fm.label}”的隐藏标记已丢失，按表头找到了它。")
        _consume(frame, [c.text for row in block.rows for c in row])
    comments = sorted({c for row in block.rows for cell in row for c in cell.comments})
    texts = [wd.comments.get(c, "") for c in comments if c in wd.comments]
    for row in block.rows:
        for cell in row:
            for extra in cell.extras:
                result.not_imported.append(f"表格“{fm.label}”中的{extra}未导入（其中的文字已导入）。")
    diffs, change = d.diff_table(spec, fm.label, printed, fm.value, current, block, texts)
    result.differences += diffs
    if change:
        result.tables[fm.path] = change
    elif texts:
        result.reminders += [f"{fm.label}：{t}" for t in texts]


def _consume(frame: list[str], lines: list[str]) -> None:
    """Take a field's text, found without its mark, out of the text outside the fields (where it landed)."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    n = len(lines)
    for i in range(len(frame) - n, -1, -1):  # the block as a whole, last occurrence first
        if n and frame[i:i + n] == lines:
            del frame[i:i + n]
            return
    for ln in lines:
        if ln in frame:
            del frame[len(frame) - 1 - frame[::-1].index(ln)]


def _compare_foreign(wd: WordDoc, call: Call, sub: Submission, name: str) -> Import:
    """A Word file the app never exported: propose a mapping by heading, label and table header."""
    mapping = m.propose(wd, call, sub.direction)
    result = Import(name=name, mapping=mapping)
    result.notes.append("该 Word 文件不是由本程序导出的：已按标题、标签和表头推测对应的字段，请逐项核对后再导入。")
    types = m.field_types(call, sub.direction)
    for p in mapping.proposals:
        add_proposal(result, p, call, sub, types)
    result.not_imported += [f"未能对应到任何字段：“{d._short(x)}”" for x in mapping.unmapped]
    result.reminders += [c for c in wd.comments.values()]
    return result


def add_proposal(result: Import, p: m.Proposal, call: Call, sub: Submission, types: dict[str, str]) -> None:
    """The differences one proposed mapping brings (against the app's current values)."""
    current = sub.get(p.path)
    result.labels[p.path] = p.source
    if p.table is not None:
        spec = m.table_spec(call, sub.direction, p.path)
        if spec is None:
            return
        diffs, change = d.diff_table(spec, spec.label, None, current, current, p.table, [])
        result.differences += diffs
        if change:
            result.tables[p.path] = change
        return
    text = p.text or Text()
    title = dict((path, t) for t, path in m.targets(call, sub.direction)).get(p.path, p.path)
    diff = d.diff_text(p.path, f"{title} ←“{p.source}”", types.get(p.path, "text"), None, current, current, text, [])
    if diff:
        result.differences.append(diff)


def settable(sub: Submission, changes: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The assignments made safe to set: a list item beyond the list's end (a plan task the
    submission has no entry for yet) becomes an assignment of the whole list, padded."""
    out: list[tuple[str, Any]] = []
    for path, value in changes:
        head, sep, tail = path.rpartition("[")
        if sep and tail.endswith("]") and tail[:-1].isdigit():
            items = sub.get(head)
            n = int(tail[:-1])
            if not isinstance(items, list) or n >= len(items):
                items = list(items) if isinstance(items, list) else []
                items += [""] * (n + 1 - len(items))
                items[n] = value
                out.append((head, items))
                continue
        out.append((path, value))
    return out


def apply(sub: Submission, result: Import, accepted: set[int] | None = None, use_before: bool = False) -> list[str]:
    """Set the accepted values in `sub` (all, when `accepted` is None); returns the paths set."""
    changes = settable(sub, result.assignments(accepted, use_before))
    for path, value in changes:
        sub.set(path, value)
    if changes and result.marks and result.marks.doc_id and not sub.meta.get(ID_KEY):
        sub.meta[ID_KEY] = result.marks.doc_id
    return [p for p, _ in changes]


__all__ = ["Import", "OtherDocument", "WordError", "compare", "apply", "read_word_file"]
