"""The plugin contract (see :mod:`certorder.plugins.interface.certificate_manager`)."""
