"""Comparing versions of a plan: roadmaps.versions on plain states, then on saved plans and
through the comparison page."""

import pytest
from django.urls import reverse

from roadmaps import versions
from roadmaps.models import Item
from roadmaps.versions import GlossaryEntry, ItemState, PlanState, SectionState
from tests.factories import make_item, make_sample_plan, make_section, make_small_plan

ORG = SectionState("s1", "1.", "Организационно-управленческое сопровождение")
METHOD = SectionState("s2", "2.", "Научно-методическое сопровождение")


def item(key, section="s1", **fields):
    fields.setdefault("number", f"1.{key}.")
    fields.setdefault("title", f"Мероприятие {key}")
    return ItemState(key=key, section_key=section, **fields)


def plan(*items, sections=(ORG, METHOD), glossary=(), title="План", period="2024 год"):
    return PlanState(
        title=title,
        period=period,
        sections=list(sections),
        items=list(items),
        glossary=list(glossary),
    )


def test_identical_plans_have_no_changes():
    state = plan(item("a"), item("b"))
    diff = versions.compare(state, state)
    assert not diff.has_changes
    assert diff.unchanged_items == 2
    assert diff.groups == []


def test_added_and_removed_items_are_matched_by_key_not_by_number():
    old = plan(item("a", number="1.1."), item("b", number="1.2."))
    new = plan(item("b", number="1.1."), item("c", number="1.2."))
    diff = versions.compare(old, new)
    assert [(c.kind, c.state.key) for c in diff.items] == [
        ("changed", "b"),
        ("added", "c"),
        ("removed", "a"),
    ]
    assert [(f.label, f.old, f.new) for f in diff.items[0].fields] == [("№", "1.2.", "1.1.")]
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 1)


def test_changed_fields_are_listed_one_by_one():
    old = plan(item("a", deadline_text="Март", responsible=("ИМЦ",), status="не начато"))
    new = plan(
        item(
            "a",
            deadline_text="Февраль-март",
            responsible=("ИМЦ", "ОО"),
            directions=("Знание",),
            status="выполняется",
        )
    )
    change = versions.compare(old, new).items[0]
    assert [(f.name, f.old, f.new) for f in change.fields] == [
        ("deadline_text", "Март", "Февраль-март"),
        ("responsible", "ИМЦ", "ИМЦ, ОО"),
        ("directions", "", "Знание"),
        ("status", "не начато", "выполняется"),
    ]


def test_an_item_moved_to_another_section_shows_the_move():
    diff = versions.compare(plan(item("a")), plan(item("a", section="s2")))
    (change,) = diff.items
    assert [(f.label, f.old, f.new) for f in change.fields] == [("Раздел", ORG.label, METHOD.label)]
    assert [group.section.key for group in diff.groups] == ["s2"]


def test_a_renumbered_section_is_not_a_move_of_its_items():
    renumbered = SectionState("s1", "3.", ORG.title)
    diff = versions.compare(plan(item("a")), plan(item("a"), sections=(renumbered, METHOD)))
    assert diff.items == []
    assert [(f.label, f.old, f.new) for f in diff.sections[0].fields] == [("№", "1.", "3.")]


def test_sections_added_and_removed_group_their_items():
    extra = SectionState("s3", "3.", "Информационное сопровождение")
    old = plan(item("a"), item("b", section="s2"))
    new = plan(item("a"), item("c", section="s3"), sections=(ORG, extra))
    diff = versions.compare(old, new)
    assert [(c.kind, c.state.key) for c in diff.sections] == [("added", "s3"), ("removed", "s2")]
    groups = {group.section.key: group for group in diff.groups}
    assert [c.state.key for c in groups["s3"].items] == ["c"]
    assert [c.state.key for c in groups["s2"].items] == ["b"]
    assert [g.section.key for g in diff.groups] == ["s3", "s2"]


def test_glossary_entries_and_the_plans_title_are_compared():
    old = plan(glossary=[GlossaryEntry("ИРОСО", "Институт развития образования")])
    new = plan(
        glossary=[
            GlossaryEntry("ИРОСО", "Институт развития образования Свердловской области"),
            GlossaryEntry("ОО", "Общеобразовательные организации"),
        ],
        title="План (актуализированный)",
    )
    diff = versions.compare(old, new)
    assert [(c.kind, c.state.name) for c in diff.glossary] == [
        ("changed", "ИРОСО"),
        ("added", "ОО"),
    ]
    assert [(f.label, f.new) for f in diff.plan] == [
        ("Наименование плана", "План (актуализированный)")
    ]


