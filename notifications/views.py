"""Pages of notifications: the list (unread first), marking read, the header's counter, the
e-mail settings and unsubscribing from a letter without logging in."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from notifications.forms import EmailPreferenceForm
from notifications.mail import unread_phrase, user_id_from_token
from notifications.models import EmailPreference, Notification

PER_PAGE = 50


@login_required
@require_safe
@never_cache
def notification_list(request):
    mine = Notification.objects.for_user(request.user)
    unread = mine.unread().count()
    page = Paginator(mine.unread_first(), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread, "unread_phrase": unread_phrase(unread)},
    )


@login_required
@require_safe
@never_cache
def badge(request):
    """The header's counter: htmx loads it after the page (and every minute), so that no page
    pays a query for it."""
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(
        request,
        "notifications/_badge.html",
        {"unread": unread, "unread_phrase": unread_phrase(unread)},
    )


def _back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target or "notifications:list")


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    Notification.objects.filter(pk=notification.pk).mark_read()
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "notifications/_item.html", {"notification": notification})
    return _back(request)


@login_required
@require_safe
def open_notification(request, pk):
    """Follow a notification's link from the list: it counts as read once opened (like a
    letter); the list's links go here, the letters link to the page itself."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if request.method == "GET":
        Notification.objects.filter(pk=notification.pk).mark_read()
    return redirect(notification.link or "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = Notification.objects.for_user(request.user).mark_read()
    if count:
        messages.success(request, f"Отмечено прочитанными: {count}.")
    return _back(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_settings(request):
    current = EmailPreference.mode_of(request.user)
    if request.method == "POST":
        form = EmailPreferenceForm(request.POST)
        if form.is_valid():
            EmailPreference.set_mode(request.user, form.cleaned_data["mode"])
            messages.success(request, "Настройки писем сохранены.")
            return redirect("notifications:settings")
    else:
        form = EmailPreferenceForm(initial={"mode": current})
    return render(request, "notifications/settings.html", {"form": form})


# Unsubscribing: the link of a letter sets «не присылать» in one click, without logging in
# (a signed token names the user). Mail clients post to the same address (RFC 8058), without
# a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request, token):
    user_id = user_id_from_token(token)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if request.method != "HEAD":
        EmailPreference.set_mode(user, EmailPreference.Mode.NONE)
    return render(request, "notifications/unsubscribed.html", {"person": user})
