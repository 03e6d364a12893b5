"""Command line and uvicorn serving shared by the reference providers."""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
from collections.abc import Sequence
from types import FrameType

import uvicorn
from starlette.types import ASGIApp

from notifyhub.providers._common import DEFAULT_TOKENS, ServiceFactory, create_app
from notifyhub.providers._serve import READY_PREFIX


def run_cli(
    *,
    prog: str,
    description: str,
    service: ServiceFactory,
    default_port: int,
    argv: Sequence[str] | None = None,
) -> int:
    """Parse the provider command line, then serve ``service`` until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=default_port, help=f"port, 0 for any (default {default_port})"
    )
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="TOKEN",
        help="accepted bearer token; repeatable (default: test-token)",
    )
    parser.add_argument(
        "--enable-provider-states",
        action="store_true",
        help="serve POST /_pact/provider-states for Pact verification",
    )
    parser.add_argument(
        "--drift", action="store_true", help="rename a response field to break the contract"
    )
    parser.add_argument("--bug", action="store_true", help="enable the hidden defect (500s)")
    args = parser.parse_args(argv)
    tokens = args.tokens or list(DEFAULT_TOKENS)
    if any(not token.strip() or " " in token for token in tokens):
        parser.error("--token must be a non-empty value without spaces")
    app = create_app(
        service,
        tokens=tokens,
        enable_states=args.enable_provider_states,
        drift=args.drift,
        bug=args.bug,
    )
    return serve(app, args.host, args.port)


def serve(app: ASGIApp, host: str, port: int) -> int:
    """Bind ``host:port`` ourselves, announce ``listening on URL`` once ready, then serve.

    Returns 0 after a clean shutdown (SIGTERM or SIGINT), 1 if the server failed to start.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets that
    # say so, and without it every keep-alive response stalls ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        print(f"cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    bound_port = sock.getsockname()[1]
    url = f"http://{f'[{host}]' if family == socket.AF_INET6 else host}:{bound_port}"
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)

    def request_exit(signum: int, frame: FrameType | None) -> None:
        # Covers signals before uvicorn installs its own handlers and the signal
        # uvicorn re-raises after its graceful shutdown: both end in a clean exit.
        server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_exit)
    try:
        asyncio.run(_serve(server, sock, url))
    finally:
        sock.close()
    return 0 if server.started else 1


async def _serve(server: uvicorn.Server, sock: socket.socket, url: str) -> None:
    async def announce() -> None:
        while not server.started:
            await asyncio.sleep(0.01)
        print(f"{READY_PREFIX}{url}", flush=True)

    announcer = asyncio.create_task(announce())
    try:
        await server.serve(sockets=[sock])
    finally:
        announcer.cancel()
