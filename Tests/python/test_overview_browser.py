"""The overview page at `/` in a real browser: Debian's headless Chromium loads it from two demos
started together — one healthy, one with the incident's retry bug — and the DOM it builds and the
screenshot it takes are checked: the four panels of the incident have data, the banner names the
router and `_policy` in the incident and is absent when healthy, hostile client names stay text, and
the screenshots are not blank.

Builds nothing: the binary is .build/debug/kafka-exporter (`swift build` first) or $KAFKA_EXPORTER_BIN.
With RENDER_OVERVIEW_PNG=1 the incident's screenshot is copied to docs/images/ (`make images`); the
bug then starts after 90 s of a 3-minute history, so that the picture shows the rates before and after.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from helpers import page_dom

REPOSITORY = Path(__file__).resolve().parents[2]
RENDERING = os.environ.get("RENDER_OVERVIEW_PNG") == "1"
SETTLE_DEADLINE_SECONDS = 270 if RENDERING else 150
WINDOW = (1280, 1900)
# Four panels of the incident's dashboard and a name each must show in its legend.
PANELS = {
    "panel-message-in-per-second": "_rawdata",
    "panel-message-in-per-minute": "_rawdata",
    "panel-message-consume-per-minute": "router",
    "panel-lag-messages": "router",
}
HOSTILE_CLIENTS = ["<script>alert(1)</script>", '"onmouseover=alert(1) x="', "c" * 249]
BANNER_BACKGROUND = (0xFD, 0xEC, 0xEA)


@dataclass
class Demo:
    name: str
    url: str
    log: Path
    process: subprocess.Popen

    def overview(self) -> dict:
        with urllib.request.urlopen(self.url + "/api/v1/overview", timeout=5) as response:
            return json.load(response)


def exporter_binary() -> Path:
    binary = Path(os.environ.get("KAFKA_EXPORTER_BIN", REPOSITORY / ".build" / "debug" / "kafka-exporter"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is missing: run `swift build` first or set KAFKA_EXPORTER_BIN")
    return binary


def start_demo(exits: ExitStack, directory: Path, name: str, *flags: str, history: str = "5m") -> Demo:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    log = directory / f"{name}.log"
    output = exits.enter_context(log.open("w"))
    process = subprocess.Popen([
        str(exporter_binary()), "demo", "--web.listen-address", address, "--collect.interval", "1s", "--demo.rate", "600",
        "--pipeline.window", "30s", "--stats.interval", "1s", "--overview.history", history, *flags,
    ], stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop() -> None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    exits.callback(stop)
    return Demo(name, "http://" + address, log, process)


def chart(document: dict, chart_id: str) -> dict:
    return next(c for c in document["charts"] if c["id"] == chart_id)


def drawn(document: dict, chart_id: str, name: str) -> bool:
    """The series has a current value and at least two points: a line on the page."""
    series = next((s for s in chart(document, chart_id)["series"] if s["name"] == name), None)
    return series is not None and series["current"] is not None and sum(v is not None for v in series["values"]) >= 2


def has_panel_data(document: dict) -> bool:
    return all(drawn(document, panel.removeprefix("panel-"), name) for panel, name in PANELS.items())


def shows_incident(document: dict) -> bool:
    messages = {(p["kind"], p["message"]) for p in document["problems"]}
    return (any(kind == "PipelineAmplification" and "router" in message for kind, message in messages)
            and any(kind == "TopicDuplicates" and "_policy" in message for kind, message in messages))


def steady_incident(document: dict) -> bool:
    """For the README's picture: the router's ratio has reached the bug's 2."""
    router = next((s for s in chart(document, "amplification")["series"] if s["name"] == "router"), None)
    return shows_incident(document) and router is not None and (router["current"] or 0) >= 1.95


def judged_healthy(document: dict) -> bool:
    """The router's ratio and _policy's duplicate ratio exist, so that no banner means something."""
    return drawn(document, "amplification", "router") and drawn(document, "duplicates", "_policy")


