"""Upload a plan's document, look at it exactly as it will be saved, then confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs.models import Organization
from orgs.uploads import discard, stash_upload, stashed_path
from portal.russian import ITEMS, SECTIONS, count
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.import_forms import RoadmapImportConfirmForm, RoadmapUploadForm
from roadmaps.importers import DocumentError
from roadmaps.importing import read_document, save_parsed_roadmap
from roadmaps.models import Item


def _owners(user):
    return (
        Organization.objects.for_user(user, write=True)
        .select_related("region", "municipality")
        .order_by("municipality__name", "kind", "short_name")
    )


def _preview_rows(parsed, period: Period):
    """The plan as rows of the official table, deadlines parsed against the chosen period."""
    rows = []

    def walk(sections, depth):
        for section in sections:
            rows.append({"section": section, "depth": depth})
            for item in section.items:
                deadline = parse_deadline(item.deadline_text, period)
                kind_label = Item.DeadlineKind(str(deadline.kind)).label
                rows.append({"item": item, "deadline": deadline, "kind_label": kind_label})
            walk(section.sections, depth + 1)

    walk(parsed.sections, 0)
    return rows


def _render_preview(request, parsed, form, filename):
    period = form.cleaned_data["period"] if form.is_bound and form.is_valid() else None
    period = period or parsed.deadline_period()
    rows = _preview_rows(parsed, period)
    item_count = sum(1 for row in rows if "item" in row)
    warned = sum(1 for row in rows if "item" in row and row["deadline"].warnings)
    return render(
        request,
        "roadmaps/import_preview.html",
        {
            "parsed": parsed,
            "form": form,
            "rows": rows,
            "filename": filename,
            "item_count": item_count,
            "section_count": sum(1 for row in rows if "section" in row),
            "warned_count": warned,
            "period": period,
        },
    )


@login_required
def roadmap_import(request):
    owners = _owners(request.user)
    if not owners.exists():
        raise PermissionDenied("Загружать планы могут координаторы и операторы.")
    form = RoadmapUploadForm(
        request.POST or None, request.FILES or None, owners=owners, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            parsed = read_document(uploaded, filename=uploaded.name)
        except DocumentError as error:
            form.add_error("file", str(error))
        else:
            uploaded.seek(0)
            token = stash_upload(request.user, uploaded)
            period = parsed.deadline_period()
            confirm = RoadmapImportConfirmForm(
                initial={
                    "token": token,
                    "filename": uploaded.name,
                    "owner": form.cleaned_data["owner"].pk,
                    "title": parsed.title,
                    "period": str(period),
                },
                owners=owners,
            )
            return _render_preview(request, parsed, confirm, uploaded.name)
    return render(request, "roadmaps/import_upload.html", {"form": form})


@login_required
@require_POST
def roadmap_import_confirm(request):
    owners = _owners(request.user)
    if not owners.exists():
        raise PermissionDenied("Загружать планы могут координаторы и операторы.")
    form = RoadmapImportConfirmForm(request.POST, owners=owners, user=request.user)
    token = request.POST.get("token", "")
    path = stashed_path(request.user, token)
    if path is None:
        messages.error(request, "Загруженный файл не найден; загрузите его ещё раз.")
        return redirect("roadmaps:import")
    filename = request.POST.get("filename") or path.name
    try:
        parsed = read_document(path, filename=filename)
    except DocumentError as error:
        messages.error(request, str(error))
        return redirect("roadmaps:import")
    if not form.is_valid():
        return _render_preview(request, parsed, form, filename)
    roadmap = save_parsed_roadmap(
        parsed,
        owner=form.cleaned_data["owner"],
        user=request.user,
        period=form.cleaned_data["period"],
        title=form.cleaned_data["title"],
        filename=filename,
    )
    discard(request.user, token)
    messages.success(
        request,
        f"План загружен: {count(roadmap.sections.count(), SECTIONS)}, "
        f"{count(roadmap.items.count(), ITEMS)}.",
    )
    return redirect(reverse("roadmaps:roadmap-detail", args=[roadmap.pk]))
