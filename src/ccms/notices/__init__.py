"""Customer notices (고객 안내): templates as data, rendered with only what the customer may see.

Needs the ``notices`` extra (Jinja2): ``pip install 'ccms[notices]'``. See ``docs/notices.md``.
"""

from __future__ import annotations

from ccms.notices.render import Notice, format_date, render_notice
from ccms.notices.templates import PLACEHOLDERS, NoticeKind, NoticeTemplate, NoticeTemplates

__all__ = [
    "PLACEHOLDERS",
    "Notice",
    "NoticeKind",
    "NoticeTemplate",
    "NoticeTemplates",
    "format_date",
    "render_notice",
]
