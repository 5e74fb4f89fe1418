"""The command line: `zscq-desktop [--call ID] [gui|directions|sample|check|convert|export|verify|send|import] …`.

Exit codes: 0 success (no blocking finding), 1 blocking findings or a failed check,
2 unusable input (the message says why). With no arguments the wizard opens.

One dispatch (`route`): after the global options, a first argument that names a command is that
command; anything else is a file opened in the wizard (``gui FILE``). That is how Windows starts the
program when a `.zscq` is dropped on it or its shortcut, or chosen in 打开方式: ``zscq-desktop.exe FILE``.
The windowed executable has no stderr, so there a message box says what is wrong (`_tell`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from zscq_desktop import APP_TITLE, __version__
from zscq_desktop.call import CallDataError, load_call

if TYPE_CHECKING:  # the wizard's start-up comes through here: findings load with the commands using them
    from zscq_desktop.core.findings import Finding

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
OPENABLE = (".zscq", ".json", ".zscqcall")  # what the wizard opens from the command line (a call pack: the import dialog)


class UsageError(Exception):
    """The command line is wrong; `str()` is argparse's explanation."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing to a stderr the windowed executable does not have."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise UsageError(message)


# The options that come before the command: option → (how many values it takes, add_argument kwargs).
# `route` skips exactly these, so a new global option is one line here.
GLOBAL_OPTIONS: dict[str, tuple[int, dict[str, Any]]] = {
    "--version": (0, {"action": "version", "version": f"%(prog)s {__version__}"}),
    "--call": (1, {"default": None, "help": "申报年度 id（见 `calls`；默认：最新的申报中年度，否则最新年度）"}),
}


def _print_findings(findings: Sequence[Finding], as_json: bool) -> None:
    if as_json:
        print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        return
    if not findings:
        print("未发现问题。")
    for f in findings:
        print(str(f))


def direction_facts(call: Any) -> list[dict[str, Any]]:
    """The JSON list of `directions --json` (DESIGN §3)."""
    out = []
    for d in call.directions:
        out.append({
            "id": d.id, "name": d.name, "category": d.category_name, "category_id": d.category,
            "form": d.form_label, "cap_wan": d.cap_wan, "cap_wan_special": d.cap_wan_demo_city,
            "max_funded": d.max_funded, "contracts": d.contracts, "self_funding_ratio": d.self_funding_ratio,
            "matching": d.matching_text(), "period": d.period_text(), "period_start": d.period_start,
            "period_end": d.period_end, "period_months": d.period_months, "district_review": d.district_review,
            "contact": {"name": d.contact.name, "phone": d.contact.phone},
            "indicators": [{"task": t + 1, "key": i.key, "name": i.name, "unit": i.unit, "min": i.min, "max": i.max}
                           for t, i in d.indicators],
            "source": d.source,
        })
    return out


def cmd_directions(args: argparse.Namespace) -> int:
    call = load_call(args.call)
    facts = direction_facts(call)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{call.guide_title}（截止 {call.deadline:%Y-%m-%d %H:%M}）")
    current = None
    for d in call.directions:
        if d.category_name != current:
            current = d.category_name
            print(f"\n【{current}】")
        review = "须经区知识产权局审核盖章" if d.district_review else "直接寄送"
        print(f"  {d.id:26} {d.name}｜{d.form_label}｜{d.cap_text()}｜资助{d.max_funded}项｜{d.matching_text()}"
              f"｜周期{d.period_text()}｜{review}｜{d.contact.name} {d.contact.phone}")
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from zscq_desktop.core.sample import write_sample

    call = load_call(args.call)
    args.direction = args.direction or str(call.sample.get("direction") or call.directions[0].id)
    try:
        call.direction(args.direction)
    except KeyError:
        print(f"未知的支持方向：{args.direction}。可选：{', '.join(d.id for d in call.directions)}", file=sys.stderr)
        return EXIT_INPUT
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".zscq":
        from zscq_desktop.docio import load_json, write_zscq
        from zscq_desktop.system.tempdirs import temporary_folder

        with temporary_folder("zscq-sample-") as tmp:  # nothing left beside the output
            source = tmp / "sample.json"
            write_sample(call, args.direction, source)
            write_zscq(load_json(source), out, overwrite=True)
    else:
        write_sample(call, args.direction, out)
    print(f"示例已写入：{out}")
    return EXIT_OK


