"""Execution of plans: reports on items, evidence downloads, monitoring, roll-ups, templates."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from orgs.models import Organization
from portal.jinja2 import render_fragment
from portal.russian import ITEMS, count, quote
from portal.validators import parse_id
from reports.monitoring import spravka_file
from roadmaps import access
from roadmaps.cascade import create_from_template, template_owners, template_sources
from roadmaps.execution import (
    PROGRESS_LEGEND,
    REPORTABLE_STATUSES,
    STATUS_LEGEND,
    add_report,
    can_correct,
    can_report,
    correction_refusal,
    days_overdue,
    edit_report,
    evidence_response,
    progress_bar,
    remove_evidence_file,
    reports_of,
    status_bar,
    withdraw_report,
)
from roadmaps.execution_forms import ExecutionReportForm, RoadmapFromTemplateForm
from roadmaps.models import EvidenceFile, ExecutionReport, Item, ItemResponsible
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


def _report_rows(item, user):
    """The item's reports (withdrawn ones too) with their files and who corrected them, in a
    fixed number of queries; each marked `can_correct` for this user."""
    reports = list(
        reports_of(item)
        .select_related("author", "edited_by", "withdrawn_by", "occurrence", "item__roadmap__owner")
        .prefetch_related("files")
    )
    for report in reports:
        report.can_correct = can_correct(user, report)
    return reports


def _render_reports(request, item, form, *, saved="", editing=None, status=200):
    """The item's reports with the form: a table row for htmx, a page otherwise.

    `saved` is the message of a change just made; with it the htmx row also carries the item's
    new status out of band, so that the plan's row changes colour without a reload."""
    context = {
        "item": item,
        "roadmap": item.roadmap,
        "reports": _report_rows(item, request.user),
        "form": form,
        "can_report": form is not None,
        "editing": editing,
        "saved": saved,
    }
    if request.htmx:
        return render(request, "roadmaps/execution/_report_row.html", context, status=status)
    return render(request, "roadmaps/execution/item_reports.html", context, status=status)


def _new_report_form(request, item):
    return ExecutionReportForm(item=item) if can_report(request.user, item.roadmap) else None


def _after_change(request, item, message):
    if request.htmx:
        item.refresh_from_db(fields=["status", "lock_version"])
        return _render_reports(request, item, _new_report_form(request, item), saved=message)
    messages.success(request, message)
    return redirect("roadmaps:item-reports", pk=item.pk)


def _form_with_domain_error(form, error: ValidationError):
    for message in error.messages:
        form.add_error(None, message)
    return form


@login_required
def item_reports(request, pk):
    item = _get_item(request, pk)
    return _render_reports(request, item, _new_report_form(request, item))


@login_required
@require_POST
def item_report(request, pk):
    item = _get_item(request, pk)
    if not access.can_write_owner(request.user, item.roadmap):
        raise PermissionDenied("Отчитываться по плану может только организация, которая его ведёт.")
    if item.roadmap.status not in REPORTABLE_STATUSES:
        raise PermissionDenied("План перенесён в архив: отчёты по нему не принимаются.")
    form = ExecutionReportForm(request.POST, request.FILES, item=item)
    if form.is_valid():
        try:
            add_report(item, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_with_domain_error(form, error)
        else:
            return _after_change(request, item, "Отчёт сохранён.")
    return _render_reports(request, item, form)


def _get_report(request, pk) -> ExecutionReport:
    """A report on an item the user sees (404 otherwise), that the user may correct (403 with
    the reason otherwise)."""
    report = get_object_or_404(
        ExecutionReport.objects.filter(item__in=Item.objects.for_user(request.user)).select_related(
            "item__roadmap__owner__municipality", "item__section"
        ),
        pk=pk,
    )
    refusal = correction_refusal(request.user, report)
    if refusal:
        raise PermissionDenied(refusal)
    return report


@login_required
def report_edit(request, pk):
    report = _get_report(request, pk)
    item = report.item
    if request.method == "POST":
        form = ExecutionReportForm(request.POST, request.FILES, instance=report, item=item)
        if form.is_valid():
            try:
                edit_report(report, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_with_domain_error(form, error)
            else:
                return _after_change(request, item, "Отчёт исправлен.")
        # A refused form must not leave the instance half-changed for the table beside it.
        report.refresh_from_db()
    else:
        form = ExecutionReportForm(instance=report, item=item)
    return _render_reports(request, item, form, editing=report)


@login_required
@require_POST
def report_withdraw(request, pk):
    report = _get_report(request, pk)
    withdraw_report(report, by=request.user)
    return _after_change(request, report.item, f"Отчёт от {report.date:%d.%m.%Y} отозван.")


@login_required
@require_POST
def evidence_remove(request, pk):
    evidence = get_object_or_404(
        EvidenceFile.objects.filter(report__item__in=Item.objects.for_user(request.user)),
        pk=pk,
    )
    report = _get_report(request, evidence.report_id)
    evidence.report = report
    item = report.item
    try:
        remove_evidence_file(evidence, by=request.user)
    except ValidationError as error:
        form = ExecutionReportForm(instance=report, item=item)
        return _render_reports(
            request, item, _form_with_domain_error(form, error), editing=report, status=400
        )
    return _after_change(request, item, f"Файл «{evidence.name}» удалён.")


@login_required
@require_safe
def evidence_download(request, pk):
    """A report's file, for those who see its item only: evidence never has a public URL."""
    evidence = get_object_or_404(
        EvidenceFile.objects.filter(report__item__in=Item.objects.for_user(request.user)),
        pk=pk,
    )
    return evidence_response(evidence)


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

    def rows(part, **values):
        return render_fragment(
            request, "roadmaps/execution/monitoring_rows.html", {"part": part, **values}
        )

    return render(
        request,
        "roadmaps/execution/monitoring.html",
        {
            "municipality_rows": rows(
                "municipalities",
                municipalities=municipalities,
                municipality_link=partial(_municipality_link, request.GET),
            ),
            "plan_rows": rows("plans", plans=plan_page),
            "overdue_rows": rows("overdue", items=overdue_page),
            "form": form,
            "today": today,
            "totals": totals,
            "totals_bar": progress_bar(totals),
            "municipalities": municipalities,
            "plan_page": plan_page,
            "overdue_page": overdue_page,
            "legend": PROGRESS_LEGEND,
            "widened": selected.widened,
            "status": selected.status,
            # An empty list says why and what to do: only asked for when it is empty.
            "can_create": not plan_page.paginator.count
            and Organization.objects.for_user(request.user, write=True).exists(),
        },
    )


def _municipality_link(params, municipality_id) -> str:
    """The monitoring page narrowed to one municipality, the other filters kept, from the first
    page of both lists (as `{% querystring municipality=… plans_page=None page=None %}`)."""
    query = params.copy()
    query["municipality"] = municipality_id
    query.pop("plans_page", None)
    query.pop("page", None)
    return f"?{query.urlencode()}"


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
    owners = template_owners(request.user)
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
            initial = {"source": source.pk, "title": source.title, "period": str(source.period)}
    form = RoadmapFromTemplateForm(
        request.POST or None, initial=initial, sources=sources, owners=owners, user=request.user
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
            f"План создан на основе плана {quote(data['source'].owner)}: "
            f"{count(roadmap.items.count(), ITEMS)}. Это черновик — дополните его и отправьте "
            "на согласование.",
        )
        return redirect(reverse("roadmaps:roadmap-detail", args=[roadmap.pk]))
    return render(
        request,
        "roadmaps/execution/from_template.html",
        {"form": form, "has_sources": sources.exists()},
    )
