"""Experiments for one-off measurements of proposed optimisations.

``BENCH_PATCHES=name,name`` applies them to the bench server (tests/perf/wsgi.py) or
to ``python -m tests.perf.profiling``, so that a gain is measured before anyone edits
the real code. Nothing here is used by Balise itself; each experiment is
deliberately naive about invalidation (a benchmark does not edit content), the
proposal in docs/benchmarks.md says how the real change should invalidate.
"""


def site_cache() -> None:
    """Wagtail's Site.find_for_request runs one query per request ({% pageurl %} in every
    learner template); keep the site per (host, port) in the process."""
    from wagtail.models import Site

    original = Site.find_for_request  # a staticmethod
    sites = {}

    def find_for_request(request):
        if request is None:
            return None
        if not hasattr(request, "_wagtail_site"):
            key = request.get_host()
            if key not in sites:
                sites[key] = original(request)
            request._wagtail_site = sites[key]
        return request._wagtail_site

    Site.find_for_request = staticmethod(find_for_request)


def outline_cache() -> None:
    """PathwayPage.outline_items loads the pathway's live modules (full pages, steps JSON)
    on every learner page; keep them per process, keyed by the module ids."""
    from pathways.models import ModulePage, PathwayPage

    original = PathwayPage.outline_items
    modules_by_ids = {}

    def outline_items(self, modules=None):
        if modules is None:
            key = tuple(self.module_ids())
            if key not in modules_by_ids:
                modules_by_ids[key] = ModulePage.objects.live().in_bulk(key)
            modules = modules_by_ids[key]
        return original(self, modules)

    PathwayPage.outline_items = outline_items


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
    "site_cache": site_cache,
    "outline_cache": outline_cache,
    "roles_cache": roles_cache,
}


def apply(names) -> None:
    for name in names:
        if name:
            EXPERIMENTS[name]()
