"""The in-app list: who sees what, reading, the unread count, pages, query budget."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.notifications import actions
from lms.notifications.models import Notification
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
EMPTY = (
    "Aucune notification pour l'instant : vous serez prévenu·e ici et par e-mail "
    "quand un·e accompagnateur·rice vous répond."
)


def notify(recipient, subject="Nouvelle demande", url="/accompagnement/demandes/1/", **context):
    return actions.notify(
        recipient,
        kind="test_message",
        context={
            "subject": subject,
            "message": "Une personne demande un accompagnement.",
            **context,
        },
        url=url,
    )


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return person


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "list", []),
        ("post", "mark_all_read", []),
        ("get", "open", [1]),
        ("post", "open", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, method, name, args):
    response = getattr(client, method)(reverse(f"notifications:{name}", args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_empty_state(client, signed_in):
    response = client.get(LIST)
    assert response.status_code == 200
    assert EMPTY in response.content.decode()
    assert "Tout marquer comme lu" not in response.content.decode()


def test_the_list_shows_my_notifications_newest_first_with_unread_marked(
    client, signed_in, enqueued
):
    older = notify(signed_in, subject="Demande reçue")
    newer = notify(signed_in, subject="Rendez-vous proposé")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(days=1), read_at=timezone.now()
    )
    notify(UserFactory(), subject="Pas pour vous")

    response = client.get(LIST)
    html = response.content.decode()

    assert [n.pk for n in response.context["page_obj"]] == [newer.pk, older.pk]
    assert "Pas pour vous" not in html
    assert html.index("Rendez-vous proposé") < html.index("Demande reçue")
    assert html.count("Non lue</span>") == 1  # visible text, read by screen readers too
    assert "Une personne demande un accompagnement." in html  # first lines of the body
    assert reverse("notifications:open", args=[newer.pk]) in html
    assert "1 notification non lue" in html
    assert "Tout marquer comme lu" in html


def test_the_nav_shows_the_unread_count_on_every_page(client, signed_in, enqueued):
    notify(signed_in)
    notify(signed_in)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{LIST}"' in html
    assert 'Notifications (2<span class="visually-hidden"> non lues</span>)' in html


def test_opening_marks_read_and_goes_to_the_link(client, signed_in, enqueued):
    notification = notify(signed_in)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == "/accompagnement/demandes/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "0<span" in client.get(LIST).content.decode()


def test_opening_by_post_or_without_a_link_goes_back_to_the_list(client, signed_in, enqueued):
    notification = notify(signed_in, url="")
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == LIST
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_another_persons_notification_is_a_404_and_stays_unread(client, signed_in, enqueued):
    theirs = notify(UserFactory())
    for method in (client.get, client.post):
        assert method(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_without_javascript_redirects_back(client, signed_in, enqueued):
    notify(signed_in)
    notify(signed_in)
    theirs = notify(UserFactory())

    response = client.post(reverse("notifications:mark_all_read"), {"next": f"{LIST}?page=1"})

    assert response.status_code == 302
    assert response.url == f"{LIST}?page=1"
    assert not Notification.objects.visible_to(signed_in).unread().exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    html = client.get(LIST).content.decode()
    assert "Toutes vos notifications sont marquées comme lues." in html
    assert "Non lue</span>" not in html


def test_mark_all_read_refuses_get_and_foreign_next(client, signed_in):
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"), {"next": "https://evil.test/"})
    assert response.url == LIST


def test_pages_of_twenty(client, signed_in, enqueued):
    for i in range(25):
        notify(signed_in, subject=f"Notification {i}")

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    beyond = client.get(LIST, {"page": "abc"})

    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 5
    assert "Page 2 sur 2" in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert beyond.context["page_obj"].number == 1


@pytest.mark.parametrize("size", [1, 10, 40])
def test_the_list_has_a_constant_query_count(
    client, signed_in, enqueued, django_assert_max_num_queries, size
):
    for _ in range(size):
        notify(signed_in)
    with django_assert_max_num_queries(6):
        assert client.get(LIST).status_code == 200
