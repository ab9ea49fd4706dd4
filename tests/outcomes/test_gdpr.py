"""Outcomes in a person's data (``lms/accounts/gdpr.py``): exported; on erasure the free
text (the comment on a pathway) is erased while scores, milestones and opinions stay as
anonymous figures for the programme."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts import gdpr
from lms.accounts.models import User
from lms.outcomes import actions
from lms.outcomes.models import Diagnosis, Milestone, ModuleFeedback, Moment, Satisfaction
from lms.outcomes.queries import questionnaire
from tests.factories.accounts import learner
from tests.factories.pathways import modules_of

from .conftest import answers_for, finish

pytestmark = pytest.mark.django_db

COMMENT = "Avis-de-Zéphyrine-3e9f"


@pytest.fixture
def given(competences, pathway):
    person = learner()
    finish(person, pathway)
    actions.take_diagnosis(
        person,
        questionnaire(),
        answers_for(competences, vision=[1, 2], confiance=[5], planifier=[4, 4]),
        moment=Moment.START,
        pathway=pathway,
    )
    actions.record_milestone(
        person,
        pathway,
        moment=Moment.END,
        stage="launch",
        jobs_fte=Decimal("1.5"),
        revenue="lt10k",
        legal_form="scic",
    )
    actions.record_satisfaction(person, pathway, score=9, comment=COMMENT)
    actions.record_module_feedback(person, modules_of(pathway)[0], useful=True)
    other = learner()
    actions.record_satisfaction(other, pathway, score=2, comment="Avis de B")
    return person, other


def test_the_export_holds_the_outcomes_of_the_person_only(client, given):
    person, _other = given
    client.force_login(person)
    raw = b"".join(client.post(reverse("accounts:export")).streaming_content)
    data = json.loads(zipfile.ZipFile(io.BytesIO(raw)).read("data.json"))
    [diagnosis] = data["diagnoses"]
    assert diagnosis["moment"] == "start" and diagnosis["pathway"] == "Parcours autodiagnostic"
    scores = sorted(score["score"] for score in diagnosis["scores"])
    assert scores == ["1.50", "4.00", "5.00"]
    assert all(score["competence"] for score in diagnosis["scores"])
    assert sorted(diagnosis["answers"].values()) == [1, 2, 4, 4, 5]
    [milestone] = data["milestones"]
    assert milestone["legal_form"] == "scic" and milestone["jobs_fte"] == "1.5"
    [satisfaction] = data["satisfactions"]
    assert satisfaction["pathway"] == "Parcours autodiagnostic"
    assert (satisfaction["score"], satisfaction["comment"]) == (9, COMMENT)
    assert satisfaction["created_at"] and satisfaction["updated_at"]
    assert data["module_feedback"][0]["useful"] is True
    assert "Avis de B" not in raw.decode(errors="replace")


def test_erasure_keeps_the_figures_and_erases_the_comment(given):
    person, other = given
    gdpr.anonymise_user(person)
    assert Satisfaction.objects.get(learner=person).comment == ""
    assert Satisfaction.objects.get(learner=person).score == 9
    assert Satisfaction.objects.get(learner=other).comment == "Avis de B"
    diagnosis = Diagnosis.objects.get(learner=person)
    assert diagnosis.scores.count() == 3 and len(diagnosis.answers) == 5
    assert Milestone.objects.filter(learner=person).count() == 1
    assert ModuleFeedback.objects.filter(learner=person).count() == 1


def test_a_recent_diagnosis_counts_as_activity(competences):
    person = learner()
    now = timezone.now()
    User.objects.filter(pk=person.pk).update(
        last_login=now - timedelta(days=800), date_joined=now - timedelta(days=800)
    )
    cutoff = now - timedelta(days=730)
    assert person in gdpr.idle_learners(cutoff)
    actions.take_diagnosis(
        person, questionnaire(), answers_for(competences, confiance=[3]), moment=Moment.FREE
    )
    assert person not in gdpr.idle_learners(cutoff)
