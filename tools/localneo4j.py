"""A local Neo4j 5.26 Community server run straight from Maven Central jars.

`services/neo4j/pom.xml` copies the server's runtime classpath into
`services/neo4j/target/lib`; this module renders a `neo4j.conf` from
`services/neo4j/conf/neo4j.conf.template` into the run folder
(`Settings.neo4j_home`, default `services/neo4j/run`, git-ignored) and runs
`java ... org.neo4j.server.CommunityEntryPoint --home-dir=... --config-dir=...`
in the background, the same command Neo4j's own bootloader (`bin/neo4j`) builds.

Layout of the run folder::

    conf/neo4j.conf          rendered on every start (edit the template instead)
    data/ logs/ import/ plugins/
    run/newsgraph-neo4j.pid  pid of the java process started here
    logs/console.log         the JVM's stdout/stderr; Neo4j's own logs are logs/neo4j.log, logs/debug.log

The password is only ever handed to Neo4j through a private (0600) argument file
that is deleted straight away; it is never put on a command line, printed or logged.

Usage: `newsgraph neo4j start|stop|status` (the commands: tools/cli.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections import deque
from pathlib import Path
from typing import Any

from newsgraph.config import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

SERVICE_DIR = PROJECT_ROOT / "services" / "neo4j"
LIB_DIR = SERVICE_DIR / "target" / "lib"
CONF_TEMPLATE = SERVICE_DIR / "conf" / "neo4j.conf.template"
# newsgraph's Browser files (style sheet, guide), served at /browser/<name> next to Neo4j Browser.
BROWSER_EXTRAS_DIR = SERVICE_DIR / "browser"
# Neo4j serves /browser/ from the first `browser/` resource on the classpath, so this
# folder (first on the classpath) holds Neo4j Browser's files plus BROWSER_EXTRAS_DIR's.
WEB_DIR = SERVICE_DIR / "target" / "web"

ENTRY_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"
PID_FILE_NAME = "newsgraph-neo4j.pid"
CONSOLE_LOG_NAME = "console.log"
MIN_JAVA = 17
MIN_PASSWORD_LENGTH = 8  # dbms.security.auth_minimum_password_length default

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kKmMgG]?)\s*$")
# Not handed to java: JVM options that would override ours, and the secrets,
# which anyone on the machine could otherwise read in /proc/<pid>/environ for
# as long as the server runs (the password reaches Neo4j through a file).
_NOT_FOR_JAVA = ("JAVA_OPTS", "JAVA_TOOL_OPTIONS", "NEO4J_CONF", "NEO4J_PASSWORD", "NEO4J_AUTH")


def _java_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _NOT_FOR_JAVA}


# Popen objects of servers started by this process, kept so they can be reaped.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


# --------------------------------------------------------------------------- paths


def run_dir(settings: Settings) -> Path:
    return Path(settings.neo4j_home).resolve()


def conf_dir(settings: Settings) -> Path:
    return run_dir(settings) / "conf"


def pid_file(settings: Settings) -> Path:
    return run_dir(settings) / "run" / PID_FILE_NAME


def console_log(settings: Settings) -> Path:
    return run_dir(settings) / "logs" / CONSOLE_LOG_NAME


def bolt_address(settings: Settings) -> str:
    return f"bolt://127.0.0.1:{settings.neo4j_bolt_port}"


def http_address(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.neo4j_http_port}"


# --------------------------------------------------------------------------- build


def ensure_built() -> Path:
    """Make sure `services/neo4j/target/lib` holds the server's jars (runs Maven if not)."""
    if _lib_complete():
        return LIB_DIR
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError(
            f"{LIB_DIR} is missing the Neo4j jars and Maven (`mvn`) is not installed. "
            "Install Maven (e.g. `apt-get install maven`) and run `mvn -q -B package` in "
            f"{SERVICE_DIR}."
        )
    log.info("Fetching the Neo4j server jars with Maven (first run only) ...")
    proc = subprocess.run([mvn, "-q", "-B", "package"], cwd=SERVICE_DIR, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not _lib_complete():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"`mvn -q -B package` in {SERVICE_DIR} failed (exit {proc.returncode}):\n{tail}")
    return LIB_DIR


