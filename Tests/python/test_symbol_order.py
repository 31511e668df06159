"""The release binary ($KAFKA_EXPORTER_BIN, default .build/release/kafka-exporter) is linked as
Package.swift's releaseLayout says: the functions in Sources/kafka-exporter/symbol-order.txt come
first in .text, so that a running exporter pages in a few MB of code instead of most of 11 MB
(BENCHMARKS.md, "The fixed cost at 1,000 partitions"). Fails when the list went stale (too many of
its functions renamed or gone) or when the link stopped applying it."""

import os
import re
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("KAFKA_EXPORTER_BIN", REPOSITORY / ".build/release/kafka-exporter"))
ORDER = REPOSITORY / "Sources/kafka-exporter/symbol-order.txt"
REGENERATE = "scripts/generate-symbol-order"


def ordered_names() -> list[str]:
    return [line.strip() for line in ORDER.read_text().splitlines() if line.strip() and not line.startswith("#")]


def function_addresses() -> dict[str, int]:
    symbols = subprocess.run(["nm", "--defined-only", BINARY], capture_output=True, text=True, check=True).stdout
    return {fields[2]: int(fields[0], 16) for fields in map(str.split, symbols.splitlines())
            if len(fields) == 3 and fields[1] in "tTwW"}


def text_section() -> tuple[int, int]:
    sections = subprocess.run(["readelf", "-SW", BINARY], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", sections)
    assert match, f"{BINARY} has no .text section"
    return int(match.group(1), 16), int(match.group(2), 16)


def test_the_ordered_functions_still_exist() -> None:
    assert BINARY.exists(), f"{BINARY} is missing: swift build -c release --product kafka-exporter --static-swift-stdlib"
    names, addresses = ordered_names(), function_addresses()
    missing = [name for name in names if name not in addresses]
    assert len(missing) <= len(names) // 10, (
        f"{len(missing)} of the {len(names)} functions in {ORDER.name} are not in the binary any more "
        f"(e.g. {missing[:3]}); regenerate the list: {REGENERATE}")


def test_the_link_puts_the_ordered_functions_first() -> None:
    # Unordered, the listed functions spread over the whole section (99th percentile at ~80 % of it);
    # ordered, they and the object files that hold them fill its first half.
    start, size = text_section()
    names = set(ordered_names())
    offsets = sorted((address - start) / size for name, address in function_addresses().items() if name in names)
    late = offsets[int(len(offsets) * 0.99)]
    assert late <= 0.6, (
        f"99 % of the ordered functions should lie in the first 60 % of .text, but reach {late:.0%}: "
        "is the release binary linked with Package.swift's releaseLayout (lld, --symbol-ordering-file)?")
