"""Driving one ACME order (RFC 8555 §7.4) a single step per plugin call.

Every call reads the order's state at the CA and does the one thing that state asks
for, then returns; the core waits between calls. Because each step starts from what
the CA says rather than from what we remember, a repeated or resumed call continues
the same order. The URLs the CA gave us are kept in ``plugin_meta``:

``order_url``, ``finalize_url``, ``authorization_urls``, ``certificate_url``
    where the order, its finalizer, its authorizations and the chain live;
``account_url``
    the account the order belongs to;
``acme_status``
    the order status last seen (for people reading the order);
``answered_challenges``
    challenges already answered (Pebble shows them "pending" while it validates);
``cleaned_authorizations``
    authorizations whose challenge response was already removed.
"""

from __future__ import annotations

from acme import errors, messages

from certorder.plugins.acme.account import AcmeAccount
from certorder.plugins.acme.chain import split_chain
from certorder.plugins.acme.challenges import ChallengeError, ChallengeSolver
from certorder.plugins.acme.errors import invalid, problem_text, server_delay_msec, waiting
from certorder.plugins.acme.network import AcmeSession
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.dto import ResultDTO
from certorder.plugins.interface.status import CertificateStatus

# RFC 8555 §7.1.6 order states.
PENDING, READY, PROCESSING, VALID, INVALID = "pending", "ready", "processing", "valid", "invalid"


