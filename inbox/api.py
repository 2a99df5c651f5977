"""/api/v1/inbox/: the entries of «Ожидает моих действий», the same as the page /inbox/."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from inbox.entries import DUE_DAYS, JOB_DAYS, KINDS, LIMIT, inbox_for
from portal import russian
from portal.api import OneObjectSchema, ScopedViewSetMixin
from portal.russian import DAYS


class EntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=list(KINDS.items()),
        help_text="Вид: " + "; ".join(f"{kind} — {label}" for kind, label in KINDS.items()) + ".",
    )
    kind_label = serializers.CharField(help_text="Вид словами, как заголовок группы на странице.")
    title = serializers.CharField(help_text="План, анкета, мероприятие или задание.")
    url = serializers.CharField(help_text="Адрес страницы, где выполняется действие (путь).")
    action = serializers.CharField(help_text="Что сделать: «Утвердить или вернуть», …")
    organization = serializers.CharField(help_text="Организация, чей это план, анкета, план.")
    detail = serializers.CharField(help_text="Период и версия плана, срок как написан, …")
    comment = serializers.CharField(help_text="Комментарий проверяющего при возврате.")
    comment_by = serializers.CharField(help_text="Кто вернул: «Фамилия И. О.».")
    date = serializers.DateField(
        allow_null=True,
        help_text="Когда направлено, возвращено, срок окончания раунда или мероприятия, "
        "когда завершено задание.",
    )
    days_left = serializers.IntegerField(
        allow_null=True,
        help_text="Дней до срока (раунды и мероприятия); отрицательное — дней просрочки.",
    )
    urgent = serializers.BooleanField(
        help_text="Просрочено, до конца раунда неделя или меньше, задание с ошибкой."
    )


class InboxSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Записей в ответе.")
    more = serializers.BooleanField(
        help_text=f"Какого-то вида больше {russian.count(LIMIT, 'записи,записей,записей')}: "
        f"показаны первые {LIMIT}."
    )
    entries = EntrySerializer(many=True)


class InboxViewSet(ScopedViewSetMixin, ViewSet):
    schema = OneObjectSchema()
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Ожидает моих действий",
        description="Те же записи, что на странице «Ожидает моих действий» (/inbox/) и на "
        "главной: планы, направленные на согласование, которые пользователь может утвердить; "
        "планы его организаций, возвращённые на доработку, с комментарием; анкеты "
        "самодиагностики на проверку и возвращённые; открытые раунды его школ, где анкета ещё "
        f"не отправлена, с днями до конца; мероприятия утверждённых планов, где ответственный — "
        f"его организация, просроченные и со сроком в ближайшие {russian.count(DUE_DAYS, DAYS)}; "
        f"его фоновые задания, завершённые за {russian.count(JOB_DAYS, DAYS)}. Ничего не хранится "
        f"отдельно: записи вычисляются из данных при каждом запросе, не более {LIMIT} каждого "
        "вида.",
        responses={200: InboxSerializer},
    )
    def list(self, request):
        inbox = inbox_for(request.user)
        body = {"count": inbox.count, "more": inbox.more, "entries": inbox.entries}
        return Response(InboxSerializer(body).data)


ROUTES = [("inbox", InboxViewSet, "inbox")]
