"""Draw the application and document icons (resources/icons/) from the bundled Hei font.

    python tools/make_icons.py

The icons are generated rather than drawn by hand so that they can be rebuilt at any size from
open-licence material only (the bundled Noto Sans CJK SC Bold, SIL OFL). Output:

* ``app.png`` (256 px) and ``app.ico`` (16…256 px): a red seal-like square with the character 申;
* ``document.ico``: the icon of ``.zscq`` files (a white sheet with a folded corner and a red 申);
* ``app-<n>.png`` at 16, 24, 32, 48, 64, 128 and 256 px for Qt's high-DPI ``QIcon``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "NotoSansSC-Bold.ttf"
RED = (190, 30, 35, 255)
SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon(size: int) -> Image.Image:
    """The application icon at ``size`` px, drawn at 4× and scaled down for smooth edges."""
    s = size * 4
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pad = s // 16
    d.rounded_rectangle((pad, pad, s - pad, s - pad), radius=s // 6, fill=RED)
    inner = s // 7
    d.rounded_rectangle((inner, inner, s - inner, s - inner), radius=s // 10, outline=(255, 255, 255, 230),
                        width=max(2, s // 40))
    font = ImageFont.truetype(str(FONT), int(s * 0.56))
    d.text((s / 2, s / 2 + s * 0.02), "申", font=font, fill="white", anchor="mm")
    return img.resize((size, size), Image.LANCZOS)


def document_icon(size: int) -> Image.Image:
    """The icon of a ``.zscq`` document: a sheet with a folded corner and a red 申."""
    s = size * 4
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    left, top, right, bottom, fold = s * 0.16, s * 0.06, s * 0.84, s * 0.94, s * 0.22
    d.polygon([(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)],
              fill="white", outline=(120, 120, 120, 255), width=max(2, s // 64))
    d.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)], fill=(215, 215, 215, 255),
              outline=(120, 120, 120, 255), width=max(2, s // 64))
    font = ImageFont.truetype(str(FONT), int(s * 0.42))
    d.text((s / 2, s * 0.58), "申", font=font, fill=RED, anchor="mm")
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for n in SIZES:
        app_icon(n).save(OUT / f"app-{n}.png", optimize=True)
    app_icon(256).save(OUT / "app.png", optimize=True)
    app_icon(256).save(OUT / "app.ico", sizes=[(n, n) for n in SIZES])
    document_icon(256).save(OUT / "document.ico", sizes=[(n, n) for n in SIZES])
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
