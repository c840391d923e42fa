"""``mutua serve`` (the portal and the API) and ``mutua users`` (accounts)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mutua.platform.cli.output import err, out, run
from mutua.platform.cli.runtime import state

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Commands of the access context."""


users_app = typer.Typer(help="User accounts of the portal and the API.", no_args_is_help=True)
app.add_typer(users_app, name="users")

DEMO_ACTOR = "demo"  # the demo accounts are written in the audit trail as the demo's


def _demo_uow() -> Any:
    return state.runtime.unit_of_work(state.engine(), DEMO_ACTOR)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    demo_users: Annotated[
        bool, typer.Option("--demo-users/--no-demo-users", help="Create the demo accounts (see the README).")
    ] = True,
    secure_cookies: Annotated[bool, typer.Option(help="Session cookie over HTTPS only (behind TLS).")] = False,
) -> None:
    """Start the portal and the REST API (http://HOST:PORT/, API under /api/v1)."""
    import uvicorn

    from mutua.access import service

    if not service.association_exists(state.uow()):
        err.print(
            "[yellow]the database is empty[/]: build the demo association first with "
            f"`mutua --data-dir {state.settings.data_dir} demo` (or import your own data)"
        )
        raise typer.Exit(1)
    if demo_users:
        accounts = run(lambda: service.add_demo_users(_demo_uow()))
        out.print("demo accounts (password [bold]mutua-demo[/]):")
        for a in accounts:
            out.print(f"  {a.username:<11} {a.role.value}" + (f" of member {a.member}" if a.member else ""))
    web = state.runtime.create_app(engine=state.engine(), settings=state.settings, secure_cookies=secure_cookies)
    out.print(f"portal on http://{host}:{port}/  API docs on http://{host}:{port}/api/v1/docs")
    uvicorn.run(web, host=host, port=port, log_level="info")


@users_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, controller, service_owner, budget_holder or auditor.")],
    member: Annotated[str | None, typer.Option(help="Enterprise number (budget holders only).")] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters.")
    ] = "",
) -> None:
    """Add a local account (the password is stored as an argon2 hash)."""
    from mutua.access import service
    from mutua.kernel.access import Role

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter("role must be admin, controller, service_owner, budget_holder or auditor") from None
    user = run(
        lambda: service.add_user(state.uow(), username, chosen, password=password, member=member, display_name=name)
    )
    out.print(f"user {user.username!r} ({user.role.value}) added")


@users_app.command("list")
def list_accounts() -> None:
    """The accounts."""
    from mutua.access import service

    for u in service.list_users(state.uow()):
        out.print(f"{u.username:<20} {u.role.value:<14} {u.member or ''}")


@users_app.command("demo")
def demo() -> None:
    """Create the demo accounts (one per role, password mutua-demo)."""
    from mutua.access import service

    for a in run(lambda: service.add_demo_users(_demo_uow())):
        out.print(f"{a.username:<11} {a.role.value:<14} {a.member or ''}  password {a.password}")
