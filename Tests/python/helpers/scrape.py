"""A running exporter's /metrics as series: (name, sorted-as-served labels) → value."""
import re
import urllib.request
from typing import Callable

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(url: str, keep: Callable[[str], bool] = lambda name: True) -> Series | None:
    """The series whose family name `keep` accepts; None while nothing answers at `url`."""
    try:
        text = urllib.request.urlopen(url + "/metrics", timeout=5).read().decode()
    except OSError:
        return None
    series: Series = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, labels, value = SAMPLE.match(line).groups()
            if keep(name):
                series[(name, tuple(LABEL.findall(labels or "")))] = float(value)
    return series
