"""Command-line tasks: flask seed, flask create-admin, flask mail-worker, flask mail-backlog."""

from __future__ import annotations

import click
from flask import Flask, current_app

from .common.roles import Role
from .common.urls import public_url_for


def init_commands(app: Flask) -> None:
    """Register the commands on the app."""
    from .common.mail_worker import mail_backlog, mail_worker

    app.cli.add_command(seed)
    app.cli.add_command(create_admin)
    app.cli.add_command(mail_worker)
    app.cli.add_command(mail_backlog)


@click.command("seed")
def seed():
    """Add demo regions and accounts; running it again changes nothing."""
    from .seed import seed_demo_data

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("flask seed refuses to run under the production configuration.")
    accounts = seed_demo_data(current_app.config["DEMO_PASSWORD"])
    click.echo("Demo accounts (password from STAC_DEMO_PASSWORD, default stac-demo-2026):")
    for email, role, created in accounts:
        click.echo(f"  {role:<8} {email}{'' if created else '  (already there)'}")
    click.echo(f"Sign in at {public_url_for('auth.login')}")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email: str, name: str, password: str):
    """Create the first admin account."""
    from .members.bootstrap import create_account

    try:
        create_account(email, name, password, Role.ADMIN)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Admin {email} created.")
