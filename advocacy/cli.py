"""`flask --app wsgi advocacy ...` commands."""
import sys

import click
from flask.cli import AppGroup

advocacy_cli = AppGroup("advocacy", help="Advocacy maintenance commands.")


@advocacy_cli.command("seed")
def seed_command():
    """Create the campaigns drawn from the essays (idempotent)."""
    from .campaigns.seed import seed_campaigns

    created = seed_campaigns()
    click.echo(f"Seeded {len(created)} new campaign(s): {', '.join(created) or 'none (all present)'}")


@advocacy_cli.command("worker")
@click.option("--once", is_flag=True, help="Mail pending updates, drain the mail queue and fold counters, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between polls.")
def worker_command(once, poll):
    """Send queued mail (with retries), mail posted updates in batches and fold counters until stopped."""
    from .worker import run_worker

    run_worker(once=once, poll_interval=poll)


@advocacy_cli.command("recount")
def recount_command():
    """Recompute every campaign's tallies from the signatures and report drift fixed."""
    from .signatures.counting import recount

    drifts = recount()
    for d in drifts:
        click.echo(f"campaign {d.campaign_id} {d.kind} {d.key or '-'}: recorded {d.recorded}, "
                   f"actual {d.expected} (fixed {d.correction:+d})")
    click.echo(f"Recount done: {len(drifts)} tally(ies) corrected." if drifts else "Recount done: no drift.")


@advocacy_cli.command("create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--name", default="", help="Display name.")
def create_admin_command(email, password_stdin, name):
    """Create the first admin account (password from a prompt or --password-stdin)."""
    from .accounts.service import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role="admin", name=name, via="cli")
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Admin {user.email} created.")


@advocacy_cli.command("load-geography")
def load_geography_command():
    """Load ZIP->district and lawmaker tables from advocacy/data (idempotent; re-run when districts change)."""
    from .geography.service import load_geography

    zips, members = load_geography()
    click.echo(f"Geography loaded: {zips} ZIP-district pairs, {members} lawmakers.")


@advocacy_cli.command("close-due")
def close_due_command():
    """Close open campaigns whose closing date has passed (safe to run every minute)."""
    from .campaigns.service import close_due

    closed = close_due()
    click.echo(f"Closed {len(closed)} campaign(s): {', '.join(closed)}" if closed else "No campaign was due.")


@advocacy_cli.command("anonymise-due")
def anonymise_due_command():
    """Anonymise signers' and donors' personal data PERSONAL_DATA_RETENTION_DAYS after their campaign
    was delivered or closed (counts stay; idempotent, in batches; the worker runs it hourly)."""
    from .privacy.service import anonymise_due

    report = anonymise_due()
    click.echo(f"Anonymised {report.signatures} signature(s) in {report.batches} batch(es), "
               f"{report.donations} donation email(s); deleted {report.mails} old mail(s) and the stored "
               f"lists of {report.deliveries} delivery(ies).")
