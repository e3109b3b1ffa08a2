"""A strict simulator of the Dogtag PKI CA REST API (``/ca/rest``, v1).

Run by hand with ``python -m simulators.dogtag --port 8443``.
"""

from simulators.dogtag.server import DogtagSimulator

__all__ = ["DogtagSimulator"]
