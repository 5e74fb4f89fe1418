"""No code path in src/ depends on one year's call: 2023, Tianjin or a direction id appear only in
comments and docstrings (the call data lives in forms/). The application's name is the one exception."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
DIRECTIONS = (
    "creation-pilot", "patent-navigation", "innovation-culture", "gi-demo-zone", "gi-protection",
    "patent-admin-protection", "data-ip-protection", "overseas-dispute-guidance", "overseas-rights-aid",
    "market-protection", "regional-rights-aid", "protection-assessment", "public-service",
)
FORBIDDEN = re.compile("|".join(["2023", "天津", "(?i:tianjin)", *map(re.escape, DIRECTIONS)]))
APP_NAME = "天津市知识产权资助项目申报助手"  # the application's name (APP_TITLE), allowed


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def offending(text: str) -> list[tuple[int, str]]:
    """(line, token) of every forbidden match in code: not in a comment, not in a docstring."""
    docs = _docstring_lines(ast.parse(text))
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE) or tok.start[0] in docs:
            continue
        value = tok.string.replace(APP_NAME, "")
        if FORBIDDEN.search(value):
            out.append((tok.start[0], tok.string))
    return out


def test_the_checker_finds_what_it_should() -> None:
    code = 'x = "tianjin-2023"  # 2023\ndef f():\n    """天津 2023."""\n    return "creation-pilot"\nAPP = "天津市知识产权资助项目申报助手"\n'
    assert offending(code) == [(1, '"tianjin-2023"'), (4, '"creation-pilot"')]


def test_src_has_no_year_region_or_direction_in_code() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for line, token in offending(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(SRC)}:{line}: {token[:60]}")
    assert found == []
