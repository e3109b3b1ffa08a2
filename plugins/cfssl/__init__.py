"""CloudFlare's CFSSL CA server (``cfssl serve``, ``multirootca``): ``docs/plugins/cfssl.md``."""

from certorder.plugins.cfssl.plugin import CfsslPlugin

__all__ = ["CfsslPlugin"]
