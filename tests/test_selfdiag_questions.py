"""The questionnaire's questions, each rendered once per what it shows (selfdiag/questions.py):
the kept HTML never carries another school's answer, address or token, and a corrected wording
shows at once."""

import re

from django.urls import reverse

from selfdiag.models import Indicator
from tests.factories import make_round, make_submission


def _question(page: str, code: str) -> str:
    """The markup of question `code` of an editable questionnaire page."""
    start = page.index(f'name="indicator" value="{code}"')
    return page[page.rindex("<form", 0, start) : page.index("</form>", start)]


def _checked(page: str, code: str) -> list[str]:
    return re.findall(r'value="([^"]+)" checked', _question(page, code))


def test_each_school_sees_its_own_answers_address_and_token(world, client_for):
    round_ = make_round(world.region, [world.school, world.sibling_school])
    make_submission(round_, world.school, {"Z1": "yes"})
    make_submission(round_, world.sibling_school, {"Z1": "no", "Z2": "full"})
    client = client_for(world.municipal)
    pages = {}
    for _ in range(2):  # the second time every question comes from what was kept
        for school in (world.school, world.sibling_school):
            path = reverse("selfdiag:questionnaire", args=[round_.pk, school.pk])
            pages[school.pk] = client.get(path).content.decode()
    first, sibling = pages[world.school.pk], pages[world.sibling_school.pk]
    assert _checked(first, "Z1") == ["yes"] and _checked(first, "Z2") == []
    assert _checked(sibling, "Z1") == ["no"] and _checked(sibling, "Z2") == ["full"]
    for school, page in ((world.school, first), (world.sibling_school, sibling)):
        own = reverse("selfdiag:answer", args=[round_.pk, school.pk])
        question = _question(page, "Z1")
        assert f'action="{own}"' in question and f'hx-post="{own}"' in question
        assert "stand-in" not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', question).group(1)
        assert len(token) == 64
    # The autosave accepts the token the kept question was given.
    saved = client.post(
        reverse("selfdiag:answer", args=[round_.pk, world.school.pk]),
        {"indicator": "Z2", "option": "full", "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200


def test_a_corrected_wording_shows_at_once(world, client_for):
    round_ = make_round(world.region, [world.school])
    client = client_for(world.municipal)
    path = reverse("selfdiag:questionnaire", args=[round_.pk, world.school.pk])
    assert "Исправленная формулировка" not in client.get(path).content.decode()
    indicator = Indicator.objects.get(direction__methodology=round_.methodology, code="Z1")
    indicator.wording = "Исправленная формулировка вопроса"
    indicator.save()
    round_.methodology.bump_revision()
    assert "Исправленная формулировка вопроса" in _question(client.get(path).content.decode(), "Z1")
