from django.urls import path

from notifications import views

app_name = "notifications"

# /notifications/
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("settings/", views.email_settings, name="settings"),
    # /notifications/unsubscribe/<token>/: from a letter, without logging in
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
