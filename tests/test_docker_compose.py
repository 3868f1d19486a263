"""Structure checks of the production deployment in docker/.

No Docker engine is needed: compose.yaml is parsed with PyYAML and the
Dockerfile is read as text. Compose's ``${VAR:-default}`` interpolation is
resolved here the way `docker compose` does with no variables set, so the
defaults that ship are what is checked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parent.parent
DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
DOCKERFILE = DOCKER / "Dockerfile"

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Resolve compose-style ``${VAR}``, ``${VAR:-default}``, ``${VAR:?err}``."""
    env = env or {}

    def sub(m: re.Match[str]) -> str:
        name, op, arg = m.group("name"), m.group("op"), m.group("arg")
        val = env.get(name)
        if op in (":-", "-"):
            return val if val else arg
        if op in (":?", "?"):
            if not val:
                raise KeyError(f"{name} is required: {arg}")
            return val
        return val or ""

    # "$$" is an escaped literal "$" in compose.
    parts = value.split("$$")
    return "$".join(_VAR.sub(sub, p) for p in parts)


def parse_env_file(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, val = line.partition("=")
        out[key.strip()] = val.strip().strip('"').strip("'")
    return out


def env_dict(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def port_bindings(service: dict, env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(host_ip, host_port, container_port) for each published port."""
    out = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            out.append(
                (
                    interpolate(str(port.get("host_ip", "")), env),
                    interpolate(str(port.get("published", "")), env),
                    str(port.get("target")),
                )
            )
            continue
        parts = interpolate(str(port), env).split(":")
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2].split("/")[0]))
        elif len(parts) == 2:
            out.append(("", parts[0], parts[1].split("/")[0]))
        else:
            out.append(("", "", parts[0].split("/")[0]))
    return out


def volume_mounts(service: dict, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(source, target) for each mount, after interpolation."""
    out = []
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            out.append((interpolate(str(vol.get("source", "")), env), str(vol.get("target", ""))))
        else:
            src, _, rest = interpolate(str(vol), env).partition(":")
            out.append((src, rest.split(":")[0]))
    return out


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE.is_file(), "docker/compose.yaml is missing"
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    return parse_env_file(DOCKER / ".env.example")


def test_three_services(services):
    assert {"neo4j", "prefect-server", "worker"} <= set(services)


def test_neo4j_image_is_5_26_community(services):
    image = services["neo4j"]["image"]
    assert re.fullmatch(r"neo4j:5\.26(\.\d+)?-community(-\w+)?", image), image
    assert "enterprise" not in image


def test_neo4j_auth_uses_password_variable(services, example_env):
    auth = env_dict(services["neo4j"])["NEO4J_AUTH"]
    assert auth.strip().lower() != "none"
    assert re.fullmatch(r"neo4j/\$\{NEO4J_PASSWORD(:?[?][^}]*)?\}", auth), auth
    # Without a password compose must refuse to start rather than fall back to a default.
    with pytest.raises(KeyError):
        interpolate(auth, {})
    assert interpolate(auth, example_env) == "neo4j/" + example_env["NEO4J_PASSWORD"]


def test_neo4j_memory_settings(services):
    env = env_dict(services["neo4j"])
    for key in (
        "NEO4J_server_memory_heap_initial__size",
        "NEO4J_server_memory_heap_max__size",
        "NEO4J_server_memory_pagecache_size",
    ):
        assert interpolate(env[key]), key


def test_neo4j_healthcheck_uses_cypher_shell(services):
    check = services["neo4j"]["healthcheck"]["test"]
    text = " ".join(check) if isinstance(check, list) else check
    assert "cypher-shell" in text
    # Credentials come from NEO4J_AUTH inside the container ("$$" escapes
    # compose interpolation), so the secret is not copied into the definition.
    assert "NEO4J_PASSWORD" not in text
    assert "$${NEO4J_AUTH" in text


@pytest.mark.parametrize("which", ["default", "example-env"])
def test_ports_bound_to_localhost(services, example_env, which):
    env = {} if which == "default" else example_env
    expected = {"neo4j": {"7474", "7687"}, "prefect-server": {"4200"}}
    for name, targets in expected.items():
        bindings = port_bindings(services[name], env)
        assert {b[2] for b in bindings} >= targets, (name, bindings)
        for host_ip, _, target in bindings:
            assert host_ip == "127.0.0.1", (name, target, host_ip)
    assert not services["worker"].get("ports"), "the worker publishes no port"
    for svc in services.values():
        assert svc.get("network_mode") != "host"


def test_named_volumes_for_neo4j_and_prefect(compose, services):
    declared = set(compose.get("volumes") or {})
    neo4j = dict((t, s) for s, t in volume_mounts(services["neo4j"]))
    for target in ("/data", "/logs"):
        assert neo4j.get(target) in declared, (target, neo4j)
    prefect_targets = [t for s, t in volume_mounts(services["prefect-server"]) if s in declared]
    assert prefect_targets, "prefect-server keeps its database on a named volume"
    # The database file lives on that volume.
    env = env_dict(services["prefect-server"])
    db_url = env.get("PREFECT_API_DATABASE_CONNECTION_URL", "")
    db_path = db_url.split(":///", 1)[1] if ":///" in db_url else env.get("PREFECT_HOME", "/root/.prefect")
    db_path = "/" + db_path.lstrip("/")
    assert any(db_path == t or db_path.startswith(t.rstrip("/") + "/") for t in prefect_targets), (
        db_path,
        prefect_targets,
    )


def test_prefect_server(services):
    prefect = services["prefect-server"]
    assert prefect["image"].startswith("prefecthq/prefect:3")
    command = prefect["command"]
    command = " ".join(command) if isinstance(command, list) else command
    assert "prefect server start" in command
    assert "--host 0.0.0.0" in command


def test_worker_environment(services):
    env = env_dict(services["worker"])
    assert re.fullmatch(r"bolt://neo4j:7687", env["NEO4J_URI"]), env["NEO4J_URI"]
    assert env["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert "${NEO4J_PASSWORD" in env["NEO4J_PASSWORD"]
    assert "NEO4J_USER" in env


def test_worker_builds_from_dockerfile(services):
    build = services["worker"]["build"]
    assert isinstance(build, dict)
    context = (DOCKER / build.get("context", ".")).resolve()
    assert context == REPO, "build context is the repository root"
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE


def test_worker_command_and_dependencies(services):
    worker = services["worker"]
    command = worker["command"]
    command = command if isinstance(command, list) else command.split()
    assert command[:3] == ["serve", "--inbox", "/inbox"]
    assert command[3] == "--cron"
    assert interpolate(command[4]) == "*/15 * * * *"
    assert "NEWSGRAPH_CRON" in command[4]
    assert any(t == "/inbox" for _, t in volume_mounts(worker))
    deps = worker["depends_on"]
    assert deps["neo4j"]["condition"] == "service_healthy"
    assert "prefect-server" in deps


def test_env_file_is_an_example_only(services, example_env):
    env_files = services["worker"].get("env_file") or []
    env_files = [env_files] if isinstance(env_files, (str, dict)) else env_files
    assert env_files, "worker reads docker/.env"
    for entry in env_files:
        path = entry["path"] if isinstance(entry, dict) else entry
        assert (DOCKER / path).resolve() == (DOCKER / ".env").resolve()
    assert (DOCKER / ".env.example").is_file()
    assert example_env.get("NEO4J_PASSWORD"), "the example names NEO4J_PASSWORD"
    assert len(example_env["NEO4J_PASSWORD"]) >= 8, "Neo4j rejects passwords under 8 characters"
    ignored = (DOCKER / ".gitignore").read_text().split()
    assert ".env" in ignored


def test_no_real_env_file_committed():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "--", "docker/.env", ".env"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == [], tracked


def test_dockerfile_non_root_and_installs_project():
    text = DOCKERFILE.read_text()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    froms = [ln for ln in lines if ln.upper().startswith("FROM ")]
    assert froms and all("python:3.11-slim" in ln for ln in froms), froms
    users = [ln.split(None, 1)[1] for ln in lines if ln.upper().startswith("USER ")]
    assert users, "the image must switch to a non-root USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    entry = [ln for ln in lines if ln.upper().startswith("ENTRYPOINT")]
    assert entry and "newsgraph" in entry[-1]


def _prefect_requirement() -> str:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [d for d in project["dependencies"] if re.match(r"prefect\s*[<>=!~]", d)]
    assert len(found) == 1, found
    return found[0]


def test_prefect_server_is_the_workers_prefect(services):
    from packaging.requirements import Requirement

    image = services["prefect-server"]["image"]
    # A release tag: a floating "3-python3.11" moves to Prefect versions the client was never tested with.
    tag = re.fullmatch(r"prefecthq/prefect:(\d+\.\d+\.\d+)-python3\.11", image)
    assert tag, image
    server = tag.group(1)
    requirement = Requirement(_prefect_requirement())
    assert requirement.specifier.contains(server), (server, str(requirement))
    dockerfile = DOCKERFILE.read_text()
    arg = re.search(r"^ARG PREFECT_VERSION=(\S+)$", dockerfile, re.MULTILINE)
    assert arg and arg.group(1) == server, "docker/Dockerfile installs the server's Prefect in the worker"
    assert re.search(r"pip install /tmp/dist/newsgraph-\*\.whl \"prefect==\$\{PREFECT_VERSION\}\"", dockerfile)
    assert f"`{image}`" in (DOCKER / "README.md").read_text(), "docker/README.md names the image compose runs"


def _run_commands(text: str) -> list[str]:
    """Each RUN instruction's shell command, continuation lines joined, comments dropped."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [m.group(1) for m in re.finditer(r"^RUN\s+(.*)$", joined, re.MULTILINE)]


def test_dockerfile_installs_the_projects_wheel():
    # The image's environment is a wheel of the project installed into a fresh
    # virtualenv, and only that virtualenv reaches the final stage: extraction
    # in the image reads only what the wheel ships. tests/test_standalone.py
    # builds the same environment and compares its extraction with the checkout's.
    text = DOCKERFILE.read_text()
    commands = " && ".join(_run_commands(text))
    wheel = re.search(r"(\S+/bin/pip) wheel --no-deps --wheel-dir (\S+) \.(?:\s|$)", commands)
    assert wheel, "builds the project's wheel with pip wheel --no-deps"
    pip, wheel_dir = wheel.groups()
    assert re.search(rf"{re.escape(pip)} install [^&]*{re.escape(wheel_dir)}/newsgraph-\*\.whl", commands), (
        "installs the wheel it built, into the same virtualenv")
    assert re.search(r"python -m venv " + re.escape(pip.removesuffix("/bin/pip")) + r"(\s|$)", commands)
    assert not re.search(r"pip install[^&]*(\s-e\s|--editable)", commands), "no editable install in the image"
    assert not re.search(r"pip install[^&]*\s\.(\s|$)", commands), "the wheel, not the source tree, is installed"
    copies = [ln.split() for ln in text.splitlines() if ln.upper().startswith("COPY --FROM=")]
    assert copies, "a multi-stage build"
    venv = pip.removesuffix("/bin/pip")
    assert all(c[2:] == [venv, venv] for c in copies), (
        f"the final stage takes only the virtualenv from the build stage: {copies}")
