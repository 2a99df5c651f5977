"""The plan editor: the list, the plan as the official table, editing in place with htmx,
the approval workflow, versions and the history of changes.

Every view starts from a scoped queryset (roadmaps.access); a plan outside the user's scope is
a 404, writing to a plan the user may only read, or to one that is not a draft, is a 403.
Editing endpoints answer htmx requests with a fragment (a table row, a section's rows) and
plain requests with a full page, so each also works without JavaScript.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget

from orgs.models import Municipality, Organization
from orgs.reviewers import person_name
from portal.russian import quote
from portal.validators import parse_id
from roadmaps import editing, execution, grif, layout, row_cache, versions
from roadmaps.access import (
    can_edit,
    can_review,
    get_editable_roadmap,
    get_item_for_user,
    get_party_for_user,
    get_roadmap_for_user,
    get_section_for_user,
    read_only_reason,
)
from roadmaps.cascade import can_build_on
from roadmaps.deadline_preview import MAX_LENGTH as DEADLINE_MAX_LENGTH
from roadmaps.deadline_preview import preview_deadline
from roadmaps.forms import (
    ApproveForm,
    ItemForm,
    PartyForm,
    ReturnForm,
    RoadmapCreateForm,
    RoadmapEditForm,
    RoadmapFilterForm,
    SectionForm,
)
from roadmaps.glossary import (
    PartyInUse,
    delete_party,
    new_party,
    parties_of,
    responsible_directory,
    save_party,
)
from roadmaps.history import log_entries, log_rows
from roadmaps.models import (
    Item,
    ItemResponsible,
    Party,
    Roadmap,
    RoadmapEvent,
    Section,
    WorkflowError,
)
from roadmaps.review import approval_of, author_and_others, reviewers_for

LIST_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 50
DIRECTORY_LIMIT = 1000


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def _text_q(fields: list[str], text: str) -> Q:
    # SQLite's LIKE folds case for ASCII only; trying the usual spellings of a Russian word
    # keeps the search case-blind there too (PostgreSQL's UPPER handles Cyrillic anyway).
    spellings = {text, text.lower(), text.upper(), text.capitalize()}
    q = Q()
    for field in fields:
        for spelling in spellings:
            q |= Q(**{f"{field}__icontains": spelling})
    return q


def _filtered_roadmaps(user, form: RoadmapFilterForm):
    visible = Roadmap.objects.for_user(user)
    roadmaps = visible
    data = form.cleaned_data if form.is_valid() else {}
    if not data.get("all_versions"):
        # The newest version the user can see: a school sees an approved municipal plan even
        # while its next version is still a draft it cannot see.
        roadmaps = roadmaps.exclude(next_version__in=visible.values("pk"))
    if data.get("q"):
        roadmaps = roadmaps.filter(
            _text_q(["title", "owner__short_name", "owner__name"], data["q"].strip())
        )
    if data.get("level"):
        roadmaps = roadmaps.at_level(data["level"])
    if data.get("municipality"):
        roadmaps = roadmaps.filter(owner__municipality=data["municipality"])
    if data.get("status"):
        roadmaps = roadmaps.filter(status=data["status"])
    if data.get("year"):
        year = data["year"]
        roadmaps = roadmaps.filter(period_start__year__lte=year, period_end__year__gte=year)
    return (
        roadmaps.select_related("owner__region", "owner__municipality")
        .annotate(item_count=Count("items"))
        .order_by("-period_start", "owner__short_name", "-version")
    )


@login_required
def roadmap_list(request):
    form = RoadmapFilterForm(
        request.GET or None,
        municipalities=Municipality.objects.for_user(request.user).order_by("name"),
    )
    page = Paginator(_filtered_roadmaps(request.user, form), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "roadmaps/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": Organization.objects.for_user(request.user, write=True).exists(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Creating a plan and its header
# ---------------------------------------------------------------------------------------------


def _owners(user):
    return (
        Organization.objects.for_user(user, write=True)
        .select_related("region", "municipality")
        .order_by("municipality__name", "kind", "short_name")
    )


@login_required
def roadmap_create(request):
    owners = _owners(request.user)
    if not owners.exists():
        raise PermissionDenied("Создавать планы могут координаторы и операторы.")
    form = RoadmapCreateForm(request.POST or None, owners=owners, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        roadmap = editing.create_roadmap(
            owner=data["owner"], title=data["title"], period=data["period"], user=request.user
        )
        messages.success(request, "План создан. Добавьте разделы и мероприятия.")
        return redirect("roadmaps:roadmap-detail", roadmap.pk)
    return render(request, "roadmaps/create.html", {"form": form})


@login_required
def roadmap_edit(request, pk):
    roadmap = get_editable_roadmap(request, pk)
    form = RoadmapEditForm(request.POST or None, roadmap=roadmap)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if editing.update_roadmap(
            roadmap,
            title=data["title"],
            period=data["period"],
            user=request.user,
            loaded_version=data["lock_version"],
        ):
            messages.success(request, "Наименование и период плана сохранены.")
            return redirect("roadmaps:roadmap-detail", roadmap.pk)
        current = get_object_or_404(Roadmap, pk=roadmap.pk)
        if not current.is_editable:
            raise PermissionDenied(read_only_reason(request.user, current))
        conflict = _conflict(
            current,
            [
                ("Наименование", current.title, form.cleaned_data["title"]),
                ("Период", current.period_label, roadmap.period_label),
            ],
        )
        data = request.POST.copy()
        data["lock_version"] = current.lock_version
        form = RoadmapEditForm(data, roadmap=current)
    return render(
        request, "roadmaps/edit.html", {"roadmap": roadmap, "form": form, "conflict": conflict}
    )


# ---------------------------------------------------------------------------------------------
# The plan as the official table
# ---------------------------------------------------------------------------------------------


def _table_items(roadmap: Roadmap):
    return roadmap.items.order_by("position", "pk").with_links()


def _blocks(roadmap: Roadmap) -> list[dict]:
    """Top-level sections, each with its rows: the section, its items, then its subsections."""
    sections = list(roadmap.sections.order_by("position", "pk"))
    children: dict[int | None, list[Section]] = defaultdict(list)
    for section in sections:
        children[section.parent_id].append(section)
    items: dict[int, list[Item]] = defaultdict(list)
    for item in _table_items(roadmap):
        items[item.section_id].append(item)

    def rows(section, depth):
        section.depth = depth
        section.item_count = len(items[section.pk])
        yield {"section": section}
        for item in items[section.pk]:
            yield {"item": item}
        yield {"add_item": section}
        for child in children[section.pk]:
            yield from rows(child, depth + 1)

    return [{"section": section, "rows": list(rows(section, 0))} for section in children[None]]


def _top_section(section: Section) -> Section:
    while section.parent_id:
        section = section.parent
    return section


def _table_context(request, roadmap: Roadmap) -> dict:
    editable = can_edit(request.user, roadmap)
    return {
        "roadmap": roadmap,
        "can_edit": editable,
        "can_report": execution.can_report(request.user, roadmap),
        "columns": 8 if editable else 7,
        "headings": _headings(roadmap),
    }


def _headings(roadmap: Roadmap) -> dict[str, str]:
    """The table's headings in the plan's own words where it kept them (roadmaps/layout.py):
    Tyumen's «Ответственный/исполнитель, соисполнители», Zeya's «Срок»; the editor keeps its
    column order, the documents print the plan's."""
    words = {
        layout.NUMBER: "№",
        layout.TITLE: "Мероприятие",
        layout.DEADLINE: "Сроки",
        layout.RESPONSIBLE: "Ответственные",
        layout.RESULT: "Ожидаемый результат",
        layout.DIRECTION: "Направления",
    }
    if roadmap.columns:
        words.update((column.key, column.heading) for column in layout.plan_columns(roadmap))
    return words


