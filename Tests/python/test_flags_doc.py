"""docs/flags.md is what scripts/generate-flags-doc writes from the binary's own help
($KAFKA_EXPORTER_BIN): a flag added, renamed, re-described or given another default without
regenerating the page fails here."""

import difflib
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PAGE = REPOSITORY / "docs/flags.md"
REGENERATE = "swift build -c release --product kafka-exporter && scripts/generate-flags-doc"


def test_flags_doc_is_what_the_binary_says(tmp_path: Path) -> None:
    generated = tmp_path / "flags.md"
    generator = REPOSITORY / "scripts/generate-flags-doc"
    subprocess.run([sys.executable, generator, generated], cwd=REPOSITORY, check=True, timeout=60)
    page, expected = PAGE.read_text().splitlines(), generated.read_text().splitlines()
    difference = list(difflib.unified_diff(page, expected, "docs/flags.md", "generated", lineterm="", n=1))
    assert not difference, f"docs/flags.md is stale; regenerate it: {REGENERATE}\n" + "\n".join(difference[:40])
