"""The page «Ожидает моих действий» (/inbox/); the home page shows the same entries."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inbox.entries import inbox_for


@login_required
@require_safe
def inbox(request):
    return render(request, "inbox/inbox.html", {"inbox": inbox_for(request.user)})