def _page_grif(roadmap) -> grif.ApprovalBlock | None:
    """The grif as the documents print it, without the signature's blank line; none for a
    draft that has nothing but the blank form."""
    block = grif.approval_block(roadmap)
    if block.draft and not grif.has_captured_approval(roadmap):
        return None
    lines = [line.replace(grif.SIGNATURE, "").strip() for line in block.lines]
    return grif.ApprovalBlock(block.head, [line for line in lines if line], draft=block.draft)


@login_required
def roadmap_detail(request, pk):
    roadmap, writable = get_roadmap_for_user(request, pk)
    context = _table_context(request, roadmap)
    events = list(roadmap.events.select_related("user").order_by("created", "pk"))
    returned = [event for event in events if event.action == RoadmapEvent.Action.RETURNED]
    family = list(
        Roadmap.objects.for_user(request.user)
        .filter(lineage=roadmap.lineage)
        .only("pk", "version", "status", "previous_version_id", "approval_date", "created")
        .order_by("-version")
    )
    has_next = any(version.previous_version_id == roadmap.pk for version in family)
    # An approved plan's table comes whole from the cache (roadmaps/row_cache.py).
    key = row_cache.table_key(roadmap, context)
    plan_table = row_cache.cached_table(key)
    blocks = None
    if plan_table is None:
        blocks = _blocks(roadmap)
        row_cache.attach_rows(blocks, context, request)
        if key is not None:
            plan_table = row_cache.render_table(key, {**context, "blocks": blocks})
    context.update(
        grif=_page_grif(roadmap),
        blocks=blocks,
        plan_table=plan_table,
        glossary=roadmap.parties.filter(in_glossary=True).order_by("position", "name"),
        events=events,
        return_comment=returned[-1] if returned and roadmap.status == "returned" else None,
        versions=family,
        can_write=writable,
        can_submit=context["can_edit"],
        can_review=roadmap.status == Roadmap.Status.REVIEW and can_review(request.user, roadmap),
        can_revise=writable and roadmap.status == Roadmap.Status.APPROVED and not has_next,
        can_build_on=can_build_on(request.user, roadmap),
        read_only_reason=read_only_reason(request.user, roadmap) if writable else "",
        reviewers=reviewers_for(roadmap) if roadmap.status == Roadmap.Status.REVIEW else None,
        approval=approval_of(roadmap, events=events),
    )
    return render(request, "roadmaps/detail.html", context)


