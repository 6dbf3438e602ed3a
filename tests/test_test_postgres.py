"""`make test` brings its own PostgreSQL when none answers (scripts/with-test-postgres.sh)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port

ROOT = Path(__file__).parent.parent
#: What a PostgreSQL test does: a throw-away schema, a table through SQLAlchemy, the server port.
PROBE = """
import json, os, sqlalchemy as sa
from tests.trust.trust_helpers import pg_schema
with pg_schema() as url:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x int)"))
        port = conn.execute(sa.text("SELECT inet_server_port()")).scalar()
    engine.dispose()
print(json.dumps({"url": os.environ["TEST_POSTGRES_URL"], "port": port}))
"""


@pytest.mark.slow
def test_a_throw_away_server_is_started_when_none_answers_and_removed_after() -> None:
    closed = free_port()  # nothing listens here: the machine's own server is never touched
    env = {
        **os.environ,
        "TEST_POSTGRES_URL": f"postgresql://root@127.0.0.1:{closed}/test",
        "VENV_PYTHON": sys.executable,
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [str(ROOT / "scripts" / "with-test-postgres.sh"), sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen["port"] != closed and seen["url"].endswith(f":{seen['port']}/test")
    folder = run.stderr.split("(")[-1].split(")")[0]
    assert folder.startswith("/tmp/test-postgres.") and not Path(folder).exists()
    with pytest.raises(subprocess.CalledProcessError):  # and the server is gone with it
        subprocess.run(
            [sys.executable, "-c", f"import psycopg; psycopg.connect({seen['url']!r})"],
            check=True,
            capture_output=True,
        )


@pytest.mark.slow
@pytest.mark.postgres
def test_a_server_that_answers_is_used_as_is(tmp_path: Path) -> None:
    """With the URL answering (the shared server, or the one this run started), nothing starts."""
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
    env = {**os.environ, "TEST_POSTGRES_URL": url, "VENV_PYTHON": sys.executable}
    script = ROOT / "scripts" / "with-test-postgres.sh"
    run = subprocess.run(
        [str(script), sys.executable, "-c", "import os; print(os.environ['TEST_POSTGRES_URL'])"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and run.stdout.strip() == url
    assert "throw-away" not in run.stderr
