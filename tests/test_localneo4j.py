"""Tests for tools.localneo4j: conf rendering (unit) and the real local server (integration)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from newsgraph.config import DEFAULTS, Settings, load_settings
from tools import localneo4j


def _conf_values(text: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values.setdefault(key.strip(), []).append(value.strip())
    return values


@pytest.fixture
def local_settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(
        load_settings(env_file=tmp_path / "missing.env"),
        neo4j_password="unit-test-secret",
        neo4j_home=tmp_path / "run",
        neo4j_bolt_port=17687,
        neo4j_http_port=17474,
        neo4j_heap="1g",
        neo4j_pagecache="512m",
    )


def test_conf_binds_loopback_only(local_settings: Settings) -> None:
    conf = _conf_values(localneo4j.render_conf(local_settings))
    assert conf["server.default_listen_address"] == ["127.0.0.1"]
    assert conf["server.bolt.listen_address"] == ["127.0.0.1:17687"]
    assert conf["server.http.listen_address"] == ["127.0.0.1:17474"]
    assert conf["server.http.enabled"] == ["true"]
    assert conf["server.https.enabled"] == ["false"]
    for key, values in conf.items():
        if key.endswith("listen_address") or key.endswith("advertised_address"):
            assert all(v.startswith("127.0.0.1") for v in values), key
    assert "0.0.0.0" not in localneo4j.render_conf(local_settings)


def test_conf_memory_auth_and_paths(local_settings: Settings) -> None:
    conf = _conf_values(localneo4j.render_conf(local_settings))
    assert conf["server.memory.pagecache.size"] == ["512m"]
    assert conf["server.memory.heap.max_size"] == ["1g"]
    assert conf["server.memory.heap.initial_size"] == ["1g"]
    assert conf["dbms.security.auth_enabled"] == ["true"]
    assert conf["dbms.usage_report.enabled"] == ["false"]
    home = localneo4j.run_dir(local_settings).as_posix()
    assert conf["server.directories.data"] == [f"{home}/data"]
    assert conf["server.directories.logs"] == [f"{home}/logs"]
    assert not [v for v in conf.values() for x in v if "@" in x]


def test_conf_and_command_never_contain_password(local_settings: Settings) -> None:
    localneo4j.write_conf(local_settings)
    text = (localneo4j.conf_dir(local_settings) / "neo4j.conf").read_text()
    assert local_settings.neo4j_password not in text
    cmd = localneo4j.java_command(local_settings, java="java")
    assert local_settings.neo4j_password not in " ".join(cmd)


def test_java_command(local_settings: Settings) -> None:
    localneo4j.write_conf(local_settings)
    cmd = localneo4j.java_command(local_settings, java="java")
    home = localneo4j.run_dir(local_settings)
    assert cmd[0] == "java"
    assert cmd[cmd.index("-cp") + 1].endswith(str(localneo4j.LIB_DIR / "*"))
    assert "-Xmx1g" in cmd and "-Xms1g" in cmd
    assert "--add-opens=java.base/java.nio=ALL-UNNAMED" in cmd
    assert "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED" in cmd
    entry = cmd.index(localneo4j.ENTRY_CLASS)
    assert cmd[entry + 1 :] == [f"--home-dir={home}", f"--config-dir={home / 'conf'}"]


def test_browser_content_joins_neo4j_browser_and_newsgraph_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    lib, extras, web = tmp_path / "lib", tmp_path / "extras", tmp_path / "web"
    lib.mkdir()
    extras.mkdir()
    with zipfile.ZipFile(lib / "neo4j-browser-5.24.0.jar", "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        jar.writestr("browser/index.html", "<title>Neo4j Browser</title>")
        jar.writestr("browser/assets/app.js", "//")
    (extras / "newsgraph.grass").write_text("node { color: #000000; }")
    monkeypatch.setattr(localneo4j, "LIB_DIR", lib)
    monkeypatch.setattr(localneo4j, "BROWSER_EXTRAS_DIR", extras)
    monkeypatch.setattr(localneo4j, "WEB_DIR", web)

    assert localneo4j.prepare_browser_content() == web
    assert (web / "browser" / "index.html").read_text() == "<title>Neo4j Browser</title>"
    assert (web / "browser" / "assets" / "app.js").is_file()
    assert (web / "browser" / "newsgraph.grass").read_text() == "node { color: #000000; }"
    assert not (web / "META-INF").exists()
    # extras are refreshed on every call; the jar is unpacked again only when it changes
    (extras / "newsgraph.grass").write_text("node { color: #FFFFFF; }")
    (web / "browser" / "assets" / "app.js").unlink()
    localneo4j.prepare_browser_content()
    assert (web / "browser" / "newsgraph.grass").read_text() == "node { color: #FFFFFF; }"
    assert not (web / "browser" / "assets" / "app.js").exists()
    with zipfile.ZipFile(lib / "neo4j-browser-5.24.0.jar", "a") as jar:
        jar.writestr("browser/new.js", "//")
    localneo4j.prepare_browser_content()
    assert (web / "browser" / "new.js").is_file() and (web / "browser" / "assets" / "app.js").is_file()
    assert (web / "browser" / "newsgraph.grass").is_file()
    assert [p.name for p in web.iterdir() if p.name.startswith(".") and p.is_dir()] == []


def test_java_command_serves_browser_from_web_dir(
    local_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = tmp_path / "web"
    monkeypatch.setattr(localneo4j, "WEB_DIR", web)
    localneo4j.write_conf(local_settings)
    classpath = localneo4j.java_command(local_settings, java="java")
    assert str(web) not in classpath[classpath.index("-cp") + 1]
    (web / "browser").mkdir(parents=True)
    (web / "browser" / "index.html").write_text("")
    cmd = localneo4j.java_command(local_settings, java="java")
    assert cmd[cmd.index("-cp") + 1].split(":")[0] == str(web)


def test_default_memory_is_small() -> None:
    assert localneo4j.size_to_bytes(DEFAULTS["NEO4J_HEAP"]) <= 1024**3
    assert localneo4j.size_to_bytes(DEFAULTS["NEO4J_PAGECACHE"]) <= 512 * 1024**2


def test_bad_memory_size_rejected(local_settings: Settings) -> None:
    assert localneo4j.size_to_bytes("512m") == 512 * 1024**2
    with pytest.raises(ValueError):
        localneo4j.render_conf(dataclasses.replace(local_settings, neo4j_pagecache="512m\nfoo=bar"))


def test_status_removes_stale_pid_file(local_settings: Settings) -> None:
    settings = dataclasses.replace(local_settings, neo4j_bolt_port=1, neo4j_http_port=1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pid_file = localneo4j.pid_file(settings)
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{dead.pid}\n")
    info = localneo4j.status(settings)
    assert info["running"] is False
    assert info["pid"] is None
    assert not pid_file.exists()
    assert localneo4j.stop(settings) is False


@pytest.mark.integration
def test_server_status_and_browser(neo4j_settings: Settings) -> None:
    info = localneo4j.status(neo4j_settings)
    assert info["running"] is True
    assert info["bolt_reachable"] is True
    assert info["auth_ok"] is True
    assert str(info["version"]).startswith("5.")
    assert localneo4j.is_bolt_reachable(neo4j_settings)

    url = f"http://127.0.0.1:{neo4j_settings.neo4j_http_port}/browser/"
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers.get_content_type() == "text/html"
        assert b"Neo4j Browser" in resp.read()


def test_java_never_gets_the_password_in_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "not-for-java-1")
    monkeypatch.setenv("NEO4J_AUTH", "neo4j/not-for-java-1")
    env = localneo4j._java_environment()
    assert "NEO4J_PASSWORD" not in env and "NEO4J_AUTH" not in env
    assert "not-for-java-1" not in "".join(env.values())


@pytest.mark.integration
def test_running_server_environment_holds_no_password(neo4j_settings: Settings) -> None:
    # Any user on the machine can read a process's environment for as long as it runs.
    pid_file = localneo4j.pid_file(neo4j_settings)
    if not pid_file.exists():
        pytest.skip(f"the test server on {neo4j_settings.neo4j_uri} was not started from this checkout "
                    f"(no {pid_file})")
    pid = int(pid_file.read_text().strip())
    environ = Path(f"/proc/{pid}/environ")
    if not environ.exists():
        pytest.skip("no /proc on this system")
    assert neo4j_settings.neo4j_password.encode() not in environ.read_bytes()