def findings_for(loaded: Any, call: Any) -> list[Finding]:
    """Rules plus the findings only the renderers can know (glyph coverage)."""
    from zscq_desktop.checks import all_findings

    return all_findings(call, loaded.submission, path=loaded.path) + list(getattr(loaded, "findings", []))


def _load(file: str, args: argparse.Namespace | None = None, lazy: bool = False) -> tuple[Any, Any] | int:
    """The submission named on the command line and its call, or `EXIT_INPUT` after saying why."""
    from zscq_desktop.cli_calls import call_mismatch
    from zscq_desktop.docio import InputError, load_any

    try:
        loaded = load_any(Path(file), lenient=True, lazy=lazy)  # unusable attachment files become findings
        if args is not None and call_mismatch(args, loaded.submission.call):
            return EXIT_INPUT
        return loaded, load_call(loaded.submission.call)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
    except (CallDataError, FileNotFoundError) as exc:
        print(f"无法加载申报年度数据：{exc}", file=sys.stderr)
    return EXIT_INPUT


def cmd_check(args: argparse.Namespace) -> int:
    got = _load(args.file, args)
    if isinstance(got, int):
        return got
    loaded, call = got
    from zscq_desktop.core.findings import has_blocking

    findings = findings_for(loaded, call)
    _print_findings(findings, args.json)
    return EXIT_FINDINGS if has_blocking(findings) else EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    from zscq_desktop.docio import InputError, load_any, write_json, write_zscq

    src, dst = Path(args.input), Path(args.output)
    try:
        loaded = load_any(src)
        from zscq_desktop.cli_calls import call_mismatch

        if call_mismatch(args, loaded.submission.call):
            return EXIT_INPUT
        if dst.suffix.lower() == ".json":
            write_json(loaded, dst)
        elif dst.suffix.lower() == ".zscq":
            write_zscq(loaded, dst, overwrite=args.force)
        else:
            print("输出文件须以 .json 或 .zscq 结尾。", file=sys.stderr)
            return EXIT_INPUT
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    print(f"已转换：{src} → {dst}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from zscq_desktop.docio import InputError
    from zscq_desktop.volume.caches import cache_for
    from zscq_desktop.volume.export import ExportBlocked, ExportError, MemoryCache, Normalizing, export

    got = _load(args.file, args, lazy=True)  # supporting files read from the .zscq only if not cached
    if isinstance(got, int):
        return got
    loaded, call = got
    cache = cache_for(Path(args.file), enabled=not args.no_cache)  # what the app caches, reused
    # supporting files not cached yet start in the background while the checks run
    normalizing = Normalizing(loaded, cache or MemoryCache(), None)
    try:
        findings = findings_for(loaded, call)
        result = export(loaded, call, Path(args.out), duplex=args.duplex, findings=findings,
                        progress=None if args.quiet else _progress, cache=cache,
                        budget_bytes=int(args.zip_budget_mb * 1024 * 1024), system_fonts=args.system_fonts,
                        normalizing=normalizing)
    except ExportBlocked as exc:
        print("存在须先修改的错误，未导出：", file=sys.stderr)
        for f in exc.findings:
            print("  " + str(f), file=sys.stderr)
        return EXIT_FINDINGS
    except (ExportError, InputError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INPUT
    finally:
        normalizing.stop()
        if cache is not None:
            cache.close()
    for f in result.findings:
        print(str(f))
    print("已导出：")
    for p in result.files:
        print(f"  {p}")
    return EXIT_OK


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction * 100:5.1f}%] {message}", file=sys.stderr)


