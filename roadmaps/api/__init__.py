"""The roadmaps API: serializers, filters, permissions and viewsets, registered by
portal/api_urls.py from `ROUTES`."""

from roadmaps.api.monitoring import MonitoringPlanViewSet, MonitoringViewSet
from roadmaps.api.views import (
    DirectionViewSet,
    EvidenceFileViewSet,
    ExecutionReportViewSet,
    ItemViewSet,
    PartyViewSet,
    PlanItemViewSet,
    RoadmapViewSet,
    SectionViewSet,
)

# /api/v1/…: (prefix, viewset, basename); nested prefixes carry the parent's id.
ROUTES = [
    ("roadmaps", RoadmapViewSet, "roadmap"),
    ("roadmaps/<int:roadmap_pk>/sections", SectionViewSet, "roadmap-section"),
    ("roadmaps/<int:roadmap_pk>/items", PlanItemViewSet, "roadmap-item"),
    ("roadmaps/<int:roadmap_pk>/parties", PartyViewSet, "roadmap-party"),
    ("items", ItemViewSet, "item"),
    ("items/<int:item_pk>/reports", ExecutionReportViewSet, "item-report"),
    ("items/<int:item_pk>/reports/<int:report_pk>/files", EvidenceFileViewSet, "item-report-file"),
    ("directions", DirectionViewSet, "direction"),
    ("monitoring", MonitoringViewSet, "monitoring"),
    ("monitoring/plans", MonitoringPlanViewSet, "monitoring-plan"),
]
