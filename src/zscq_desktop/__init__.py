"""zscq-desktop: 天津市知识产权资助项目申报助手.

An offline assistant that turns an enterprise's answers into a bound-ready application volume
and an e-mail-ready electronic copy for the Tianjin IP funding call.
"""

__version__ = "0.1.0"
APP_NAME = "zscq-desktop"
APP_TITLE = "天津市知识产权资助项目申报助手"