def _block_response(request, roadmap: Roadmap, section: Section):
    """The rows of one top-level section, re-rendered after its items changed order."""
    top = _top_section(section)
    block = next((b for b in _blocks(roadmap) if b["section"].pk == top.pk), None)
    if block is None:
        return _table_response(request, roadmap)
    context = _table_context(request, roadmap)
    context["block"] = block
    return render(request, "roadmaps/_section_block.html", context)


def _table_response(request, roadmap: Roadmap):
    context = _table_context(request, roadmap)
    context["blocks"] = _blocks(roadmap)
    return render(request, "roadmaps/_plan_table.html", context)


def _back_to_plan(roadmap: Roadmap, anchor: str = ""):
    url = reverse("roadmaps:roadmap-detail", args=[roadmap.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def _section_form_response(request, form, roadmap, *, section=None, parent=None, conflict=None):
    if section is not None:
        form_id = f"section-{section.pk}"
    else:
        form_id = f"new-section-{parent.pk if parent else 'top'}"
    form.auto_id = f"{form_id}-%s"
    context = {
        **_table_context(request, roadmap),
        "form": form,
        "section": section,
        "parent": parent,
        "form_id": form_id,
        "conflict": conflict,
    }
    if request.htmx:
        return render(request, "roadmaps/_section_form_row.html", context)
    return render(request, "roadmaps/section_form.html", context)


@login_required
def section_add(request, pk):
    roadmap = get_editable_roadmap(request, pk)
    parent_value = request.POST.get("parent") or request.GET.get("parent") or ""
    parent_pk = parse_id(parent_value)
    if parent_value and parent_pk is None:
        raise Http404("Такого раздела в плане нет.")
    parent = get_object_or_404(roadmap.sections, pk=parent_pk) if parent_pk else None
    if request.method == "POST":
        form = SectionForm(request.POST, instance=Section(roadmap=roadmap, parent=parent))
        if form.is_valid():
            section = editing.add_section(
                roadmap,
                parent=parent,
                number=form.cleaned_data["number"],
                title=form.cleaned_data["title"],
                user=request.user,
            )
            if request.htmx:
                return retarget(_table_response(request, roadmap), "#plan-table")
            return _back_to_plan(roadmap, f"section-{section.pk}")
    else:
        form = SectionForm(initial={"number": editing.next_section_number(roadmap, parent)})
    return _section_form_response(request, form, roadmap, parent=parent)


def _section_row_response(request, section: Section):
    section.depth = 0 if section.parent_id is None else 1
    section.item_count = section.items.count()
    context = _table_context(request, section.roadmap)
    context["section"] = section
    return render(request, "roadmaps/_section_row.html", context)


@login_required
@require_GET
def section_row(request, pk):
    return _section_row_response(request, get_section_for_user(request, pk))


@login_required
def section_edit(request, pk):
    section = get_section_for_user(request, pk, write=True)
    roadmap = section.roadmap
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST":
        form.fields["lock_version"].required = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        old_number = Section.objects.values_list("number", flat=True).get(pk=section.pk)
        new_number = data["number"]
        if not editing.save_section(
            section,
            number=new_number,
            title=data["title"],
            user=request.user,
            loaded_version=data["lock_version"],
        ):
            return _section_conflict(request, form, section.pk)
        if request.htmx:
            if new_number != old_number:
                # The number went into its items too: the whole block is redrawn.
                top = _top_section(section)
                return retarget(_block_response(request, roadmap, section), f"#block-{top.pk}")
            return _section_row_response(request, section)
        return _back_to_plan(roadmap, f"section-{section.pk}")
    return _section_form_response(request, form, roadmap, section=section)


def _section_conflict(request, form, section_pk: int):
    """Re-show the form with the user's values, the current ones beside them, and the new
    lock_version, so that saving again applies the user's values over the other change."""
    current = get_object_or_404(Section.objects.select_related("roadmap__owner"), pk=section_pk)
    if not current.roadmap.is_editable:
        raise PermissionDenied(read_only_reason(request.user, current.roadmap))
    data = form.cleaned_data
    conflict = _conflict(
        current,
        [
            ("№", current.number, data["number"]),
            ("Наименование", current.title, data["title"]),
        ],
    )
    fresh = request.POST.copy()
    fresh["lock_version"] = current.lock_version
    form = SectionForm(fresh, instance=Section.objects.get(pk=section_pk))
    form.is_valid()
    return _section_form_response(
        request, form, current.roadmap, section=current, conflict=conflict
    )


@login_required
@require_POST
def section_move(request, pk):
    section = get_section_for_user(request, pk, write=True)
    editing.move_section(section, -1 if request.POST.get("direction") == "up" else 1)
    if request.htmx:
        return _table_response(request, section.roadmap)
    return _back_to_plan(section.roadmap, f"section-{section.pk}")


@login_required
@require_POST
def section_delete(request, pk):
    section = get_section_for_user(request, pk, write=True)
    roadmap = section.roadmap
    editing.delete_section(section)
    if request.htmx:
        return _table_response(request, roadmap)
    messages.success(request, "Раздел удалён.")
    return _back_to_plan(roadmap)


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


def _item_form_context(request, form, roadmap, *, item=None, section=None, conflict=None):
    names = list(form["responsible"].value() or [])
    form_id = f"item-{item.pk}" if item else f"new-item-{section.pk}"
    form.auto_id = f"{form_id}-%s"
    return {
        **_table_context(request, roadmap),
        "form": form,
        "item": item,
        "section": section or item.section,
        "conflict": conflict,
        "deadline": preview_deadline(form["deadline_text"].value() or "", roadmap),
        # Two empty inputs after the chosen names: enough to add one without JavaScript.
        "responsible_names": [*names, "", ""],
        "party_names": list(
            roadmap.parties.order_by("position", "name").values_list("name", flat=True)
        ),
        "directory_names": list(
            responsible_directory(request.user, roadmap).values_list("short_name", flat=True)[
                :DIRECTORY_LIMIT
            ]
        ),
        "form_id": form_id,
    }


def _item_form_response(request, form, roadmap, **kwargs):
    context = _item_form_context(request, form, roadmap, **kwargs)
    if request.htmx:
        return render(request, "roadmaps/_item_form_row.html", context)
    return render(request, "roadmaps/item_form.html", context)


def _responsible_names(item: Item) -> list[str]:
    return [link.party.name for link in item.itemresponsible_set.all()]


def _conflict(current, rows) -> dict:
    """What the other person saved, next to what this user typed."""
    record = current.history.select_related("history_user").first()
    user = record.history_user if record else None
    return {
        "user": (user.get_full_name() or user.username) if user else "другой пользователь",
        "when": record.history_date if record else None,
        "rows": [
            {"label": label, "theirs": theirs, "yours": yours, "differs": theirs != yours}
            for label, theirs, yours in rows
        ],
    }


def _item_conflict(request, form, item_pk: int):
    """Re-show the form with the user's values, the current ones beside them, and the new
    lock_version, so that saving again applies the user's values over the other change."""
    current = get_object_or_404(
        Item.objects.select_related("roadmap__owner", "section").prefetch_related(
            Prefetch(
                "itemresponsible_set",
                queryset=ItemResponsible.objects.select_related("party").order_by("position"),
            ),
            "directions",
        ),
        pk=item_pk,
    )
    if not current.roadmap.is_editable:
        raise PermissionDenied(read_only_reason(request.user, current.roadmap))
    data = form.cleaned_data
    yours_deadline = data["deadline_text"]
    conflict = _conflict(
        current,
        [
            ("№", current.number, data["number"]),
            ("Мероприятие", current.title, data["title"]),
            ("Сроки", current.deadline_text, yours_deadline),
            (
                "Ответственные",
                ", ".join(_responsible_names(current)),
                ", ".join(data["responsible"]),
            ),
            ("Ожидаемый результат", current.result, data["result"]),
            (
                "Направления",
                ", ".join(d.name for d in current.directions.all()),
                ", ".join(d.name for d in sorted(data["directions"], key=lambda d: d.position)),
            ),
            (
                "Исполнение",
                current.get_status_display(),
                dict(Item.Status.choices).get(data["status"], ""),
            ),
        ],
    )
    fresh = request.POST.copy()
    fresh["lock_version"] = current.lock_version
    form = ItemForm(fresh, instance=Item.objects.get(pk=item_pk))
    form.is_valid()
    return _item_form_response(request, form, current.roadmap, item=current, conflict=conflict)


@login_required
def item_add(request, pk):
    section = get_section_for_user(request, pk, write=True)
    roadmap = section.roadmap
    if request.method == "POST":
        form = ItemForm(request.POST, instance=editing.new_item(section))
        if form.is_valid():
            item = editing.add_item(section, form.cleaned_data, user=request.user)
            if request.htmx:
                return _item_row_response(request, item.pk)
            return _back_to_plan(roadmap, f"item-{item.pk}")
    else:
        form = ItemForm(initial={"number": editing.next_item_number(section)})
    return _item_form_response(request, form, roadmap, section=section)


def _item_row_response(request, pk):
    item = get_object_or_404(Item.objects.select_related("roadmap__owner").with_links(), pk=pk)
    context = _table_context(request, item.roadmap)
    context["item"] = item
    return render(request, "roadmaps/_item_row.html", context)


@login_required
@require_GET
def item_row(request, pk):
    item = get_item_for_user(request, pk)
    return _item_row_response(request, item.pk)


@login_required
def item_edit(request, pk):
    item = get_item_for_user(request, pk, write=True)
    roadmap = item.roadmap
    if request.method == "POST":
        form = ItemForm(request.POST, instance=item)
        form.fields["lock_version"].required = True
        if form.is_valid():
            data = form.cleaned_data
            if editing.write_item(
                item, data, user=request.user, loaded_version=data["lock_version"]
            ):
                if request.htmx:
                    return _item_row_response(request, item.pk)
                messages.success(request, f"Мероприятие {item.number} сохранено.")
                return _back_to_plan(roadmap, f"item-{item.pk}")
            return _item_conflict(request, form, item.pk)
    else:
        form = ItemForm(instance=item)
    return _item_form_response(request, form, roadmap, item=item)


@login_required
@require_POST
def item_move(request, pk):
    item = get_item_for_user(request, pk, write=True)
    editing.move_item(item, -1 if request.POST.get("direction") == "up" else 1)
    if request.htmx:
        return _block_response(request, item.roadmap, item.section)
    return _back_to_plan(item.roadmap, f"item-{item.pk}")


@login_required
@require_POST
def item_delete(request, pk):
    item = get_item_for_user(request, pk, write=True)
    roadmap, section = item.roadmap, item.section
    editing.delete_item(item)
    if request.htmx:
        return _block_response(request, roadmap, section)
    messages.success(request, "Мероприятие удалено.")
    return _back_to_plan(roadmap, f"section-{section.pk}")


@login_required
@require_GET
def deadline_preview(request, pk):
    """The dates a deadline means, shown under the field as the user types."""
    roadmap, _ = get_roadmap_for_user(request, pk)
    text = request.GET.get("deadline_text", "")[:DEADLINE_MAX_LENGTH]
    return render(
        request,
        "roadmaps/_deadline_preview.html",
        {"deadline": preview_deadline(text, roadmap), "roadmap": roadmap},
    )


# ---------------------------------------------------------------------------------------------
# Glossary and parties
# ---------------------------------------------------------------------------------------------


def _linked_organizations(user, parties) -> set[int]:
    """The parties' organizations whose page the user may open: a school sees the regional
    plan's parties, not the regional bodies' pages, so those are named without a link."""
    return set(
        Organization.objects.for_user(user)
        .filter(pk__in=parties.values("organization_id"))
        .values_list("pk", flat=True)
    )


@login_required
def glossary(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    editable = can_edit(request.user, roadmap)
    form = None
    if editable:
        form = PartyForm(
            instance=Party(roadmap=roadmap), directory=responsible_directory(request.user, roadmap)
        )
    return render(
        request,
        "roadmaps/glossary.html",
        {
            "roadmap": roadmap,
            "parties": parties_of(roadmap),
            "linked_organizations": _linked_organizations(request.user, roadmap.parties.all()),
            "can_edit": editable,
            "form": form,
        },
    )


@login_required
@require_POST
def party_add(request, pk):
    roadmap = get_editable_roadmap(request, pk)
    directory = responsible_directory(request.user, roadmap)
    party = new_party(roadmap)
    form = PartyForm(request.POST, instance=party, directory=directory)
    if form.is_valid():
        form.save()
        messages.success(request, f"{quote(party.name)} добавлено в перечень.")
        return redirect("roadmaps:glossary", roadmap.pk)
    return render(
        request,
        "roadmaps/glossary.html",
        {"roadmap": roadmap, "parties": parties_of(roadmap), "can_edit": True, "form": form},
    )


def _party_row(request, party):
    party = parties_of(party.roadmap).get(pk=party.pk)
    return render(
        request,
        "roadmaps/_party_row.html",
        {
            "party": party,
            "roadmap": party.roadmap,
            "linked_organizations": _linked_organizations(
                request.user, Party.objects.filter(pk=party.pk)
            ),
            "can_edit": can_edit(request.user, party.roadmap),
        },
    )


@login_required
@require_GET
def party_row(request, pk):
    return _party_row(request, get_party_for_user(request, pk))


@login_required
def party_edit(request, pk):
    party = get_party_for_user(request, pk, write=True)
    roadmap = party.roadmap
    old_name = party.name
    form = PartyForm(
        request.POST or None,
        instance=party,
        directory=responsible_directory(request.user, roadmap),
        auto_id=f"party-{party.pk}-%s",
    )
    if request.method == "POST" and form.is_valid():
        save_party(party, old_name=old_name, user=request.user)
        if request.htmx:
            return _party_row(request, party)
        return redirect("roadmaps:glossary", roadmap.pk)
    template = "roadmaps/_party_form_row.html" if request.htmx else "roadmaps/party_form.html"
    return render(request, template, {"form": form, "party": party, "roadmap": roadmap})


@login_required
@require_POST
def party_delete(request, pk):
    party = get_party_for_user(request, pk, write=True)
    roadmap = party.roadmap
    try:
        delete_party(party)
    except PartyInUse as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{quote(party.name)} удалён из перечня.")
    return redirect("roadmaps:glossary", roadmap.pk)


# ---------------------------------------------------------------------------------------------
# Workflow
# ---------------------------------------------------------------------------------------------


def _workflow_step(request, roadmap, step, success: str):
    try:
        step()
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("roadmaps:roadmap-detail", roadmap.pk)


@login_required
@require_POST
def roadmap_submit(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk, write=True)
    return _workflow_step(
        request,
        roadmap,
        lambda: roadmap.submit(by=request.user),
        "План направлен на согласование.",
    )


def _get_roadmap_to_review(request, pk) -> Roadmap:
    roadmap, _ = get_roadmap_for_user(request, pk)
    if not can_review(request.user, roadmap):
        raise PermissionDenied("Утверждает план и возвращает его на доработку уровень выше.")
    return roadmap


@login_required
def roadmap_approve(request, pk):
    roadmap = _get_roadmap_to_review(request, pk)
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _workflow_step(
            request,
            roadmap,
            lambda: roadmap.approve(
                by=request.user,
                kind=data["kind"],
                number=data["number"],
                date=data["date"],
                name=data["name"],
                position=data["position"],
                issuer=data["issuer"],
            ),
            "План утверждён.",
        )
    if roadmap.status != Roadmap.Status.REVIEW:
        messages.error(request, f"План не на согласовании: он {roadmap.get_status_display()}.")
        return redirect("roadmaps:roadmap-detail", roadmap.pk)
    by_author, others = author_and_others(roadmap, request.user)
    return render(
        request,
        "roadmaps/approve.html",
        {
            "roadmap": roadmap,
            "form": form,
            "by_author": by_author,
            "other_reviewers": [person_name(user) for user in others],
        },
    )


@login_required
def roadmap_return(request, pk):
    roadmap = _get_roadmap_to_review(request, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _workflow_step(
            request,
            roadmap,
            lambda: roadmap.return_for_revision(
                by=request.user, comment=form.cleaned_data["comment"]
            ),
            "План возвращён на доработку.",
        )
    if roadmap.status != Roadmap.Status.REVIEW:
        messages.error(request, f"План не на согласовании: он {roadmap.get_status_display()}.")
        return redirect("roadmaps:roadmap-detail", roadmap.pk)
    return render(request, "roadmaps/return.html", {"roadmap": roadmap, "form": form})


@login_required
@require_POST
def roadmap_revise(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk, write=True)
    try:
        new = roadmap.revise(by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("roadmaps:roadmap-detail", roadmap.pk)
    messages.success(
        request,
        f"Создана версия {new.version} (черновик). Версия {roadmap.version} остаётся "
        "утверждённой до утверждения новой.",
    )
    return redirect("roadmaps:roadmap-detail", new.pk)


# ---------------------------------------------------------------------------------------------
# Versions and history
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def roadmap_compare(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    family = list(
        Roadmap.objects.for_user(request.user)
        .filter(lineage=roadmap.lineage)
        .select_related("owner")
        .order_by("version")
    )
    by_pk = {str(version.pk): version for version in family}
    default_old = roadmap.previous_version_id or roadmap.pk
    old = by_pk.get(request.GET.get("old") or str(default_old))
    new = by_pk.get(request.GET.get("new") or str(roadmap.pk))
    if old is None or new is None:
        raise Http404("Такой версии этого плана нет.")
    if old.version > new.version:
        old, new = new, old
    diff = versions.compare(versions.snapshot(old), versions.snapshot(new))
    return render(
        request,
        "roadmaps/compare.html",
        {"roadmap": roadmap, "family": family, "old": old, "new": new, "diff": diff},
    )


@login_required
@require_GET
def roadmap_history(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    page = Paginator(log_entries(roadmap), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = log_rows(roadmap, page.object_list)
    return render(
        request,
        "roadmaps/history.html",
        {"roadmap": roadmap, "page": page, "rows": rows, "now": timezone.now()},
    )


@login_required
def paste_rows(request, pk):
    """«Вставить строки»: preview a pasted block, then add all its rows to a section."""
    from portal.russian import count
    from roadmaps.pasting import PasteForm, add_rows

    roadmap = get_editable_roadmap(request, pk)
    form = PasteForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        if "confirm" in request.POST:
            section = form.cleaned_data["section"]
            added = add_rows(section, form.items, user=request.user)
            messages.success(
                request,
                f"В раздел {section.number} добавлено "
                f"{count(len(added), 'мероприятие,мероприятия,мероприятий')}.",
            )
            return redirect(reverse("roadmaps:roadmap-detail", args=[roadmap.pk]))
        rows = form.preview()
        return render(
            request,
            "roadmaps/paste_rows.html",
            {
                "roadmap": roadmap,
                "form": form,
                "rows": rows,
                "add_label": "Добавить " + count(len(rows), "мероприятие,мероприятия,мероприятий"),
            },
        )
    return render(request, "roadmaps/paste_rows.html", {"roadmap": roadmap, "form": form})