class AcmeOrderDriver:
    """The steps of an order; each method takes one session and returns one result."""

    def __init__(self, settings: AcmeSettings, account: AcmeAccount, solver: ChallengeSolver):
        self.settings = settings
        self.account = account
        self.solver = solver

    def place(self, session: AcmeSession, plugin_meta: dict, csr_pem: bytes) -> ResultDTO:
        """Create the order, then answer its challenges."""
        orderr = session.new_order(csr_pem)
        plugin_meta.update(
            order_url=orderr.uri,
            finalize_url=orderr.body.finalize,
            authorization_urls=list(orderr.body.authorizations),
            account_url=self.account.account_url(),
        )
        return self._step(session, plugin_meta, orderr.body, csr_pem)

    def advance(self, session: AcmeSession, plugin_meta: dict, csr_pem: bytes) -> ResultDTO:
        """Read the order at the CA and take the next step."""
        url = plugin_meta["order_url"]
        try:
            order = session.order(url)
        except (errors.ClientError, messages.Error):
            if session.net.last_status_code() != 404:
                raise
            # Placing a new order here would hide that this one is gone; say so instead.
            return invalid(
                f"the ACME CA no longer knows order {url} (it expired, or the CA lost its "
                "state); submit a new order"
            )
        return self._step(session, plugin_meta, order, csr_pem)

    def cancel(self, session: AcmeSession, plugin_meta: dict) -> ResultDTO:
        """Deactivate the order's authorizations (RFC 8555 §7.5.2) so that it can never
        be finalized: the pending ones, and the valid ones too once the order is
        ``ready``. An order already ``processing`` or ``valid`` cannot be stopped; its
        certificate is simply never collected."""
        url = plugin_meta["order_url"]
        try:
            order = session.order(url)
        except (errors.ClientError, messages.Error):
            if session.net.last_status_code() != 404:
                raise
            return _canceled(f"ACME order {url} no longer exists at the CA")
        status = _name(order.status)
        plugin_meta["acme_status"] = status
        deactivate = {PENDING, VALID} if status == READY else {PENDING}
        deactivated = 0
        for authz_url in order.authorizations:
            authz = session.authorization(authz_url).body
            self._cleanup(session, plugin_meta, authz_url, authz)
            if status in (PENDING, READY) and _name(authz.status) in deactivate:
                session.deactivate(authz_url)
                deactivated += 1
        note = {
            PROCESSING: " (the CA was already issuing; the certificate is not collected)",
            VALID: " (the CA had already issued; the certificate is not collected)",
            INVALID: " (the order had already failed)",
        }.get(status, "")
        return _canceled(f"ACME order canceled: {deactivated} authorization(s) deactivated{note}")

    # -- the state machine of RFC 8555 §7.1.6 --------------------------------------------

    def _step(self, session: AcmeSession, meta: dict, order, csr_pem: bytes) -> ResultDTO:
        status = _name(order.status)
        meta["acme_status"] = status
        if status == PENDING:
            # "pending": the server does not believe the client has fulfilled the
            # requirements; answer the authorizations' challenges.
            return self._authorize(session, meta, order)
        if status == READY:
            # "ready": requirements fulfilled, awaiting finalization with the CSR.
            try:
                order = session.finalize(meta["order_url"], order, csr_pem)
            except messages.Error as exc:
                if exc.code != "orderNotReady":
                    raise
                # Another call finalized it a moment ago; the next check reads the result.
                return self._wait(session, "ACME order is being finalized")
            meta["acme_status"] = _name(order.status)
            if _name(order.status) == VALID and order.certificate:
                return self._download(session, meta, order.certificate)
            return self._wait(session, "ACME order finalized; the CA is issuing")
        if status == PROCESSING:
            # "processing": the certificate is being issued; ask again after Retry-After.
            return self._wait(session, "the ACME CA is issuing the certificate")
        if status == VALID and order.certificate:
            return self._download(session, meta, order.certificate)
        if status in (INVALID, "deactivated"):
            # "invalid": the certificate will not be issued; the order is abandoned.
            # (Pebble says "deactivated" for an order whose authorization was.)
            return invalid(self._why_invalid(session, meta, order))
        return invalid(f"ACME order is in an unexpected state {status!r}")

    def _authorize(self, session: AcmeSession, meta: dict, order) -> ResultDTO:
        answered = 0
        for url in order.authorizations:
            authz = session.authorization(url).body
            ident = authz.identifier.value
            status = _name(authz.status)
            if status == VALID:
                self._cleanup(session, meta, url, authz)
                continue
            if status != PENDING:
                self._cleanup(session, meta, url, authz)
                return invalid(_authz_failure(ident, authz))
            challb = self.solver.pick(authz)
            if challb is None:
                offered = ", ".join(sorted(c.chall.typ for c in authz.challenges)) or "none"
                return invalid(
                    f"the ACME CA offers only {offered} for {ident}; this plugin is "
                    f"configured for {self.solver.typ} (setting challenge_type)"
                )
            answered_before = meta.setdefault("answered_challenges", [])
            first = _name(challb.status) == PENDING and challb.uri not in answered_before
            try:
                self.solver.present(ident, challb, session.account_key, first)
            except ChallengeError as exc:
                return invalid(str(exc))
            if first:
                self._answer(session, url, challb)
                answered_before.append(challb.uri)
                answered += 1
        message = (
            f"answered {answered} {self.solver.typ} challenge(s); the CA is validating"
            if answered
            else "waiting for the ACME CA to validate the order's names"
        )
        return waiting(message, self.settings.poll_retry_msec)

    def _answer(self, session: AcmeSession, authz_url: str, challb) -> None:
        try:
            session.answer(challb)
        except messages.Error:
            # Pebble reports a challenge as "pending" while validating it, so an answer
            # repeated after a crash can meet one that has just been decided. That is
            # not a failure: the next step reads the authorization's real outcome.
            authz = session.authorization(authz_url).body
            current = self.solver.pick(authz)
            if current is None or _name(current.status) == PENDING:
                raise

    def _wait(self, session: AcmeSession, message: str) -> ResultDTO:
        return waiting(message, server_delay_msec(session.net, self.settings.poll_retry_msec))

    def _download(self, session: AcmeSession, meta: dict, url: str) -> ResultDTO:
        meta["certificate_url"] = url
        for authz_url in meta.get("authorization_urls", []):
            if authz_url not in meta.get("cleaned_authorizations", []):
                self._cleanup(session, meta, authz_url, session.authorization(authz_url).body)
        try:
            leaf, intermediates = split_chain(session.certificate(url))
        except (ValueError, IndexError) as exc:
            return invalid(f"the ACME CA returned an unreadable certificate chain: {exc}")
        return ResultDTO(
            status=CertificateStatus.CERTIFICATE_GENERATED,
            status_message="certificate issued by the ACME CA",
            certificate=leaf,
            intermediates=intermediates,
        )

    def _why_invalid(self, session: AcmeSession, meta: dict, order) -> str:
        reasons = []
        for url in order.authorizations:
            authz = session.authorization(url).body
            self._cleanup(session, meta, url, authz)
            if _name(authz.status) != VALID:
                reasons.append(_authz_failure(authz.identifier.value, authz))
        if order.error is not None:
            reasons.insert(0, f"ACME order is invalid: {problem_text(order.error)}")
        return "; ".join(reasons) or "ACME order is invalid (the CA gave no reason)"

    def _cleanup(self, session: AcmeSession, meta: dict, url: str, authz) -> None:
        cleaned = meta.setdefault("cleaned_authorizations", [])
        if url in cleaned:
            return
        challb = self.solver.pick(authz)
        if challb is not None:
            self.solver.cleanup(authz.identifier.value, challb, session.account_key)
        if _name(authz.status) != PENDING:
            cleaned.append(url)


def _canceled(message: str) -> ResultDTO:
    return ResultDTO(status=CertificateStatus.REQUEST_CANCELED, status_message=message)


def _name(status: object) -> str:
    """``"pending"`` for the library's ``Status(pending)`` (``None`` reads as unknown)."""
    return str(getattr(status, "name", status))


def _authz_failure(ident: str, authz) -> str:
    for challb in authz.challenges:
        if challb.error is not None:
            problem = problem_text(challb.error)
            return f"ACME authorization for {ident} is {_name(authz.status)}: {problem}"
    return f"ACME authorization for {ident} is {_name(authz.status)}"
