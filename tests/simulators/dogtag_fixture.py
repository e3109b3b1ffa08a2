"""The ``dogtag_sim`` pytest fixture: a fresh simulator per test, on a free port.

Use it from a test module or a conftest with
``from tests.simulators.dogtag_fixture import dogtag_sim  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.dogtag.server import DogtagSimulator


@pytest.fixture
def dogtag_sim(tmp_path) -> Iterator[DogtagSimulator]:
    """A running :class:`DogtagSimulator`. Useful attributes: ``base_url``, ``root_pem``
    (text), ``ca_bundle_file`` (path of the root PEM), ``client_cert_file`` /
    ``client_key_file`` (an agent's client certificate and key), ``host_authority_id``,
    ``enrollment_count``, ``calls``, and the scenario controls (``set_auto_issue``,
    ``decide_after_polls``, ``hold_pending``, ``reject_submissions``, ``agent_decides``,
    ``fail_next``, ``go_offline``/``go_online``, ``delay_answers``)."""
    sim = DogtagSimulator(tmp_path / "dogtag-sim").start()
    try:
        yield sim
    finally:
        sim.stop()
