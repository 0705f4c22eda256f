"""The mail worker yields the CPU to the app servers while the machine is contended (advocacy.pacing)."""
import signal

import pytest

from advocacy import pacing
from advocacy.pacing import CONTENDED, CpuPressure, MailPacer

pytestmark = pytest.mark.no_database


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(pacing.time, "monotonic", clock)
    return clock


def write_psi(path, stalled_us: int):
    path.write_text(f"some avg10=0.00 avg60=0.00 avg300=0.00 total={stalled_us}\n"
                    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")


def test_pressure_is_the_share_of_time_some_task_waited_for_a_cpu(tmp_path, clock):
    psi = tmp_path / "cpu"
    write_psi(psi, 5_000_000)
    pressure = CpuPressure(str(psi))
    clock.now += 2.0
    write_psi(psi, 6_800_000)  # 1.8 s of stall in 2 s
    assert pressure.since_last() == pytest.approx(0.9)
    clock.now += 4.0
    write_psi(psi, 7_000_000)  # then 0.2 s in 4 s
    assert pressure.since_last() == pytest.approx(0.05)


def test_without_psi_there_is_no_reading_and_the_worker_never_rests(tmp_path, clock):
    pressure = CpuPressure(str(tmp_path / "missing"))
    clock.now += 1
    assert pressure.since_last() is None
    pacer = MailPacer(0.1, pressure)
    pacer.worked(0.5)
    assert not pacer.contended and pacer.rest_left() == 0


def test_this_machines_pressure_reads_as_a_share(clock):
    pressure = CpuPressure()
    if pressure.last is None:
        pytest.skip("no /proc/pressure/cpu here")
    clock.now += 1.0
    assert 0 <= pressure.since_last() <= 1.0


class FakePressure:
    def __init__(self, *readings):
        self.readings = list(readings)

    def since_last(self):
        return self.readings.pop(0)


def test_contended_the_pacer_rests_so_mail_takes_its_share_of_the_time(clock):
    pacer = MailPacer(0.1, FakePressure(0.93))
    pacer.worked(0.2)
    assert pacer.contended
    assert pacer.rest_left() == pytest.approx(1.8)  # 0.2 s of work in every 2 s
    clock.now += 1.0
    assert pacer.rest_left() == pytest.approx(0.8)
    clock.now += 1.0
    assert pacer.rest_left() == 0


def test_below_the_contention_mark_or_with_a_whole_share_it_never_rests(clock):
    pacer = MailPacer(0.1, FakePressure(CONTENDED - 0.01, 0.02))
    for _ in range(2):
        pacer.worked(0.3)
        assert not pacer.contended and pacer.rest_left() == 0
    whole = MailPacer(1, FakePressure(0.99))
    whole.worked(0.3)
    assert not whole.contended and whole.rest_left() == 0


def test_after_a_surge_the_next_batch_runs_at_once(clock):
    pacer = MailPacer(0.25, FakePressure(0.9, 0.1))
    pacer.worked(0.1)
    assert pacer.rest_left() == pytest.approx(0.3)
    clock.now += 0.3
    pacer.worked(0.1)  # the pressure since the last batch, rest included, was low
    assert not pacer.contended and pacer.rest_left() == 0


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_a_share_outside_0_to_1_is_refused(share):
    with pytest.raises(ValueError, match="share"):
        MailPacer(share, FakePressure())


@pytest.mark.parametrize("percent", [0, 101])
def test_the_worker_refuses_a_share_setting_outside_1_to_100(app, percent):
    from advocacy.worker import run_worker

    app.config["MAIL_SURGE_SHARE_PERCENT"] = percent
    with app.app_context(), pytest.raises(ValueError, match="MAIL_SURGE_SHARE_PERCENT must be 1 to 100"):
        run_worker()


class RestingPacer:
    """Contended throughout: rests `rests` times between batches, then lets one run."""

    def __init__(self, rests: int):
        self.rests, self.left, self.share, self.contended, self.batches = rests, 0, 0.1, True, 0

    def rest_left(self):
        if self.left:
            self.left -= 1
            return 0.001
        return 0

    def worked(self, seconds):
        self.batches += 1
        self.left = self.rests


def test_the_worker_folds_counters_while_its_mail_rests(app, monkeypatch):
    """While the pacer asks for a rest no mail round runs, but the counters are still folded (the
    public count stays fresh); the worker stops on SIGTERM as before."""
    from advocacy import worker

    handlers, calls = {}, []
    monkeypatch.setattr(worker.signal, "signal", lambda signum, handler: handlers.__setitem__(signum, handler))
    pacer = RestingPacer(rests=3)

    def mail_round():
        calls.append("mail")
        if calls.count("mail") == 3:
            handlers[signal.SIGTERM](signal.SIGTERM, None)
        return True

    for name in ("close_due", "anonymise_due", "analyze_grown_tables", "render_due"):
        monkeypatch.setattr(worker, name, lambda: 0)
    monkeypatch.setattr(worker, "watch_due", lambda: (0, 0))
    monkeypatch.setattr(worker.cwc, "queue_approved_letters", lambda: 0)
    monkeypatch.setattr(worker.cwc, "post_due", lambda: None)
    monkeypatch.setattr(worker, "fold_all", lambda: calls.append("fold"))
    monkeypatch.setattr(worker, "mail_round", mail_round)
    with app.app_context():
        worker.run_worker(poll_interval=0.001, pacer=pacer)
    assert pacer.batches == 3
    # Each batch is followed by three rests, and the counters are folded through every one of them.
    first, second = calls.index("mail"), calls.index("mail", calls.index("mail") + 1)
    assert calls[first + 1:second] == ["fold"] * 4


class TogglingPacer:
    """Contended after every other batch, never resting (the log is what is watched)."""

    def __init__(self):
        self.share, self.contended, self.batches = 0.1, False, 0

    def rest_left(self):
        return 0

    def worked(self, seconds):
        self.batches += 1
        self.contended = self.batches % 2 == 1


class Lines:
    """The worker's log lines, whatever logging configuration earlier tests left behind."""

    def __init__(self):
        self.lines = []

    def info(self, message, *args):
        self.lines.append(message % args)

    exception = warning = error = info


def test_contention_that_comes_and_goes_is_logged_at_most_once_a_minute(app, monkeypatch):
    from advocacy import worker

    handlers = {}
    monkeypatch.setattr(worker.signal, "signal", lambda signum, handler: handlers.__setitem__(signum, handler))
    pacer = TogglingPacer()

    def mail_round():
        if pacer.batches == 7:
            handlers[signal.SIGTERM](signal.SIGTERM, None)
        return True

    for name in ("close_due", "anonymise_due", "analyze_grown_tables", "render_due", "fold_all"):
        monkeypatch.setattr(worker, name, lambda: 0)
    monkeypatch.setattr(worker, "watch_due", lambda: (0, 0))
    monkeypatch.setattr(worker.cwc, "queue_approved_letters", lambda: 0)
    monkeypatch.setattr(worker.cwc, "post_due", lambda: None)
    monkeypatch.setattr(worker, "mail_round", mail_round)
    log = Lines()
    monkeypatch.setattr(worker, "log", log)
    with app.app_context():
        worker.run_worker(poll_interval=0.001, pacer=pacer)
    assert pacer.batches == 8  # contended four times, free four times
    lines = log.lines
    assert sum("the CPUs are contended" in line for line in lines) == 1
    assert sum("the CPUs are free" in line for line in lines) == 1
