"""The submission: everything one unit enters for one project, and its JSON form.

The model is deliberately plain: dicts of answers keyed by the field keys of the form definitions
in `forms/<call>/`, so a new year's form needs no code change. Field paths address values:
``unit.name``, ``form.budget.requested_wan``, ``form.team.members[0].name``,
``plan.sections.background``, ``plan.indicators[2].target``, ``eligibility.independent_account``,
``attachments[1]``.

JSON form (``format`` = ``zscq-submission``, ``version`` = 1): see README "The submission JSON".
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from zscq_desktop import __version__

FORMAT = "zscq-submission"
VERSION = 1
PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[([0-9]+)\]")


class SubmissionError(ValueError):
    """A submission document is not usable (wrong format, newer version, malformed)."""


@dataclass
class Attachment:
    """One supporting file (附件材料). The bytes live in the .zscq document, keyed by `sha256`."""

    category: str
    title: str
    source_name: str
    sha256: str
    size: int = 0
    pages: int | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    path: str | None = None  # only in the JSON form: the file, relative to the JSON file

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["path"] is None:
            del d["path"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Attachment":
        try:
            return cls(
                category=str(d["category"]), title=str(d.get("title", "")), source_name=str(d.get("source_name", "")),
                sha256=str(d.get("sha256", "")), size=int(d.get("size", 0)),
                pages=None if d.get("pages") is None else int(d["pages"]),
                id=str(d.get("id") or uuid.uuid4().hex[:12]), path=d.get("path"),
            )
        except (KeyError, TypeError, ValueError, AttributeError):  # no value in the message: it may be anything
            raise SubmissionError("附件记录不完整或格式错误（须有类别 category，大小 size 和页数 pages 须为整数）。") from None


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass
class Submission:
    """One application: the call and direction, the answers, the plan and the supporting files."""

    call: str
    direction: str = ""
    eligibility: dict[str, Any] = field(default_factory=dict)
    unit: dict[str, Any] = field(default_factory=dict)
    form: dict[str, dict[str, Any]] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=lambda: {"sections": {}, "tasks": [], "indicators": [], "schedule": []})
    attachments: list[Attachment] = field(default_factory=list)
    # a new submission gets its random id for the Word round trip (wordio.marks); files read keep theirs
    meta: dict[str, Any] = field(default_factory=lambda: {"word_id": uuid.uuid4().hex})
    sends: list[dict[str, Any]] = field(default_factory=list)

    # ---- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form (a deep copy)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "call": self.call,
            "direction": self.direction,
            "eligibility": copy.deepcopy(self.eligibility),
            "unit": copy.deepcopy(self.unit),
            "form": copy.deepcopy(self.form),
            "plan": copy.deepcopy(self.plan),
            "attachments": [a.to_dict() for a in self.attachments],
            "meta": copy.deepcopy(self.meta),
            "sends": copy.deepcopy(self.sends),
        }

    @classmethod
    def from_dict(cls, d: Any) -> "Submission":
        """Parse the JSON form; raises `SubmissionError` with a Chinese reason."""
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise SubmissionError("这不是申报助手的申报数据文件（缺少 format: zscq-submission）。")
        version = d.get("version")
        if not isinstance(version, int) or version < 1:
            raise SubmissionError("申报数据文件的版本号无效。")
        if version > VERSION:
            raise SubmissionError(f"该文件由更新版本的申报助手保存（数据版本 {version}），请升级本程序后再打开。")

        def table(key: str, kind: type, default: Any) -> Any:
            v = d.get(key, default)
            if not isinstance(v, kind):
                raise SubmissionError(f"申报数据中“{key}”的格式不正确。")
            return copy.deepcopy(v)

        plan = table("plan", dict, {})
        for k, kind in (("sections", dict), ("tasks", list), ("indicators", list), ("schedule", list)):
            plan.setdefault(k, kind())
            if not isinstance(plan[k], kind):
                raise SubmissionError(f"申报数据中“plan.{k}”的格式不正确。")
        form = table("form", dict, {})
        if any(not isinstance(v, dict) for v in form.values()):
            raise SubmissionError("申报数据中“form”的格式不正确。")
        call = d.get("call")
        if not isinstance(call, str) or not call:
            raise SubmissionError("申报数据缺少所属申报年度（call）。")
        return cls(
            call=call, direction=str(d.get("direction") or ""), eligibility=table("eligibility", dict, {}),
            unit=table("unit", dict, {}), form=form, plan=plan,
            attachments=[Attachment.from_dict(a) for a in table("attachments", list, [])],
            meta=table("meta", dict, {}), sends=table("sends", list, []),
        )

    def touch(self) -> None:
        """Record a modification (kept out of the version stamp)."""
        self.meta.setdefault("created", _now())
        self.meta["modified"] = _now()
        self.meta["app_version"] = __version__

    # ---- field paths ------------------------------------------------------------------------
    def get(self, path: str, default: Any = None) -> Any:
        """The value at a field path, or `default` when any step is missing."""
        node: Any = self.to_dict() if path.startswith(("attachments", "meta", "sends")) else {
            "unit": self.unit, "form": self.form, "plan": self.plan, "eligibility": self.eligibility}
        for name, index in PATH_TOKEN.findall(path):
            try:
                node = node[int(index)] if index else node[name]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def set(self, path: str, value: Any) -> None:
        """Set the value at a field path, creating dicts on the way (lists must exist)."""
        tokens = PATH_TOKEN.findall(path)
        if not tokens or tokens[0][0] not in ("unit", "form", "plan", "eligibility"):
            raise KeyError(path)
        node: Any = {"unit": self.unit, "form": self.form, "plan": self.plan, "eligibility": self.eligibility}
        for (name, index), (next_name, next_index) in zip(tokens, tokens[1:]):
            key: Any = int(index) if index else name
            if not index and key not in node:
                node[key] = [] if next_index else {}
            node = node[key]
        last_name, last_index = tokens[-1]
        node[int(last_index) if last_index else last_name] = value

    def section(self, key: str) -> dict[str, Any]:
        """The answers of a form section (the unit profile for ``unit``), created if absent."""
        if key == "unit":
            return self.unit
        return self.form.setdefault(key, {})

    def attachments_in_order(self, category_ids: list[str]) -> list[Attachment]:
        """Attachments in binding order: by the guide's category order, then as the user arranged them."""
        rank = {c: i for i, c in enumerate(category_ids)}
        return sorted(self.attachments, key=lambda a: rank.get(a.category, len(rank)))  # sort is stable
