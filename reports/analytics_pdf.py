"""The analytical reports (deficit map, справка) as PDF, on the plumbing of the plan's PDF.

reports/pdf.py owns the font (bundled Liberation Serif under our own family name), the fetcher
that reads nothing outside static/ and the error WeasyPrint's failures become; this module only
renders a template with static/css/print-reports.css on top of them.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from reports.pdf import html_pdf

STYLESHEET = "print-reports.css"


def render_pdf(template: str, context: dict) -> bytes:
    return html_pdf(render_to_string(template, context), STYLESHEET)
