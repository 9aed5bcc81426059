"""A policy's Markdown text as HTML (IT-1): CommonMark with raw HTML escaped, so a policy's
text can never bring a script or a form into the page.  Its headings move one level down
(# becomes <h2>), under the page's own title."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str) -> SafeString:
    """HTML of ``text``: raw HTML is shown as text, unsafe link targets are dropped."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return mark_safe(html)  # noqa: S308 - markdown-it escapes raw HTML
