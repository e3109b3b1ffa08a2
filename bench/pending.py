"""Orders waiting on CA timers at once: worker memory over time, how late each check
runs after it is due, and how long the backlog takes to drain.

    python -m bench.pending [--orders 10000] [--delay 180] [--rate 45]
                            [--quick | --quick-checks] [--burst [--yardstick 200]] [--json]

Orders go to a CA that answers "waiting for CA, check again in --delay seconds" and
issues on the check (through the local CA), submitted at --rate per second through
the client SDK, so their due times are spread at that rate. With --burst, every check
falls due at one instant, --delay seconds after the last submission is due to end,
and the drain is set against the order throughput of the same stack just after it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bench import burst
from bench.harness import leave, worker_process
from bench.measure import percentile, rss_mb, server_pid, start_server
from bench.worker_main import ORDER_QUEUE
from certorder.client import CertOrderClient
from certorder.settings import Settings

#: Submissions in flight at once.
IN_FLIGHT = 20


async def main(args: argparse.Namespace) -> dict:
    env = await start_server()
    address = env.client.service_client.config.target_host
    sdk = CertOrderClient(Settings(temporal_address=address, task_queue=ORDER_QUEUE),
                          env.client)
    order = {"request_type": "simple-cmc", "plugin_name": _plugin(args),
             "delay_msec": int(args.delay * 1000)}
    # A CSR of its own for every order, as real orders have (a worker keeps parsed CSRs).
    csrs = burst.own_csrs(args.orders, "p")
    samples: list[tuple[float, float, float]] = []
    try:
        with tempfile.TemporaryDirectory() as data:
            log = Path(data) / "lateness.log"
            cache = [str(args.max_cached)] if args.max_cached else []
            async with worker_process(address, Path(data), *cache) as worker:
                started, epoch = time.monotonic(), time.time()
                server = server_pid(env)
                # The instant the last submission is due to end, plus --delay.
                due = args.orders / args.rate + args.delay
                if args.burst:
                    order["due_at"] = epoch + due

                def sample() -> None:
                    samples.append((round(time.monotonic() - started, 1), rss_mb(worker.pid),
                                    rss_mb(server) if server else 0.0))

                # Paced at --rate, with up to IN_FLIGHT submissions at once: one at a
                # time, the rate would be one submission's latency, not the stack's.
                gate, submitting = asyncio.Semaphore(IN_FLIGHT), []
                for i in range(args.orders):
                    await gate.acquire()
                    one = {**order, "request_data": csrs[i]}
                    submitting.append(asyncio.create_task(_submit(sdk, one, gate)))
                    if i % max(int(args.rate), 1) == 0:
                        sample()
                    await asyncio.sleep(max(0.0, started + (i + 1) / args.rate
                                            - time.monotonic()))
                pids = {"worker": worker.pid, **({"server": server} if server else {})}
                at_due: dict[str, float] = {}
                if args.burst:  # the processes' CPU at the due instant
                    loop = asyncio.get_running_loop()
                    loop.call_at(loop.time() + started + due - time.monotonic(),
                                 lambda: at_due.update(burst.cpu_now(pids)))
                last = (await asyncio.gather(*submitting))[-1]
                submitted = time.monotonic()
                rate = args.orders / (submitted - started)
                last_due = started + due if args.burst else submitted + args.delay
                deadline = max(last_due, submitted + args.delay) + args.drain_timeout
                while _count(log) < args.orders and time.monotonic() < deadline:
                    sample()
                    await asyncio.sleep(1)
                while (args.burst and time.monotonic() < deadline
                       and not await burst.all_closed(env.client)):
                    await asyncio.sleep(0.5)  # the burst's orders store and close
                drained, cpu_drained = time.monotonic(), burst.cpu_now(pids)
                # The last order waited once: issue, one poll cycle (timer and check), store.
                events = len((await env.client.get_workflow_handle(last).fetch_history()).events)
                rows = [line.split() for line in _lines(log)]
                late = [float(row[0]) for row in rows]
                figures = {}
                if args.burst:
                    figures = burst.drain_figures(
                        args.orders, epoch + due, [float(row[1]) for row in rows],
                        started + due - submitted, await burst.last_closed(env.client))
                    figures |= burst.cpu_per_check(at_due or None, cpu_drained, args.orders)
                    if args.yardstick:
                        figures |= await burst.yardstick(sdk, env.client, args.yardstick, pids)
                    figures |= burst.ratio(figures)
    finally:
        await env.shutdown()
    return {"orders": args.orders, "checked": len(late), "delay_s": args.delay,
            "rate_per_s": round(rate, 1), "quick": args.quick,
            "quick_checks": args.quick_checks, "burst": args.burst,
            "max_cached": args.max_cached or None, "history_events": events,
            "lost": args.orders - len(late),
            "late_p50_s": round(percentile(late, 0.5), 3),
            "late_p99_s": round(percentile(late, 0.99), 3),
            "late_max_s": round(max(late, default=float("nan")), 3),
            "drain_s_after_last_due": round(drained - last_due, 1),
            "worker_rss_max_mb": round(max((s[1] for s in samples), default=0.0), 1),
            "server_rss_max_mb": round(max((s[2] for s in samples), default=0.0), 1),
            **figures, "rss_over_time": samples[:: max(len(samples) // 20, 1)]}


async def _submit(sdk: CertOrderClient, order: dict, gate: asyncio.Semaphore) -> str:
    try:
        return await sdk.submit(order)
    finally:
        gate.release()


def _plugin(args: argparse.Namespace) -> str:
    # All three log to the same lateness.log: one kind per run.
    if args.quick:
        return "delayed-ca-quick"
    return "delayed-ca-checks" if args.quick_checks else "delayed-ca"


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def _count(log: Path) -> int:
    return len(_lines(log))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=180.0, help="seconds each order waits")
    parser.add_argument("--rate", type=float, default=45.0, help="orders submitted per second")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--max-cached", type=int, default=0,
                        help="the worker's max_cached_workflows (default: the worker's)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--quick", action="store_true",
                      help="the CA declares quick_calls (local activities)")
    kind.add_argument("--quick-checks", action="store_true",
                      help="the CA declares quick_checks (issue an activity, checks local)")
    parser.add_argument("--burst", action="store_true",
                        help="every check due at one instant, --delay s after the last "
                             "submission is due to end")
    parser.add_argument("--yardstick", type=int, default=200,
                        help="with --burst: local-CA orders timed after the drain (0: none)")
    parser.add_argument("--json", action="store_true")
    parsed = parser.parse_args()
    result = asyncio.run(main(parsed))
    print(json.dumps(result, indent=1) if parsed.json else
          "\n".join(f"{k}: {v}" for k, v in result.items() if k != "rss_over_time"))
    leave()
