"""At most one active request per (learner, pathway): later origins join it (0004 merged
the duplicates that existed)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0004_merge_duplicate_active_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='coachingrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'claimed', 'scheduled'])), fields=('learner', 'pathway'), name='one_active_request_per_pathway'),
        ),
    ]
