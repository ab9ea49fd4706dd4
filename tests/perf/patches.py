"""Experiments for one-off measurements of proposed optimisations.

``BENCH_PATCHES=name,name`` applies them to the bench server (tests/perf/wsgi.py) or
to ``python -m tests.perf.profiling``, so that a gain is measured before anyone edits
the real code. Nothing here is used by Balise itself; each experiment is deliberately
naive about invalidation (a benchmark does not edit content), the
proposal in docs/benchmarks.md says how the real change should invalidate.
"""


def roles_cache() -> None:
    """roles_of reads the user's groups on every page (the nav); keep them per user."""
    from lms.accounts import roles

    original = roles.roles_of
    by_user = {}

    def roles_of(user):
        if not getattr(user, "is_authenticated", False):
            return frozenset()
        if user.pk not in by_user:
            by_user[user.pk] = original(user)
        user._balise_roles = by_user[user.pk]
        return by_user[user.pk]

    roles.roles_of = roles_of
    import lms.context_processors

    lms.context_processors.roles_of = roles_of


EXPERIMENTS = {
    "roles_cache": roles_cache,
}


def apply(names) -> None:
    for name in names:
        if name:
            EXPERIMENTS[name]()
