"""The questionnaire's questions as HTML, each question rendered once per what it shows.

A question's markup depends on the methodology's revision (the wording and the options), its
number on the page (the anchor), the school's answer and whether the questionnaire can be
edited: four schools out of five show the same question the same way. The URL the autosave posts
to and the CSRF field differ per school and per request, so a question is rendered with
stand-ins for them, kept in this process under that key, and the page replaces the stand-ins
once in the whole fragment. A new revision of the methodology gives new keys; nothing can be
stale. Rendering ≈100 questions × 4 options was most of the questionnaire's time even in Jinja2
(bench/profile_page.py questionnaire).
"""

from __future__ import annotations

import threading

from django.template import engines
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup

from portal.jinja2 import ENGINE

QUESTION_TEMPLATE = "selfdiag/question.html"
QUESTIONS_TEMPLATE = "selfdiag/questions.html"
# Stand-ins: plain words autoescaping leaves as they are, which no question's text contains.
_URL = "selfdiag-answer-url-stand-in"
_CSRF = "selfdiag-csrf-input-stand-in"

# (methodology id, revision, indicator code, anchor, answer, editable) -> HTML. Bounded: the
# questions of a few methodologies, each with its answers, stay well inside.
_CACHE: dict[tuple, Markup] = {}
_LIMIT = 50_000
_LOCK = threading.Lock()


def _question_html(methodology_key: tuple, question: dict, editable: bool) -> Markup:
    indicator = question["indicator"]
    key = (*methodology_key, indicator.code, question["anchor"], question["answer"], editable)
    html = _CACHE.get(key)
    if html is None:
        template = engines[ENGINE].get_template(QUESTION_TEMPLATE)
        context = {
            "question": question,
            "editable": editable,
            "answer_url": _URL,
            "csrf_input": Markup(_CSRF),
        }
        html = Markup(template.render(context))
        with _LOCK:
            if len(_CACHE) >= _LIMIT:
                _CACHE.clear()
            _CACHE[key] = html
    return html


def render_questions(request, round_, school, sections, *, editable: bool) -> SafeString:
    """The questions of `sections` (views._questionnaire_state) as the page prints them."""
    methodology = round_.methodology
    methodology_key = (methodology.pk, methodology.revision)
    html = (
        engines[ENGINE]
        .get_template(QUESTIONS_TEMPLATE)
        .render(
            {
                "sections": sections,
                "question_html": lambda question: _question_html(
                    methodology_key, question, editable
                ),
            }
        )
    )
    if editable:
        url = escape(reverse("selfdiag:answer", args=[round_.pk, school.pk]))
        html = html.replace(_URL, url).replace(_CSRF, csrf_input(request))
    return mark_safe(html)
