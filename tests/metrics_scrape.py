"""Reading a worker's Prometheus endpoint in tests: fetch ``/metrics`` and add up
samples by name and labels."""

from __future__ import annotations

import re
import socket
import urllib.request

_SAMPLE = re.compile(r'^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Scrape:
    """One scrape: ``(name, labels, value)`` samples."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = []
        for line in text.splitlines():
            match = _SAMPLE.match(line)
            if match:
                labels = dict(_LABEL.findall(match.group(2) or ""))
                self.samples.append((match.group(1), labels, float(match.group(3))))

    def total(self, name: str, **labels: str) -> float:
        """The sum of ``name``'s samples whose labels include ``labels``."""
        return sum(value for sample, have, value in self.samples if sample == name
                   and all(have.get(k) == v for k, v in labels.items()))


def scrape(address: str, timeout: float = 5) -> Scrape:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=timeout) as answer:
        return Scrape(answer.read().decode())
