"""What every supporting-file normaliser shares: page geometry, limits, placement, problems.

The page geometry the binder relies on (see ``binder.py``): every output page is A4 portrait
(595.28 × 841.89 pt); the content is placed inside :data:`AREA`, which leaves free

* the 28 mm binding margin on the left (a left-glued volume),
* a 20 mm band at the top (the binder prints "附件材料3-n 标题" there, ``page.LABEL_Y``),
* 18 mm at the bottom (``binder.ATTACHMENT_FREE_BOTTOM``: page number and version stamp),
* 10 mm on the right (an ordinary printer's unprintable edge plus a little air).

Placement (:func:`place`): the source, as the reader sees it, is scaled down to fit the area
(PDF pages never scaled up; images are laid out at their own dpi, so a small photo stays small)
and centred in it.

Landscape sources are *not* turned sideways by default: upright content reads without turning
the volume, on screen and on paper, and an A4 landscape page still prints at 58 %.  Only when the
upright fit would shrink the content below :data:`ROTATE_BELOW` (50 %: 10.5 pt text would print
under 5.3 pt, too small to read) *and* turning it gains at least :data:`ROTATE_GAIN` (25 %) is the
content turned 90° counter-clockwise, its top toward the binding edge, as bound landscape pages
conventionally are (an A3 landscape drawing: 41 % upright, 58 % turned).  Images are turned only
when their resolution is a scanner's (≥ 150 dpi in the file): a photo's "size" at 72 dpi means
nothing, so photos are always fitted upright.

No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from zscq_desktop.core.findings import Finding, error, info, warning

PAGE_W, PAGE_H = A4
BINDING = 28 * mm
TOP_BAND = 20 * mm
BOTTOM_BAND = 18 * mm  # == binder.ATTACHMENT_FREE_BOTTOM
RIGHT = 10 * mm


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h


#: where supporting-file content may go on an A4 portrait page (points, origin bottom-left)
AREA = Rect(BINDING, BOTTOM_BAND, PAGE_W - BINDING - RIGHT, PAGE_H - TOP_BAND - BOTTOM_BAND)
ROTATE_BELOW = 0.5
ROTATE_GAIN = 1.25
SMALL_SCALE = 0.5  # below this a PDF page's text is likely too small on paper: warn
DEFAULT_DPI = 200.0  # an image without (plausible) resolution information
MAX_DPI = 200.0  # images are downsampled to at most this at their placed size


class Cancelled(Exception):
    """The user cancelled; the one cancellation type of the render pipeline."""


@dataclass(frozen=True)
class Limits:
    """What a supporting file may be; beyond these the user gets a clear finding, not a crash."""

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 1000
    max_pixels: int = 90_000_000  # one image (A3 at 600 dpi is 70 M); Pillow's own limit is set above it
    office_timeout: float = 180.0


class Problem(Exception):
    """A file that cannot be used: becomes one ERROR finding (message in Chinese, naming the file)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Context:
    """One normalisation: the file's name, its field path, the cancel hook, limits, findings so far."""

    name: str
    path: str = ""
    cancel: Callable[[], bool] | None = None
    limits: Limits = field(default_factory=Limits)
    findings: list[Finding] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"《{self.name}》" if self.name else "该文件"

    def check(self) -> None:
        """Poll the cancel hook (between pages)."""
        if self.cancel is not None and self.cancel():
            raise Cancelled("已取消处理附件。")

    def warn(self, code: str, message: str) -> None:
        self.findings.append(warning(code, message, self.path))

    def note(self, code: str, message: str) -> None:
        self.findings.append(info(code, message, self.path))

    def error(self, problem: Problem) -> Finding:
        return error(problem.code, problem.message, self.path)


# -- affine maps [a b c d e f] as in PDF: x' = a x + c y + e, y' = b x + d y + f --------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def then(m: Matrix, n: Matrix) -> Matrix:
    """The map that applies ``m`` first, then ``n``."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


#: maps of the unit square onto itself: turning a page clockwise by /Rotate 0, 90, 180, 270
#: (what the reader sees), and the eight EXIF orientations (stored pixels → as displayed).
ROTATE_CW: dict[int, Matrix] = {
    0: IDENTITY,
    90: (0.0, -1.0, 1.0, 0.0, 0.0, 1.0),
    180: (-1.0, 0.0, 0.0, -1.0, 1.0, 1.0),
    270: (0.0, 1.0, -1.0, 0.0, 1.0, 0.0),
}
EXIF: dict[int, Matrix] = {
    1: IDENTITY,
    2: (-1.0, 0.0, 0.0, 1.0, 1.0, 0.0),  # mirrored left-right
    3: ROTATE_CW[180],
    4: (1.0, 0.0, 0.0, -1.0, 0.0, 1.0),  # mirrored top-bottom
    5: (0.0, -1.0, -1.0, 0.0, 1.0, 1.0),  # transposed
    6: ROTATE_CW[90],
    7: (0.0, 1.0, 1.0, 0.0, 0.0, 0.0),  # transversed
    8: ROTATE_CW[270],
}
TURN_CCW: Matrix = (0.0, 1.0, -1.0, 0.0, 1.0, 0.0)  # unit square turned 90° counter-clockwise


@dataclass(frozen=True)
class Placement:
    """Where a source (as the reader sees it, ``w`` × ``h`` points) lands on the A4 page."""

    box: Rect  # the page rectangle it covers
    scale: float  # placed size / natural size
    turned: bool  # turned 90° counter-clockwise (see the module docstring)

    def matrix(self) -> Matrix:
        """Unit square (the source as seen) → its place on the page."""
        m = TURN_CCW if self.turned else IDENTITY
        return then(m, (self.box.w, 0.0, 0.0, self.box.h, self.box.x, self.box.y))


def place(w: float, h: float, *, upscale: bool = False, allow_turn: bool = True) -> Placement:
    """Fit a ``w`` × ``h`` pt source into :data:`AREA`, centred; see the module docstring."""
    upright = min(AREA.w / w, AREA.h / h)
    turned = min(AREA.w / h, AREA.h / w)
    if not upscale:
        upright, turned = min(1.0, upright), min(1.0, turned)
    turn = allow_turn and w > h and upright < ROTATE_BELOW and turned >= ROTATE_GAIN * upright
    s = turned if turn else upright
    pw, ph = (h * s, w * s) if turn else (w * s, h * s)
    box = Rect(AREA.x + (AREA.w - pw) / 2, AREA.y + (AREA.h - ph) / 2, pw, ph)
    return Placement(box, s, turn)
