from django.urls import path

from selfdiag import views

app_name = "selfdiag"

urlpatterns = [
    path("", views.round_list, name="round-list"),
    # /selfdiag/rounds/
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/status/", views.round_status, name="round-status"),
    path("rounds/<int:pk>/template.xlsx", views.round_template, name="round-template"),
    path("rounds/<int:pk>/import/", views.round_import, name="round-import"),
    path(
        "rounds/<int:pk>/import/confirm/",
        views.round_import_confirm,
        name="round-import-confirm",
    ),
    path("rounds/<int:pk>/results.xlsx", views.round_export, name="round-export"),
    # /selfdiag/rounds/<pk>/schools/<school_pk>/
    path(
        "rounds/<int:pk>/schools/<int:school_pk>/",
        views.questionnaire,
        name="questionnaire",
    ),
    path("rounds/<int:pk>/schools/<int:school_pk>/answer/", views.answer, name="answer"),
    path("rounds/<int:pk>/schools/<int:school_pk>/submit/", views.submit, name="submit"),
    path("rounds/<int:pk>/schools/<int:school_pk>/result/", views.result, name="result"),
    path("rounds/<int:pk>/schools/<int:school_pk>/review/", views.review, name="review"),
    path(
        "rounds/<int:pk>/schools/<int:school_pk>/plan/",
        views.plan_from_deficits,
        name="plan-from-deficits",
    ),
]
