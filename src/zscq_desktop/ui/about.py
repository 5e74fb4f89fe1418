"""The About dialog: version, the call it knows, and the licences of the bundled fonts."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from zscq_desktop import __version__
from zscq_desktop.call.model import Call

FONT_LICENCES = (("Noto Serif / Sans CJK SC（思源字体，转换为 TrueType）", "OFL-NotoCJK.txt"),
                 ("花园明朝 Hanazono Mincho", "LICENSE-Hanazono.txt"))


def _read(name: str) -> str:
    from zscq_desktop.resources import ResourceError, resource_path

    try:
        return resource_path("fonts", name).read_text(encoding="utf-8", errors="replace")
    except (OSError, ResourceError) as exc:
        return f"（无法读取许可文件 {name}：{exc}）"


class AboutDialog(QDialog):
    def __init__(self, call: Call, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于申报助手")
        self.resize(640, 480)
        tabs = QTabWidget()
        about = QTextBrowser()
        about.setOpenExternalLinks(False)
        about.setHtml(
            f"<h2>天津市知识产权资助项目申报助手</h2><p>版本 {html.escape(__version__)}</p>"
            f"<p>当前申报指南：{html.escape(call.guide_title)}（截止 {call.deadline:%Y年%m月%d日 %H:%M}）。</p>"
            "<p>本程序离线运行：申报内容只保存在本机的 .zscq 文件中，只有在您点击“发送”时才会通过您自己的邮箱发出。</p>"
            "<p>本程序按 MIT 许可发布。界面基于 Qt（PySide6，LGPLv3），PDF 由 reportlab（BSD）生成，"
            "Word 文档由 python-docx（MIT）生成。</p>")
        tabs.addTab(about, "关于")
        for title, file in FONT_LICENCES:
            view = QTextBrowser()
            view.setPlainText(_read(file))
            tabs.addTab(view, title.split("（")[0])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
