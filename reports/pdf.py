"""A plan as an official PDF: landscape A4, the grif, the table, the glossary, page numbers.

WeasyPrint lays the page out from templates/reports/plan_pdf.html and static/css/print-plan.css.
The font is the bundled Liberation Serif under a family name of our own, so a server without
it (or with another version of it) cannot change the document; a missing font file is an
error, never a silent fall-back. Nothing is fetched from outside static/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from reports.downloads import printable
from reports.plan import (
    GLOSSARY_TITLE,
    load_plan,
)
from reports.watermark import outline_svg
from roadmaps.grif import approval_block
from roadmaps.review import approval_of

FONT_FAMILY = "Portal Serif"
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


class PdfResourceError(RuntimeError):
    """A file the PDF needs (the font, the stylesheet) could not be read."""


def static_dir() -> Path:
    return Path(settings.BASE_DIR) / "static"


def font_face_css() -> str:
    rules = []
    for (weight, style), filename in FONT_FILES.items():
        url = (static_dir() / "fonts" / filename).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}") format("truetype");'
            f" font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


class StaticFilesOnly(URLFetcher):
    """Fetches files under static/ and nothing else: no network, no other local files."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        root = static_dir().resolve()
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(root):
            raise ValueError(f"PDF may only use files under {root}: {url}")
        return super().fetch(url, headers)


def _watermark() -> str:
    try:
        return outline_svg()
    except OSError as error:
        raise PdfResourceError(f"Нет файла шрифта для знака «ПРОЕКТ»: {error.filename}") from None


def plan_html(roadmap) -> str:
    plan = load_plan(roadmap)
    approval = approval_block(roadmap)
    return render_to_string(
        "reports/plan_pdf.html",
        {
            "roadmap": roadmap,
            "plan": plan,
            "approval": approval,
            "watermark": _watermark() if approval.draft else "",
            "created": timezone.localtime().replace(microsecond=0),
            # Who approved it on the portal (roadmaps/review.py), under the grif.
            "portal_approval": approval_of(roadmap),
            "show_period": str(roadmap.period_start.year) not in roadmap.title,
            "generated": timezone.localdate(),
            "glossary_title": GLOSSARY_TITLE,
        },
    )


class _HTML(HTML):
    """An HTML document whose user-agent stylesheet may be ours (`user_agent` in `html_pdf`).

    WeasyPrint asks `_ua_stylesheets` for it; should a later version stop asking, its own sheet
    is used again: the same pages, only slower."""

    user_agent: CSS | None = None

    def _ua_stylesheets(self, forms=False):
        if self.user_agent is None:
            return super()._ua_stylesheets(forms=forms)
        return [self.user_agent]


def html_pdf(html: str, stylesheet: str, *, user_agent: str | None = None) -> bytes:
    """Lay `html` out with the bundled font and static/css/`stylesheet` into a tagged PDF;
    `user_agent`, a stylesheet under static/css/, stands for WeasyPrint's HTML5 one.

    Tagged: headings, tables and cells keep their structure and the document its language
    (`<html lang="ru">`), so a screen reader can read the file and `pdfinfo` says «Tagged: yes».
    """
    font_config = FontConfiguration()
    fetcher = StaticFilesOnly()
    try:
        stylesheets = [
            CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher),
            CSS(
                filename=str(static_dir() / "css" / stylesheet),
                font_config=font_config,
                url_fetcher=fetcher,
            ),
        ]
        document = _HTML(
            string=printable(html), base_url=static_dir().as_uri() + "/", url_fetcher=fetcher
        )
        if user_agent:
            document.user_agent = CSS(
                filename=str(static_dir() / "css" / user_agent), url_fetcher=fetcher
            )
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config, pdf_tags=True)
    except FatalURLFetchingError as error:
        # WeasyPrint raises a BaseException; Django should see an ordinary error and log it.
        raise PdfResourceError(str(error)) from None


# The user-agent rules of the elements the plan's template uses (static/css/print-ua.css).
PLAN_USER_AGENT = "print-ua.css"


def plan_pdf(roadmap, *, user_agent: str | None = PLAN_USER_AGENT) -> bytes:
    return html_pdf(plan_html(roadmap), "print-plan.css", user_agent=user_agent)
