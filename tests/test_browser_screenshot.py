"""Neo4j Browser with newsgraph's style sheet and guide, in a real (headless) Chromium.

The local server serves `services/neo4j/browser/*` next to Neo4j Browser (see
`localneo4j.prepare_browser_content`). The Browser test logs in to the test
server, opens the guide with `:play`, clicks the guide's "who holds which role"
query, runs it, applies the style and saves `browser.png` (in docs/screenshots with `make screenshot`)
(and `guide.png`). It needs Chromium (Debian: `apt-get install chromium`) and
Playwright for Python; it downloads no browser and skips when either is absent.
`make screenshot` runs just this file.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools import localneo4j

ROOT = Path(__file__).resolve().parent.parent
BROWSER_FILES = localneo4j.BROWSER_EXTRAS_DIR
GRASS = BROWSER_FILES / "newsgraph.grass"
GUIDE = BROWSER_FILES / "newsgraph-guide.html"
# `make screenshot` writes the README's pictures to docs/screenshots; a plain
# test run writes to build/ so it leaves the working tree alone.
SCREENSHOTS = Path(os.environ.get("NEWSGRAPH_SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
ROLES_QUERY = "MATCH (p:Person)-[r:HOLDS_ROLE]->(c)\nRETURN p, r, c LIMIT 25"
PERSON_COLOUR = "#4C8EDA"


# --------------------------------------------------------------------------- the files


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Neo4j Browser's own GraSS reader (parseGrass in Browser 5), in Python.

    Quotes (' or ") only toggle "inside a string"; braces inside one are kept;
    there are no comments, so a comment would end up in the next selector.
    """
    rules: dict[str, str] = {}
    quoted = in_rule = nested = False
    selector = body = ""
    for ch in text:
        special = True
        if ch == "{":
            if quoted:
                special = False
            elif in_rule:
                nested = True
            else:
                in_rule = True
        elif ch == "}":
            if quoted:
                special = False
            elif nested:
                nested = False
            else:
                in_rule = False
                rules[selector] = body
                selector = body = ""
        elif ch in "'\"":
            quoted = not quoted
        else:
            special = False
        if not special:
            if in_rule:
                body += ch
            elif not ch.isspace():
                selector += ch
    parsed: dict[str, dict[str, str]] = {}
    for sel, props in rules.items():
        parsed[sel] = {}
        for decl in props.split(";"):
            parts = decl.split(":")
            if len(parts) == 2:
                parsed[sel][parts[0].strip()] = parts[1].strip()
    return parsed


def guide_queries() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [html.unescape(q).strip() for q in re.findall(r'<pre class="code runnable">(.*?)</pre>', text, re.S)]


def test_grass_has_a_colour_and_caption_per_label() -> None:
    rules = parse_grass(GRASS.read_text(encoding="utf-8"))
    assert all(re.fullmatch(r"(node|relationship)(\.\w+)?", sel) for sel in rules), list(rules)
    captions = {
        "Person": "{name}",
        "Country": "{name}",
        "Organization": "{name}",
        "Place": "{name}",
        "Event": "{name}",
        "Date": "{value}",
        "Mention": "{text}",
        "Document": "{source_id}",
    }
    for label, caption in captions.items():
        rule = rules[f"node.{label}"]
        assert rule["caption"] == caption, label
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["color"]), label
        assert rule["diameter"].endswith("px"), label
    colours = [rules[f"node.{label}"]["color"].upper() for label in captions]
    assert len(set(colours)) == len(colours), "two labels share a colour"
    assert rules["node.Person"]["color"] == PERSON_COLOUR
    assert rules["relationship.HOLDS_ROLE"]["caption"] == "{role}"
    assert rules["relationship.PARTICIPATES_IN"]["caption"] == "{role}"
    assert rules["relationship.RELATIVE_OF"]["caption"] == "{kind}"
    for rel in ("NATIONAL_OF", "LIVES_IN", "LOCATED_IN", "ON_DATE", "REFERS_TO", "IN_DOCUMENT"):
        assert rules[f"relationship.{rel}"]["caption"] == "<type>", rel


def test_guide_is_a_browser_guide() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert text.lstrip().startswith('<article class="guide">')
    assert '<carousel class="deck container-fluid">' in text
    slides = re.findall(r'<slide class="row-fluid">(.*?)</slide>', text, re.S)
    assert len(slides) >= 6
    titles = " | ".join(re.findall(r"<h3>(.*?)</h3>", text))
    for topic in ("labels", "role", "event", "Evidence", "Family", "two entities"):
        assert topic.lower() in titles.lower(), topic
    queries = guide_queries()
    assert ROLES_QUERY in queries
    assert "<script" not in text.lower()


def test_conf_lets_the_browser_load_the_files() -> None:
    conf = localneo4j.CONF_TEMPLATE.read_text(encoding="utf-8")
    allow = re.search(r"^browser\.remote_content_hostname_whitelist=(.*)$", conf, re.M)
    assert allow and "127.0.0.1" in allow.group(1).split(",")
    assert "browser.post_connect_cmd=style http://127.0.0.1:@HTTP_PORT@/browser/newsgraph.grass" in conf


# --------------------------------------------------------------------------- the server and the browser


