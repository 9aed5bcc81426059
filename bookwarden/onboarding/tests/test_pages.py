"""The onboarding pages (CC-1, IT-1, IT-11, LV-8, CC-10): each person sees what they owe;
the director, human resources and the others holding VIEW_STAFF_PROGRAM see the library's
new people and who is overdue; a manager sees the people whose roles they gave; another
library is 404."""

from __future__ import annotations

import datetime

import pytest

from bookwarden.core.actions import create_staff
from bookwarden.core.models import Membership
from bookwarden.core.roles import Role

DAY = datetime.timedelta(days=1)


@pytest.fixture
def joiner(people, new_madrid, board, today):
    """A staff member at Portageville since today, with one duty overdue and one done."""
    branch = new_madrid.branches.get(slug="portageville")
    user = create_staff(
        actor=people["director"],
        library=new_madrid,
        username="jnew",
        email="jnew@example.org",
        password=None,
        role=Role.STAFF,
        first_name="Jo",
        last_name="Newcomer",
        branch=branch,
    ).user
    board.give(user, new_madrid, "late", assigned_on=today - 20 * DAY, due_on=today - 3 * DAY)
    board.give(
        user,
        new_madrid,
        "done",
        title="Acknowledge the monitoring notice",
        assigned_on=today - 20 * DAY,
        due_on=today,
        done_on=today - DAY,
    )
    return user


@pytest.mark.django_db
def test_my_program_lists_open_then_done_with_links(people, new_madrid, board, client_as, today):
    staff = people["staff"]
    board.give(staff, new_madrid, "late", assigned_on=today - 20 * DAY, due_on=today - 3 * DAY)
    board.give(
        staff,
        new_madrid,
        "soon",
        title="Take the training",
        assigned_on=today,
        due_on=today + 5 * DAY,
    )
    board.give(
        staff,
        new_madrid,
        "done",
        title="Acknowledge the monitoring notice",
        assigned_on=today - 20 * DAY,
        due_on=today,
        done_on=today - DAY,
    )
    page = client_as("staff").get("/onboarding/").content.decode()
    assert "New Madrid County Library" in page and "1 of 3 done, <strong>1 overdue</strong>" in page
    # Overdue said in words, not by colour alone; open before done.
    assert '<span class="badge">Overdue</span> by 3 days' in page
    assert "5 days left" in page
    assert page.index("Take the training") < page.index("Acknowledge the monitoring notice")
    assert '<a href="/policies/">Sign the Staff Computer Use Policy</a>' in page
    assert "Done on" in page
    # Staff follow nobody: no link to the library's progress.
    assert "/onboarding/new-madrid/" not in page


@pytest.mark.django_db
def test_my_program_is_on_the_home_page_and_links_overseers(people, client_as) -> None:
    client = client_as("human_resources")
    assert 'href="/onboarding/">My checklist</a>' in client.get("/").content.decode()
    page = client.get("/onboarding/").content.decode()
    assert "My checklist" in page
    assert 'href="/onboarding/new-madrid/"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["director", "human_resources", "designee", "auditor"])
def test_the_library_page_shows_new_people_and_who_is_overdue(who, people, joiner, client_as):
    page = client_as(who).get("/onboarding/new-madrid/").content.decode()
    assert f'/onboarding/new-madrid/people/{joiner.pk}/">Jo Newcomer</a>' in page
    assert "<td>1 of 2</td>" in page
    assert "Overdue, by branch" in page and "<h3>Portageville</h3>" in page
    assert "3 days" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who,status", [("staff", 403), ("assistant_director", 403), ("outsider", 404)]
)
def test_the_library_page_is_refused_to_others(who, status, people, joiner, client_as) -> None:
    assert client_as(who).get("/onboarding/new-madrid/").status_code == status


