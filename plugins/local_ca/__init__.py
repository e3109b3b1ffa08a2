"""The embedded local CA, with sub-CAs: ``docs/plugins/local-ca.md``."""

from certorder.plugins.local_ca.plugin import LocalCAPlugin

__all__ = ["LocalCAPlugin"]