def _lib_complete() -> bool:
    return LIB_DIR.is_dir() and any(LIB_DIR.glob("neo4j-server-*.jar")) and any(LIB_DIR.glob("neo4j-5*.jar"))


def java_executable() -> str:
    """`$JAVA_HOME/bin/java` if set, else `java` from PATH; checks the version is 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise RuntimeError(
            f"Java {MIN_JAVA} or 21 is needed to run Neo4j 5.26, but no `java` was found "
            "(set JAVA_HOME or put java on PATH; e.g. `apt-get install openjdk-17-jre-headless`)."
        )
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if match:
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0_x"
            major = int(match.group(2))
        if major < MIN_JAVA:
            raise RuntimeError(f"{java} is Java {major}; Neo4j 5.26 needs Java 17 or 21.")
    return java


def prepare_browser_content() -> Path | None:
    """Fill WEB_DIR/browser/ with Neo4j Browser (from its jar) and newsgraph's Browser files.

    Neo4j 5.26 serves /browser/ from `ClassLoader.getResource("browser")`, a single
    classpath entry, so extra files cannot sit in a jar of their own: this folder,
    put first on the classpath, carries the whole Browser. The jar is unpacked once
    (again when it changes); the extra files are refreshed on every start.
    Returns WEB_DIR, or None when no neo4j-browser jar is in LIB_DIR.
    """
    jars = sorted(LIB_DIR.glob("neo4j-browser-*.jar"))
    if not jars:
        return None
    jar = jars[-1]
    stamp = f"{jar.name} {jar.stat().st_size}\n"
    marker = WEB_DIR / ".unpacked-from"
    target = WEB_DIR / "browser"
    if not (marker.is_file() and marker.read_text() == stamp and target.is_dir()):
        WEB_DIR.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".browser-", dir=WEB_DIR))
        with zipfile.ZipFile(jar) as archive:
            archive.extractall(staging, [n for n in archive.namelist() if n.startswith("browser/")])
        old = WEB_DIR / f".old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        (staging / "browser").rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        marker.write_text(stamp)
    for extra in sorted(BROWSER_EXTRAS_DIR.glob("*")):
        if extra.is_file():
            dest = target / extra.name
            if not dest.is_file() or dest.read_bytes() != extra.read_bytes():
                tmp = dest.with_name(f".{extra.name}.{os.getpid()}")
                shutil.copyfile(extra, tmp)
                os.replace(tmp, dest)
    return WEB_DIR


# --------------------------------------------------------------------------- config


def size_to_bytes(value: str) -> int:
    """'1g' -> 1073741824; accepts a plain number of bytes or a k/m/g suffix."""
    match = _SIZE_RE.match(value)
    if not match:
        raise ValueError(f"not a memory size: {value!r} (use e.g. 512m or 1g)")
    number, unit = int(match.group(1)), match.group(2).lower()
    return number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def _jvm_size(value: str) -> str:
    size_to_bytes(value)  # validates
    return value.strip().lower()


def render_conf(settings: Settings, template: Path = CONF_TEMPLATE) -> str:
    """The text of neo4j.conf for these settings (no secrets in it)."""
    values = {
        "HOME": run_dir(settings).as_posix(),
        "LIB": LIB_DIR.as_posix(),
        "BOLT_PORT": str(int(settings.neo4j_bolt_port)),
        "HTTP_PORT": str(int(settings.neo4j_http_port)),
        "HEAP": _jvm_size(settings.neo4j_heap),
        "PAGECACHE": _jvm_size(settings.neo4j_pagecache),
    }
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise ValueError(f"unfilled placeholders in {template}: {sorted(set(leftover))}")
    return text


def jvm_options(conf_text: str) -> list[str]:
    """The `server.jvm.additional` values of a neo4j.conf, in order."""
    opts = []
    for line in conf_text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == "server.jvm.additional" and value.strip():
            opts.append(value.strip())
    return opts


def write_conf(settings: Settings) -> Path:
    """Create the run folder's sub-folders and (re)write conf/neo4j.conf."""
    home = run_dir(settings)
    for sub in ("conf", "data", "logs", "run", "import", "plugins"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    path = conf_dir(settings) / "neo4j.conf"
    path.write_text(render_conf(settings), encoding="utf-8")
    return path


def java_command(settings: Settings, java: str | None = None) -> list[str]:
    """The full java command line that runs the server (mirrors Neo4j's bootloader)."""
    home = run_dir(settings)
    conf_text = (conf_dir(settings) / "neo4j.conf").read_text(encoding="utf-8")
    heap = _jvm_size(settings.neo4j_heap)
    # WEB_DIR first: its browser/ (Neo4j Browser + newsgraph's files) is the one served.
    entries = [str(WEB_DIR)] if (WEB_DIR / "browser" / "index.html").is_file() else []
    classpath = os.pathsep.join([*entries, str(home / "plugins" / "*"), str(LIB_DIR / "*")])
    return [
        java or java_executable(),
        "-cp",
        classpath,
        *jvm_options(conf_text),
        "-Dfile.encoding=UTF-8",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        ENTRY_CLASS,
        f"--home-dir={home}",
        f"--config-dir={conf_dir(settings)}",
    ]


# --------------------------------------------------------------------------- password


def _store_initialised(settings: Settings) -> bool:
    return (run_dir(settings) / "data" / "databases" / "system").exists()


def set_initial_password(settings: Settings, java: str | None = None) -> None:
    """`neo4j-admin dbms set-initial-password`, before the very first start only.

    The password reaches the admin tool through a picocli @argument-file (mode 0600,
    deleted right after), never through the process's command line.
    """
    password = settings.neo4j_password
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuntimeError(f"NEO4J_PASSWORD is too short: Neo4j needs at least {MIN_PASSWORD_LENGTH} characters.")
    home = run_dir(settings)
    quoted = '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
    fd, arg_path = tempfile.mkstemp(prefix=".pw-", dir=home / "run")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(quoted + "\n")
        env = {**_java_environment(), "NEO4J_HOME": str(home), "NEO4J_CONF": str(conf_dir(settings))}
        cmd = [
            java or java_executable(),
            "-Xmx256m",
            "-cp",
            str(LIB_DIR / "*"),
            ADMIN_CLASS,
            "dbms",
            "set-initial-password",
            f"@{arg_path}",
        ]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=home)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(arg_path)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).replace(password, "***")
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise RuntimeError(f"neo4j-admin dbms set-initial-password failed (exit {proc.returncode}):\n{tail}")
    auth_ini = home / "data" / "dbms" / "auth.ini"
    if auth_ini.exists():
        auth_ini.chmod(0o600)
    log.info("Initial password for user %r set.", settings.neo4j_user)


