"""Coaches read the recommendation's reason about the learner, not addressed to them.

Existing requests hold only the learner's wording, written in French (actions write it
in the site's language): their coach wording is derived from the sentences the balance
policy wrote. A reason that addresses nobody is the same for both readers.
"""

import re

from django.db import migrations, models

HOW = r"(?P<how>en visioconférence|par téléphone|en présentiel)"

# (learner's sentence, coach's sentence), the first sentence of a stored reason.
REWORDINGS = [
    (
        "Aucun·e accompagnateur·rice ne couvre encore votre département : le premier "
        f"échange se fait à distance, {HOW}\\.",
        "Aucun·e accompagnateur·rice ne couvre encore le département de la personne : "
        "le premier échange se fait à distance, \\g<how>.",
    ),
    (
        "Vous arrivez au bout du parcours : une rencontre en présentiel vous est "
        "proposée pour faire le point ensemble\\.",
        "La personne arrive au bout du parcours : proposez-lui une rencontre en "
        "présentiel pour faire le point ensemble.",
    ),
    (
        "Vous avez indiqué préférer vous rencontrer\\.",
        "La personne a indiqué préférer une rencontre en présentiel.",
    ),
    (
        f"Vous avez indiqué préférer un échange {HOW}\\.",
        "La personne a indiqué préférer un échange \\g<how>.",
    ),
    (
        "Vous préférez vous rencontrer, mais aucun·e accompagnateur·rice ne reçoit en "
        f"présentiel près de chez vous pour l'instant : échange {HOW}\\.",
        "La personne préfère une rencontre, mais aucun·e accompagnateur·rice ne reçoit "
        "en présentiel près de chez elle pour l'instant : échange \\g<how>.",
    ),
    (
        f"Vous êtes en emploi : un échange {HOW} s'adapte à vos horaires\\.",
        "La personne est en emploi : un échange \\g<how> s'adapte à ses horaires.",
    ),
    (
        f"Pour vous éviter un long déplacement, le premier échange se fait {HOW}\\.",
        "Pour lui éviter un long déplacement, le premier échange se fait \\g<how>.",
    ),
    (
        "Une accompagnatrice ou un accompagnateur peut vous recevoir près de chez vous\\.",
        "Une accompagnatrice ou un accompagnateur peut recevoir la personne près de chez elle.",
    ),
]


def for_coach(reason: str) -> str:
    for learner_wording, coach_wording in REWORDINGS:
        reworded, count = re.subn(f"^{learner_wording}", coach_wording, reason)
        if count:
            return reworded
    return reason


def reword_for_coaches(apps, schema_editor):
    CoachingRequest = apps.get_model("coaching", "CoachingRequest")
    changed = []
    rows = CoachingRequest.objects.filter(coach_recommendation_reason="").only(
        "pk", "recommendation_reason"
    )
    for request in rows.iterator(chunk_size=2000):
        request.coach_recommendation_reason = for_coach(request.recommendation_reason)
        changed.append(request)
        if len(changed) == 2000:
            CoachingRequest.objects.bulk_update(changed, ["coach_recommendation_reason"])
            changed = []
    CoachingRequest.objects.bulk_update(changed, ["coach_recommendation_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0005_one_active_request_per_pathway"),
    ]

    operations = [
        migrations.AddField(
            model_name="coachingrequest",
            name="coach_recommendation_reason",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                verbose_name="raison de la recommandation, pour les accompagnateur·rices",
            ),
        ),
        migrations.RunPython(reword_for_coaches, migrations.RunPython.noop, elidable=True),
    ]
