"""Session reminders: the day before and two hours before, each written once with its
notifications, whatever the restarts, second workers or a run killed mid-batch."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from lms.accounts.models import ContactPreferences
from lms.coaching import actions
from lms.coaching.actions import reminders
from lms.coaching.models import CoachingRequest, CoachingSession, SessionReminder, SessionStatus
from lms.notifications import actions as notifications
from lms.notifications import sms
from lms.notifications.models import Notification, TextMessage
from lms.notifications.tasks import deliver_notification_task, deliver_sms_task
from tests.factories.accounts import coach, learner

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 12 January 2027, 18:30 in Paris: an evening meeting.
STARTS = datetime(2027, 1, 12, 18, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _offsets(settings):
    settings.SESSION_REMINDER_HOURS = [24, 2]


def make_session(status=SessionStatus.ACCEPTED, starts_at=STARTS, modality="video", **kw):
    person = kw.pop("learner", None) or learner(departement="69")
    their_coach = kw.pop("coach", None) or coach(departements=["69"])
    request = CoachingRequest.objects.create(
        learner=person,
        coach=their_coach,
        origin="help",
        status="scheduled",
        departement="69",
        due_at=starts_at - timedelta(days=3),
    )
    return CoachingSession.objects.create(
        request=request,
        coach=their_coach,
        starts_at=starts_at,
        modality=modality,
        location="https://visio.balise.test/salle-7",
        status=status,
    )


def with_sms(user):
    ContactPreferences.objects.create(
        user=user, phone="+33612345678", sms_consent_at=timezone.now()
    )


def kinds_for(session):
    return sorted(
        Notification.objects.filter(
            recipient__in=[session.request.learner, session.coach]
        ).values_list("kind", flat=True)
    )


def test_the_day_before_the_learner_gets_an_email_and_an_sms_and_the_coach_an_email():
    session = make_session()
    with_sms(session.request.learner)

    result = actions.send_session_reminders(now=STARTS - timedelta(hours=23))

    assert result.sessions == 1
    assert kinds_for(session) == ["session_reminder", "session_reminder_coach"]
    email = Notification.objects.get(kind="session_reminder")
    assert email.recipient == session.request.learner and email.email
    assert email.subject == "Rappel : rendez-vous demain à 18:30"
    assert "demain, mardi 12 janvier, à 18:30" in email.body_text
    assert "En visioconférence, avec ce lien : https://visio.balise.test/salle-7" in email.body_text
    text = TextMessage.objects.get()
    assert text.recipient == session.request.learner
    assert text.body.startswith("Balise : RDV demain mardi 12 janvier à 18:30")
    assert Notification.objects.get(kind="session_reminder_coach").recipient == session.coach
    assert list(SessionReminder.objects.values_list("hours_before", flat=True)) == [24]


def test_nothing_before_its_time_and_each_offset_once():
    session = make_session()
    assert actions.send_session_reminders(now=STARTS - timedelta(hours=25)).sessions == 0

    actions.send_session_reminders(now=STARTS - timedelta(hours=24))
    actions.send_session_reminders(now=STARTS - timedelta(hours=23, minutes=55))  # next run
    actions.send_session_reminders(now=STARTS - timedelta(hours=3))
    assert kinds_for(session).count("session_reminder") == 1

    actions.send_session_reminders(now=STARTS - timedelta(hours=2))
    actions.send_session_reminders(now=STARTS - timedelta(minutes=115))
    assert kinds_for(session).count("session_reminder") == 2
    subjects = Notification.objects.filter(kind="session_reminder").values_list(
        "subject", flat=True
    )
    assert "Rappel : rendez-vous aujourd’hui à 18:30" in subjects

    actions.send_session_reminders(now=STARTS + timedelta(minutes=5))  # started: nothing
    assert SessionReminder.objects.count() == 2


def test_a_session_accepted_at_the_last_minute_is_reminded_once():
    session = make_session()
    actions.send_session_reminders(now=STARTS - timedelta(hours=1))
    assert kinds_for(session).count("session_reminder") == 1
    assert sorted(SessionReminder.objects.values_list("hours_before", flat=True)) == [2, 24]


def test_cancelled_proposed_or_declined_sessions_get_none():
    for status in (SessionStatus.CANCELLED, SessionStatus.PROPOSED, SessionStatus.DECLINED):
        make_session(status=status)
    assert actions.send_session_reminders(now=STARTS - timedelta(hours=1)).sessions == 0
    assert not Notification.objects.exists() and not SessionReminder.objects.exists()


def test_a_session_moved_after_its_reminder_is_reminded_for_its_new_time():
    session = make_session()
    actions.send_session_reminders(now=STARTS - timedelta(hours=20))
    moved_to = STARTS + timedelta(days=1)
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=moved_to, sequence=1)

    actions.send_session_reminders(now=moved_to - timedelta(hours=20))

    assert kinds_for(session).count("session_reminder") == 2
    assert SessionReminder.objects.filter(starts_at=moved_to).count() == 1


def test_a_second_worker_on_the_same_session_writes_nothing():
    session = make_session()
    now = STARTS - timedelta(hours=20)
    assert reminders.remind_session(session.pk, now) is True
    assert reminders.remind_session(session.pk, now) is False
    assert kinds_for(session).count("session_reminder") == 1


def test_the_learners_choices_are_followed():
    session = make_session()
    ContactPreferences.objects.create(
        user=session.request.learner,
        phone="+33612345678",
        sms_consent_at=timezone.now(),
        email_reminders=False,
    )
    actions.send_session_reminders(now=STARTS - timedelta(hours=20))
    notice = Notification.objects.get(kind="session_reminder")
    assert notice.email is False  # in Balise, not e-mailed
    assert TextMessage.objects.count() == 1


class Killed(BaseException):
    """The worker dies (SIGKILL, a deploy): nothing after this runs."""


def test_a_run_killed_mid_batch_resumes_and_reminds_each_session_exactly_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    sessions = [make_session(starts_at=STARTS + timedelta(minutes=10 * i)) for i in range(5)]
    for session in sessions:
        with_sms(session.request.learner)
    now = STARTS - timedelta(hours=20)
    real_notify = reminders.notify
    calls = {"n": 0}
    enqueued_sms, enqueued_emails = [], []
    monkeypatch.setattr(deliver_sms_task, "delay", enqueued_sms.append)
    monkeypatch.setattr(deliver_notification_task, "delay", enqueued_emails.append)

    def dies_on_the_third_session(recipient, kind, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # learner of the 3rd session: after 2 sessions (4 notices)
            raise Killed
        return real_notify(recipient, kind, **kwargs)

    monkeypatch.setattr(reminders, "notify", dies_on_the_third_session)
    with pytest.raises(Killed), django_capture_on_commit_callbacks(execute=True):
        actions.send_session_reminders(now=now)
    assert SessionReminder.objects.count() == 2
    assert Notification.objects.filter(kind="session_reminder").count() == 2

    monkeypatch.setattr(reminders, "notify", real_notify)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_session_reminders(now=now).sessions == 3
        assert actions.send_session_reminders(now=now).sessions == 0  # and again: nothing

    for session in sessions:
        assert kinds_for(session) == ["session_reminder", "session_reminder_coach"]
        assert SessionReminder.objects.filter(session=session).count() == 1
    assert TextMessage.objects.count() == 5
    assert sorted(enqueued_sms) == sorted(TextMessage.objects.values_list("pk", flat=True))
    assert len(enqueued_emails) == len(set(enqueued_emails)) == 10
    for pk in enqueued_sms * 2:  # delivered, and delivered again by a late duplicate
        notifications.deliver_sms(pk)
    assert sorted(s.to for s in sms.outbox) == ["+33612345678"] * 5
