"""How the CLI fails: one line on stderr and an exit code, never a traceback for a
mistake a user can make.

Exit codes: 0 success; 1 operational failure (server down, CA unavailable, an
unexpected bug); 2 usage or input error (bad arguments, missing file, bad CSR, unknown
plugin or order, bad settings, a store location that cannot hold a store); 3 the
order ended in ERROR; 4 the order was canceled; 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable

from certorder.one_line import one_line

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_ORDER_ERROR = 3
EXIT_ORDER_CANCELED = 4
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command was given something it cannot use (a missing file, a bad value)."""


def fail(message: object) -> None:
    """Print ``certorder: error: <message>`` on stderr."""
    print(f"certorder: error: {one_line(message)}", file=sys.stderr)


def guarded(action: Callable[[], int]) -> int:
    """Run ``action`` and turn every expected failure into one line and an exit code."""
    try:
        code = action()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`certorder ... | head`): not an error worth a line.
        _silence_stdout()
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as exc:
        fail(exc)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - sorted out below
        return _failed(exc)


def _failed(exc: Exception) -> int:
    """The exit code of a failed command, after its one line."""
    # The error classes are imported only now that one is needed: a command that
    # needs no server (`--help`) must not pay for loading Temporal, SQLAlchemy and
    # pydantic first. A command that raised one of them has loaded its module already.
    from certorder.client_errors import CertOrderError
    from certorder.dev_stack import DevServerError
    from certorder.plugins.interface.errors import (
        CAOperationError,
        CAUnavailableError,
        CertificatePluginError,
        InvalidOrderError,
        PluginConfigurationError,
        PluginLoadError,
        PluginNotFoundError,
        UnknownCAError,
    )
    from certorder.search_attribute_setup import MissingSearchAttributesError
    from certorder.settings import SettingsError
    from certorder.store import StoreLocationError, StoreUnavailableError

    input_errors = (InvalidOrderError, PluginNotFoundError, UnknownCAError, PluginLoadError,
                    PluginConfigurationError)
    if isinstance(exc, CertOrderError):
        fail(exc)
        return exc.exit_code
    if isinstance(exc, (SettingsError, MissingSearchAttributesError, StoreLocationError,
                        *input_errors)):
        fail(exc)
        return EXIT_USAGE
    if isinstance(exc, (CAUnavailableError, CAOperationError, CertificatePluginError,
                        DevServerError, StoreUnavailableError)):
        fail(exc)
        return EXIT_FAILURE
    # temporalio's core reports an unreachable server as RuntimeError("Failed client connect").
    if isinstance(exc, RuntimeError) and "client connect" in str(exc).lower():
        fail(f"cannot reach Temporal: {exc}: is `certorder dev` running?")
        return EXIT_FAILURE
    return _unexpected(exc)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _unexpected(exc: BaseException) -> int:
    if os.environ.get("CERTORDER_DEBUG"):
        traceback.print_exception(exc)
    else:
        fail(f"unexpected {type(exc).__name__}: {exc} (run with CERTORDER_DEBUG=1 for details)")
    return EXIT_FAILURE
