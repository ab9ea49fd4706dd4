"""The notification outbox end to end, on real services and in production mode.

A learner asks for help through the real view, in a web process of its own (DEBUG
off, PostgreSQL, Redis as the broker): the request commits, its notifications are
enqueued on commit, a real ``celery -A lms worker`` delivers them to an SMTP server
on 127.0.0.1 (aiosmtpd, in this process), which counts what it receives.

The faults of the outbox (a worker killed mid-batch, Redis down when the event
happens) are in ``test_faults.py``; they share the machinery of ``conftest.py``
(``notification_stack``) and ``ask_for_help`` below.
"""

import json
import time
from collections import Counter

import pytest

from lms.coaching.models import CoachingRequest
from lms.notifications.models import Notification
from tests.factories.accounts import coach, learner
from tests.factories.pathways import build_pathway
from tests.integration.conftest import NotificationStack, production_env, report
from tests.settings_probe import run_manage

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DELIVERY_TIMEOUT = 30

# Run in a web process (manage.py shell) with the production settings the variables give:
# the learner, signed in, posts « J'ai besoin d'aide » through the whole middleware stack.
_ASK_FOR_HELP = """
import json, os, time
from django.test import Client
from django.urls import reverse
from lms.accounts.models import User

client = Client(raise_request_exception=False)  # a 500 page, as a browser would get
client.force_login(User.objects.get(pk=int(os.environ["BALISE_IT_LEARNER"])))
started = time.monotonic()
response = client.post(
    reverse("coaching:help", args=[int(os.environ["BALISE_IT_PATHWAY"])]),
    {"message": "Je bloque sur mon budget prévisionnel.", "where": "Module 1"},
    secure=True,
    HTTP_HOST="localhost",
)
print(json.dumps({
    "status": response.status_code,
    "location": response.get("Location", ""),
    "elapsed": time.monotonic() - started,
}))
"""


def ask_for_help(stack: NotificationStack, person, pathway) -> tuple[dict, str]:
    """POST the help form as ``person`` in a production web process; (result, its stderr)."""
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        _ASK_FOR_HELP,
        **production_env(
            **stack.env_vars(BALISE_IT_LEARNER=str(person.pk), BALISE_IT_PATHWAY=str(pathway.pk))
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def help_request_scene():
    """A learner of the Rhône, the one coach of the Rhône, a live pathway."""
    person = learner(departement="69", user__first_name="Inès", user__last_name="Moreau")
    rhone = coach(departements=["69"])
    return person, rhone, build_pathway(["m:1"])


def expected_mail(person, rhone) -> Counter:
    return Counter(
        {
            ((rhone.email,), f"Nouvelle demande d'accompagnement : {person.display_name}"): 1,
            ((person.email,), "Votre demande d'accompagnement est bien reçue"): 1,
        }
    )


def settle(stack: NotificationStack, seconds: float = 1.0) -> None:
    """Leave time for a duplicate to arrive, once the queue is empty."""
    deadline = time.monotonic() + 10
    with stack.client.connection_for_write() as connection:
        while connection.default_channel.client.llen("celery") and time.monotonic() < deadline:
            time.sleep(0.05)
    time.sleep(seconds)


def test_a_help_request_reaches_the_coach_and_the_learner_by_email(notification_stack):
    stack = notification_stack
    person, rhone, pathway = help_request_scene()
    started = time.monotonic()
    worker = stack.start_worker()
    worker_ready = time.monotonic() - started

    posted = time.monotonic()
    result, _ = ask_for_help(stack, person, pathway)

    assert result["status"] == 302 and result["location"] == "/accompagnement/", result
    request = CoachingRequest.objects.get()
    assert (request.learner, request.pathway_id, request.origin) == (person, pathway.pk, "help")
    received = stack.sink.wait_for(2, DELIVERY_TIMEOUT, worker.log)
    delivered_in = time.monotonic() - posted
    settle(stack)
    received = stack.sink.received()

    assert Counter((mail.recipients, mail.subject) for mail in received) == expected_mail(
        person, rhone
    )
    assert len({mail.message_id for mail in received}) == len(received)
    for mail in received:
        assert mail.sender == "bonjour@balise.localhost"
        assert mail.headers["Auto-Submitted"] == "auto-generated"
    rows = Notification.objects.order_by("pk")
    assert {(row.recipient.email, row.kind) for row in rows} == {
        (rhone.email, "request_opened"),
        (person.email, "request_received"),
    }
    assert all(row.sent_at and row.attempts == 1 and not row.last_error for row in rows)
    report(
        f"[notification flow] worker ready in {worker_ready:.1f}s; help request answered "
        f"{result['status']} in {result['elapsed']:.2f}s; {len(received)} e-mails delivered "
        f"{delivered_in:.2f}s after the web process started; duplicates 0; rows sent {rows.count()}"
        f"/{rows.count()}"
    )
