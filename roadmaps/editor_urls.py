from django.urls import path

from roadmaps import views

# /roadmaps/
urlpatterns = [
    path("", views.roadmap_list, name="roadmap-list"),
    path("new/", views.roadmap_create, name="roadmap-create"),
    # /roadmaps/<pk>/
    path("<int:pk>/", views.roadmap_detail, name="roadmap-detail"),
    path("<int:pk>/edit/", views.roadmap_edit, name="roadmap-edit"),
    path("<int:pk>/submit/", views.roadmap_submit, name="roadmap-submit"),
    path("<int:pk>/approve/", views.roadmap_approve, name="roadmap-approve"),
    path("<int:pk>/return/", views.roadmap_return, name="roadmap-return"),
    path("<int:pk>/revise/", views.roadmap_revise, name="roadmap-revise"),
    path("<int:pk>/compare/", views.roadmap_compare, name="roadmap-compare"),
    path("<int:pk>/history/", views.roadmap_history, name="roadmap-history"),
    path("<int:pk>/deadline-preview/", views.deadline_preview, name="deadline-preview"),
    path("<int:pk>/sections/add/", views.section_add, name="section-add"),
    path("<int:pk>/paste/", views.paste_rows, name="paste-rows"),
    path("<int:pk>/glossary/", views.glossary, name="glossary"),
    path("<int:pk>/glossary/add/", views.party_add, name="party-add"),
    # /roadmaps/sections/<pk>/
    path("sections/<int:pk>/", views.section_row, name="section-row"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section-edit"),
    path("sections/<int:pk>/move/", views.section_move, name="section-move"),
    path("sections/<int:pk>/delete/", views.section_delete, name="section-delete"),
    path("sections/<int:pk>/items/add/", views.item_add, name="item-add"),
    # /roadmaps/items/<pk>/
    path("items/<int:pk>/", views.item_row, name="item-row"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/move/", views.item_move, name="item-move"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    # /roadmaps/parties/<pk>/
    path("parties/<int:pk>/", views.party_row, name="party-row"),
    path("parties/<int:pk>/edit/", views.party_edit, name="party-edit"),
    path("parties/<int:pk>/delete/", views.party_delete, name="party-delete"),
]