def wait_for(demos: list[Demo], conditions: dict[str, Callable[[dict], bool]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    pending = dict(conditions)
    while pending:
        for demo in demos:
            if demo.process.poll() is not None:
                pytest.fail(f"demo {demo.name} exited with {demo.process.returncode}:\n{demo.log.read_text()[-3000:]}")
            if demo.name in pending:
                try:
                    if pending[demo.name](demo.overview()):
                        del pending[demo.name]
                except OSError:
                    pass
        if time.monotonic() > deadline:
            states = {d.name: d.overview() for d in demos if d.name in pending}
            pytest.fail(f"not settled within {seconds:g} s: {json.dumps(states)[:4000]}")
        time.sleep(1)


def post_hostile_statistics(demo: Demo) -> None:
    """Producers named like an attack report their statistics, as any application may."""
    document = json.loads((REPOSITORY / "Tests" / "Fixtures" / "statistics" / "producer-2.0.2.json").read_text())
    for client in HOSTILE_CLIENTS:
        document.update(client_id=client, name=client + "#producer-1", msg_cnt=50, msg_max=100)
        request = urllib.request.Request(demo.url + "/api/v1/stats", data=json.dumps(document).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 204


@dataclass
class Page:
    dom: page_dom.Element
    screenshot: Path
    headers: dict[str, str]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Page]]:
    if shutil.which("chromium") is None:
        pytest.fail("chromium is missing: run `make test-deps`")
    directory = tmp_path_factory.mktemp("overview-browser")
    with ExitStack() as exits:
        # Both demos run at once; the healthy one shows every client so that the hostile names are on its page.
        healthy = start_demo(exits, directory, "healthy", "--overview.top", "20", "--stats.expiry", "10m")
        incident = (start_demo(exits, directory, "incident", "--inject-retry-bug", "--inject-retry-bug-after", "90s", history="3m")
                    if RENDERING else start_demo(exits, directory, "incident", "--inject-retry-bug"))
        wait_for([healthy, incident], {
            "healthy": lambda d: has_panel_data(d) and judged_healthy(d),
            "incident": lambda d: has_panel_data(d) and (steady_incident if RENDERING else shows_incident)(d),
        }, SETTLE_DEADLINE_SECONDS)
        post_hostile_statistics(healthy)
        yield {demo.name: load_in_chromium(demo, directory) for demo in (healthy, incident)}


def load_in_chromium(demo: Demo, directory: Path) -> Page:
    """The DOM dump and the screenshot, taken by two Chromium processes at once."""
    with urllib.request.urlopen(demo.url + "/", timeout=5) as response:
        headers = {name.lower(): value for name, value in response.getheaders()}
    screenshot = directory / f"{demo.name}.png"
    common = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              f"--window-size={WINDOW[0]},{WINDOW[1]}"]
    runs = [subprocess.Popen([*common, f"--user-data-dir={directory / (demo.name + '-' + kind)}", *arguments, demo.url + "/"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for kind, arguments in (("dom", ["--dump-dom"]), ("png", [f"--screenshot={screenshot}"]))]
    dump, _ = runs[0].communicate(timeout=60)
    runs[1].communicate(timeout=60)
    assert all(run.returncode == 0 for run in runs), [run.returncode for run in runs]
    return Page(page_dom.parse(dump), screenshot, headers)


@pytest.mark.parametrize("demo", ["healthy", "incident"])
def test_the_four_panels_show_data(pages: dict[str, Page], demo: str) -> None:
    dom = pages[demo].dom
    for panel, name in PANELS.items():
        figure = dom.by_id(panel)
        assert figure is not None, f"{panel} missing"
        assert figure.find_all("polyline"), f"{panel} draws no line"
        assert name in [item.text for item in figure.find_all(css_class="name")], f"{panel} has no {name} in its legend"


def test_the_incident_banner_names_the_router_and_policy(pages: dict[str, Page]) -> None:
    banner = pages["incident"].dom.by_id("banner")
    assert banner is not None
    messages = [item.text for item in banner.find_all("p", "message")]
    # The ratio climbs to 2 as the window fills with doubled output; the banner shows it once above 1.2.
    ratios = [float(m.group(1)) for m in map(re.compile(r"router writes (\d+\.\d) records for every record it reads").match, messages) if m]
    assert ratios and ratios[0] > 1.2, messages
    assert any("of the records in _policy repeat an earlier one" in m for m in messages), messages
    assert "#runbook-amplification" in banner.text


def test_no_banner_when_healthy(pages: dict[str, Page]) -> None:
    dom = pages["healthy"].dom
    assert dom.by_id("banner") is None, dom.by_id("banner").text
    # Not for want of data: the router's ratio is drawn, near 1.
    ratio = dom.by_id("panel-amplification").find_all(css_class="value")[0].text
    assert 0.8 <= float(ratio) <= 1.2


def test_hostile_names_stay_text(pages: dict[str, Page]) -> None:
    dom = pages["healthy"].dom
    elements = list(dom.walk())
    assert not [e for e in elements if e.tag in ("script", "img")]
    assert not [(e.tag, name) for e in elements for name in e.attributes if name.startswith("on")]
    cells = [cell.text for cell in dom.by_id("clients").find_all("td", "name")]
    for name in HOSTILE_CLIENTS:
        assert name in cells


def test_the_page_allows_no_script(pages: dict[str, Page]) -> None:
    headers = pages["incident"].headers
    policy = headers["content-security-policy"]
    assert "script-src 'none'" in policy and policy.startswith("default-src 'none';")
    assert headers["x-content-type-options"] == "nosniff"
    assert not [e for e in pages["incident"].dom.walk() if e.tag == "script"]


@pytest.mark.parametrize("demo", ["healthy", "incident"])
def test_the_screenshot_is_not_blank(pages: dict[str, Page], demo: str) -> None:
    image = Image.open(pages[demo].screenshot).convert("RGB")
    assert image.size == WINDOW
    colours = image.getcolors(maxcolors=WINDOW[0] * WINDOW[1])
    assert len(colours) > 100, f"{len(colours)} colours"
    white = dict((colour, count) for count, colour in colours).get((255, 255, 255), 0)
    assert white < 0.97 * WINDOW[0] * WINDOW[1]
    banner = sum(count for count, colour in colours if colour == BANNER_BACKGROUND)
    # The banner's background, in the incident only (styles applied: the CSP let the stylesheet through).
    assert (banner > 5000) == (demo == "incident"), f"{banner} banner pixels"
    if demo == "incident" and RENDERING:
        shutil.copyfile(pages[demo].screenshot, REPOSITORY / "docs" / "images" / "overview-incident.png")
