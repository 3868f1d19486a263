"""What every command of the `newsgraph` command line shares: its two consoles,
one-line errors, the command's settings and its open graph store.

The product's commands (newsgraph/cli.py) and the tools' (tools/cli.py, added
to the same command line through the `newsgraph.commands` entry point) both
use these, so a message, a bad setting or an unreachable server reads the same
whichever command met it.
"""

from __future__ import annotations

from typing import Any

import click
import typer
from rich.console import Console
from rich.markup import escape

from newsgraph.config import Settings, load_settings

# Soft wrap: a message is one line however wide the terminal, so it is never cut
# mid-sentence and can be searched for (tables still fit the width).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as one error line; the command raises what this returns."""
    # Messages quote paths, queries and server errors: a "[...]" in them is text, not markup.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def command_settings() -> Settings:
    """This command's settings: read from the environment and .env once per
    command, on its first use, and kept on the command's context."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and isinstance(root.obj, dict) and "settings" in root.obj:
        cached: Settings = root.obj["settings"]
        return cached
    try:
        settings = load_settings()
    except ValueError as exc:  # a variable with a value it cannot take: one line, no traceback
        raise fail(str(exc)) from None
    if root is not None:
        root.ensure_object(dict)
        root.obj["settings"] = settings
    return settings


def check_neo4j() -> Any:
    """An open graph store for the configured server (closed when the command
    ends), or a clear message saying how to get a server."""
    from neo4j.exceptions import ClientError, ServiceUnavailable

    from graphstore.store import GraphStore
    from newsgraph.connection import connection

    conn = connection(command_settings())
    graph = GraphStore(conn)
    try:
        graph.open()
    except ClientError as exc:
        # AuthError, and also AuthenticationRateLimit (a plain ClientError) once a
        # wrong password has been tried a few times in a row.
        if not (exc.code or "").startswith("Neo.ClientError.Security."):
            raise
        why = ("too many wrong logins in a row, so Neo4j refuses this user for a few seconds"
               if exc.code == "Neo.ClientError.Security.AuthenticationRateLimit" else "wrong user or password")
        raise fail(f"Neo4j at {conn.uri} refused the login for user {conn.user!r} ({why}): "
                   "check NEO4J_USER / NEO4J_PASSWORD (environment or .env).") from None
    except (ServiceUnavailable, OSError, ValueError) as exc:
        raise fail(f"cannot reach Neo4j at {conn.uri} ({type(exc).__name__}). "
                   "Start the local server with `newsgraph neo4j start`, or set NEO4J_URI.") from None
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(graph.close)
    return graph
