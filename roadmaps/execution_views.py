"""Execution of plans: reports on items, evidence downloads, monitoring, roll-ups, templates."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from orgs.models import Organization
from portal.validators import parse_id
from reports.monitoring import spravka_file
from roadmaps import access
from roadmaps.cascade import create_from_template, template_sources
from roadmaps.execution import (
    PROGRESS_LEGEND,
    REPORTABLE_STATUSES,
    STATUS_LEGEND,
    add_report,
    can_report,
    days_overdue,
    evidence_content_type,
    progress_bar,
    reports_of,
    status_bar,
)
from roadmaps.execution_forms import ExecutionReportForm, RoadmapFromTemplateForm
from roadmaps.models import ExecutionReport, Item, ItemResponsible, Roadmap
from roadmaps.monitoring import FORBIDDEN_MESSAGE as MONITORING_FORBIDDEN
from roadmaps.monitoring import (
    can_monitor,
    filter_caption,
    monitored_plans,
    plans_with_progress,
    spravka_for,
)
from roadmaps.rollup import rollup_of

PLANS_PER_PAGE = 25
ITEMS_PER_PAGE = 50


def _get_item(request, pk) -> Item:
    return get_object_or_404(
        Item.objects.for_user(request.user).select_related(
            "roadmap__owner__municipality", "section"
        ),
        pk=pk,
    )


def _render_reports(request, item, form, *, saved=False):
    """The item's reports with the form: a table row for htmx, a page otherwise."""
    context = {
        "item": item,
        "roadmap": item.roadmap,
        "reports": reports_of(item).select_related("author", "occurrence"),
        "form": form,
        "can_report": form is not None,
        "saved": saved,
    }
    if request.htmx:
        return render(request, "roadmaps/execution/_report_row.html", context)
    return render(request, "roadmaps/execution/item_reports.html", context)


@login_required
def item_reports(request, pk):
    item = _get_item(request, pk)
    form = ExecutionReportForm(item=item) if can_report(request.user, item.roadmap) else None
    return _render_reports(request, item, form)


@login_required
@require_POST
def item_report(request, pk):
    item = _get_item(request, pk)
    if not access.can_write_owner(request.user, item.roadmap):
        raise PermissionDenied("Отчитываться по плану может только организация, которая его ведёт.")
    if item.roadmap.status not in REPORTABLE_STATUSES:
        raise PermissionDenied("План перенесён в архив: отчёты по нему не принимаются.")
    form = ExecutionReportForm(request.POST, request.FILES, item=item)
    if not form.is_valid():
        return _render_reports(request, item, form)
    add_report(item, author=request.user, **form.cleaned_data)
    if request.htmx:
        return _render_reports(request, item, ExecutionReportForm(item=item), saved=True)
    messages.success(request, "Отчёт сохранён.")
    return redirect("roadmaps:item-reports", pk=item.pk)


@login_required
def report_evidence(request, pk):
    """A report's file, for those who see its item only: evidence never has a public URL."""
    report = get_object_or_404(
        ExecutionReport.objects.filter(item__in=Item.objects.for_user(request.user)).exclude(
            evidence_file=""
        ),
        pk=pk,
    )
    name = PurePath(report.evidence_file.name).name
    try:
        handle = report.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404("Файл отчёта не найден в хранилище.") from None
    return FileResponse(
        handle, as_attachment=True, filename=name, content_type=evidence_content_type(name)
    )


@login_required
def monitoring(request):
    if not can_monitor(request.user):
        raise PermissionDenied(MONITORING_FORBIDDEN)
    today = timezone.localdate()
    selected = monitored_plans(request.user, request.GET)
    form, plans = selected.form, selected.plans

    totals = plans.progress_totals(today)
    municipalities = list(plans.progress_by_municipality(today))
    for row in municipalities:
        row["bar"] = progress_bar(row)

    plan_page = Paginator(plans_with_progress(plans, today), PLANS_PER_PAGE).get_page(
        request.GET.get("plans_page")
    )
    for plan in plan_page:
        plan.bar = progress_bar(plan)

    overdue = (
        Item.objects.for_user(request.user)
        .filter(roadmap__in=plans.values("pk"))
        .overdue(today)
        .select_related("roadmap__owner")
        .prefetch_related(
            Prefetch(
                "itemresponsible_set",
                queryset=ItemResponsible.objects.select_related("party").order_by("position"),
                to_attr="responsible_rows",
            )
        )
        .with_occurrences()
        .by_overdue_since()
    )
    overdue_page = Paginator(overdue, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    for item in overdue_page:
        item.days_overdue = days_overdue(item, today)
        item.can_report = can_report(request.user, item.roadmap)

    return render(
        request,
        "roadmaps/execution/monitoring.html",
        {
            "form": form,
            "today": today,
            "totals": totals,
            "totals_bar": progress_bar(totals),
            "municipalities": municipalities,
            "plan_page": plan_page,
            "overdue_page": overdue_page,
            "legend": PROGRESS_LEGEND,
        },
    )


@login_required
@require_safe
def monitoring_pdf(request):
    """The справка over the plans the monitoring page shows, with the same filters."""
    if not can_monitor(request.user):
        raise PermissionDenied(MONITORING_FORBIDDEN)
    selected = monitored_plans(request.user, request.GET)
    spravka = spravka_for(request.user, selected, timezone.localdate())
    return spravka_file(spravka, filters=filter_caption(selected.form)).response()


@login_required
def item_rollup(request, pk):
    """How one item of a higher-level plan goes in the plans made from it."""
    item = _get_item(request, pk)
    today = timezone.localdate()
    found = rollup_of(request.user, item, today)
    counts = found.counts
    page = Paginator(found.copies, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    for copy in page:
        copy.overdue = copy.is_overdue(today)
    return render(
        request,
        "roadmaps/execution/rollup.html",
        {
            "item": item,
            "roadmap": item.roadmap,
            "counts": counts,
            "bar": status_bar(counts),
            "legend": STATUS_LEGEND,
            "page": page,
        },
    )


@login_required
def roadmap_from_template(request):
    owners = (
        Organization.objects.for_user(request.user, write=True)
        .filter(municipality__isnull=False)
        .select_related("region", "municipality")
        .order_by("municipality__name", "kind", "short_name")
    )
    if not owners.exists():
        raise PermissionDenied(
            "Создавать планы на основе планов верхнего уровня могут координаторы муниципалитетов "
            "и школ и региональный оператор."
        )
    sources = template_sources(request.user)
    initial = {}
    source_pk = parse_id(request.GET.get("source", "")) if request.method == "GET" else None
    if source_pk is not None:
        source = sources.filter(pk=source_pk).first()
        if source:
            initial = {"source": source.pk, "period": _period_text(source)}
    form = RoadmapFromTemplateForm(
        request.POST or None, initial=initial, sources=sources, owners=owners
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        roadmap = create_from_template(
            data["source"],
            owner=data["owner"],
            title=data["title"],
            period=data["period"],
            user=request.user,
        )
        messages.success(
            request,
            f"План создан на основе плана «{data['source'].owner}»: "
            f"{roadmap.items.count()} мероприятий. Это черновик — дополните его и отправьте "
            "на согласование.",
        )
        return redirect(reverse("roadmaps:roadmap-detail", args=[roadmap.pk]))
    return render(
        request,
        "roadmaps/execution/from_template.html",
        {"form": form, "has_sources": sources.exists()},
    )


def _period_text(roadmap: Roadmap) -> str:
    return str(roadmap.period)
