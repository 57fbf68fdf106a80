import re
import uuid
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from marketdesk.core.context import request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming X-Request-ID) for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class HtmxVaryMiddleware:
    """Partial and full responses differ by HX-Request; caches must know (STYLE 8)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class TeamTimezoneMiddleware:
    """Show times in the user's team time zone (default Asia/Shanghai); stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = settings.DEFAULT_TEAM_TIME_ZONE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tz_name = user.display_time_zone() or tz_name
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.DEFAULT_TEAM_TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
