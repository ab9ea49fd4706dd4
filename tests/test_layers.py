"""The layers are enforced by ``make lint`` (import-linter, contracts in pyproject.toml):
a reversed import fails it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _project_copy(tmp_path: Path) -> Path:
    for package in ("lms", "pathways"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("*.mp4", "static", "locale", "__pycache__"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command, no user input
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=path,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_project_keeps_its_layers(tmp_path):
    result = _lint(_project_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "reversed_import"),
    [
        ("lms/accounts/models.py", "import lms.notifications.models"),
        ("pathways/models.py", "from lms.coaching import models as _coaching"),
        ("lms/coaching/views.py", "import lms.outcomes.views"),
        ("pathways/progress.py", "import pathways.models"),
    ],
)
def test_a_reversed_import_fails_the_lint(tmp_path, module, reversed_import):
    project = _project_copy(tmp_path)
    target = project / module
    target.write_text(target.read_text() + f"\n{reversed_import}  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout, result.stdout
