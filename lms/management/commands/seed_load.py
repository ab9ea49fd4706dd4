from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def _loadgen():
    """The load generator lives beside the benchmark, in tests/perf/ of a source checkout."""
    try:
        from tests.perf import loadgen
    except ImportError as error:
        raise CommandError(
            "seed_load needs tests/perf/loadgen.py (the benchmark's dataset): run it from a "
            "source checkout of Balise."
        ) from error
    return loadgen


class Command(BaseCommand):
    help = (
        "Load a reproducible dataset at national scale for benchmarks (S: 1k learners, "
        "M: 10k, L: 50k). Refuses a database holding anything it did not write."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["S", "M", "L", "XS"], default="S")
        parser.add_argument("--seed", type=int, default=None, help="Default: the bench's seed.")
        # Tests: fewer learners than the size says (the rest of the size is kept).
        parser.add_argument("--learners", type=int, default=None, help="==SUPPRESS==")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Wipe a previous load (its accounts and pages only) and load again.",
        )
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="Do nothing when this database already holds this size, version and seed.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (a throw-away benchmark database only).",
        )

    def handle(self, *args, size, seed, learners, replace, if_needed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_load creates thousands of accounts with a known password: it refuses to "
                "run when DEBUG is off. Use --force only on a throw-away benchmark database."
            )
        loadgen = _loadgen()
        seed = loadgen.DEFAULT_SEED if seed is None else seed
        foreign = loadgen.foreign_data()
        if foreign:
            raise CommandError(
                "seed_load only writes to an empty (freshly migrated) database or to one it "
                f"loaded itself; this one holds {', '.join(foreign)}. Use a dedicated database "
                "(DATABASE_URL=.../balise_bench)."
            )
        wanted = loadgen.marker(loadgen.SIZES[size], seed) if learners is None else None
        present = loadgen.current_marker()
        if present:
            if if_needed and present == wanted:
                self.stdout.write(f"Already loaded: {present}.")
                return
            if not replace:
                raise CommandError(
                    f"A load is already here ({present}): use --replace to wipe it and load "
                    f"size {size}."
                )
            self.stdout.write(f"Wiping the previous load ({present})...")
            loadgen.wipe()
        summary = loadgen.load(size, seed=seed, learners=learners)
        counts = ", ".join(f"{value} {name}" for name, value in summary.counts.items())
        timings = ", ".join(f"{name} {value:.1f} s" for name, value in summary.timings.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded size {size} in {summary.seconds:.1f} s."))
        self.stdout.write(f"  {counts}")
        self.stdout.write(f"  ({timings})")
        self.stdout.write(
            f"  Accounts (password: {loadgen.PASSWORD}): learner-00001@{loadgen.LOAD_DOMAIN} ..., "
            f"coach-001@{loadgen.LOAD_DOMAIN} ..., manager@{loadgen.LOAD_DOMAIN}; learners "
            f"{loadgen.POISED_PREFIX}NNNNN@ are one step before an automatic progression point."
        )
