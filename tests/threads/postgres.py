"""A throwaway PostgreSQL server for tests: initdb + pg_ctl in a temp dir, on a free port on
127.0.0.1, as a non-root user (PostgreSQL refuses to run as root), stopped at the end.

`start` raises `Unavailable` with the reason when it cannot (no binaries, no such user); the
fixture turns that into a skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_USER = "postgres"  # who runs the server when the tests run as root


class Unavailable(Exception):
    pass


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise Unavailable(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(PG_USER)
    except KeyError as error:
        raise Unavailable(f"running as root and there is no {PG_USER!r} user to run it") from error
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root and runuser is missing")
    return [runuser, "-u", PG_USER, "--", *command]


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yield a SQLAlchemy URL to a fresh database; the server and its files go afterwards."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    root = Path(tempfile.mkdtemp(prefix="rag-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        _as_user([])  # raises Unavailable when there is nobody to run it as
        entry = pwd.getpwnam(PG_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        run = subprocess.run(
            _as_user([initdb, "-D", str(data), "-U", "rag", "-A", "trust", "-E", "UTF8"]),
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        if run.returncode != 0:
            raise Unavailable(f"initdb failed: {run.stderr.strip()[-300:]}")
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
        run = subprocess.run(
            _as_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                      "start"]),
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        if run.returncode != 0:
            raise Unavailable(f"pg_ctl start failed: {run.stderr.strip()[-300:]}")
        try:
            yield f"postgresql+psycopg://rag@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True, env=env, timeout=60, check=False,
            )  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
