from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms import demo
from lms.demo.coaching import seed_coaching
from lms.demo.community import seed_community
from lms.demo.outcomes import COHORT_SIZE, seed_outcomes


class Command(BaseCommand):
    help = "Load Balise's demo data (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password: it refuses to run when "
                "DEBUG is off. Use --force only on a throw-away environment."
            )
        people = demo.seed_people()
        content = demo.seed_content()
        learners_with_history = seed_coaching()
        outcome_learners = seed_outcomes()
        seed_community()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password: {demo.DEMO_PASSWORD}):")
        )
        for person in people:
            self.stdout.write(f"  {person.email:<22} {person.role.value:<8} {person.description}")
        self.stdout.write(self.style.SUCCESS(f"Content: {content}."))
        self.stdout.write(
            self.style.SUCCESS(
                "Coaching: demo learners with requests and sessions (karim@, ines@, paul@, "
                "lucie@balise.test; amina@ books an evening video slot herself; "
                f"{learners_with_history} created this run)."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Outcomes: nadia@ has diagnoses before and after a pathway; a cohort of "
                f"{COHORT_SIZE} past learners feeds the manager's dashboard "
                f"({outcome_learners} created this run)."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                "Community: nadia@ (an alumna, approved facilitator, hours recorded) leads the "
                "peer circle « Premiers pas, le soir » of lea@, amina@, karim@, ines@ and paul@: "
                "a meeting held, an exchange in its thread, the next meeting scheduled "
                "(/communaute/cercles/)."
            )
        )
