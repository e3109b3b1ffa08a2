"""The plugin contract (see :mod:`plugins.interface.certificate_manager`)."""
