"""Unit profile page: the form's unit section (generated like every form page) plus the saved
profile library, so a unit's details are typed once and reused in other drafts.

Kept without asking: when the user leaves the page with a unit that has a name and a valid
统一社会信用代码 and no profile yet, it is saved as a profile. When the values differ from a saved
profile, the user is asked once per document whether to update the profile or use the values
only for this submission; the answer is kept in the document's derived-data table (not a change
of the submission, so not undoable): 更新 → later changes update the profile silently;
仅用于本申报 → not asked again, also after reopening the file."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton

from zscq_desktop.core.validators import check_credit_code
from zscq_desktop.ui.pages.form import FormSectionPage
from zscq_desktop.ui.widgets import dialogs

log = logging.getLogger(__name__)
PROFILE_CHOICES = ["更新单位档案", "仅用于本申报"]
ANSWER_KEY = "profile-answer"  # derived-data key of the document: kind = the profile's key


def _remembered_answer(document, profile_key: str) -> int | None:
    """The user's answer for this document and profile (0 update, 1 only here), or None."""
    try:
        hit = document.get_derived(ANSWER_KEY, profile_key)
    except Exception:
        return None
    choice = hit[1].get("choice") if hit is not None else None
    return choice if choice in (0, 1) else None


def _remember_answer(document, profile_key: str, choice: int) -> None:
    try:
        document.put_derived(ANSWER_KEY, profile_key, b"", {"choice": choice})
    except Exception:  # read-only or locked: asked again next time, nothing else is lost
        log.info("profile answer not stored for %s", profile_key)


def _library():
    from zscq_desktop.store.profiles import ProfileLibrary

    return ProfileLibrary()


class UnitPage(FormSectionPage):
    def build_header(self) -> None:
        self.intro("填写申报单位的基本情况。首次填写的单位（有名称和有效的统一社会信用代码）会自动保存为单位档案，"
                   "下次新建申报或为本单位申报第二个项目时可直接选用。")
        box = QGroupBox("单位档案")
        row = QHBoxLayout(box)
        self.profiles = QComboBox()
        self.profiles.setMinimumWidth(260)
        self.use_button = QPushButton("填入所选档案")
        self.save_button = QPushButton("保存为单位档案")
        self.delete_button = QPushButton("删除所选档案")
        row.addWidget(QLabel("已保存的单位："))
        row.addWidget(self.profiles, 1)
        row.addWidget(self.use_button)
        row.addWidget(self.save_button)
        row.addWidget(self.delete_button)
        self.layout_.addWidget(box)
        self.use_button.clicked.connect(self.use_profile)
        self.save_button.clicked.connect(self.save_profile)
        self.delete_button.clicked.connect(self.delete_profile)

    def _fill_profiles(self) -> None:
        self.profiles.clear()
        try:
            items = _library().list()
        except Exception as exc:  # a broken library must not block typing
            log.exception("profile library")
            items = []
            self.profiles.setPlaceholderText(f"单位档案无法读取：{exc}")
        for p in items:
            self.profiles.addItem(f"{p.get('name') or '未命名单位'}　{p.get('credit_code') or ''}", p["_key"])
        has = bool(items)
        if has:
            self.profiles.setCurrentIndex(0)  # with a placeholder set, Qt leaves nothing selected
        self.use_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        if not has:
            self.profiles.setPlaceholderText("还没有保存的单位档案")

    def load(self) -> None:
        self._fill_profiles()
        super().load()

    def use_profile(self) -> None:
        key = self.profiles.currentData()
        session = self.session
        if not key or session is None:
            return
        profile = _library().get(key)
        if profile is None:
            return
        if session.submission.unit.get("name") and not dialogs.ask(
                self, "填入单位档案", f"用档案“{profile.get('name')}”覆盖本页已填写的单位信息吗？", ok="覆盖"):
            return
        with session.one_step(f"填入单位档案“{profile.get('name')}”"):
            for k, v in profile.items():
                if not k.startswith("_") and f"unit.{k}" in self.rows:
                    session.edit(f"unit.{k}", v)
        super().load()

    def save(self) -> None:
        super().save()
        self.keep_profile()

    def keep_profile(self) -> None:
        """Save a first-time unit as a profile; ask once when a saved profile's values changed."""
        session = self.session
        if session is None or session.readonly:
            return
        unit = {k: v for k, v in session.submission.unit.items() if v not in (None, "", [])}
        if not str(unit.get("name") or "").strip() or check_credit_code(str(unit.get("credit_code") or "")):
            return  # not yet a unit worth keeping (a half-typed name would litter the library)
        try:
            library = _library()
            key = library.key_for(unit)
            saved = library.get(key)
            if saved is None:
                library.save(unit)
                self._fill_profiles()
                self.window_.statusBar().showMessage(f"已自动保存单位档案“{unit['name']}”，下次可直接选用。", 6000)
                return
            if all(saved.get(k) == v for k, v in unit.items()):
                return
            answer = _remembered_answer(session.document, key)
            if answer is None:
                changed = "、".join(self.rows[f"unit.{k}"].spec.label for k, v in unit.items()
                                   if saved.get(k) != v and f"unit.{k}" in self.rows) or "部分信息"
                answer = dialogs.choose(self, "单位档案", f"本申报中“{unit['name']}”的{changed}与已保存的单位档案不同。"
                                        "要用本申报的信息更新单位档案吗？", PROFILE_CHOICES, cancel="稍后再说")
                if answer is None:
                    return  # asked again next time the page is left
                _remember_answer(session.document, key, answer)
            if answer == 0:
                library.save({**saved, **unit})
                self._fill_profiles()
                self.window_.statusBar().showMessage(f"已更新单位档案“{unit['name']}”", 4000)
        except Exception:  # the library is a convenience: never stop the user leaving the page
            log.exception("keeping the unit profile")

    def save_profile(self) -> None:
        session = self.session
        if session is None:
            return
        unit = {k: v for k, v in session.submission.unit.items() if v not in (None, "", [])}
        if not unit.get("name"):
            dialogs.inform(self, "保存单位档案", "请先填写单位名称。")
            return
        try:
            _library().save(unit)
        except Exception as exc:
            dialogs.inform(self, "保存单位档案", f"单位档案保存失败：{exc}", warning=True)
            return
        self._fill_profiles()
        self.window_.statusBar().showMessage(f"已保存单位档案“{unit['name']}”", 4000)

    def delete_profile(self) -> None:
        key = self.profiles.currentData()
        if key and dialogs.ask(self, "删除单位档案", f"删除单位档案“{self.profiles.currentText()}”吗？（不影响已有申报）", ok="删除"):
            _library().delete(key)
            self._fill_profiles()
