"""``certorder cert issue|renew|retire|modify|list|show|inspect`` and ``cert get NAME``:
managed certificates, one long-lived workflow each (see docs/managed-certificates.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from certorder.cli import managed_list, managed_retire, output
from certorder.cli.errors import UsageError
from certorder.cli.managed_args import (
    KEY_TYPES,
    add_name_options,
    add_renewal_options,
    renewal_policy,
)
from certorder.cli.managed_files import get_files
from certorder.keys.key_types import KeyType

if TYPE_CHECKING:
    from certorder.client import CertOrderClient
    from certorder.client_managed import ManagedCertificates
    from certorder.settings import Settings
    from certorder.workflows.managed_models import ManagedCertificate

ISSUE_EPILOG = """\
The worker makes the key (it never leaves the workers unencrypted, except into
--deploy-dir), orders the certificate, deploys it and renews it until `cert retire`.

examples:
  certorder cert issue www --dns www.example.test --deploy-dir /etc/ssl/www --wait
  certorder cert issue api --dns api.example.test --key-type rsa-3072 --renew-before 30d \\
      --deploy-hook 'systemctl reload nginx'
"""


async def _managed(settings: Settings) -> tuple[CertOrderClient, ManagedCertificates]:
    from certorder.client import CertOrderClient
    from certorder.client_managed import ManagedCertificates

    client = await CertOrderClient.connect(settings)
    return client, ManagedCertificates(client.temporal, settings)


async def issue(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.workflows.managed_models import CertificateSpec, RenewalPolicy

    try:
        spec = CertificateSpec(
            dns_names=args.dns or [], ip_addresses=args.ip or [], plugin_name=args.plugin,
            ca_id=args.ca_id, key_type=KeyType(args.key_type), validity_days=args.validity_days,
            renewal=renewal_policy(args) or RenewalPolicy(), reuse_key=args.reuse_key,
            deploy_dir=str(args.deploy_dir.resolve()) if args.deploy_dir else None,
            deploy_hook=args.deploy_hook)
    except ValueError as exc:
        from certorder.client_managed import first_error

        raise UsageError(first_error(exc)) from None
    _, managed = await _managed(settings)
    await managed.issue(args.name, spec)
    if not args.wait:
        print(f"certificate {args.name}: started "
              f"(follow it with `certorder cert show {args.name}`)")
        return 0
    state = await managed.wait_issued(args.name, args.timeout)
    _print_summary(state)
    return 0 if state.versions else 3


async def renew(args: argparse.Namespace, settings: Settings) -> int:
    _, managed = await _managed(settings)
    await managed.renew(args.name)
    print(f"certificate {args.name}: renewal requested")
    return 0


async def modify(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.workflows.managed_models import ModifyCertificate

    _, managed = await _managed(settings)
    current = await managed.state(args.name)
    change = ModifyCertificate(
        dns_names=args.dns, ip_addresses=args.ip,
        renewal=renewal_policy(args, (current.pending_spec or current.spec).renewal),
        deploy_hook=args.deploy_hook, clear_deploy_hook=args.no_deploy_hook,
        renew_now=args.renew)
    try:
        state = await managed.modify(args.name, change)
    except ValueError as exc:
        from certorder.client_managed import first_error

        raise UsageError(first_error(exc)) from None
    when = "now" if args.renew else "at the next renewal"
    print(f"certificate {args.name}: changes apply {when}")
    if args.json:
        output.print_json(state.model_dump(mode="json", exclude={"certificate", "chain"}))
    return 0


async def show(args: argparse.Namespace, settings: Settings) -> int:
    _, managed = await _managed(settings)
    state = await managed.state(args.name)
    if args.json:
        output.print_json(_json(state))
        return 0
    _print_summary(state)
    print("versions:")
    for v in state.versions:
        print(f"  v{v.version}  serial {v.serial}  {output.when(v.not_before)} .. "
              f"{output.when(v.not_after)}  sha256 {v.fingerprint_sha256[:16]}...  "
              f"key {v.key_id}  order {v.order_id}")
    return 0


async def inspect(args: argparse.Namespace, settings: Settings) -> int:
    from certorder.certificate_inspect import describe

    path = Path(args.target)
    if path.is_file():
        pem = path.read_bytes()
    elif "/" in args.target or args.target.endswith((".pem", ".crt")):
        raise UsageError(f"{args.target} does not exist")
    else:
        _, managed = await _managed(settings)
        state = await managed.state(args.target)
        if not state.certificate:
            raise UsageError(f"certificate {args.target} has not been issued yet")
        pem = state.certificate.encode()
    try:
        facts = describe(pem)
    except ValueError:
        raise UsageError(f"{args.target} holds no PEM certificate") from None
    if args.json:
        output.print_json(facts)
        return 0
    for key in ("subject", "issuer", "serial", "not_before", "not_after", "key",
                "sha256_fingerprint"):
        print(f"{key.replace('_', ' ')}: {facts[key]}")
    print(f"sans: {', '.join(facts['sans']) or '-'}")
    print("extensions:")
    for ext in facts["extensions"]:
        print(f"  {ext['name']}{' (critical)' if ext['critical'] else ''}: {ext['value']}")
    return 0


def _print_summary(state: ManagedCertificate) -> None:
    cur = state.current
    print(f"certificate {state.name}: {state.status.value}"
          + (f" ({state.message})" if state.message else ""))
    print(f"  names:        {', '.join(state.spec.dns_names + state.spec.ip_addresses)}")
    if cur:
        print(f"  serial:       {cur.serial} (v{cur.version}, key {cur.key_id})")
        print(f"  valid:        {output.when(cur.not_before)} .. {output.when(cur.not_after)}")
        print(f"  issuer:       {cur.issuer or '-'} (plugin {cur.plugin_name or '-'})")
        if cur.deployed_to:
            print(f"  deployed to:  {cur.deployed_to}")
    print(f"  next renewal: {output.when(state.next_renewal_at)}"
          + (f" ({state.next_renewal_reason})" if state.next_renewal_reason else ""))
    print(f"  order:        {state.current_order_id or '-'}")
    if state.pending_spec:
        print("  pending:      changes from `cert modify` apply at the next renewal")


def _json(state: ManagedCertificate) -> dict:
    return state.model_dump(mode="json")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the managed-certificate commands to the ``cert`` group (and NAME to ``get``)."""
    p = sub.add_parser("issue", help="issue a managed certificate: key, order, deploy, renew",
                       epilog=ISSUE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", metavar="NAME", help="the certificate's name (its workflow id is "
                   "certificate-NAME)")
    add_name_options(p, required=False)
    p.add_argument("--plugin", metavar="P", help="CA plugin (default: chosen by the workers)")
    p.add_argument("--ca-id", metavar="C", help="CA id (see `certorder ca list`)")
    p.add_argument("--key-type", choices=KEY_TYPES, default=KeyType.EC_P256.value)
    p.add_argument("--validity-days", type=int, metavar="N")
    add_renewal_options(p)
    p.add_argument("--reuse-key", action="store_true", help="keep the key across renewals")
    p.add_argument("--deploy-dir", type=Path, metavar="DIR", help="write the files here, on "
                   "the worker (DIR/current/{privkey,cert,chain,fullchain}.pem)")
    p.add_argument("--deploy-hook", metavar="CMD", help="run after each deployment, on the "
                   "worker (paths in CERTORDER_*_FILE)")
    p.add_argument("--wait", action="store_true", help="wait for the first certificate")
    p.add_argument("--timeout", type=float, default=120, metavar="S", help=argparse.SUPPRESS)
    p.set_defaults(handler=issue)

    p = sub.add_parser("renew", help="renew now (a new key unless --reuse-key)")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=renew)
    managed_retire.register(sub)

    p = sub.add_parser("modify", help="change names, renewal policy or hook (from the next "
                       "renewal, or now with --renew)")
    p.add_argument("name", metavar="NAME")
    add_name_options(p, required=False)
    add_renewal_options(p)
    hook = p.add_mutually_exclusive_group()
    hook.add_argument("--deploy-hook", metavar="CMD")
    hook.add_argument("--no-deploy-hook", action="store_true", help="remove the hook")
    p.add_argument("--renew", action="store_true", help="renew now with the changes")
    p.add_argument("--json", action="store_true", help="print the new state as JSON")
    p.set_defaults(handler=modify)

    managed_list.register(sub)
    p = sub.add_parser("show", help="one managed certificate: versions, order, next renewal")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=show)
    p = sub.add_parser("inspect", help="decode a certificate file or a managed certificate")
    p.add_argument("target", metavar="FILE|NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=inspect)

    get = sub.choices["get"]
    get.add_argument("--key", action="store_true", help="managed certificates: also write "
                     "NAME.key, decrypted here (needs the store and the KEK)")
    get.set_defaults(handler=get_files(get.get_default("handler")))
