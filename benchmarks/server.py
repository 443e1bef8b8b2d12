"""The system under test: a scratch database with demo data, served by gunicorn.

SQLite by default (a file under .bench/), PostgreSQL when DATABASE_URL is set
(a scratch database, peerspace_bench, next to the one DATABASE_URL names). The
database built by `demo` is cached, keyed by what shapes it, and each run works
on a fresh copy so runs start from the same state.
"""

import contextlib
import hashlib
import http.client
import importlib.metadata
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
CACHE_DIR = BENCH_DIR / "cache"
KEY_FILE = ROOT / ".field-encryption-key"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_NAME = "peerspace_bench"
# The demo logins' password in the scratch database only.
PASSWORD = "bench-password-not-secret"


def cache_key(scale: int) -> str:
    """Changes when migrations, the demo command, Django or the key change."""
    digest = hashlib.sha256(f"scale={scale}".encode())
    for package in ("django", "django-simple-history"):
        digest.update(f"{package}={importlib.metadata.version(package)}".encode())
    paths = [
        path
        for path in sorted(ROOT.glob("*/**/migrations/*.py"))
        if not {".venv", ".bench", "node_modules"} & set(path.parts)
    ]
    paths += [ROOT / "peerspace" / "management" / "commands" / "demo.py"]
    paths += sorted(ROOT.glob("*/demo.py")) + sorted(ROOT.glob("peerspace/*/demo.py"))
    # Encrypted fields are written with this key: another key can't read them.
    paths.append(KEY_FILE)
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def base_env() -> dict[str, str]:
    """Production-like settings, whatever the caller's shell has set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "HTTPS", "BEHIND_PROXY", "SQLITE_PATH", "DB"}
        and not k.startswith("DJANGO_")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        FIELD_ENCRYPTION_KEY_FILE=str(KEY_FILE),
        STATIC_MANIFEST="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("FIELD_ENCRYPTION_KEYS", None)
    return env


def _python(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    result = subprocess.run(
        [str(PYTHON), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def manage(env: dict[str, str], *args: str) -> str:
    return _python(env, "manage.py", *args)


def script(env: dict[str, str], name: str, *args) -> str:
    """Run benchmarks/<name> against the scratch database; return its output."""
    return _python(env, f"benchmarks/{name}", *map(str, args), timeout=300)


def build(env: dict[str, str], scale: int) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "demo", "--scale", str(scale), "--password", PASSWORD)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def database(scale: int, fresh: bool) -> Iterator[tuple[dict[str, str], str]]:
    """Yield (env, description) for a fresh copy of the demo database."""
    BENCH_DIR.mkdir(exist_ok=True)
    CACHE_DIR.mkdir(exist_ok=True)
    key = cache_key(scale)
    if os.environ.get("DATABASE_URL") or os.environ.get("DB") == "postgres":
        with _postgres(key, scale, fresh) as result:
            yield result
    else:
        yield _sqlite(key, scale, fresh)


def _sqlite(key: str, scale: int, fresh: bool) -> tuple[dict[str, str], str]:
    env = base_env()
    env.pop("DATABASE_URL", None)
    cached = CACHE_DIR / f"demo-scale{scale}-{key}.sqlite3"
    if fresh or not cached.exists():
        for old in CACHE_DIR.glob(f"demo-scale{scale}-*.sqlite3*"):
            old.unlink()
        building = CACHE_DIR / "building.sqlite3"
        for leftover in CACHE_DIR.glob("building.sqlite3*"):
            leftover.unlink()
        log(f"Building the demo database (scale {scale}); later runs reuse it...")
        started = time.monotonic()
        build({**env, "SQLITE_PATH": str(building)}, scale)
        _sqlite_copy(building, cached)
        for leftover in CACHE_DIR.glob("building.sqlite3*"):
            leftover.unlink()
        log(f"  built in {time.monotonic() - started:.0f} s")
    run_db = BENCH_DIR / "run.sqlite3"
    for old in BENCH_DIR.glob("run.sqlite3*"):
        old.unlink()
    _sqlite_copy(cached, run_db)
    env["SQLITE_PATH"] = str(run_db)
    return env, f"SQLite {run_db.relative_to(ROOT)}"


def _sqlite_copy(source: Path, target: Path) -> None:
    # The backup API copes with WAL files; a file copy might miss pages.
    with contextlib.closing(sqlite3.connect(source)) as src:
        with contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)


@contextlib.contextmanager
def _postgres(key: str, scale: int, fresh: bool):
    import psycopg  # a dependency of the app; only needed here

    # The same default as settings.py when only DB=postgres is set.
    admin_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    url = urllib.parse.urlsplit(admin_url)
    template = f"{PG_NAME}_tpl_{key}"

    def url_for(name: str) -> str:
        return urllib.parse.urlunsplit(url._replace(path=f"/{name}"))

    def admin(*statements: str) -> list:
        # CREATE/DROP DATABASE can't run in a transaction: autocommit.
        with psycopg.connect(admin_url, autocommit=True) as conn:
            rows = []
            for sql in statements:
                cursor = conn.execute(sql)
                rows = cursor.fetchall() if cursor.description else []
            return rows

    existing = {
        name
        for (name,) in admin(
            "SELECT datname FROM pg_database"
            " WHERE starts_with(datname, 'peerspace_bench_tpl_')"
        )
    }
    env = base_env()
    if fresh or template not in existing:
        admin(*(f'DROP DATABASE IF EXISTS "{name}"' for name in existing))
        admin(f'CREATE DATABASE "{template}"')
        log(f"Building the demo database (scale {scale}); later runs reuse it...")
        started = time.monotonic()
        try:
            build({**env, "DATABASE_URL": url_for(template)}, scale)
        except BaseException:
            admin(f'DROP DATABASE IF EXISTS "{template}"')
            raise
        log(f"  built in {time.monotonic() - started:.0f} s")
    admin(
        f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)',
        f'CREATE DATABASE "{PG_NAME}" TEMPLATE "{template}"',
    )
    env["DATABASE_URL"] = url_for(PG_NAME)
    try:
        yield env, f"PostgreSQL database {PG_NAME} on {url.hostname}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int) -> Iterator[int]:
    """Serve the app on a free port on 127.0.0.1; always stopped afterwards."""
    port = free_port()
    options = ["--workers", str(workers), "--threads", str(threads)]
    options += ["--graceful-timeout", "5"]
    if _gunicorn_has("--no-control-socket"):
        # Newer gunicorns open a control socket in ~/.gunicorn, shared by every
        # gunicorn on the machine: this one doesn't need it.
        options.append("--no-control-socket")
    log_path = BENCH_DIR / "gunicorn.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "peerspace.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                *options,
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(process, port, log_path)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _gunicorn_has(option: str) -> bool:
    result = subprocess.run(
        [str(GUNICORN), "--help"], capture_output=True, text=True, timeout=30
    )
    return option in result.stdout


def _wait_until_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz/")
            response = conn.getresponse()
            if response.status == 200 and response.read() == b"ok":
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not healthy in 30 s:\n{log_path.read_text()[-3000:]}")