def cmd_verify(args: argparse.Namespace) -> int:
    from zscq_desktop.package.verify import verify_package

    path = Path(args.zip)
    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return EXIT_INPUT
    findings = verify_package(path)
    _print_findings(findings, args.json)
    if not findings:
        print("校验通过：文件齐全，哈希值、页数和版本标识一致。") if not args.json else None
    return EXIT_FINDINGS if findings else EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    from zscq_desktop.mail.cli import run_send

    return run_send(args)


def cmd_gui(args: argparse.Namespace) -> int:
    import gc

    # Start-up creates only long-lived objects (Qt's types, the call data, the widgets): a collection
    # now finds no garbage and costs ≈ 9 ms in all. `ui.app.show_main_window` freezes them out of the
    # collector's way once the window is built and turns collecting back on.
    gc.disable()
    try:
        from zscq_desktop.ui.app import run

        if getattr(args, "file", None):
            problem = openable_problem(Path(args.file))
            if problem:
                _tell(problem, args.windowed)
                return EXIT_INPUT
        return run(Path(args.file) if getattr(args, "file", None) else None)
    finally:
        gc.enable()


def openable_problem(path: Path) -> str | None:
    """Why the wizard cannot open `path` (a Chinese sentence), or None."""
    if not path.exists():
        return f"找不到文件：{path}"
    if path.is_dir():
        return f"《{path.name}》是一个文件夹，不是申报文件。"
    if path.suffix.lower() not in OPENABLE:
        return (f"无法打开《{path.name}》：申报助手只能打开申报文件（.zscq）、申报数据（.json）或申报年度数据包（.zscqcall）。"
                "支撑材料（PDF、图片、Word 文件）请在“支撑材料”页面添加。")
    return None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="zscq-desktop", description=f"{APP_TITLE}（命令行）")
    for option, (_, kwargs) in GLOBAL_OPTIONS.items():
        p.add_argument(option, **kwargs)
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("gui", help="打开图形界面（默认）")
    s.add_argument("file", nargs="?")
    s.set_defaults(fn=cmd_gui)

    s = sub.add_parser("directions", help="列出支持方向")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_directions)

    s = sub.add_parser("sample", help="生成完整的示例申报（含示例附件）")
    s.add_argument("--direction", default=None, help="支持方向 id（默认取申报年度数据中的示例方向）")
    s.add_argument("-o", "--output", required=True, help="输出 .json（附件写在旁边）或 .zscq")
    s.set_defaults(fn=cmd_sample)

    s = sub.add_parser("check", help="检查 .zscq 或 .json 申报文件")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_check)

    s = sub.add_parser("convert", help="在 .zscq 与 .json 之间转换")
    s.add_argument("input")
    s.add_argument("output")
    s.add_argument("--force", action="store_true", help="覆盖已存在的 .zscq")
    s.set_defaults(fn=cmd_convert)

    s = sub.add_parser("export", help="导出装订用 PDF、DOCX、打印清单和电子版压缩包")
    s.add_argument("file")
    s.add_argument("--out", required=True)
    s.add_argument("--duplex", action="store_true", help="双面打印：每部分从右页开始")
    s.add_argument("--quiet", action="store_true")
    s.add_argument("--no-cache", action="store_true",
                   help="不读也不写缓存（.zscq 内已规范化的附件与排版结果；.json 输入在用户缓存文件夹中的缓存）")
    s.add_argument("--zip-budget-mb", type=float, default=20, help="电子版压缩包的大小上限（MB，默认 20）")
    s.add_argument("--system-fonts", nargs="?", const="song", default=False, choices=["song", "fangsong"],
                   help="Windows 上使用系统字体排版：正文宋体（song，默认）或仿宋（fangsong），标题黑体；缺字时用内置字体补齐")
    s.set_defaults(fn=cmd_export)

    s = sub.add_parser("verify", help="校验电子版压缩包")
    s.add_argument("zip")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_verify)

    s = sub.add_parser("send", help="通过 SMTP 发送电子版压缩包")
    s.add_argument("zip")
    s.add_argument("--to", default=None, help="收件人，默认为申报指南规定的电子邮箱")
    s.add_argument("--account", default=None, help="发件邮箱地址")
    s.add_argument("--preset", default=None, help="邮箱服务商预设（默认按发件地址猜测）")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.add_argument("--security", choices=["ssl", "starttls"], default=None)
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码/授权码（不保存）")
    s.add_argument("--remember", action="store_true", help="把密码/授权码保存到系统钥匙串")
    s.add_argument("--document", default=None, help="把发送记录写入该 .zscq 申报文件")
    s.add_argument("--mailto", action="store_true", help="不发送，只输出 mailto: 链接（附件需手动添加）")
    s.add_argument("--timeout", type=float, default=60, help="连接和发送的超时秒数（默认 60）")
    s.set_defaults(fn=cmd_send)

    from zscq_desktop.wordio.cli import add_parser as add_import

    add_import(sub)

    from zscq_desktop.cli_calls import add_call_commands

    add_call_commands(sub)
    return p


