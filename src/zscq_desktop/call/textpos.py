"""Line numbers for TOML keys, so `call check` can say `call.toml:123: directions[2].cap_wan: …`.

`tomllib` reports positions only for syntax errors. This reads the text of a file that already parsed
and records the line of every table header (`[call]`, `[[directions]]`, `[[directions.tasks]]`, counted
per parent) and every `key =` line inside it, plus the elements of inline-table arrays
(`indicators = [ { … }, { … } ]`). It understands the subset of TOML the call files use; anything it
cannot place falls back to the nearest enclosing table, then to line 1.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=\s*(.*)$")


def _strip_quotes(k: str) -> str:
    return k[1:-1] if len(k) >= 2 and k[0] == k[-1] == '"' else k


class KeyLines:
    """Maps key paths such as ``directions[3].tasks[0].indicators[1].min`` to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        self._scan(text.splitlines())

    def _scan(self, lines: list[str]) -> None:
        counts: dict[str, int] = {}
        table = ""  # the resolved path of the current table, e.g. "directions[2].tasks[0]"
        array_key: str | None = None  # inside a multi-line array: its key path
        array_depth = 0
        element = 0
        in_string = False
        for no, raw in enumerate(lines, start=1):
            line = raw
            if in_string:
                if line.count('"""') % 2 == 1:
                    in_string = False
                continue
            if array_key is not None:
                array_depth, element = self._elements(line, array_key, array_depth, element, no)
                if array_depth <= 0:
                    array_key = None
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            m = _HEADER.match(line)
            if m and not _KEY.match(line):
                names = [_strip_quotes(p.strip()) for p in m.group(2).split(".")]
                parent = self._resolve(names[:-1])
                base = f"{parent}.{names[-1]}" if parent else names[-1]
                if m.group(1) == "[[":
                    index = counts.get(base, 0)
                    counts[base] = index + 1
                    table = f"{base}[{index}]"
                    self.lines.setdefault(base, no)
                else:
                    table = base
                self.lines.setdefault(table, no)
                continue
            m = _KEY.match(line)
            if not m:
                continue
            key = _strip_quotes(m.group(1))
            path = f"{table}.{key}" if table else key
            self.lines.setdefault(path, no)
            value = m.group(2)
            if value.startswith('"""') and value.count('"""') == 1:
                in_string = True
            elif value.startswith("["):
                depth, elem = self._elements(value, path, 0, 0, no)
                if depth > 0:
                    array_key, array_depth, element = path, depth, elem

    def _elements(self, text: str, path: str, depth: int, element: int, no: int) -> tuple[int, int]:
        """Record the line of each inline table (`{`) at depth 1 of an array; the depth and count after `text`."""
        for ch in text:
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
            elif ch == "{" and depth == 1:
                self.lines.setdefault(f"{path}[{element}]", no)
                element += 1
            elif ch == "#" and depth <= 1:
                break  # a comment (strings with '#' inside arrays do not occur in call files)
        return depth, element

    def _resolve(self, names: list[str]) -> str:
        """A dotted header prefix (`directions`) → the latest element (`directions[4]`)."""
        path = ""
        for name in names:
            base = f"{path}.{name}" if path else name
            # the most recent array element under this base, if it is an array of tables
            last = None
            for k in self.lines:
                if k.startswith(base + "[") and k[len(base):].count("[") == 1 and k.endswith("]") and "." not in k[len(base):]:
                    last = k
            path = last or base
        return path

    def line(self, key_path: str) -> int:
        """The line of `key_path`, or of its nearest ancestor that is found; 1 when nothing matches."""
        path = key_path
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return 1
