"""``mutua serve`` (the portal and the API) and ``mutua users`` (accounts)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from mutua.platform.cli.output import counted, err, language, names, out, refused, run, say
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import colon

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Commands of the access context."""


users_app = typer.Typer(help="User accounts of the portal and the API.", no_args_is_help=True)
app.add_typer(users_app, name="users")

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def secure_by_default(host: str, secure: bool | None) -> bool:
    """Behind TLS unless serving on this machine only: ``--secure/--no-secure`` or ``MUTUA_SECURE``
    decide, else any address other than localhost means Secure cookies and HSTS."""
    import os

    if secure is not None:
        return secure
    setting = os.environ.get("MUTUA_SECURE", "").strip().lower()
    if setting:
        return setting in ("1", "true", "yes", "on")
    return host not in LOCAL_HOSTS


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    secure: Annotated[
        bool | None,
        typer.Option(
            "--secure/--no-secure",
            help="Secure cookies and HSTS (behind TLS). Default: on unless HOST is localhost (or MUTUA_SECURE).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            envvar="MUTUA_WORKERS",
            min=0,
            help="Worker processes (default: one per core). They share the database, the sessions "
            "(signed cookies with a version per user kept in the database) and the session secret.",
        ),
    ] = 0,
) -> None:
    """Start the portal and the REST API (http://HOST:PORT/, API under /api/v1). It creates no
    account: the first administrator is made with `mutua users add NAME --role admin`."""
    import os

    import uvicorn

    from mutua.access import service

    if not service.association_exists(state.uow()):
        said = say(
            "build the demo association first with `mutua --data-dir {folder} demo` (or import your own data)",
            folder=state.settings.data_dir,
        )
        err.print(f"[yellow]{escape(say('the database is empty'))}[/]{escape(colon(language()) + said)}")
        raise typer.Exit(1)
    if not service.users_exist(state.uow()):
        said = say(
            "create the first administrator with `mutua --data-dir {folder} users add NAME --role admin`",
            folder=state.settings.data_dir,
        )
        err.print(f"[yellow]{escape(say('no user account yet'))}[/]{escape(colon(language()) + said)}")
    behind_tls = secure_by_default(host, secure)
    # built here even for workers: it checks the settings and makes the session secret file once
    web = state.runtime.create_app(engine=state.engine(), settings=state.settings, secure_cookies=behind_tls)
    scheme = "https" if behind_tls else "http"
    count = workers or os.cpu_count() or 1
    said = say(
        "portal on {portal}  API docs on {docs}",
        portal=f"{scheme}://{host}:{port}/",
        docs=f"{scheme}://{host}:{port}/api/v1/docs",
    )
    out.print(said, markup=False, highlight=False)
    # no Server banner; X-Forwarded-For is read by the app, from MUTUA_TRUSTED_PROXIES only
    options: dict[str, Any] = {"host": host, "port": port, "server_header": False, "proxy_headers": False}
    if count == 1 or not state.runtime.app_from_env:
        uvicorn.run(web, log_level="info", **options)
        return
    settings = state.settings
    os.environ.update(
        {
            "MUTUA_DATA_DIR": str(settings.data_dir),
            "MUTUA_ACTOR": settings.actor,
            "MUTUA_SECURE": "1" if behind_tls else "0",
        }
    )
    if settings.database_url:
        os.environ["MUTUA_DATABASE_URL"] = settings.database_url
    out.print(counted(count, "{n} worker process", "{n} worker processes"), markup=False, highlight=False)
    # the workers are new processes: they build the app from the MUTUA_* variables just set
    uvicorn.run(state.runtime.app_from_env, factory=True, workers=count, log_level="warning", **options)


ROLES = "admin, controller, service_owner, budget_holder, auditor, buyer or purchasing_officer"


def _role(role: str) -> Any:
    from mutua.kernel.access import Role

    try:
        return Role(role)
    except ValueError:
        raise refused(f"role must be {ROLES}") from None


PASSWORD_HELP = "At least 12 characters, not a common password, not the username."  # noqa: S105 - help text


@users_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help=f"{ROLES}.")],
    member: Annotated[str | None, typer.Option(help="Enterprise number (budget holders and buyers only).")] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help=PASSWORD_HELP)
    ] = "",
) -> None:
    """Add a local account (the password is stored as an argon2 hash)."""
    from mutua.access import service

    chosen = _role(role)
    user = run(
        lambda: service.add_user(state.uow(), username, chosen, password=password, member=member, display_name=name)
    )
    said = say("user {user} ({role}) added", user=repr(user.username), role=names()(user.role.value))
    out.print(said, markup=False, highlight=False)


@users_app.command("list")
def list_accounts() -> None:
    """The accounts."""
    from mutua.access import service

    role = names()
    for a in run(lambda: service.list_accounts(state.uow())):
        status = "" if a.active else say("disabled")
        line = f"{a.username:<20} {role(a.role.value):<14} {a.member or '':<10} {status}".rstrip()
        out.print(line, markup=False, highlight=False)


@users_app.command("password")
def reset_password(
    username: str,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help=PASSWORD_HELP)
    ] = "",
) -> None:
    """Set a user's password (its sessions and tokens end)."""
    from mutua.access import service

    run(lambda: service.set_password(state.uow(), username, password))
    said = say("password of {user} changed; its sessions and tokens have ended", user=repr(username))
    out.print(said, markup=False, highlight=False)


@users_app.command("disable")
def disable(username: str) -> None:
    """Disable an account: it cannot log in, its sessions and tokens end."""
    from mutua.access import service

    run(lambda: service.set_active(state.uow(), username, False))
    said = say("user {user} disabled; its sessions and tokens have ended", user=repr(username))
    out.print(said, markup=False, highlight=False)


@users_app.command("enable")
def enable(username: str) -> None:
    """Enable a disabled account again."""
    from mutua.access import service

    run(lambda: service.set_active(state.uow(), username, True))
    out.print(say("user {user} enabled", user=repr(username)), markup=False, highlight=False)


@users_app.command("role")
def change_role(
    username: str,
    role: Annotated[str, typer.Argument(help=f"{ROLES}.")],
    member: Annotated[str | None, typer.Option(help="Enterprise number (budget holders and buyers only).")] = None,
) -> None:
    """Give an account another role (its sessions and tokens end)."""
    from mutua.access import service

    chosen = _role(role)
    run(lambda: service.change_role(state.uow(), username, chosen, member))
    said = say(
        "user {user} is now {role}; its sessions and tokens have ended", user=repr(username), role=names()(chosen.value)
    )
    out.print(said, markup=False, highlight=False)


@users_app.command("logout")
def logout(username: str) -> None:
    """End every session and token of a user."""
    from mutua.access import service

    run(lambda: service.end_sessions(state.uow(), username))
    out.print(say("every session and token of {user} has ended", user=repr(username)), markup=False, highlight=False)
