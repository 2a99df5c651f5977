"""A request body larger than any upload the portal takes is refused before it is read.

Django reads a multipart body whole (to memory or a temporary file) before a view can look at the
file's size, so a 150 MB upload costs 150 MB of reading before «файл больше 20 МБ». The declared
Content-Length is known at once: past the limit the answer is 413 with a Russian sentence, JSON
on the API, a short page elsewhere. A body without Content-Length is never read by Django.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string


def too_large_message() -> str:
    megabytes = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    return f"Запрос слишком большой: загрузить можно файл не больше {megabytes} МБ."


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body with a length it cannot parse
        if length > settings.MAX_REQUEST_BYTES:
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request) -> HttpResponse:
        message = too_large_message()
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        html = render_to_string("413.html", {"message": message})
        return HttpResponse(html, status=413)
