"""The background worker: writes signers' confirmation mails, sends the outbox, folds counters,
closes campaigns at their date, renders delivery packets' PDFs, anonymises personal data past its
lifetime, posts letters to CWC and watches the tallies for milestones and members ready to deliver;
on PostgreSQL it also analyzes tables that have doubled (`database.analyze_grown_tables`)."""
import logging
import signal
import time

from flask import current_app

from .campaigns.service import close_due
from .database import analyze_grown_tables
from .delivery import cwc
from .delivery.packets import render_due
from .delivery.progress import watch_due
from .extensions import db
from .mail.service import relay_offers_smtputf8, send_due
from .pacing import MailPacer
from .privacy.service import anonymise_due
from .signatures.counting import fold_all
from .signatures.service import queue_due_confirmations
from .updates.service import fan_out_due

log = logging.getLogger(__name__)

CLOSE_DUE_INTERVAL = 60.0  # seconds between runs of close-due (closing campaigns at their date)
ANONYMISE_DUE_INTERVAL = 3600.0  # seconds between runs of anonymise-due (personal data lifetime)
WATCH_DUE_INTERVAL = 60.0  # seconds between looks at the tallies (milestones, members ready to deliver)
# and at approved letters to queue for CWC
YIELD_LOG_INTERVAL = 60.0  # at most one "the CPUs are contended" line a minute, however often it changes
ANALYZE_INTERVAL = 1.0  # seconds between looks for tables that have doubled since their last ANALYZE


def mail_round() -> bool:
    """One batch of each kind of mail work: signers' confirmation mails written, the outbox sent, an
    update's mails; whether there was any."""
    written = queue_due_confirmations()
    sent, failed = send_due()
    fanned_out = fan_out_due()
    return bool(written or sent + failed or fanned_out)


def run_worker(once: bool = False, poll_interval: float = 1.0, pacer: MailPacer | None = None) -> None:
    """Until stopped (SIGTERM, SIGINT), or one round with `once`: the periodic jobs, and mail work
    for as long as there is some, paced by `pacer` (advocacy.pacing; from MAIL_SURGE_SHARE_PERCENT
    unless given; `once` drains everything unpaced). Counters are folded between batches and
    while the mail rests, so the public count stays a few seconds fresh."""
    stopping = False
    if pacer is None and not once:
        percent = current_app.config["MAIL_SURGE_SHARE_PERCENT"]
        if not 0 < percent <= 100:
            raise ValueError(f"MAIL_SURGE_SHARE_PERCENT must be 1 to 100 (100: never yield), not {percent}")
        pacer = MailPacer(percent / 100)

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    if not once:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    log.info("worker started (%s)", "SMTP " + current_app.config["SMTP_HOST"]
             if current_app.config["SMTP_HOST"] else "no SMTP: mail is printed to the console")
    if current_app.config["SMTP_HOST"]:  # asked once now; the answer is cached (mail.service)
        log.info("the relay %s SMTPUTF8 (internationalised addresses)",
                 "offers" if relay_offers_smtputf8() else "does not offer")
    last_close_due = last_anonymise_due = last_watch_due = last_analyze = float("-inf")
    yielding, said_yielding = False, float("-inf")

    def paced_mail_round() -> bool:
        """A mail round, or a rest (at most `poll_interval`) while the pacer asks for one: True
        while mail work may be waiting."""
        nonlocal yielding, said_yielding
        if pacer is None:
            return mail_round()
        if (rest := pacer.rest_left()) > 0:
            time.sleep(min(rest, poll_interval))
            return True
        started = time.monotonic()
        busy = mail_round()
        pacer.worked(time.monotonic() - started)
        if pacer.contended and not yielding and time.monotonic() - said_yielding >= YIELD_LOG_INTERVAL:
            yielding, said_yielding = True, time.monotonic()
            log.info("the CPUs are contended: mail work takes at most %d%% of the worker's time until they are free",
                     round(pacer.share * 100))
        elif yielding and not pacer.contended:
            yielding = False
            log.info("the CPUs are free: mail work at full speed")
        return busy

    def analyze_when_due():
        nonlocal last_analyze
        if time.monotonic() - last_analyze >= ANALYZE_INTERVAL:
            last_analyze = time.monotonic()
            if analyzed := analyze_grown_tables():
                log.info("analyzed tables that doubled since their last analyze: %s", ", ".join(analyzed))

    while not stopping:
        try:
            if time.monotonic() - last_close_due >= CLOSE_DUE_INTERVAL:
                last_close_due = time.monotonic()
                if closed := close_due():
                    log.info("closed campaigns at their closing date: %s", ", ".join(closed))
            if time.monotonic() - last_anonymise_due >= ANONYMISE_DUE_INTERVAL:
                last_anonymise_due = time.monotonic()
                report = anonymise_due()
                if report.signatures or report.donations or report.mails or report.deliveries:
                    log.info("anonymised %d signature(s), %d donation(s); deleted %d old mail(s) and the "
                             "stored lists of %d delivery(ies)", report.signatures, report.donations, report.mails,
                             report.deliveries)
            analyze_when_due()
            fold_all()
            if time.monotonic() - last_watch_due >= WATCH_DUE_INTERVAL:
                last_watch_due = time.monotonic()
                milestones, ready = watch_due()
                if milestones or ready:
                    log.info("%d milestone(s) reached; %d member(s) ready to deliver", milestones, ready)
                if queued := cwc.queue_approved_letters():
                    log.info("queued %d letter(s) for CWC", queued)
            cwc.post_due()
            busy = paced_mail_round()
            if rendered := render_due():
                log.info("rendered %d delivery packet(s)", rendered)
            while busy and not stopping:
                analyze_when_due()  # a surge keeps the worker in this loop
                fold_all()
                busy = paced_mail_round()
        except Exception:  # keep the worker alive through database hiccups
            db.session.rollback()
            log.exception("worker iteration failed")
            if once:
                raise
        finally:
            db.session.remove()
        if once:
            return
        time.sleep(poll_interval)
