"""{% pk_url %} gives the same address as {% url %}, under any script prefix."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

NAMES = [
    "roadmaps:item-edit",
    "roadmaps:item-move",
    "roadmaps:item-delete",
    "roadmaps:item-reports",
]


def _render(name, pk):
    return Template("{% load pk_urls %}{% pk_url name pk %}").render(
        Context({"name": name, "pk": pk})
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 42, 987654321, 12345678901])
def test_pk_url_equals_reverse(name, pk):
    assert _render(name, pk) == reverse(name, args=[pk])


def test_pk_url_follows_the_script_prefix():
    set_script_prefix("/portal/")
    try:
        assert _render("roadmaps:item-edit", 7) == reverse("roadmaps:item-edit", args=[7])
        assert _render("roadmaps:item-edit", 7).startswith("/portal/")
    finally:
        clear_script_prefix()
    assert not _render("roadmaps:item-edit", 7).startswith("/portal/")


def test_pk_url_refuses_what_is_not_an_id():
    with pytest.raises(ValueError):
        _render("roadmaps:item-edit", "7/../../admin")
