"""A real PostgreSQL server for tests: initdb in a temporary folder, a loopback port, stopped after.

Debian's `postgresql` package puts the server's programs in /usr/lib/postgresql/<version>/bin
(scripts/test installs it). PostgreSQL refuses to run as root: as root the server runs as
the unprivileged `postgres` system user (the package creates it) with the folder its own.
Missing programs are a failure, never a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def bin_dir() -> Path:
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if not versions:
        pytest.fail(
            "PostgreSQL's server programs (initdb, pg_ctl) are missing: "
            "apt-get install -y postgresql (scripts/test does)"
        )
    return Path(versions[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.fail("running as root needs runuser to start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--", *argv]


@contextmanager
def server() -> Iterator[str]:
    """Start a throwaway server; yield its URL (postgresql+psycopg://…/postgres); stop it."""
    bins = bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="huikuan-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        try:
            import pwd

            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("no postgres system user to run PostgreSQL as (the package creates it)")
        os.chown(folder, user.pw_uid, user.pw_gid)
    os.chmod(folder, 0o700)
    port = free_port()
    log = folder / "server.log"

    def run(*argv: str) -> None:
        done = subprocess.run(
            _as_server_user(list(argv)), capture_output=True, text=True, timeout=120, cwd=folder
        )
        if done.returncode != 0:
            more = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"{argv[0]} failed: {done.stdout}\n{done.stderr}\n{more}")

    run(
        str(bins / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8" if Path("/usr/lib/locale/C.utf8").exists() else "--locale=C",
    )
    run(
        str(bins / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(log),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            timeout=120,
            cwd=folder,
        )
        shutil.rmtree(folder, ignore_errors=True)
