"""The REST API kernel: one NinjaAPI, token + session auth, one error format.

Every error the API returns has the same shape (``ErrorOut``): a ``detail`` sentence and
a list of ``errors`` that each name the ``field`` (dotted path, empty for the whole
request) and the reason. Operations list the status codes they can return from the
``*_ERRORS`` maps below so the OpenAPI schema documents every one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from marketdesk.accounts.services import token_authenticate


class FieldError(Schema):
    field: str
    message: str
    code: str = "invalid"


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut}
READ_ERRORS = {**AUTH_ERRORS, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer md_…`` — a personal API token (accounts.ApiToken)."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; CSRF is enforced for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


def _error(api, request, status, detail, errors=()):
    return api.create_response(
        request, {"detail": str(detail), "errors": list(errors)}, status=status
    )


def _django_errors(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    yield {"field": "" if field == "__all__" else field, "message": message,
                           "code": error.code or "invalid"}
    else:
        for error in exc.error_list:
            for message in error.messages:
                yield {"field": "", "message": message, "code": error.code or "invalid"}


#: Django's codes for a unique field or constraint that another row already holds.
DUPLICATE_CODES = frozenset({"unique", "unique_together", "unique_for_date"})


def _pydantic_errors(exc: NinjaValidationError):
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # Drop the parameter source ("body", "query", "path") and the schema name.
        if loc and loc[0] in {"body", "query", "path", "header", "cookie", "form"}:
            loc = loc[1:]
        if len(loc) > 1 and loc[0] in {"payload", "data", "filters"}:
            loc = loc[1:]
        yield {"field": ".".join(loc), "message": error.get("msg", "invalid"),
               "code": error.get("type", "invalid")}


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="MarketDesk API",
        version="1",
        description=(
            "Product strategy, marketing SOP and KPIs. Authenticate with a personal API "
            "token (`Authorization: Bearer md_…`, created on your profile page) or a "
            "browser session (writes then need the CSRF token). Every error has the shape "
            "`{detail, errors: [{field, message, code}]}`."
        ),
        auth=[TokenAuth(), SessionAuth(csrf=True)],
        urls_namespace="api",
    )

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request, exc):
        return _error(api, request, 422, _("The request is not valid."), _pydantic_errors(exc))

    @api.exception_handler(DjangoValidationError)
    def on_validation_error(request, exc):
        errors = list(_django_errors(exc))
        if errors and all(e["code"] in DUPLICATE_CODES for e in errors):
            return _error(api, request, 409, _("A record with these values already exists."), errors)
        return _error(api, request, 422, _("The request is not valid."), errors)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return _error(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return _error(api, request, 403, _("Your role does not allow this action."))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return _error(api, request, 401, _("Authentication required: send a bearer token or sign in."))

    @api.exception_handler(IntegrityError)
    def on_conflict(request, exc):
        return _error(api, request, 409, _("The change conflicts with existing data (duplicate or in use)."))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        if exc.status_code == 400:
            # ninja's "Cannot parse request body": a bad request body is a validation
            # error like any other, in the documented 422 shape.
            message = _("The request body is not valid JSON.")
            return _error(api, request, 422, _("The request is not valid."),
                          [{"field": "", "message": message, "code": "parse"}])
        if exc.status_code == 403 and "CSRF" in str(exc):
            return _error(api, request, 403, _(
                "CSRF check failed: a signed-in browser must send the CSRF token in the "
                "X-CSRFToken header."))
        return _error(api, request, exc.status_code, str(exc))

    return api
