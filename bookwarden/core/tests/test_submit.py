"""The one way a view posts a form to an action (DESIGN mechanism 1): ``core.forms.submit``."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from bookwarden.core.forms import submit


class NoteForm(forms.Form):
    title = forms.CharField(max_length=10)
    note = forms.CharField(required=False)


def _request(data: dict[str, str]):
    request = RequestFactory().post("/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_valid_form_runs_the_action_once_and_says_so() -> None:
    request = _request({"title": "Door"})
    calls: list[dict[str, str]] = []

    def action(data: dict[str, str]) -> str:
        calls.append(data)
        return "entry-7"

    done = submit(request, NoteForm(request.POST), action, success=lambda r: f"Saved {r}.")
    assert done is not None and done.result == "entry-7"
    assert calls == [{"title": "Door", "note": ""}]
    assert _messages(request) == [("success", "Saved entry-7.")]


def test_an_invalid_form_never_reaches_the_action() -> None:
    request = _request({"title": "far too long a title"})
    form = NoteForm(request.POST)
    done = submit(request, form, lambda data: pytest_fail(), success="Saved.")
    assert done is None
    assert "title" in form.errors
    assert _messages(request) == []


def pytest_fail() -> None:  # pragma: no cover - reaching it is the failure
    raise AssertionError("the action ran on an invalid form")


def test_an_action_error_lands_on_the_field_it_names_or_the_renamed_one() -> None:
    request = _request({"title": "Door"})
    form = NoteForm(request.POST)

    def action(data: dict[str, str]) -> None:
        raise ValidationError({"text": "Say what happened.", "when": "Not in the future."})

    assert submit(request, form, action, rename={"text": "note"}) is None
    assert form.errors["note"] == ["Say what happened."]
    assert form.non_field_errors() == ["Not in the future."]
    assert _messages(request) == []


def test_flash_puts_form_and_action_errors_on_the_next_page() -> None:
    request = _request({"title": ""})
    assert submit(request, NoteForm(request.POST), lambda d: None, flash=True) is None
    assert _messages(request) == [("error", "Title: This field is required.")]

    request = _request({"title": "Door"})

    def refuse(data: dict[str, str]) -> None:
        raise ValidationError("This entry is closed.")

    assert submit(request, NoteForm(request.POST), refuse, flash=True, success="x") is None
    assert _messages(request) == [("error", "This entry is closed.")]


def test_a_button_without_fields_runs_the_action_and_flashes_its_refusal() -> None:
    request = _request({})
    assert submit(request, None, lambda data: data, success="Done.") is not None
    assert _messages(request) == [("success", "Done.")]

    request = _request({})

    def refuse(data: dict[str, str]) -> None:
        raise ValidationError("Nothing to send.")

    assert submit(request, None, refuse) is None
    assert _messages(request) == [("error", "Nothing to send.")]


def test_flash_text_stands_before_every_error_instead_of_the_label() -> None:
    request = _request({"title": ""})
    assert submit(request, NoteForm(request.POST), lambda d: None, flash="Not saved: ") is None
    assert _messages(request) == [("error", "Not saved: This field is required.")]

    request = _request({"title": "Door"})

    def refuse(data: dict[str, str]) -> None:
        raise ValidationError("This entry is closed.")

    assert submit(request, NoteForm(request.POST), refuse, flash="Not saved: ") is None
    assert _messages(request) == [("error", "Not saved: This entry is closed.")]
