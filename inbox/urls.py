from django.urls import path

from inbox import views

app_name = "inbox"

# /inbox/
urlpatterns = [
    path("", views.inbox, name="inbox"),
]
