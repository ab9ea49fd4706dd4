"""``make run``: what it passes to the processes it starts (read from a dry run)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def dry_run(tmp_path, *args, env_file=None, environ=None):
    """``make -n run`` in a copy of the Makefile (no .env unless given, nothing run)."""
    shutil.copy(BASE_DIR / "Makefile", tmp_path / "Makefile")
    for name in ("pyproject.toml", "uv.lock"):
        (tmp_path / name).touch()
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file)
    result = subprocess.run(  # noqa: S603 - fixed executable and arguments
        [MAKE, "-n", "run", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **(environ or {})},
    )
    return re.findall(r"SITE_URL='([^']*)'", result.stdout)


def test_links_in_e_mails_point_at_the_port_make_run_serves(tmp_path):
    assert dry_run(tmp_path, "PORT=8123") == ["http://127.0.0.1:8123"]


def test_a_site_url_set_by_the_developer_wins(tmp_path):
    env_file = "DEBUG=1\nSITE_URL=https://balise.example.org\n"
    assert dry_run(tmp_path, "PORT=8123", env_file=env_file) == ["https://balise.example.org"]
    assert dry_run(tmp_path, environ={"SITE_URL": "http://x.test"}) == ["http://x.test"]


def bench_sizes(tmp_path, *args, environ=None):
    """The sizes ``make bench`` runs, one bench.py each (read from a dry run)."""
    shutil.copy(BASE_DIR / "Makefile", tmp_path / "Makefile")
    for name in ("pyproject.toml", "uv.lock"):
        (tmp_path / name).touch()
    result = subprocess.run(  # noqa: S603 - fixed executable and arguments
        [MAKE, "-n", "bench", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **(environ or {})},
    )
    loop = re.search(r"for size in ([A-Z ]+); do", result.stdout)
    assert "tests/perf/bench.py" in result.stdout
    return loop.group(1).split()


def test_make_bench_runs_m_unless_told_which_sizes(tmp_path):
    assert bench_sizes(tmp_path) == ["M"]
    assert bench_sizes(tmp_path, environ={"BENCH_SIZE": "L"}) == ["L"]
    assert bench_sizes(tmp_path, "BENCH_SIZE=all") == ["S", "M", "L"]
