"""ACME (RFC 8555) CAs: Let's Encrypt, Pebble, or any ACME server (``docs/plugins/acme.md``)."""

from certorder.plugins.acme.plugin import AcmePlugin

__all__ = ["AcmePlugin"]
