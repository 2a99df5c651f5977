"""Notifications through the API: the user's own, unread first, and marking them read — the
same rows the page «Уведомления» shows. A notification is its recipient's alone: anyone else
(an administrator too) gets a 404."""

import django_filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from notifications.mail import absolute
from notifications.models import Notification
from portal.api import ScopedViewSetMixin

NOT_FOUND = OpenApiResponse(description="Уведомление другого пользователя или не существует.")


class NotificationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="Вид уведомления словами."
    )
    url = serializers.SerializerMethodField(
        help_text="Адрес страницы портала, о которой уведомление; null, если её нет."
    )
    object_type = serializers.SerializerMethodField(
        help_text="О чём уведомление: `roadmaps.roadmap`, `selfdiag.submission`, "
        "`selfdiag.round`, `roadmaps.item`, `jobs.job`; null — ни о чём отдельном."
    )
    is_read = serializers.BooleanField(read_only=True, help_text="Прочитано ли.")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_display",
            "text",
            "url",
            "object_type",
            "object_id",
            "created",
            "is_read",
            "read_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": "Вид уведомления."},
            "text": {"help_text": "Текст уведомления по-русски."},
            "object_id": {"help_text": "Идентификатор объекта, о котором уведомление."},
            "created": {"help_text": "Когда создано."},
            "read_at": {"help_text": "Когда прочитано; null — не прочитано."},
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, notification) -> str | None:
        if not notification.link:
            return None
        request = self.context.get("request")
        return (
            request.build_absolute_uri(notification.link)
            if request
            else absolute(notification.link)
        )

    def get_object_type(self, notification) -> str | None:
        if notification.content_type_id is None:
            return None
        content_type = notification.content_type
        return f"{content_type.app_label}.{content_type.model}"


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Notification.Kind.choices, label="Вид уведомления.")
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="true — только непрочитанные."
    )

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


MARKED = inline_serializer(
    "NotificationsMarkedRead",
    {"marked": serializers.IntegerField(help_text="Сколько уведомлений отмечено прочитанными.")},
)


@extend_schema_view(
    list=extend_schema(
        summary="Мои уведомления",
        description="Уведомления пользователя, непрочитанные первыми, затем новые первыми, — "
        "как на странице «Уведомления»: планы и анкеты на проверку, возвращённые и "
        "утверждённые, открытые и закрывающиеся раунды, назначенные мероприятия, выполненные "
        "задания. Фильтры: вид (`kind`), только непрочитанные (`unread=true`).",
    ),
    retrieve=extend_schema(
        summary="Уведомление",
        description="Одно уведомление. Чужое — 404.",
        responses={200: NotificationSerializer, 404: NOT_FOUND},
    ),
)
class NotificationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["text"]
    ordering_fields = ["created", "read_at", "kind"]
    not_found_message = "Уведомление не найдено или принадлежит другому пользователю."

    def scoped_queryset(self, user):
        return Notification.objects.for_user(user).select_related("content_type").unread_first()

    @extend_schema(
        summary="Отметить прочитанным",
        description="Отмечает уведомление прочитанным (прочитанное остаётся как было) и "
        "возвращает его. Чужое — 404.",
        request=None,
        responses={200: NotificationSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = self.get_object()
        Notification.objects.filter(pk=notification.pk).mark_read()
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Отметить все прочитанными",
        description="Отмечает прочитанными все непрочитанные уведомления пользователя; "
        "возвращает их число.",
        request=None,
        responses={200: MARKED},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        filter_backends=[],
        pagination_class=None,
    )
    def read_all(self, request):
        marked = Notification.objects.for_user(request.user).mark_read()
        return Response({"marked": marked})


# /api/v1/…: (prefix, viewset, basename) registered by portal/api_urls.py.
ROUTES = [
    ("notifications", NotificationViewSet, "notification"),
]
