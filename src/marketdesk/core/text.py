"""Text safety: Markdown rendered and sanitised, plain fields kept free of markup,
spreadsheet cells kept free of formulas."""

from __future__ import annotations

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

# Raw HTML in Markdown is escaped by the parser (html=False) and the output is then
# sanitised by nh3 with an allowlist, so neither path can smuggle script into a page.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
_ALLOWED_ATTRS = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str) -> SafeString:
    html = _md.render(source or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 — sanitised by nh3 just above


# What a browser would parse as markup: "<" directly followed by a tag name, "/" or "!"
# ("a < b and c > d" is plain text, "<b>" and "<!-- -->" are not).
_TAG = re.compile(r"<(?:/?[a-zA-Z][^<>]*|!--.*?--|![a-zA-Z][^<>]*)>", re.S)


def no_markup(value: str) -> None:
    """Validator for plain-text fields: markup is refused with a clear reason."""
    if value and _TAG.search(value):
        raise ValidationError(
            _("HTML tags are not allowed here; write plain text."), code="markup"
        )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """A spreadsheet cell that Excel/WPS/LibreOffice will not evaluate as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
