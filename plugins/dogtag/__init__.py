"""Dogtag PKI (Red Hat Certificate System) through its REST API: ``docs/plugins/dogtag.md``."""

from certorder.plugins.dogtag.plugin import DogtagCAPlugin

__all__ = ["DogtagCAPlugin"]
