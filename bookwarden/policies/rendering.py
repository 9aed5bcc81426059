"""A policy's Markdown text as HTML (IT-1): CommonMark with raw HTML escaped, so a policy's
text can never bring a script or a form into the page."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str) -> SafeString:
    """HTML of ``text``: raw HTML is shown as text, unsafe link targets are dropped."""
    return mark_safe(_markdown.render(text or ""))  # noqa: S308 - markdown-it escapes HTML
