"""Run the CertCentral simulator by hand: ``python -m simulators.certcentral --port 8081``."""

from __future__ import annotations

import argparse
import threading

from simulators.certcentral.server import CertCentralSimulator


def main() -> None:
    """Start the simulator on 127.0.0.1 and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--api-key", default=None, help="key clients must send (default: random)")
    parser.add_argument(
        "--scenario", default="issue", help="issue, pending, dcv, approval, reject or cancel"
    )
    parser.add_argument("--polls", type=int, default=0)
    args = parser.parse_args()
    sim = CertCentralSimulator(port=args.port, api_key=args.api_key)
    sim.set_scenario(args.scenario, polls=args.polls)
    sim.start()
    print(f"CertCentral simulator at {sim.base_url}", flush=True)
    print(f"X-DC-DEVKEY: {sim.api_key}")
    print(f"admin: http://127.0.0.1:{sim.port}/_sim/state (root CA: /_sim/root)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