def commands(parser: argparse.ArgumentParser) -> set[str]:
    """The command names `parser` knows (its sub-parsers)."""
    return {name for a in parser._actions if isinstance(a, argparse._SubParsersAction) for name in a.choices}


def route(argv: Sequence[str], names: set[str]) -> list[str]:
    """`argv` with ``gui`` put where the command goes when none is named (see the module docstring).

    Global options (`GLOBAL_OPTIONS`, also as ``--opt=value``) are skipped; then no argument, or one
    that is not a command name or an option, means the wizard (with that file).
    """
    argv = list(argv)
    i = 0
    while i < len(argv):
        option, eq, _ = argv[i].partition("=")
        if option not in GLOBAL_OPTIONS:
            break
        step = 1 + (0 if eq else GLOBAL_OPTIONS[option][0])
        if i + step > len(argv):
            return argv  # an option lacking its value: argparse says so
        i += step
    rest = argv[i:]
    if rest and (rest[0] in names or rest[0].startswith("-")):
        return argv
    return argv[:i] + ["gui"] + rest


def _tell(message: str, windowed: bool) -> None:
    """Say `message` on stderr, or in a message box where there is no console (the windowed exe)."""
    if windowed:
        show_error_box(APP_TITLE, message)
    else:
        print(message, file=sys.stderr)


def show_error_box(title: str, message: str) -> None:
    """A Chinese error message box (what the windowed program shows instead of stderr)."""
    from zscq_desktop.ui.alert import show_error

    show_error(title, message)


def main(argv: Sequence[str] | None = None, *, windowed: bool | None = None) -> int:
    """Run the command line; `windowed` (default: no stderr, as in the windowed .exe) shows
    argument errors in a message box."""
    from zscq_desktop.system.console import configure_streams

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--office-child"]:  # Word/WPS conversion in a killable child (attachments/office.py)
        from zscq_desktop.attachments.office_child import main as office_child

        return office_child(argv[1:])
    if windowed is None:
        windowed = sys.stderr is None
    configure_streams()
    if argv:
        parser = build_parser()
        try:
            args = parser.parse_args(route(argv, commands(parser)))
        except UsageError as exc:
            _tell(f"命令行参数有误：{exc}。用 zscq-desktop -h 查看用法。", windowed)
            return EXIT_INPUT
        if not getattr(args, "fn", None):
            parser.print_help()
            return EXIT_INPUT
    else:  # the wizard, as a double-click starts it: no parser of every command to build (≈ 5 ms)
        args = wizard_args()
    args.windowed = windowed
    try:
        return int(args.fn(args))
    except CallDataError as exc:
        _tell(f"申报年度数据有误：{exc}", windowed)
        return EXIT_INPUT


def wizard_args() -> argparse.Namespace:
    """What `build_parser` makes of an empty command line (``gui``, no file, every global option at
    its default), without building it."""
    defaults = {option.lstrip("-").replace("-", "_"): kwargs["default"]
                for option, (_, kwargs) in GLOBAL_OPTIONS.items() if "default" in kwargs}
    return argparse.Namespace(**defaults, command="gui", file=None, fn=cmd_gui)


def gui_main() -> int:
    """The windowed entry point (``zscq-desktop-gui``): the same dispatch, errors in a message box."""
    return main(sys.argv[1:], windowed=True)
