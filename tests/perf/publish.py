"""Publish a new revision of a module, as an editor would: ``python -m tests.perf.publish PK``.

The bench runs it against its own database (the environment of ``tests/perf/bench.py``)
just before measuring the first step pages after a publish. The first step's title
gets a new suffix each time, so the step's content, its fingerprint and the live
version all change, as after a real edit.
"""

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    django.setup()
    from pathways.models import ModulePage

    module = ModulePage.objects.get(pk=int(sys.argv[1])).get_latest_revision_as_object()
    raw = list(module.steps.raw_data)
    first = raw[0]
    title = first["value"]["title"].split(" · ")[0]
    raw[0] = {
        **first,
        "value": {**first["value"], "title": f"{title} · {time.strftime('%H:%M:%S')}"},
    }
    module.steps = raw
    revision = module.save_revision(log_action=True)
    revision.publish()
    print(f"publish: module {module.pk} revision {revision.pk} is live")  # noqa: T201


if __name__ == "__main__":
    main()
