"""Run Balise's settings in a fresh Python process, with a controlled environment.

``lms/settings.py`` is read once per process, from environment variables and the
developer's ``.env``. To test what a given environment produces, the tests start
a new process whose environment holds only the variables they pass, and in
which ``.env`` is not read (so a developer's local file cannot change the result).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TIMEOUT = 60

# Prepended to every probe: the same start-up as production, minus the .env file.
_IGNORE_DOTENV = """
import environ
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
"""

_MANAGE = (
    _IGNORE_DOTENV
    + """
import runpy, sys
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""
)

_SNAPSHOT = (
    _IGNORE_DOTENV
    + """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
snapshot = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
storage = storages["default"]
snapshot["default_storage"] = {
    "class": f"{type(storage).__module__}.{type(storage).__qualname__}",
    **{key: value for key, value in vars(storage).items() if not key.startswith("_")},
}
print(json.dumps(snapshot, default=str))
"""
)


def clean_env(**variables: str) -> dict[str, str]:
    """An environment with only what Python needs, plus ``variables``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - fallback only
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "lms.settings",
    }
    env.update(variables)
    return env


def run_manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """``python manage.py ARGS`` with only ``variables`` in the environment (no ``.env``)."""
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", _MANAGE, *args],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def settings_snapshot(**variables: str) -> dict:
    """Every upper-case setting (as JSON) that ``variables`` produce, and the default
    storage as instantiated (``default_storage``: its class and public attributes)."""
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", _SNAPSHOT],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
