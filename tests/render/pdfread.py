"""Reading generated PDFs back in tests: where each piece of text is printed."""

from __future__ import annotations


def positions(page) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(text, x, y) of every text show on a pypdf page, in user space."""
    out: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            out.append((text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return out