@pytest.fixture(scope="module")
def examples_graph(neo4j_settings: Any, prefect_harness: None) -> Any:
    """The examples, ingested into a freshly reset graph (as `empty_graph` resets it)."""
    from flows.ingest import ingest_flow
    from graphstore import store
    from newsgraph.connection import connection

    conn = connection(neo4j_settings)
    store.reset(conn)
    store.ensure_schema(conn)
    report = ingest_flow([str(ROOT / "examples")])
    assert report["failed"] == []
    assert report["loaded"] > 0
    return conn


@pytest.mark.integration
def test_guide_queries_answer_on_the_examples(examples_graph: Any) -> None:
    from graphstore import store

    for query in guide_queries():
        if query.startswith(":"):
            continue
        rows = store.run_query(examples_graph, query, {})
        assert rows, f"no rows for the guide's query:\n{query}"


@pytest.mark.integration
def test_server_serves_the_browser_files(neo4j_settings: Any) -> None:
    import urllib.error
    import urllib.request

    base = f"{localneo4j.http_address(neo4j_settings)}/browser"
    restart = "the test Neo4j copies these files when it starts: stop it and run the tests again"
    for path in (GRASS, GUIDE):
        try:
            with urllib.request.urlopen(f"{base}/{path.name}", timeout=10) as resp:
                served = resp.read()
        except urllib.error.HTTPError as exc:
            pytest.fail(f"{base}/{path.name}: HTTP {exc.code}; {restart}")
        assert served == path.read_bytes(), f"{base}/{path.name} is stale; {restart}"
    with urllib.request.urlopen(f"{base}/", timeout=10) as resp:
        assert b"Neo4j Browser" in resp.read()


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the Browser screenshot test needs it")


@pytest.fixture(scope="module")
def page(neo4j_settings: Any) -> Iterator[Any]:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            yield context.new_page()
        finally:
            browser.close()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.integration
def test_browser_shows_the_styled_graph(examples_graph: Any, neo4j_settings: Any, page: Any) -> None:
    s = neo4j_settings
    http = localneo4j.http_address(s)
    timeout = 90_000  # ms; the machines are slow and shared
    page.set_default_timeout(timeout)

    page.goto(f"{http}/browser/", wait_until="domcontentloaded")
    page.fill('[data-testid="boltaddress"]', localneo4j.bolt_address(s))
    page.fill('[data-testid="username"]', s.neo4j_user)
    page.fill('[data-testid="password"]', s.neo4j_password)
    page.click('[data-testid="connect"]')
    # browser.post_connect_cmd applies the style as soon as the login succeeds
    page.locator('[data-testid="frameCommand"]', has_text=":style").first.wait_for()
    assert "Connection failed" not in page.inner_text("body")

    editor = page.locator('[data-testid="activeEditor"]')

    def run(command: str) -> None:
        editor.click()
        page.keyboard.insert_text(command)
        page.click('[data-testid="editor-Run"]')

    # the style, explicitly (a second `:style` frame next to the post-connect one)
    style_frames = page.locator('[data-testid="frameCommand"]', has_text=f":style {http}/browser/{GRASS.name}")
    run(f":style {http}/browser/{GRASS.name}")
    for _ in range(100):
        if style_frames.count() >= 2:
            break
        page.wait_for_timeout(200)
    assert style_frames.count() >= 2, "the :style command did not run"
    assert page.get_by_text("Could not parse grass").count() == 0
    assert page.get_by_text("Hostname is not allowed").count() == 0

    # the guide: its first slide, then "who holds which role" and a click on its query
    run(f":play {http}/browser/{GUIDE.name}")
    guide = page.locator('[data-testid="frame"]', has=page.locator('[data-testid="carousel"]'))
    guide.get_by_text("newsgraph: a knowledge graph of news").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    guide.screenshot(path=str(SCREENSHOTS / "guide.png"))
    for _ in range(8):
        if guide.get_by_text("Who holds which role").is_visible():
            break
        guide.locator("button.next-slide").first.click()
    guide.locator("pre.runnable", has_text="RETURN p, r, c LIMIT 25").first.click()
    assert "HOLDS_ROLE" in editor.inner_text()
    page.click('[data-testid="editor-Run"]')

    frame = page.locator('[data-testid="frame"]', has=page.locator("svg g.node")).first
    frame.locator("svg g.node").first.wait_for()
    frame.locator('button[title="Fullscreen"]').click()
    page.wait_for_timeout(4000)  # let the force layout settle
    frame.locator('[aria-label="zoom-to-fit"]').click()
    page.wait_for_timeout(1500)

    assert "Connection failed" not in page.inner_text("body")
    assert page.locator('[data-testid="errorBanner"]').count() == 0
    # newsgraph's style: Person nodes in its blue, captioned with their names; roles on the arrows
    assert frame.locator(f'g.node circle.b-outline[fill="{PERSON_COLOUR}"]').count() > 0
    node_text = " ".join(frame.locator("g.node text.caption").all_text_contents())
    assert "Macron" in node_text and "Biden" in node_text, node_text[:500]
    rel_text = " ".join(frame.locator("g.relationship text").all_text_contents())
    assert "president" in rel_text, rel_text[:500]

    shot = SCREENSHOTS / "browser.png"
    page.screenshot(path=str(shot))
    width, height = _png_size(shot)
    assert (width, height) == (1600, 1000)
    assert shot.stat().st_size > 50_000, "the screenshot is suspiciously small (blank page?)"
    assert _png_size(SCREENSHOTS / "guide.png")[0] > 400
