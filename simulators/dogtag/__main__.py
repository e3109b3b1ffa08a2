"""Run the Dogtag simulator by hand: ``python -m simulators.dogtag --port 8443``.

It prints the URL and the PEM files a client needs (CA bundle, agent certificate and
key). Scenarios can be switched while it runs with ``POST /sim/scenario``, e.g.::

    curl --cacert root.pem -H 'Content-Type: application/json' \\
         -d '{"action": "decide_after_polls", "polls": 2, "decision": "approve"}' \\
         https://127.0.0.1:8443/sim/scenario
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

from simulators.dogtag.server import DogtagSimulator


def main(argv: list[str] | None = None) -> None:
    """Start the simulator and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulators.dogtag", description=__doc__)
    parser.add_argument("--port", type=int, default=8443, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--workdir", type=Path, help="where to write the PEM files")
    parser.add_argument(
        "--auto-issue",
        action="append",
        default=[],
        metavar="PROFILE",
        help="issue at submission for this profile (repeatable)",
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dogtag-sim-"))
    sim = DogtagSimulator(workdir, port=args.port)
    for profile in args.auto_issue:
        sim.set_auto_issue(profile)
    sim.start()
    print(f"Dogtag simulator at {sim.base_url}", flush=True)
    print(f"  CA bundle:   {sim.tls.root_pem}")
    print(f"  agent cert:  {sim.tls.agent_cert}")
    print(f"  agent key:   {sim.tls.agent_key}")
    print(f"  host authority id: {sim.host_authority_id}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
