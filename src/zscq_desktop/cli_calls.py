"""The command line for yearly calls: `calls`, `call new|check|pack|install|diff|carry`.

Registered into `cli.build_parser` by `add_call_commands`; exit codes as in `cli`: 0 done, 1 needs the
user's confirmation (or findings), 2 unusable input with the reasons printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_CONFIRM, EXIT_INPUT = 0, 1, 2


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _resolve(spec: str) -> Any:
    """A call by id (built-in or installed) or by folder path."""
    from zscq_desktop.call import load_call
    from zscq_desktop.call.loader import load_call_folder

    p = Path(spec)
    if p.is_dir():
        return load_call_folder(p)
    return load_call(spec)


def call_mismatch(args: argparse.Namespace, call_id: str) -> int | None:
    """`EXIT_INPUT` (after saying why) when the global `--call` names another call than the file's."""
    wanted = getattr(args, "call", None)
    if wanted and wanted != call_id:
        _err(f"该文件属于申报年度“{call_id}”，与 --call {wanted} 不一致。检查、导出和转换总是使用文件所属的年度；"
             "要把申报转到新年度，请用 `zscq-desktop call carry`（或 文件 → 转为新年度申报…）。")
        return EXIT_INPUT
    return None


def cmd_calls(args: argparse.Namespace) -> int:
    from zscq_desktop.call.registry import list_calls

    calls = list_calls()
    if args.json:
        print(json.dumps([e.to_dict() for e in calls], ensure_ascii=False, indent=2))
        return EXIT_OK
    for e in calls:
        state = "申报中" if e.open else "已截止"
        src = "内置" if e.source == "builtin" else "已安装"
        print(f"{e.id:24} {e.title}｜{e.issuer}｜截止 {e.deadline:%Y-%m-%d %H:%M}（{state}）｜{src} v{e.version}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from zscq_desktop.call.authoring import AuthoringError, new_call
    from zscq_desktop.call.registry import call_folder, default_call_id

    spec = args.source or args.call or default_call_id()
    source = Path(spec) if Path(spec).is_dir() else call_folder(spec)
    try:
        out = new_call(source, args.new_id, Path(args.out), year=args.year)
    except AuthoringError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except OSError as exc:
        _err(f"无法写入 {args.out}：{exc.strerror or exc}")
        return EXIT_INPUT
    print(f"已生成新的申报年度数据：{out}")
    print("下一步：对照新指南修改标有“【每年核对】”的行，然后运行 "
          f"`zscq-desktop call check {out}`，通过后 `zscq-desktop call pack {out} -o {args.new_id}.zscqcall`。")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from zscq_desktop.call.pack import PACK_SUFFIX, read_pack
    from zscq_desktop.call.validate import check_folder

    target = Path(args.target)
    if target.suffix.lower() == PACK_SUFFIX:
        problems = read_pack(target).problems
    elif target.is_file() and target.suffix.lower() == ".toml":
        problems = check_folder(target.parent)
    elif target.is_dir():
        problems = check_folder(target)
    else:
        _err(f"找不到申报年度数据文件夹或数据包：{target}")
        return EXIT_INPUT
    for p in problems:
        print(str(p))
    if problems:
        _err(f"共 {len(problems)} 处问题。")
        return EXIT_INPUT
    print("检查通过：程序可以使用这份申报年度数据。")
    return EXIT_OK


def cmd_pack(args: argparse.Namespace) -> int:
    from zscq_desktop.call.pack import PackError, make_pack

    folder = Path(args.folder)
    if not folder.is_dir():
        _err(f"找不到文件夹：{folder}")
        return EXIT_INPUT
    try:
        manifest = make_pack(folder, Path(args.output))
    except PackError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except OSError as exc:
        _err(f"无法写入 {args.output}：{exc.strerror or exc}")
        return EXIT_INPUT
    print(f"已打包：{args.output}（{manifest['id']} 版本 {manifest['version']}，{len(manifest['files'])} 个文件）")
    return EXIT_OK


def describe_preview(preview: Any) -> list[str]:
    """The lines shown before installing: what the pack is and where applications would go."""
    return [
        f"申报年度：{preview.title}（{preview.id}，版本 {preview.version}）",
        f"发布单位：{preview.issuer}",
        f"截止时间：{preview.deadline}",
        f"电子版发送至：{preview.submit_email}",
        f"纸质材料寄至：{preview.address}",
    ]


def cmd_install(args: argparse.Namespace) -> int:
    from zscq_desktop.call.pack import install, read_pack

    preview = read_pack(Path(args.file))
    if preview.refused:
        _err("数据包未通过检查，未安装：")
        for p in preview.problems:
            _err(f"  {p}")
        return EXIT_INPUT
    for line in describe_preview(preview):
        print(line)
    if preview.needs_confirmation:
        for w in preview.warnings:
            print(f"注意：{w}")
        if not args.yes:
            _err("请核实以上信息；确认无误后加 --yes 重新运行以安装。")
            return EXIT_CONFIRM
    try:
        target = install(preview)
    except OSError as exc:
        _err(f"无法写入用户文件夹：{exc.strerror or exc}")
        return EXIT_INPUT
    print(f"已安装：{target}")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from zscq_desktop.call.diff import diff_calls

    a, b = _resolve(args.a), _resolve(args.b)
    changes = diff_calls(a, b)
    if args.json:
        print(json.dumps([c.__dict__ for c in changes], ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{a.title} → {b.title}：{len(changes)} 处变化")
    for c in changes:
        print(str(c))
    return EXIT_OK


def cmd_carry(args: argparse.Namespace) -> int:
    from zscq_desktop.call import load_call
    from zscq_desktop.call.carry import carry_over
    from zscq_desktop.docio import InputError, Loaded, load_any, write_zscq

    try:
        loaded = load_any(Path(args.file))
        old = load_call(loaded.submission.call)
        new = load_call(args.to)
        result = carry_over(loaded.submission, old, new, direction=args.direction)
        write_zscq(Loaded(result.submission, dict(loaded.blobs)), Path(args.output))
    except OSError as exc:
        _err(f"无法写入 {args.output}：{exc.strerror or exc}")
        return EXIT_INPUT
    except InputError as exc:
        _err(str(exc))
        return EXIT_INPUT
    print(f"已生成新年度申报：{args.output}（原文件未改动）")
    for line in result.dropped:
        print(f"未带入：{line}")
    for line in result.notes:
        print(f"提示：{line}")
    return EXIT_OK


def add_call_commands(sub: Any) -> None:
    """Add `calls` and `call …` to the main parser's subcommands."""
    s = sub.add_parser("calls", help="列出内置和已安装的申报年度")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_calls)

    call = sub.add_parser("call", help="申报年度数据：新建、检查、打包、安装、对比、转年度")
    cs = call.add_subparsers(dest="call_command")
    call.set_defaults(fn=lambda args: (call.print_help(), EXIT_INPUT)[1])

    s = cs.add_parser("new", help="从已有年度生成新年度的数据文件夹")
    s.add_argument("new_id")
    s.add_argument("--from", dest="source", default=None, help="来源：申报年度 id 或文件夹（默认 --call 或默认年度）")
    s.add_argument("--out", required=True)
    s.add_argument("--year", type=int, default=None, help="新年度的年份（默认取自 id 中的四位数字）")
    s.set_defaults(fn=cmd_new)

    s = cs.add_parser("check", help="检查数据文件夹或 .zscqcall 数据包，列出全部问题（文件:行: 键: 原因）")
    s.add_argument("target")
    s.set_defaults(fn=cmd_check)

    s = cs.add_parser("pack", help="把数据文件夹打包为 .zscqcall")
    s.add_argument("folder")
    s.add_argument("-o", "--output", required=True)
    s.set_defaults(fn=cmd_pack)

    s = cs.add_parser("install", help="安装 .zscqcall 数据包")
    s.add_argument("file")
    s.add_argument("--yes", action="store_true", help="确认安装（受理地址、邮箱或发布单位与内置年度不同时必需）")
    s.set_defaults(fn=cmd_install)

    s = cs.add_parser("diff", help="对比两个申报年度")
    s.add_argument("a")
    s.add_argument("b")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_diff)

    s = cs.add_parser("carry", help="把申报文件转为新年度的新申报（原文件不变）")
    s.add_argument("file")
    s.add_argument("--to", required=True, help="新年度 id")
    s.add_argument("-o", "--output", required=True, help="新的 .zscq 文件")
    s.add_argument("--direction", default=None, help="新年度的支持方向（默认沿用原方向）")
    s.set_defaults(fn=cmd_carry)
