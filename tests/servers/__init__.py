"""Real CA servers for tests: Pebble (ACME) and cfssl, started on 127.0.0.1 free ports.

``tests/`` is not a package, so the suites that use these helpers put ``tests/`` on
``sys.path`` in their conftest and import ``servers.<module>``.
"""
