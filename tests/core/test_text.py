"""Text safety: sanitised Markdown, plain fields without markup, formula-safe cells."""

import pytest
from django.core.exceptions import ValidationError

from marketdesk.core.text import no_markup, render_markdown, safe_cell


@pytest.mark.parametrize(("source", "html"), [
    ("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>\n"),
    ("", ""),
    ("line one\nline two", "<p>line one<br>\nline two</p>\n"),
    ("[site](https://example.com)",
     '<p><a href="https://example.com" rel="noopener noreferrer nofollow">site</a></p>\n'),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>\n'),
    ("| a | b |\n|---|---|\n| 1 | 2 |",
     "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
     "<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"),
])
def test_render_markdown(source, html):
    assert render_markdown(source) == html


def test_render_markdown_of_none_is_empty():
    assert render_markdown(None) == ""


@pytest.mark.parametrize("value", ["", "Fast & calm", "a < b and c > d", "3<4", "<3 ok", "< img src=x>",
                                   "x <- y", "a<>b"])
def test_no_markup_accepts_plain_text(value):
    assert no_markup(value) is None


@pytest.mark.parametrize("value", ["<b>x</b>", "x <script>", "</p>", "<!-- c -->", "<!DOCTYPE html>",
                                   "<a href='x'>", "email me <at> home", "<img\nsrc=x>"])
def test_no_markup_refuses_tags(value):
    with pytest.raises(ValidationError) as info:
        no_markup(value)
    assert info.value.messages == ["HTML tags are not allowed here; write plain text."]
    assert info.value.code == "markup"


@pytest.mark.parametrize(("value", "cell"), [
    ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
    ("+1+2", "'+1+2"),
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("plain", "plain"),
    ("a=b", "a=b"),
    ("", ""),
    (42, 42),
    (None, None),
])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell
