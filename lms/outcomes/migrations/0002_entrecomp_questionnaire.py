"""Load the default self-diagnosis questionnaire (the 15 EntreComp competences)."""

from django.db import migrations


def load(apps, schema_editor):
    from lms.outcomes.entrecomp import ENTRECOMP

    Competence = apps.get_model("outcomes", "Competence")
    Question = apps.get_model("outcomes", "CompetenceQuestion")
    for order, (area, code, name, description, statements) in enumerate(ENTRECOMP):
        competence, created = Competence.objects.get_or_create(
            code=code,
            defaults={"area": area, "name": name, "description": description, "sort_order": order},
        )
        if created:
            Question.objects.bulk_create(
                Question(competence=competence, text=text, sort_order=index)
                for index, text in enumerate(statements)
            )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
