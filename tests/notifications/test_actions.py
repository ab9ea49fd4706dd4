"""The outbox's actions: written with the event, enqueued on commit, read marks."""

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from lms.accounts.models import Structure
from lms.notifications import actions
from lms.notifications.emails import LOGO_FILTER
from lms.notifications.models import Notification
from lms.notifications.tasks import deliver_notification_task
from tests.factories.accounts import StructureFactory, UserFactory, logo

pytestmark = pytest.mark.django_db


def notify(recipient, **overrides):
    kwargs = {
        "kind": "test_message",
        "context": {
            "subject": "Nouvelle demande",
            "message": "Une personne demande un accompagnement.",
        },
        "url": "/accompagnement/demandes/1/",
    }
    return actions.notify(recipient, **(kwargs | overrides))


def test_notify_writes_the_row_and_enqueues_only_on_commit(
    person, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(person)
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert enqueued == []  # nothing reaches the broker before commit

    assert len(callbacks) == 2  # the navigation's facts renewed, the e-mail enqueued
    assert enqueued == [notification.pk]
    assert notification.recipient == person
    assert notification.kind == "test_message"
    assert notification.url == "/accompagnement/demandes/1/"
    assert notification.sent_at is None
    assert notification.read_at is None


def test_rolled_back_transaction_writes_and_sends_nothing(
    person, enqueued, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(person)
        raise RuntimeError("the event failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert enqueued == []
    assert mailoutbox == []


def test_committed_notification_is_mailed_by_its_task(
    person, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(deliver_notification_task, "delay", deliver_notification_task)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person)

    assert [m.to for m in mailoutbox] == [["camille@balise.test"]]
    assert mailoutbox[0].subject == "Nouvelle demande"
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_a_broker_that_is_down_fails_no_request(
    person, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(pk):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(deliver_notification_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person)

    # The row stays, unsent: the sweeper will enqueue it once the broker is back.
    assert Notification.objects.unsent().filter(pk=notification.pk).exists()


def test_bodies_are_rendered_for_the_recipient_with_absolute_links(person, enqueued):
    notification = notify(person)

    text = notification.body_text
    assert text.startswith("Bonjour Camille,\n\nUne personne demande un accompagnement.\n")
    assert f"{settings.SITE_URL}/accompagnement/demandes/1/" in text
    assert "L'équipe Balise" in text
    assert text.rstrip().endswith(settings.SITE_URL)
    assert "\n\n\n" not in text
    assert f'href="{settings.SITE_URL}/accompagnement/demandes/1/"' in notification.body_html


def test_the_excerpt_is_the_message_without_greeting_link_or_signature(person, enqueued):
    message = "Premier paragraphe.\n\nSecond paragraphe."
    assert notify(person, context={"subject": "S", "message": message}).excerpt == message
    assert notify(person, context={"subject": "S", "message": message}, url="").excerpt == message


def test_subject_and_bodies_use_the_readers_language_whatever_the_actor_browses_in(
    person, enqueued
):
    with translation.override("en"):
        notification = notify(person, context={"subject": gettext_lazy("Mes notifications")})
        assert translation.get_language() == "en"
    assert notification.subject == "Mes notifications"
    assert 'lang="fr"' in notification.body_html
    assert notification.body_text.startswith("Bonjour Camille,")

    person.language = "en"
    with translation.override("fr"):
        notification = notify(person, context={"subject": gettext_lazy("Mes notifications")})
    assert notification.subject == "My notifications"
    assert 'lang="en"' in notification.body_html
    assert notification.body_text.startswith("Hello Camille,")


def test_subject_is_one_line_that_fits_its_column(person, enqueued):
    notification = notify(
        person, context={"subject": "Un objet\nsur deux lignes " + "x" * 300, "message": "m"}
    )
    assert "\n" not in notification.subject
    assert notification.subject.startswith("Un objet sur deux lignes x")
    assert len(notification.subject) == 200


@pytest.mark.parametrize("url", ["https://ailleurs.example/", "//ailleurs.example/", "chemin"])
def test_links_must_stay_on_the_site(person, enqueued, url):
    with pytest.raises(ValueError):
        notify(person, url=url)
    assert not Notification.objects.exists()


def test_notify_many_writes_one_personal_row_each(enqueued, django_capture_on_commit_callbacks):
    people = [UserFactory(first_name="Ana"), UserFactory(first_name="Bao")]
    with django_capture_on_commit_callbacks(execute=True):
        created = actions.notify_many(
            people,
            kind="test_message",
            context={"subject": "Demande sans accompagnateur·rice", "message": "Qui peut aider ?"},
        )

    assert [n.recipient for n in created] == people
    assert created[0].body_text.startswith("Bonjour Ana,")
    assert created[1].body_text.startswith("Bonjour Bao,")
    assert sorted(enqueued) == sorted(n.pk for n in created)
    assert actions.notify_many([], "test_message", {"message": "m"}) == []


def test_mark_read_touches_only_the_users_unread_rows(person, enqueued):
    other = UserFactory()
    mine = [notify(person) for _ in range(3)]
    theirs = notify(other)

    assert actions.mark_read(person, [mine[0].pk, theirs.pk]) == 1
    first_read_at = Notification.objects.get(pk=mine[0].pk).read_at
    assert first_read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    assert actions.mark_read(person, "all") == 2
    assert actions.mark_read(person, "all") == 0
    assert not Notification.objects.visible_to(person).unread().exists()
    assert Notification.objects.get(pk=mine[0].pk).read_at == first_read_at  # kept
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("size", [2, 6])
def test_notify_many_looks_the_structure_s_logo_up_once(
    enqueued, django_assert_max_num_queries, size
):
    structure = StructureFactory(name="Fabrique de Lozère", logo=logo())
    structure = Structure.objects.select_related("logo").get(pk=structure.pk)
    structure.logo.get_rendition(LOGO_FILTER)  # made once, as the first e-mail would
    people = UserFactory.create_batch(size)
    # The rendition, the INSERT and the savepoint around the rendition: whatever the size.
    with django_assert_max_num_queries(4):
        created = actions.notify_many(people, kind="test_message", context={"message": "m"},
                                      structure=structure)  # fmt: skip
    assert all("Fabrique de Lozère" in row.body_html for row in created)
