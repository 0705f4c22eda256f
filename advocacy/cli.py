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


@advocacy_cli.command("recanonicalise-emails")
def recanonicalise_emails_command():
    """Re-apply the canonical email rules to stored signatures (after an upgrade that adds providers);
    duplicates that now share an address keep the earliest confirmed signature."""
    from .signatures.service import recanonicalise_emails

    result = recanonicalise_emails()
    click.echo(f"Canonical emails updated: {result.updated}; later duplicates folded (removed): {result.folded}.")


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
    from .geography.service import load_geography, office_count

    zips, members = load_geography()
    click.echo(f"Geography loaded: {zips} ZIP-district pairs, {members} lawmakers, "
               f"{office_count()} district offices.")


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


@advocacy_cli.command("bounce-server")
@click.option("--host", default=None, help="Address to listen on (default BOUNCE_SERVER_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (default BOUNCE_SERVER_PORT).")
def bounce_server_command(host, port):
    """Receive bounces, complaints (ARF) and List-Unsubscribe mails over SMTP until stopped.

    Point the MX of BOUNCE_DOMAIN (or a transport of your mail server) here."""
    import signal
    import threading

    from aiosmtpd.controller import Controller
    from flask import current_app

    from .mail.feedback import InboundHandler
    from .updates.service import unsubscribe_signature

    cfg = current_app.config
    handler = InboundHandler(current_app._get_current_object(), on_unsubscribe=unsubscribe_signature)
    controller = Controller(handler, hostname=host or cfg["BOUNCE_SERVER_HOST"],
                            port=port or cfg["BOUNCE_SERVER_PORT"], enable_SMTPUTF8=True)
    controller.start()
    click.echo(f"Bounce server listening on {controller.hostname}:{controller.port}")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


@advocacy_cli.command("read-report")
@click.option("--recipient", "recipients", multiple=True, help="Envelope recipient (a VERP address).")
def read_report_command(recipients):
    """Act on one bounce, complaint or unsubscribe mail read from standard input (for a mail server's
    pipe transport, e.g. Postfix `bounces unix - n n - - pipe ... flask advocacy read-report
    --recipient ${recipient}`)."""
    from .mail.feedback import handle_report
    from .updates.service import unsubscribe_signature

    outcome = handle_report(sys.stdin.buffer.read(), list(recipients), unsubscribe_signature)
    click.echo(f"{outcome.action}" + (f" (outbox {outcome.outbox_id})" if outcome.outbox_id else "")
               + (f": {outcome.detail}" if outcome.detail else ""))


@advocacy_cli.command("load-disposable-domains")
@click.argument("source", required=False)
@click.option("--packaged", is_flag=True,
              help="Forget the loaded list: the installed disposable-email-domains package's list is in force again.")
def load_disposable_domains_command(source, packaged):
    """Replace the list of disposable-mail domains with SOURCE, a file or an http(s) URL with one
    domain a line (for example the disposable-email-domains project's disposable_email_blocklist.conf).
    Signatures from these domains are held for review. Safe to run from cron; signing goes on."""
    from .bots.service import DomainListError, load_disposable_domains, parse_domain_list, read_domain_list

    if packaged == bool(source):
        raise click.UsageError("Give either SOURCE or --packaged.")
    if packaged:
        load_disposable_domains(None)
        click.echo("Loaded list emptied: the installed package's list of disposable domains is in force.")
        return
    try:
        domains = parse_domain_list(read_domain_list(source))
    except (DomainListError, OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"List not loaded ({error}); the list in force is unchanged.") from error
    click.echo(f"Loaded {load_disposable_domains(domains)} disposable domains from {source}.")
