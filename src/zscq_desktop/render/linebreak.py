"""Chinese line breaking (禁则) for every generated page: ONE routine, used by every reportlab
paragraph and table cell and by the canvas text of the cover and the checklist.

Rules (GB/T 15834 punctuation placement, as a typesetter applies them):

* no closing punctuation (，。、；：？！）》” … —— %) at the start of a line;
* no opening bracket or quote (（《“ …) at the end of a line;
* numbers stay whole with their unit, and dates stay whole: ``10.00万元``, ``2023年8月``,
  ``2023年1月18日``, ``45人``, ``85%``; a short bracketed unit stays whole: ``（万元）``; so do Latin
  words, codes and addresses (``ip@example.com``, ``91120116MA05XK3P76``);
* a paragraph's last line never holds a single character (孤字): the line before gives it one more
  (:func:`break_lines` with ``balance``).

A unit longer than a whole line (a 60-digit number) is cut where it must, still never before a
closing mark if that can be avoided.  :func:`install` routes reportlab's two CJK breakers
(``wordSplit`` for one-font paragraphs, ``cjkFragSplit`` for mixed fonts) through here; it runs
when :mod:`render.pdf_styles` is imported.  No Qt here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

#: never at the start of a line
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—～·‰%％,.;:?!)]}")
#: never at the end of a line
NO_END = frozenset("（《「『【〔〈“‘([{￥$＄")
_UNITS = ("万元|亿元|千元|元|万|亿|%|％|‰|件|项|人|个|家|次|篇|份|期|场|所|台|套|页|倍|天|小时|周|岁|名|条|部|本|种|类"
          "|mm|cm|km|kg|MB|GB|dpi|pt")
#: spans that are never broken inside
KEEP = re.compile(
    # a number, code, Latin word or address (10.00, 1,000, 2023-05, 91120116MA05XK3P76, ip@example.com) …
    r"[0-9A-Za-z](?:[0-9A-Za-z@_%+\-/:'’&]|[.,：](?=[0-9A-Za-z]))*"
    r"(?:年(?:度|\d{1,2}月(?:\d{1,2}日)?)?|月(?:\d{1,2}日)?|日|(?:" + _UNITS + r"))?"  # … with its unit or date
    r"|[（(][^（）()\n]{1,4}[）)]"  # a short bracketed unit or note: （万元）（件）(%)
    r"|——|……"  # a dash or an ellipsis of two characters
)
FUZZ = 1e-6


def can_break(text: str) -> list[bool]:
    """``ok[i]``: a line may start at ``text[i]`` (``ok[0]`` is always True)."""
    n = len(text)
    ok = [True] * (n + 1)
    for m in KEEP.finditer(text):
        for i in range(m.start() + 1, m.end()):
            ok[i] = False
    for i in range(1, n):
        ch, prev = text[i], text[i - 1]
        if ch in NO_START or prev in NO_END:
            ok[i] = False
        elif prev.isspace():
            ok[i] = True  # after a space, even inside a Latin phrase
    return ok


def break_lines(text: str, widths: Sequence[float], max_widths: Sequence[float] | float, *,
                balance: bool = True) -> list[tuple[int, int]]:
    """Break ``text`` (one character per entry of ``widths``) into lines no wider than the line's
    entry of ``max_widths`` (the last one repeats); return each line as (start, end) indices.

    A line is cut at the last allowed place that fits; where no allowed place fits (one unit longer
    than the line), it is cut at the last character that may start a line, else where it overflows.
    With ``balance`` a single-character last line takes one more character from the line before.
    """
    limits: list[float] = (list(max_widths) if isinstance(max_widths, (list, tuple))
                           else [float(max_widths)])  # type: ignore[arg-type]
    n = len(text)
    if n == 0:
        return []
    ok = can_break(text)
    lines: list[tuple[int, int]] = []
    start, used = 0, 0.0
    limit = limits[0]
    i = 0
    while i < n:
        w = widths[i]
        if used + w > limit + FUZZ and i > start:
            cut = next((j for j in range(i, start, -1) if ok[j]), 0)
            if cut <= start:  # one unit wider than the line: cut inside it, off closing marks
                cut = next((j for j in range(i, start, -1) if text[j] not in NO_START), i)
            lines.append((start, cut))
            start, used = cut, sum(widths[cut:i])
            limit = limits[min(len(lines), len(limits) - 1)]
            continue  # re-test character i on the new line
        used += w
        i += 1
    lines.append((start, n))
    if balance and len(lines) >= 2:
        lines = _balance(text, ok, lines)
    return lines


def _balance(text: str, ok: list[bool], lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give a one-character last line a second character from the line before, at an allowed place."""
    (a, b), (c, d) = lines[-2], lines[-1]
    if len(text[c:d].strip()) > 1:
        return lines
    cut = next((j for j in range(b - 1, a, -1) if ok[j]), None)
    if cut is None:
        return lines
    return [*lines[:-2], (a, cut), (cut, d)]


