"""Every relative link in the documentation resolves: the file exists and so does the anchor.

Checks README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md. A link is `[text](target)`,
`![alt](target)`, a reference definition `[label]: target`, or an HTML `href`/`src` attribute.
Anchors are GitHub's heading slugs (lowercase; every character but letters, digits, spaces, `-` and
`_` removed; spaces become `-`; a repeated slug gets `-1`, `-2`, ...) and explicit
`<a id="...">`/`<a name="...">` anchors. External links (http, https, mailto, ...) are not
fetched. Links inside code blocks and code spans are not links and are skipped.
"""

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

REPOSITORY = Path(__file__).resolve().parents[2]


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.MULTILINE)
HTML_ATTRIBUTE = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
HTML_ANCHOR = re.compile(r"<a\b[^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def documents() -> list[Path]:
    pages = [REPOSITORY / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")]
    return pages + sorted((REPOSITORY / "docs").glob("*.md"))


def without_code_blocks(text: str) -> str:
    """The text with fenced code blocks blanked (line numbers kept)."""
    lines, fence = [], None
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
            lines.append("")
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def prose(text: str) -> str:
    """The text without code blocks and code spans: where links are links."""
    return CODE_SPAN.sub("", without_code_blocks(text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"<[^>]+>", "", heading)  # inline HTML
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = text.replace("`", "").lower()
    kept = "".join(
        ch for ch in text
        if ch in " -_" or unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Mn"
    )
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found, seen = set(HTML_ANCHOR.findall(text)), {}
    for line in without_code_blocks(text).split("\n"):
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return INLINE_LINK.findall(text) + REFERENCE_DEFINITION.findall(text) + HTML_ATTRIBUTE.findall(text)


def broken_links(path: Path, root: Path = REPOSITORY) -> list[str]:
    """The relative links of one page that do not resolve, each with the reason."""
    problems = []
    for target in links(path):
        if not target or SCHEME.match(target) or target.startswith("//"):
            continue  # external (not fetched), mailto and the like
        file_part, _, fragment = target.partition("#")
        file_part = file_part.split("?", 1)[0]
        resolved = (path.parent / file_part).resolve() if file_part else path.resolve()
        try:
            relative = resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            problems.append(f"{target}: outside the repository")
            continue
        if not resolved.exists():
            problems.append(f"{target}: no file {relative}")
        elif fragment and resolved.is_dir():
            problems.append(f"{target}: an anchor on a directory")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            problems.append(f"{target}: no anchor #{fragment} in {relative}")
    return problems


@pytest.mark.parametrize("page", documents(), ids=lambda page: page.relative_to(REPOSITORY).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    assert page.exists()
    assert broken_links(page) == []


def test_every_alert_links_its_runbook_entry() -> None:
    """The rules users deploy point each alert at its entry in docs/runbook.md, the one runbook."""
    rules = yaml.safe_load((REPOSITORY / "dashboards" / "kafka-exporter.rules.yml").read_text(encoding="utf-8"))
    alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
    entries = anchors(REPOSITORY / "docs" / "runbook.md")
    for alert in alerts:
        url = alert["annotations"].get("runbook_url", "")
        page, _, anchor = url.partition("#")
        assert page == "docs/runbook.md" and anchor in entries, f"{alert['alert']}: runbook_url {url!r}"
        assert "runbook" not in alert["annotations"], f"{alert['alert']}: runbook text belongs in docs/runbook.md"
    assert len({alert["annotations"]["runbook_url"] for alert in alerts}) == len(alerts), "one entry per alert"


def test_slugs_are_githubs() -> None:
    assert slug("Probe overhead (`make bench ARGS=probe`)") == "probe-overhead-make-bench-argsprobe"
    assert slug("For users: brokers that send such tags need librdkafka ≥ 2.2") == (
        "for-users-brokers-that-send-such-tags-need-librdkafka--22"
    )
    assert slug("The overview page at `/`") == "the-overview-page-at-"
    assert slug("Coming from kafka_exporter") == "coming-from-kafka_exporter"
    assert "runbook-amplification" in anchors(REPOSITORY / "docs" / "runbook.md")


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    """A missing file and a missing anchor are reported; good, external and code links not."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "target.md").write_text(
        '# Target\n\n## A heading, with `code`\n\n## A heading, with code\n\n<a id="explicit"></a>\n',
        encoding="utf-8",
    )
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Page\n\n"
        "[good](target.md#a-heading-with-code) [repeated](target.md#a-heading-with-code-1)\n"
        "[explicit](target.md#explicit) [self](#page) ![up](../docs/target.md) [external](https://example.com/x)\n"
        "[mail](mailto:someone@example.com)\n"
        "[missing file](nowhere.md) [missing anchor](target.md#no-such-anchor) [missing here](#nothing)\n"
        "[reference]: ../README.md\n"
        "`[in code](nowhere-either.md)`\n\n```\n[in a block](nor-here.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page, root=tmp_path) == [
        "nowhere.md: no file docs/nowhere.md",
        "target.md#no-such-anchor: no anchor #no-such-anchor in docs/target.md",
        "#nothing: no anchor #nothing in docs/page.md",
        "../README.md: no file README.md",
    ]
