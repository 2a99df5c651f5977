"""Who may write through the roadmaps API: small permission classes asking roadmaps/access.py
and roadmaps/execution.py, with the same words the pages use.

A viewset that uses them answers two questions: `parent_roadmap()`, the plan named in the URL
of a nested route (None on the plans' own routes), and `roadmap_of(obj)`, the plan an object
belongs to. Reading is decided earlier, by the scoped queryset (404 outside the scope).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from roadmaps.access import can_review, can_write_owner, read_only_reason
from roadmaps.execution import can_report
from roadmaps.models import Roadmap

READ_ONLY_MESSAGE = "У вас есть доступ к этому плану только для чтения."


class _PlanRule(BasePermission):
    """A rule about the plan that a write touches; reads always pass."""

    def allows(self, request, roadmap: Roadmap) -> bool:
        raise NotImplementedError

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        roadmap = view.parent_roadmap()
        return roadmap is None or self.allows(request, roadmap)

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or self.allows(request, view.roadmap_of(obj))


class WritesOwner(_PlanRule):
    """A writing membership covers the plan's owner (a viewer's does not)."""

    message = READ_ONLY_MESSAGE

    def allows(self, request, roadmap):
        return can_write_owner(request.user, roadmap)


class PlanIsEditable(_PlanRule):
    """The plan is a draft or was returned for revision; the message says why not."""

    def allows(self, request, roadmap):
        reason = read_only_reason(request.user, roadmap)
        if reason:
            self.message = reason
        return not reason


class PlanAcceptsReports(_PlanRule):
    """Execution is reported on a plan being worked on or executed, not on an archived one."""

    message = "План перенесён в архив: отчёты по нему не принимаются."

    def allows(self, request, roadmap):
        return can_report(request.user, roadmap)


class ReviewsPlan(_PlanRule):
    """The level above approves a plan or returns it for revision."""

    message = "Утверждает план и возвращает его на доработку уровень выше."

    def allows(self, request, roadmap):
        return can_review(request.user, roadmap)