def test_plans_of_different_lineages_compare_as_everything_replaced():
    diff = versions.compare(plan(item("a")), plan(item("b")))
    assert [c.kind for c in diff.items] == ["added", "removed"]


def test_word_diff_marks_removed_and_added_words():
    assert versions.word_diff("Проведение семинара в марте", "Проведение вебинара в марте") == [
        ("=", "Проведение "),
        ("-", "семинара "),
        ("+", "вебинара "),
        ("=", "в марте"),
    ]
    assert versions.word_diff("", "Новое") == [("+", "Новое")]


# Saved plans


@pytest.fixture
def revised(world):
    """A district plan, approved, and its second version with one item changed."""
    first = make_small_plan(world.omsu, status="approved")
    second = first.revise(by=world.municipal)
    return first, second


def test_a_snapshot_reads_a_plan_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    small = make_sample_plan(world.omsu, items=10)
    large = make_sample_plan(world.omsu, items=150)
    with django_assert_num_queries(5):
        versions.snapshot(small)
    with django_assert_num_queries(5):
        state = versions.snapshot(large)
    assert len(state.items) == 150
    assert state.glossary[0] == GlossaryEntry("ИРОСО", "Институт развития образования")


def test_a_revision_compares_as_unchanged_until_it_is_edited(revised):
    first, second = revised
    diff = versions.compare(versions.snapshot(first), versions.snapshot(second))
    assert not diff.has_changes
    assert diff.unchanged_items == 1


def test_the_comparison_page_shows_the_changed_item_field_by_field(world, revised, client_for):
    _, second = revised
    client = client_for(world.municipal)
    item = second.items.get()
    client.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        {
            "number": item.number,
            "title": "Совещание с координаторами и кураторами проекта",
            "deadline_text": "Февраль-март",
            "status": item.status,
            "responsible": ["ИМЦ"],
            "lock_version": item.lock_version,
        },
    )
    make_item(second.sections.get(), number="1.2.", title="Семинар для управленческих команд")
    page = client.get(reverse("roadmaps:roadmap-compare", args=[second.pk])).content.decode()
    assert "Версия 1 (утверждена) → версия 2 (черновик)" in page
    assert "<ins>и кураторами </ins>" in page
    assert "<del>в течение года</del>" in page and "<ins>Февраль-март</ins>" in page
    assert "Семинар для управленческих команд" in page
    assert '<span class="badge change-added">добавлено</span>' in page
    assert '<span class="badge change-changed">изменено</span>' in page


def test_any_two_versions_can_be_compared_in_either_order(world, revised, client_for):
    first, second = revised
    Item.objects.filter(roadmap=second).update(title="Изменённое название")
    client = client_for(world.municipal)
    url = reverse("roadmaps:roadmap-compare", args=[first.pk])
    page = client.get(url, {"old": second.pk, "new": first.pk}).content.decode()
    assert "Версия 1 (утверждена) → версия 2 (черновик)" in page
    assert "<ins>Изменённое название</ins>" in page


def test_a_plan_of_another_lineage_cannot_be_compared(world, revised, client_for):
    first, _ = revised
    stranger = make_small_plan(world.omsu)
    response = client_for(world.municipal).get(
        reverse("roadmaps:roadmap-compare", args=[first.pk]), {"new": stranger.pk}
    )
    assert response.status_code == 404


def test_a_school_cannot_compare_with_a_draft_it_cannot_see(world, revised, client_for):
    first, second = revised
    response = client_for(world.school_user).get(
        reverse("roadmaps:roadmap-compare", args=[first.pk]), {"new": second.pk}
    )
    assert response.status_code == 404


def test_a_plan_with_one_version_explains_where_versions_come_from(world, client_for):
    plan = make_small_plan(world.omsu)
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-compare", args=[plan.pk]))
        .content.decode()
    )
    assert "У плана пока одна версия" in page


def test_moving_an_item_between_versions_is_shown_as_a_move(world, revised, client_for):
    _, second = revised
    target = make_section(second, number="2.", title="Информационное сопровождение", position=5)
    Item.objects.filter(roadmap=second).update(section=target)
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-compare", args=[second.pk]))
        .content.decode()
    )
    assert "Раздел</th>" in page
    assert "<ins>2. Информационное сопровождение</ins>" in page
