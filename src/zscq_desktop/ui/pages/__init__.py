"""The wizard's pages, registered in one place.

`page_class(page_id)` gives the class for a page id of `core.flow` (``form:<section>`` pages all
use the generated `FormSectionPage`). The export page belongs to another module and is imported
lazily: the window still works (with a placeholder explaining why) if it cannot be imported.
"""

from __future__ import annotations

import importlib
import logging

from zscq_desktop.core import flow

log = logging.getLogger(__name__)

#: page id (or "form" for every generated form page) → "module:Class", imported on first use so
#: start-up only pays for the pages it shows.
PAGE_CLASSES: dict[str, str] = {
    flow.START: "zscq_desktop.ui.pages.start:StartPage",
    flow.DIRECTION: "zscq_desktop.ui.pages.direction:DirectionPage",
    flow.ELIGIBILITY: "zscq_desktop.ui.pages.eligibility:EligibilityPage",
    flow.UNIT: "zscq_desktop.ui.pages.unit:UnitPage",
    "form": "zscq_desktop.ui.pages.form:FormSectionPage",
    flow.PLAN: "zscq_desktop.ui.pages.plan:PlanPage",
    flow.ATTACHMENTS: "zscq_desktop.ui.pages.attachments:AttachmentsPage",
    flow.REVIEW: "zscq_desktop.ui.pages.review:ReviewPage",
    flow.EXPORT: "zscq_desktop.ui.pages.export:ExportPage",
}


def page_class(page_id: str) -> type:
    """The page class for `page_id`; a placeholder page when its module cannot be imported."""
    key = "form" if page_id.startswith(flow.FORM_PREFIX) else page_id
    target = PAGE_CLASSES[key]
    module_name, _, cls_name = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), cls_name)
    except (ImportError, AttributeError) as exc:
        log.error("page %s unavailable: %s", page_id, exc)
        from zscq_desktop.ui.pages.base import Page

        class Unavailable(Page):
            def __init__(self, window, spec) -> None:
                super().__init__(window, spec)
                self.intro("此页面暂不可用（程序组件缺失），请重新安装申报助手。")

        return Unavailable