# --------------------------------------------------------------------------- process


def _pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _CHILDREN.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie still answers kill(0)
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_neo4j_process(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (not Linux): trust the pid file
    return ENTRY_CLASS.encode() in cmdline


def _read_pid(settings: Settings) -> int | None:
    try:
        return int(pid_file(settings).read_text().strip())
    except (OSError, ValueError):
        return None


def _live_pid(settings: Settings) -> int | None:
    """The pid from the pid file if that process is our Neo4j and alive; drops a stale file."""
    pid = _read_pid(settings)
    if pid is None:
        if pid_file(settings).exists():
            pid_file(settings).unlink(missing_ok=True)
        return None
    if _pid_alive(pid) and _is_neo4j_process(pid):
        return pid
    log.info("Removing stale pid file %s (pid %d is not running).", pid_file(settings), pid)
    pid_file(settings).unlink(missing_ok=True)
    return None


def _port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def log_tail(settings: Settings, lines: int = 30) -> str:
    """The last lines of console.log and Neo4j's neo4j.log (debug.log if that is empty)."""
    logs = run_dir(settings) / "logs"
    parts = []
    for name in (CONSOLE_LOG_NAME, "neo4j.log"):
        path = logs / name
        if path.is_file():
            tail = _tail(path, lines)
            if tail.strip("\x06\n "):
                parts.append(f"--- {path} ---\n{tail}")
    if len(parts) < 2 and (logs / "debug.log").is_file():
        parts.append(f"--- {logs / 'debug.log'} ---\n{_tail(logs / 'debug.log', lines)}")
    return "\n".join(parts) if parts else f"(no log output in {logs})"


def _tail(path: Path, lines: int) -> str:
    with path.open(encoding="utf-8", errors="replace") as fh:
        return "".join(deque(fh, maxlen=lines)).rstrip("\n")


# --------------------------------------------------------------------------- bolt


class PasswordMismatchError(RuntimeError):
    """The server is up but rejects the user/password from the settings."""


def _mismatch_message(settings: Settings) -> str:
    return (
        f"Neo4j at {bolt_address(settings)} rejected user {settings.neo4j_user!r} with the password from "
        "NEO4J_PASSWORD. The local store "
        f"({run_dir(settings) / 'data'}) keeps the password it was first started with (or the one set "
        "later with ALTER USER): set NEO4J_PASSWORD back to that password, or stop the server and delete "
        "that data folder to start over with an empty store."
    )


def _bolt_query(settings: Settings, query: str, timeout: float = 5.0) -> list[Any]:
    """Run one query on the user's home database as settings.neo4j_user."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(
        bolt_address(settings),
        auth=(settings.neo4j_user, settings.neo4j_password),
        connection_timeout=timeout,
        connection_acquisition_timeout=timeout,
        max_connection_pool_size=1,
    ) as driver:
        records, _, _ = driver.execute_query(query)
        return [record.values() for record in records]


def is_bolt_reachable(settings: Settings, timeout: float = 5.0) -> bool:
    """True when an authenticated `RETURN 1` over Bolt succeeds.

    Raises PasswordMismatchError (a RuntimeError) when a server answers but refuses
    the credentials: that is a configuration error, not an unreachable server.
    """
    from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired, TransientError

    if not _port_open(settings.neo4j_bolt_port):
        return False
    try:
        return _bolt_query(settings, "RETURN 1 AS ok", timeout) == [[1]]
    except ClientError as exc:
        # AuthError, or AuthenticationRateLimit after a few wrong passwords in a row.
        if (exc.code or "").startswith("Neo.ClientError.Security."):
            raise PasswordMismatchError(_mismatch_message(settings)) from exc
        raise
    except (ServiceUnavailable, SessionExpired, TransientError, OSError):
        # not listening yet, or databases still starting (DatabaseUnavailable is transient)
        return False


def server_version(settings: Settings, timeout: float = 3.0) -> str | None:
    """The version from the HTTP discovery document (no auth needed), else via Bolt."""
    try:
        with urllib.request.urlopen(http_address(settings) + "/", timeout=timeout) as resp:
            version = json.load(resp).get("neo4j_version")
            if version:
                return str(version)
    except (OSError, ValueError, urllib.error.URLError):
        pass
    try:
        rows = _bolt_query(settings, "CALL dbms.components() YIELD versions RETURN versions[0]", timeout)
        return str(rows[0][0]) if rows else None
    except Exception:
        return None


# --------------------------------------------------------------------------- start / stop / status


def start(settings: Settings, timeout: float = 120) -> bool:
    """Start the local server unless one is already up; wait until Bolt answers `RETURN 1`.

    Returns True if this call started a server, False if one was already running.
    """
    pid = _live_pid(settings)
    if pid is not None:
        log.info("Neo4j already running (pid %d); waiting for Bolt.", pid)
        _wait_for_bolt(settings, pid, timeout, started_here=False)
        return False
    if is_bolt_reachable(settings):
        log.info("A Neo4j server already answers at %s.", bolt_address(settings))
        return False
    for port in (settings.neo4j_bolt_port, settings.neo4j_http_port):
        if _port_open(port):
            raise RuntimeError(
                f"Port {port} on 127.0.0.1 is taken by another program, so the local Neo4j cannot start "
                "(change NEO4J_BOLT_PORT / NEO4J_HTTP_PORT or stop that program)."
            )
    size_to_bytes(settings.neo4j_heap)
    size_to_bytes(settings.neo4j_pagecache)

    ensure_built()
    prepare_browser_content()
    java = java_executable()
    write_conf(settings)
    if not _store_initialised(settings):
        set_initial_password(settings, java)

    cmd = java_command(settings, java)
    env = {**_java_environment(), "NEO4J_HOME": str(run_dir(settings))}
    console = console_log(settings)
    with console.open("ab") as out:
        out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            cmd,
            cwd=run_dir(settings),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    pid_file(settings).write_text(f"{proc.pid}\n")
    log.info("Started Neo4j (pid %d), waiting up to %ss for Bolt at %s", proc.pid, timeout, bolt_address(settings))
    began = time.monotonic()
    _wait_for_bolt(settings, proc.pid, timeout, started_here=True)
    log.info("Neo4j is up after %.1fs; Browser at %s/browser/", time.monotonic() - began, http_address(settings))
    return True


def _wait_for_bolt(settings: Settings, pid: int, timeout: float, started_here: bool) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not _pid_alive(pid):
            pid_file(settings).unlink(missing_ok=True)
            raise RuntimeError(f"Neo4j (pid {pid}) exited during startup. Last log lines:\n{log_tail(settings)}")
        try:
            if is_bolt_reachable(settings, timeout=5.0):
                return
        except PasswordMismatchError:
            if started_here:
                stop(settings)
            raise
        if time.monotonic() >= deadline:
            if started_here:
                stop(settings)
            raise RuntimeError(
                f"Neo4j did not answer on {bolt_address(settings)} within {timeout:.0f}s"
                f"{' (the server was stopped again)' if started_here else ''}. "
                f"Last log lines:\n{log_tail(settings)}"
            )
        time.sleep(0.5)


def stop(settings: Settings, timeout: float = 60) -> bool:
    """SIGTERM the server from the pid file, SIGKILL after `timeout`. True if one was stopped."""
    pid = _live_pid(settings)
    if pid is None:
        return False
    log.info("Stopping Neo4j (pid %d) ...", pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_exit(pid, timeout):
        log.warning("Neo4j (pid %d) did not stop within %ss; sending SIGKILL.", pid, timeout)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_exit(pid, 10)
    _CHILDREN.pop(pid, None)
    pid_file(settings).unlink(missing_ok=True)
    return True


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def status(settings: Settings) -> dict[str, Any]:
    """What is known about the local server; never contains the password."""
    pid = _live_pid(settings)
    info: dict[str, Any] = {
        "running": False,
        "managed": pid is not None,
        "pid": pid,
        "pid_file": str(pid_file(settings)),
        "bolt_address": bolt_address(settings),
        "http_address": http_address(settings),
        "browser_url": http_address(settings) + "/browser/",
        "home": str(run_dir(settings)),
        "log_file": str(run_dir(settings) / "logs" / "neo4j.log"),
        "console_log": str(console_log(settings)),
        "bolt_reachable": False,
        "auth_ok": None,
        "version": None,
    }
    try:
        info["bolt_reachable"] = is_bolt_reachable(settings)
        info["auth_ok"] = info["bolt_reachable"] or None
    except PasswordMismatchError:
        info["bolt_reachable"] = True
        info["auth_ok"] = False
    info["running"] = pid is not None or bool(info["bolt_reachable"])
    if info["running"]:
        info["version"] = server_version(settings)
    return info
