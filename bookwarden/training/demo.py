"""Training and awareness in the demo (CC-10).

At New Madrid: the yearly cybersecurity training, in person, with a session at each branch
and its attendance taken (and one more session to come, for the trainer's "My tasks"); an
online phishing-awareness course with five questions that some people passed (and one
failed first); safe use of patron information, taken in an outside learning system and
imported from its file, some of it more than a year old, so a few people are overdue.
At Cresco: the yearly training, not yet done by anyone.

Everything is built through the actions and the importer, as the people themselves.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Branch, Library, User

from . import actions
from .importer import import_completions
from .models import Course, CourseKind, Delivery

PHISHING_MATERIAL = """\
# Spotting a phishing message

A phishing message pretends to come from someone you trust, to make you click, open or
type a password.

- Look at the sender's real address, not only the name shown.
- Hover over a link before you click: does it go where it says?
- Be wary of urgency ("your account closes today") and of unexpected attachments.
- Never type your library password on a page you reached from a message.

If in doubt, **report it** from Bookwarden's "Report a concern" page and delete nothing:
the technology coordinator will look at it.
"""

PHISHING_QUESTIONS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    (
        'A message from "IT Support" asks you to confirm your password today. What do you do?',
        ("Reply with the password", "Report it as a concern", "Forward it to a colleague"),
        1,
    ),
    (
        "Where do you check who really sent a message?",
        ("The name shown", "The sender's full address", "The subject line"),
        1,
    ),
    (
        "A link says library.example.org but points elsewhere when you hover. It is:",
        ("Safe", "Probably phishing", "A printer problem"),
        1,
    ),
    (
        'A patron\'s "invoice" arrives as an unexpected attachment. You:',
        ("Open it to see", "Do not open it and report it", "Print it"),
        1,
    ),
    (
        "You clicked a bad link and typed your password. What now?",
        (
            "Say nothing",
            "Change the password and report it at once",
            "Wait a week to see what happens",
        ),
        1,
    ),
)

#: (person, answers right or wrong per question): the phishing quiz as it was taken.
QUIZ_TAKERS: tuple[tuple[str, tuple[bool, ...]], ...] = (
    ("staff", (True, True, True, True, True)),
    ("human_resources", (True, True, True, True, False)),
    ("director", (True, False, False, True, True)),  # failed first ...
    ("director", (True, True, True, True, True)),  # ... then passed
    ("volunteer", (True, True, False, True, True)),
)

#: (person, days ago) for the file from the outside learning system: two of them more
#: than a year old, so those people are overdue now.
IMPORTED: tuple[tuple[str, int], ...] = (
    ("director", 40),
    ("designee", 35),
    ("staff", 20),
    ("human_resources", 12),
    ("it_staff", 400),
    ("assistant_director", 380),
    ("contractor", 420),
    ("tech_coordinator", 60),
    ("volunteer", 100),
)

#: (branch, days ago, who attended): the in-person sessions of the yearly training.
SESSIONS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("portageville", 9, ("staff", "director", "designee")),
    ("new-madrid-memorial", 6, ("human_resources", "it_staff")),
    ("rhodes", 3, ("volunteer", "assistant_director")),
)


def _answers(course: Course, right: tuple[bool, ...]) -> dict[int, int]:
    answers = {}
    for question, is_right in zip(course.questions.prefetch_related("choices"), right, strict=True):
        choices = list(question.choices.all())
        pick = next(c for c in choices if c.correct is is_right)
        answers[question.pk] = pick.pk
    return answers


def _at(days_ago: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def build_training_demo(people: dict[str, User]) -> dict[str, Course]:
    library = Library.objects.get(slug="new-madrid")
    coordinator = people["tech_coordinator"]
    today = timezone.localdate()
    yearly = actions.add_course(
        actor=coordinator,
        library=library,
        title="Yearly cybersecurity training",
        code="SEC-YEARLY",
        kind=CourseKind.CYBERSECURITY,
        delivery=Delivery.IN_PERSON,
        starts_on=today - datetime.timedelta(days=20),
        material="Passwords and two-factor sign-in, patron privacy, reporting a concern, "
        "and what to do when something looks wrong.",
    )
    for branch_slug, days_ago, attendees in SESSIONS:
        session = actions.schedule_session(
            actor=coordinator,
            course=yearly,
            branch=Branch.objects.get(library=library, slug=branch_slug),
            starts_at=_at(days_ago, 9),
            place="Meeting room",
            trainer=coordinator,
            topics="Passwords and two-factor sign-in\nReporting a concern\nPatron privacy",
        )
        actions.record_attendance(
            actor=coordinator, session=session, attendees=[people[k] for k in attendees]
        )
    actions.schedule_session(
        actor=coordinator,
        course=yearly,
        branch=Branch.objects.get(library=library, slug="new-madrid-memorial"),
        starts_at=_at(-4, 14),
        place="Community room",
        trainer=coordinator,
        topics="For those who missed the first sessions.",
    )

    phishing = actions.add_course(
        actor=coordinator,
        library=library,
        title="Phishing awareness",
        code="PHISH",
        kind=CourseKind.PHISHING,
        delivery=Delivery.ONLINE_HERE,
        material=PHISHING_MATERIAL,
        pass_mark=80,
    )
    for text, choices, correct in PHISHING_QUESTIONS:
        actions.save_question(
            actor=coordinator, course=phishing, text=text, choices=choices, correct=correct
        )
    for key, right in QUIZ_TAKERS:
        actions.take_quiz(actor=people[key], course=phishing, answers=_answers(phishing, right))

    patron_data = actions.add_course(
        actor=coordinator,
        library=library,
        title="Safe use of patron information",
        code="PATRON-DATA",
        kind=CourseKind.PATRON_DATA,
        delivery=Delivery.ONLINE_ELSEWHERE,
        starts_on=today - datetime.timedelta(days=500),
    )
    rows = ["email,course,completed_on"] + [
        f"{people[key].email},PATRON-DATA,{(today - datetime.timedelta(days=ago)).isoformat()}"
        for key, ago in IMPORTED
    ]
    import_completions(
        actor=coordinator,
        library=library,
        content=("\n".join(rows) + "\n").encode(),
        filename="learning-system-export.csv",
    )

    cresco = Library.objects.get(slug="cresco")
    actions.add_course(
        actor=people["outsider"],
        library=cresco,
        title="Yearly cybersecurity training",
        kind=CourseKind.CYBERSECURITY,
        delivery=Delivery.ONLINE_ELSEWHERE,
    )
    return {"yearly": yearly, "phishing": phishing, "patron_data": patron_data}


@demo_part(order=61)
def _training_part(world: DemoWorld) -> None:
    build_training_demo(world.people)
