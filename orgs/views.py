from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orgs.forms import DirectoryUploadForm
from orgs.importers import (
    IMPORT_FORBIDDEN,
    DirectoryError,
    import_regions,
    parse_directory,
    read_upload,
    save_directory,
)
from orgs.models import Membership, Municipality, Organization, Region
from orgs.scope import get_scope
from orgs.uploads import discard, stash_upload, stashed_path


def _school_counts():
    return Count("organizations", filter=Q(organizations__kind=Organization.Kind.SCHOOL))


@login_required
def home(request):
    """One page per role: each membership shows what it covers."""
    scope = get_scope(request.user)
    memberships = list(
        Membership.objects.filter(user=request.user).select_related(
            "organization__region", "organization__municipality"
        )
    )
    panels = []
    for membership in memberships:
        org = membership.organization
        panel = {"membership": membership, "organization": org, "level": org.level}
        if org.level == Organization.Level.REGION:
            panel["municipalities"] = (
                Municipality.objects.filter(region_id=org.region_id)
                .annotate(schools=_school_counts())
                .order_by("name")
            )
            panel["school_count"] = Organization.objects.filter(
                region_id=org.region_id, kind=Organization.Kind.SCHOOL
            ).count()
        elif org.level == Organization.Level.MUNICIPALITY:
            panel["schools"] = Organization.objects.filter(
                municipality_id=org.municipality_id, kind=Organization.Kind.SCHOOL
            ).order_by("short_name")
        panels.append(panel)
    regions = None
    if scope.is_superuser:
        regions = (
            Region.objects.annotate(
                municipality_count=Count("municipalities", distinct=True),
                school_count=Count(
                    "organizations",
                    filter=Q(organizations__kind=Organization.Kind.SCHOOL),
                    distinct=True,
                ),
            )
            .filter(municipality_count__gt=0)
            .order_by("code")
        )
    return render(request, "orgs/home.html", {"panels": panels, "regions": regions, "scope": scope})


@login_required
def municipality_detail(request, pk):
    municipality = get_object_or_404(
        Municipality.objects.for_user(request.user).select_related("region"), pk=pk
    )
    organizations = (
        Organization.objects.for_user(request.user)
        .filter(municipality=municipality)
        .order_by("kind", "short_name")
    )
    return render(
        request,
        "orgs/municipality_detail.html",
        {"municipality": municipality, "organizations": organizations},
    )


@login_required
def organization_detail(request, pk):
    organization = get_object_or_404(
        Organization.objects.for_user(request.user).select_related("region", "municipality"),
        pk=pk,
    )
    return render(request, "orgs/organization_detail.html", {"organization": organization})


@login_required
def directory_import(request):
    regions = import_regions(request.user)
    if not regions.exists():
        raise PermissionDenied(IMPORT_FORBIDDEN)
    form = DirectoryUploadForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        uploaded = form.cleaned_data["file"]
        try:
            parsed = parse_directory(read_upload(uploaded), uploaded.name, region)
        except DirectoryError as error:
            form.add_error("file", str(error))
        else:
            uploaded.seek(0)
            token = stash_upload(request.user, uploaded) if parsed.ok else ""
            return render(
                request,
                "orgs/directory_preview.html",
                {"parsed": parsed, "region": region, "token": token, "filename": uploaded.name},
            )
    return render(request, "orgs/directory_import.html", {"form": form})


@login_required
@require_POST
def directory_import_confirm(request):
    region = get_object_or_404(import_regions(request.user), pk=request.POST.get("region"))
    token = request.POST.get("token", "")
    path = stashed_path(request.user, token)
    if path is None:
        messages.error(request, "Файл для импорта не найден; загрузите его ещё раз.")
        return redirect("orgs:directory-import")
    try:
        parsed = parse_directory(path.read_bytes(), path.name, region)
        created, updated = save_directory(parsed, region)
    except DirectoryError as error:
        messages.error(request, str(error))
        return redirect("orgs:directory-import")
    discard(request.user, token)
    messages.success(request, f"Справочник загружен: добавлено {created}, обновлено {updated}.")
    return redirect("home")