@pytest.mark.django_db
def test_a_manager_sees_the_people_whose_roles_they_gave(people, new_madrid, joiner, client_as):
    """The account's manager is whoever granted its role (CC-1)."""
    Membership.objects.filter(user=joiner).update(granted_by=people["assistant_director"])
    client = client_as("assistant_director")
    page = client.get("/onboarding/new-madrid/").content.decode()
    assert "Jo Newcomer" in page and people["staff"].last_name not in page
    assert client.get(f"/onboarding/new-madrid/people/{joiner.pk}/").status_code == 200
    staff = people["staff"]
    assert client.get(f"/onboarding/new-madrid/people/{staff.pk}/").status_code == 403


@pytest.mark.django_db
def test_a_person_page_for_them_and_those_who_follow_them(people, joiner, client_as) -> None:
    url = f"/onboarding/new-madrid/people/{people['staff'].pk}/"
    assert client_as("staff").get(url).status_code == 200
    assert client_as("volunteer").get(url).status_code == 403
    assert client_as("human_resources").get(url).status_code == 200
    assert client_as("outsider").get(url).status_code == 404
    page = client_as("director").get(f"/onboarding/new-madrid/people/{joiner.pk}/")
    text = page.content.decode()
    assert "Jo Newcomer: tasks at New Madrid County Library" in text
    assert "1 of 2 done" in text and "given by Maria Reyes" in text
    # Someone else's tasks are not links for the reader to carry out.
    assert '<a href="/policies/">Sign the' not in text


@pytest.mark.django_db
def test_a_person_of_another_library_is_404(people, client_as) -> None:
    url = f"/onboarding/new-madrid/people/{people['outsider_staff'].pk}/"
    assert client_as("director").get(url).status_code == 404
    assert client_as("director").get("/onboarding/cresco/").status_code == 404


@pytest.mark.django_db
def test_a_duty_brought_by_a_later_role_says_since_when(
    people, new_madrid, board, client_as, today
):
    """A role or branch change brings its duties; the page says they came after joining."""
    staff = people["staff"]
    joined = Membership.objects.get(user=staff).granted_at.date()
    later = joined + 10 * DAY
    board.give(staff, new_madrid, assigned_on=later, due_on=later + 30 * DAY)
    page = client_as("director").get(f"/onboarding/new-madrid/people/{staff.pk}/")
    assert "(after joining)" in page.content.decode()


@pytest.mark.django_db
def test_the_staff_page_links_to_the_persons_progress(people, client_as) -> None:
    url = f"/libraries/new-madrid/staff/{people['staff'].pk}/"
    link = f"/onboarding/new-madrid/people/{people['staff'].pk}/"
    assert link in client_as("human_resources").get(url).content.decode()
    assert link not in client_as("assistant_director").get(url).content.decode()


@pytest.mark.django_db
def test_query_counts_are_pinned(people, joiner, client_as, django_assert_max_num_queries):
    """The library's page reads every person's duties in a bounded number of queries, not
    one per person (the duty providers' many-people form)."""
    director, staff = client_as("director"), client_as("staff")
    with django_assert_max_num_queries(9):
        assert staff.get("/onboarding/").status_code == 200
    with django_assert_max_num_queries(11):
        assert director.get("/onboarding/").status_code == 200
    with django_assert_max_num_queries(17):  # 16, and one for the shared logins' duties
        assert director.get("/onboarding/new-madrid/").status_code == 200
    with django_assert_max_num_queries(14):
        assert director.get(f"/onboarding/new-madrid/people/{joiner.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert director.get("/onboarding/new-madrid/settings/").status_code == 200
    # More people, no more queries.
    for n in range(4):
        create_staff(
            actor=people["director"],
            library=joiner.memberships.get().library,
            username=f"it{n}",
            email=f"it{n}@example.org",
            password=None,
            role=Role.IT_STAFF,
        )
    with django_assert_max_num_queries(17):
        page = director.get("/onboarding/new-madrid/")
    assert page.content.decode().count("<td>0 of 1</td>") == 4
