"""Per-request context carried to the audit log without threading it through calls."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("marketdesk_request_id", default="")