def wrap(text: str, width_of: Callable[[str], list[float]], max_width: float, *, balance: bool = True) -> list[str]:
    """``text`` as lines no wider than ``max_width``; newlines are kept as line ends.

    ``width_of`` gives the advance width of each character of a string (see
    :func:`render.pdf_styles.char_widths`).
    """
    out: list[str] = []
    for part in text.split("\n"):
        spans = break_lines(part, width_of(part), max_width, balance=balance)
        out += [part[a:b] for a, b in spans] or [""]
    return out


# -- reportlab ------------------------------------------------------------------------------------

_installed: dict[str, object] = {}


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}  # (font, size) → character → advance width
_SPLITS: dict[tuple, list[tuple[float, str]]] = {}  # a paragraph's lines, by text, widths, font and size
_SPLITS_KEPT = 4096


def char_widths(text: str, font: str, size: float) -> list[float]:
    """reportlab's ``getCharWidths`` (one ``stringWidth`` call per character), each character's
    width looked up once per font and size: the same numbers, without the per-character call."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    table = _WIDTHS.get((font, size))
    if table is None:
        table = _WIDTHS[(font, size)] = {}
    out = []
    for ch in text:
        w = table.get(ch)
        if w is None:
            w = table[ch] = stringWidth(ch, font, size)
        out.append(w)
    return out


def _word_split(word: str, maxWidths, fontName: str, fontSize: float, encoding: str = "utf8"):  # noqa: N803
    """reportlab's ``wordSplit`` (one-font CJK paragraphs): [[extra space, line text], …].

    reportlab breaks a paragraph again each time it is wrapped or split at a frame end with the same
    widths; the result of the last few thousand paragraphs is kept (fresh lists are handed out).
    """
    if isinstance(word, bytes):
        word = word.decode(encoding)
    max_widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
    key = (word, tuple(max_widths), fontName, fontSize)
    lines = _SPLITS.get(key)
    if lines is None:
        widths = char_widths(word, fontName, fontSize)
        lines = [(max_widths[min(k, len(max_widths) - 1)] - sum(widths[a:b]), word[a:b])
                 for k, (a, b) in enumerate(break_lines(word, widths, max_widths))]
        if len(_SPLITS) >= _SPLITS_KEPT:
            _SPLITS.clear()  # a new document: start over rather than track ages
        _SPLITS[key] = lines
    return [[extra, text] for extra, text in lines]


def _frag_split(frags, maxWidths, calcBounds, encoding: str = "utf8"):  # noqa: N803
    """reportlab's ``cjkFragSplit`` (mixed-font CJK paragraphs) with these rules."""
    from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

    units: list = []
    for f in frags:
        text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
        if text:
            units.extend(cjkU(t, f, encoding) for t in text)
        else:
            units.append(cjkU(text, f, encoding))
    max_widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
    lines: list = []
    seg = 0
    for k in range(len(units) + 1):  # segments end at <br/> (a unit whose frag has lineBreak)
        hard = k < len(units) and hasattr(units[k].frag, "lineBreak")
        if not hard and k < len(units):
            continue
        end = k + 1 if hard else k
        part = units[seg:k]
        text = "".join(str(u) for u in part)
        widths = [_width(u, max_widths[0]) for u in part]
        spans = break_lines(text, widths, max_widths[min(len(lines), len(max_widths) - 1):] or max_widths) if part else []
        if not spans:
            spans = [(0, 0)]
        for j, (a, b) in enumerate(spans):
            last = j == len(spans) - 1
            limit = max_widths[min(len(lines), len(max_widths) - 1)]
            used = sum(widths[a:b])
            chunk = units[seg + a:(end if last else seg + b)]
            if not chunk and not hard:
                continue
            lines.append(makeCJKParaLine(chunk, limit, used, limit - used, hard and last, calcBounds))
        seg = end
    return ParaLines(kind=1, lines=lines)


def _width(u, max_width: float) -> float:  # type: ignore[no-untyped-def]
    w = u.width
    if hasattr(w, "normalizedValue"):  # a percentage width (inline images)
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return float(w)


def install() -> None:
    """Route reportlab's CJK line breaking through :func:`break_lines` (idempotent).

    Both breakers are looked up as module globals of ``reportlab.platypus.paragraph`` at call time.
    """
    from reportlab.platypus import paragraph

    if _installed:
        return
    _installed["wordSplit"], _installed["cjkFragSplit"] = paragraph.wordSplit, paragraph.cjkFragSplit
    paragraph.wordSplit, paragraph.cjkFragSplit = _word_split, _frag_split


def uninstall() -> None:
    """Put reportlab's own breakers back (for the benchmark's comparison)."""
    from reportlab.platypus import paragraph

    if _installed:
        paragraph.wordSplit, paragraph.cjkFragSplit = _installed.pop("wordSplit"), _installed.pop("cjkFragSplit")
