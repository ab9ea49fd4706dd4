"""A request's thread in a person's data: exported with their requests, erased with them,
and left readable when a coach's account goes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.gdpr import anonymise_user, export_user_data
from lms.coaching import actions
from lms.coaching.models import AuthorRole, CoachingRequest, RequestMessage, ThreadReader
from lms.notifications.models import Notification
from tests.factories.accounts import coach, learner, manager
from tests.factories.pathways import build_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    person = learner(departement="69", user__first_name="Léa")
    helper = coach(departements=["69"], user__first_name="Julien", user__last_name="Martin")
    request = actions.open_help_request(person, build_pathway(["m:1"]), "Aide", "ici")
    actions.claim_request(helper, request.pk)
    request = CoachingRequest.objects.select_related("learner", "coach", "structure").get()
    actions.post_message(person, request.pk, "Mon budget est serré")
    actions.post_message(helper, request.pk, "Regardons-le ensemble")
    actions.post_message(manager(request.structure), request.pk, "Bien noté")
    return request


def test_the_learners_export_holds_their_thread_both_ways(thread):
    data = export_user_data(thread.learner)
    (exported,) = data["coaching_requests"]
    messages = exported["messages"]
    assert [m["body"] for m in messages] == [
        "Mon budget est serré",
        "Regardons-le ensemble",
        "Bien noté",
    ]
    assert [m["author_role"] for m in messages] == ["learner", "coach", "manager"]
    assert messages[1]["author"] == "Julien Martin"
    assert "coaching.ThreadReader.reader" in data["not_included"]


def test_a_coachs_export_does_not_hold_other_peoples_threads(thread):
    data = export_user_data(thread.coach)
    assert "Regardons-le ensemble" not in str(data)
    assert "Mon budget est serré" not in str(data)


def test_erasing_the_learner_erases_the_text_of_their_threads(thread):
    row = ThreadReader.objects.get(reader=thread.coach)
    assert row.digest_due_at is not None
    Notification.objects.create(
        recipient=thread.coach,
        kind="message_digest",
        subject="Nouveau message : demande de Léa",
        body_text="Mon budget est serré",
        url=reverse("coaching:thread", args=[thread.pk]) + "#dernier-message",
    )
    anonymise_user(thread.learner)

    assert list(RequestMessage.objects.values_list("body", flat=True)) == ["", "", ""]
    assert RequestMessage.objects.count() == 3  # dates stay, as anonymous figures
    row.refresh_from_db()
    assert row.digest_due_at is None  # no e-mail leaves about them any more
    assert not actions.send_message_digest(row.pk, now=timezone.now())
    assert not Notification.objects.filter(body_text__contains="budget").exists()


def test_a_deleted_coach_account_keeps_the_learners_thread(client, thread):
    helper = thread.coach
    anonymise_user(helper)
    assert not ThreadReader.objects.filter(reader=helper).exists()
    assert RequestMessage.objects.filter(author=helper).get().body == "Regardons-le ensemble"
    data = export_user_data(thread.learner)
    assert data["coaching_requests"][0]["messages"][1]["body"] == "Regardons-le ensemble"
    client.force_login(thread.learner)
    page = client.get(reverse("coaching:thread", args=[thread.pk])).content.decode()
    assert "Regardons-le ensemble" in page and "Julien" not in page


def test_a_hard_deleted_author_leaves_the_message_with_its_role(client, thread):
    thread.coach.delete()
    message = RequestMessage.objects.get(author_role=AuthorRole.COACH)
    assert message.author is None and message.body == "Regardons-le ensemble"
    client.force_login(thread.learner)
    page = client.get(reverse("coaching:thread", args=[thread.pk])).content.decode()
    assert "Accompagnateur·rice</strong>" in page
