"""`zscq-desktop import WORD.docx --into FILE.zscq [--apply] [--json] [--force]`.

Exit codes: 0 no difference (or all applied), 1 differences listed (or conflicts left unapplied),
2 unusable input (the message says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_DIFF, EXIT_INPUT = 0, 1, 2


def add_parser(sub: Any) -> None:
    s = sub.add_parser("import", help="把在 Word/WPS 中修改过的申报书或实施方案（.docx）导入 .zscq 申报文件")
    s.add_argument("word", help="导出后经修改的 .docx（.doc/.wps 会尝试先转换）")
    s.add_argument("--into", required=True, help="要导入的 .zscq 申报文件")
    s.add_argument("--apply", action="store_true", help="写入修改（不加时只列出差异，不改动任何文件）")
    s.add_argument("--json", action="store_true", help="以 JSON 列出差异")
    s.add_argument("--force", action="store_true", help="Word 文件来自另一份申报时仍然比较/导入")
    s.add_argument("--before-changes", action="store_true", help="修订（插入/删除）按修订前的文字导入（默认按全部接受）")
    s.add_argument("--take-word", action="store_true", help="冲突字段（程序中也改过）也采用 Word 中的内容")
    s.set_defaults(fn=cmd_import)


def _value(v: Any) -> str:
    if v is None or v == "" or v == []:
        return "（空）"
    if isinstance(v, dict):  # a table row
        return "；".join(str(x) for x in v.values() if x not in (None, ""))
    if isinstance(v, list):
        return "、".join(map(str, v))
    return str(v)


def describe(x: Any) -> list[str]:
    """Lines of text for one difference (a character-level diff for long texts)."""
    from zscq_desktop.wordio.diff import LONG_TEXT, char_diff

    kinds = {"changed": "修改", "added": "新增", "removed": "删除", "conflict": "冲突"}
    head = f"[{kinds.get(x.kind, x.kind)}] {x.label}（{x.path}）" + ("（含修订）" if x.tracked else "")
    out = [head]
    old, new = _value(x.old), _value(x.new)
    if isinstance(x.old, str) and isinstance(x.new, str) and max(len(old), len(new)) > LONG_TEXT:
        out.append("  " + "".join(t if op == "=" else f"[-{t}-]" if op == "-" else f"{{+{t}+}}"
                                  for op, t in char_diff(x.old, x.new)))
    else:
        out.append(f"  原：{old}")
        out.append(f"  新：{new}")
    if x.tracked:
        out.append(f"  修订前：{_value(x.before)}")
    if x.kind == "conflict":
        out.append(f"  程序中现为：{_value(x.app)}")
    out += [f"  批注：{c}" for c in x.comments]
    return out


def cmd_import(args: argparse.Namespace) -> int:
    from zscq_desktop.call import CallDataError, load_call
    from zscq_desktop.docio import InputError, load_zscq
    from zscq_desktop.store import recovery
    from zscq_desktop.wordio.importer import compare, read_word_file
    from zscq_desktop.wordio.read import WordError

    into, word = Path(args.into), Path(args.word)
    if into.suffix.lower() == ".json":
        print(f"《{into.name}》是 JSON 申报数据：请先转换为 .zscq（zscq-desktop convert {into.name} 新文件.zscq），"
              "再导入到 .zscq 文件。", file=sys.stderr)
        return EXIT_INPUT
    if into.suffix.lower() != ".zscq":
        print("--into 须是 .zscq 申报文件。", file=sys.stderr)
        return EXIT_INPUT
    if not into.is_file():
        print(f"找不到文件：{into}", file=sys.stderr)
        return EXIT_INPUT
    if recovery.open_elsewhere(into):
        print(f"《{into.name}》正在申报助手的窗口中打开：请在该窗口中使用“文件 → 从 Word 导入修改…”，"
              "或先关闭窗口再导入。", file=sys.stderr)
        return EXIT_INPUT
    try:
        data = read_word_file(word)
        loaded = load_zscq(into)
        from zscq_desktop.cli_calls import call_mismatch

        if call_mismatch(args, loaded.submission.call):  # import uses the file's call, never --call
            return EXIT_INPUT
        call = load_call(loaded.submission.call)
        result = compare(data, call, loaded.submission, name=word.name, force=args.force)
    except (WordError, InputError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    except (CallDataError, FileNotFoundError) as exc:
        print(f"无法加载申报年度数据：{exc}", file=sys.stderr)
        return EXIT_INPUT
    if args.json:
        items = [x.to_dict() for x in result.differences]
        items += [{"path": "", "old": None, "new": line, "kind": "not_imported", "tracked": False, "comments": []}
                  for line in result.not_imported]
        print(json.dumps(items, ensure_ascii=False, indent=2))
    else:
        for line in result.notes:
            print(f"说明：{line}")
        for x in result.differences:
            print("\n".join(describe(x)))
        for line in result.not_imported:
            print(line)
        for line in result.reminders:
            print(f"批注（提醒）：{line}")
        if not result.differences and not result.not_imported:
            print("Word 文件与申报内容一致，没有差异。")
    if not result.differences:
        return EXIT_DIFF if result.not_imported else EXIT_OK
    if not args.apply:
        return EXIT_DIFF
    return _apply(into, call, data, word.name, args)


def _apply(into: Path, call: Any, data: bytes, name: str, args: argparse.Namespace) -> int:
    """Compare again against the file as it is now (under its write lock) and write the accepted values."""
    from zscq_desktop.checks import all_findings
    from zscq_desktop.core.submission import Submission, SubmissionError
    from zscq_desktop.store.document import Document, DocumentError
    from zscq_desktop.wordio.importer import apply, compare
    from zscq_desktop.wordio.read import WordError

    try:
        with Document.open(into) as doc:
            sub = Submission.from_dict(doc.load())
            result = compare(data, call, sub, name=name, force=args.force)
            accepted = {i for i, x in enumerate(result.differences) if x.kind != "conflict" or args.take_word}
            paths = apply(sub, result, accepted, use_before=args.before_changes)
            sub.touch()
            doc.save(sub.to_dict())
    except (DocumentError, SubmissionError, WordError) as exc:
        print(f"未导入：{exc}", file=sys.stderr)
        return EXIT_INPUT
    skipped = len(result.differences) - len(accepted)
    print(f"已导入 {len(paths)} 处修改到《{into.name}》。" + (f"另有 {skipped} 处冲突未导入（加 --take-word 采用 Word 的内容）。"
                                                          if skipped else ""))
    findings = all_findings(call, sub, path=into)
    touched = [f for f in findings if any(f.path == p or f.path.startswith((p + ".", p + "[")) for p in paths)]
    if touched:
        print("导入后的检查（与导入的字段有关）：")
        for f in touched:
            print("  " + str(f))
    return EXIT_DIFF if skipped else EXIT_OK
