"""The analytical reports (deficit map, справка) as PDF, on the plumbing of the plan's PDF.

reports/pdf.py owns the font (bundled Liberation Serif under our own family name), the fetcher
that reads nothing outside static/ and the error WeasyPrint's failures become; this module only
renders a template with static/css/print-reports.css on top of them.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from reports.downloads import printable
from reports.pdf import PdfResourceError, StaticFilesOnly, font_face_css, static_dir

STYLESHEET = "print-reports.css"


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    font_config = FontConfiguration()
    fetcher = StaticFilesOnly()
    try:
        stylesheets = [
            CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher),
            CSS(
                filename=str(static_dir() / "css" / STYLESHEET),
                font_config=font_config,
                url_fetcher=fetcher,
            ),
        ]
        document = HTML(
            string=printable(html), base_url=static_dir().as_uri() + "/", url_fetcher=fetcher
        )
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config)
    except FatalURLFetchingError as error:
        # WeasyPrint raises a BaseException; Django should see an ordinary error and log it.
        raise PdfResourceError(str(error)) from None
