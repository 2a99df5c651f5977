"""Downloads of a plan (PDF, Excel) and the calendar feeds of item deadlines (reports/ draws the
files; the feeds' keys are reports.models.CalendarFeedToken).

Downloads start from the user's scope (roadmaps.access): a plan out of scope is a 404. The
feeds are fetched by calendar clients that cannot log in: the secret key in the address
stands for the user, and a wrong or replaced key is a 404 like any unknown address.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.validators import parse_id
from reports import ics
from reports.downloads import plan_file
from reports.models import CalendarFeedToken
from roadmaps.access import get_roadmap_for_user
from roadmaps.models import Roadmap

# The new key travels from the reset to the page in the session and is dropped when shown.
FRESH_TOKEN_KEY = "reports:calendar-token"


@login_required
@require_safe
def roadmap_pdf(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    return plan_file(roadmap, "pdf")


@login_required
@require_safe
def roadmap_xlsx(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    return plan_file(roadmap, "xlsx")


@login_required
@require_safe
def roadmap_docx(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    return plan_file(roadmap, "docx")


# Calendar ----------------------------------------------------------------------------------------


def _plan_from_query(request):
    """The plan the page was opened from (?roadmap=<pk>), checked against the user's scope."""
    pk = request.GET.get("roadmap") or request.POST.get("roadmap")
    if not pk:
        return None
    if (roadmap_pk := parse_id(pk)) is None:
        raise Http404("Нет такого плана.")
    roadmap, _ = get_roadmap_for_user(request, roadmap_pk)
    return roadmap


def _calendar_page(roadmap=None) -> str:
    url = reverse("reports:calendar")
    return f"{url}?roadmap={roadmap.pk}" if roadmap else url


@login_required
@require_safe
@never_cache  # the page may show a fresh key
def calendar(request):
    roadmap = _plan_from_query(request)
    key = CalendarFeedToken.objects.filter(user=request.user).first()
    token = request.session.pop(FRESH_TOKEN_KEY, None)
    if token and not (key and key.matches(token)):
        token = None  # replaced since, from another tab
    feeds = []
    if token:
        scope_path = reverse("reports:calendar-feed", args=[token])
        feeds.append(_feed(request, "Все мероприятия моих планов", scope_path))
        if roadmap:
            plan_path = reverse("reports:roadmap-calendar-feed", args=[roadmap.pk, token])
            label = f"Только план: {roadmap.owner.short_name}, {roadmap.period_label}"
            feeds.append(_feed(request, label, plan_path))
    return render(
        request,
        "reports/calendar.html",
        {"key": key, "feeds": feeds, "roadmap": roadmap},
    )


def _feed(request, label: str, path: str) -> dict:
    url = request.build_absolute_uri(path)
    # webcal:// makes Outlook and Apple Calendar offer to subscribe instead of downloading.
    return {"label": label, "url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@login_required
@require_POST
def calendar_reset(request):
    roadmap = _plan_from_query(request)
    request.session[FRESH_TOKEN_KEY] = CalendarFeedToken.issue(request.user)
    messages.success(
        request,
        "Создана новая ссылка на календарь. Прежние ссылки больше не работают.",
    )
    return redirect(_calendar_page(roadmap))


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The address is the secret: keep it and the events out of shared caches and indexes.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _key_or_404(token: str) -> CalendarFeedToken:
    key = CalendarFeedToken.find(token)
    if key is None:
        raise Http404("Нет такого календаря.")
    key.touch()
    return key


def _item_link(request):
    def link(item):
        return request.build_absolute_uri(
            reverse("roadmaps:roadmap-detail", args=[item.roadmap_id])
        )

    return link


@require_safe
def calendar_feed(request, token):
    key = _key_or_404(token)
    name = f"Сроки мероприятий дорожных карт — {key.user.get_full_name() or key.user.username}"
    content = ics.feed(name, ics.scope_items(key.user), link=_item_link(request))
    return _ics_response(content, "calendar.ics")


@require_safe
def roadmap_calendar_feed(request, pk, token):
    key = _key_or_404(token)
    roadmap = get_object_or_404(Roadmap.objects.for_user(key.user).select_related("owner"), pk=pk)
    name = f"Сроки мероприятий: {roadmap.owner.short_name}, {roadmap.period_label}"
    content = ics.feed(name, ics.plan_items(roadmap), link=_item_link(request))
    return _ics_response(content, f"roadmap-{roadmap.pk}.ics")
