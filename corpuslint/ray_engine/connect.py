"""Importing Ray and connecting to a cluster, with one-line errors.

Ray is an extra (``pip install 'corpuslint[ray]'``): it is imported only when the
Ray engine runs. ``ray.init`` retries an address where no cluster listens for many
minutes, so an explicit ``host:port`` is first probed with a plain TCP connection.
"""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import logging
import os
import socket
from typing import Any

from corpuslint.errors import CorpuslintError

INSTALL_HINT = "pip install 'corpuslint[ray]'"
# Seconds to wait for a TCP connection to the cluster's address.
PROBE_TIMEOUT = 5.0
# Addresses that ray.init resolves itself (no host:port to probe).
SPECIAL_ADDRESSES = ("auto", "local")


def ray_installed() -> bool:
    """Whether ``import ray`` can find Ray (without importing it: that takes seconds)."""
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError, AttributeError):
        return False


def require_ray() -> Any:
    """The ``ray`` module, or a one-line error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise CorpuslintError(
            f'engine "ray" needs Ray, which is not installed: {INSTALL_HINT}'
        ) from None
    return ray


def _host_port(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of a ``host:port`` or ``ray://host:port`` address, else None."""
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]") or "127.0.0.1", int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bootstrap(address: str | None) -> str | None:
    """The ``host:port`` ``ray.init(address)`` will dial (``RAY_ADDRESS``, or the
    cluster the last ``ray start`` on this machine recorded, for None and ``auto``),
    or None when it will start a local instance or cannot tell."""
    if address == "local" or (address or "").startswith("ray://"):
        return None
    try:  # Ray's own resolution (internal API: when it moves, ray.init decides alone)
        from ray._private.services import canonicalize_bootstrap_address

        return canonicalize_bootstrap_address(address)
    except Exception:
        return None


def probe(address: str | None, ray: Any) -> None:
    """Fail fast, with one line, when nothing listens where Ray would connect (ray.init
    retries such an address for minutes, e.g. one a ``ray start`` long gone left)."""
    if address is not None and address not in SPECIAL_ADDRESSES and _host_port(address) is None:
        raise CorpuslintError(
            f"invalid Ray address {address!r} (expected host:port, ray://host:port, auto or local)"
        )
    resolved = _bootstrap(address)
    target = _host_port(resolved) if resolved else None
    if target is None and address not in (None, *SPECIAL_ADDRESSES):
        target = _host_port(address)
    if target is None:
        return
    host, port = target
    hosts = [host]
    if _is_loopback(host):  # Ray may listen on the node's address instead of loopback
        with contextlib.suppress(Exception):
            hosts.append(ray.util.get_node_ip_address())
    last: OSError | None = None
    for candidate in hosts:
        try:
            with socket.create_connection((candidate, port), timeout=PROBE_TIMEOUT):
                return
        except OSError as exc:
            last = exc
    reason = (last.strerror or str(last)) if last is not None else "unreachable"
    if address in (None, "auto"):
        raise CorpuslintError(
            f"cannot connect to the Ray cluster at {host}:{port} (from RAY_ADDRESS or the "
            f"last `ray start` on this machine): {reason}; `ray stop` forgets a cluster "
            "that is gone, --ray-address local starts a new one"
        )
    raise CorpuslintError(f"cannot connect to the Ray cluster at {address}: {reason}")


def connect(address: str | None) -> tuple[Any, bool]:
    """Import Ray and connect (or reuse the connection of this process).

    ``address`` is Ray's: ``host:port`` of a running cluster, ``ray://host:port``
    (Ray Client), ``auto`` (the cluster started on this machine) or ``local`` (a new
    local instance); None follows Ray's defaults (``RAY_ADDRESS``, else a running local
    cluster, else a new local instance). Returns the module and whether this call
    connected (so the caller may disconnect).
    """
    ray = require_ray()
    if ray.is_initialized():
        return ray, False
    probe(address, ray)
    # a cluster this run starts does not report usage statistics unless asked to
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        where = f" at {address}" if address else ""
        raise CorpuslintError(
            f"cannot connect to the Ray cluster{where}: {first}{_auth_hint()}"
        ) from None
    return ray, True


def _auth_hint() -> str:
    """Ray 2.5x: a cluster started by ``ray start`` may require its token, which a
    client sends only with ``RAY_AUTH_MODE=token``."""
    if os.environ.get("RAY_AUTH_MODE") is None and os.path.exists(
        os.path.expanduser("~/.ray/auth_token")
    ):
        return " (if the cluster uses token authentication, set RAY_AUTH_MODE=token)"
    return ""
