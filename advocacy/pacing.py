"""The mail worker yields the CPU to the app servers during a surge on a machine they share.

`nice` alone did not do it on the benchmark's 2-core machine: the worker at nice 19 still took 0.15
to 0.38 ms of CPU per signature in a signing load (whether in the app servers' session or in a
scheduling group of its own), and signing ran 15 to 28% slower than with the worker stopped.
Linux's pressure stall information (PSI, /proc/pressure/cpu) says instead how much of the time
some runnable task waited for a CPU: 0.79 to 0.97 under the benchmark's loads (0.88 to 0.96
while signing), 0.02 while the worker drains a backlog alone, 0 when idle. Under such pressure the worker rests
after each batch of mail work, so that the work takes at most a set share of its time; the
signers' mail waits and goes out when the surge is over. Where the worker has a machine of its
own, there is no pressure and it never rests.
"""
import time

PSI_CPU = "/proc/pressure/cpu"
# Some task waited for a CPU at least this share of the time: the machine is contended.
CONTENDED = 0.5


class CpuPressure:
    """The share of wall time in which some runnable task waited for a CPU, between one reading and
    the next (the cumulative stall time, "total=" in microseconds, of /proc/pressure/cpu)."""

    def __init__(self, path: str = PSI_CPU):
        self.path = path
        self.last = self._read()

    def _read(self) -> tuple[int, float] | None:
        try:
            with open(self.path) as f:
                first = f.readline()  # "some avg10=0.00 avg60=0.00 avg300=0.00 total=123456"
            return int(first.rsplit("total=", 1)[1]), time.monotonic()
        except (OSError, IndexError, ValueError):  # no PSI: not Linux, an old kernel, psi=0
            return None

    def since_last(self) -> float | None:
        """The share since the previous call (or since this object was made); None without PSI."""
        now, before = self._read(), self.last
        self.last = now
        if now is None or before is None or now[1] <= before[1]:
            return None
        return (now[0] - before[0]) / 1e6 / (now[1] - before[1])


class MailPacer:
    """After each batch of mail work, `worked(seconds)`: when the CPUs were contended since the last
    batch (`CONTENDED`), the next may start only after a rest that keeps mail work to `share` of the
    worker's time (0.1: a batch that took 0.2 s is followed by 1.8 s of rest). `share` 1 never rests."""

    def __init__(self, share: float, pressure: CpuPressure | None = None):
        if not 0 < share <= 1:
            raise ValueError("the share of time for mail work must be above 0 and at most 1")
        self.share = share
        self.pressure = pressure or CpuPressure()
        self.resume_at = 0.0
        self.contended = False

    def rest_left(self) -> float:
        return max(0.0, self.resume_at - time.monotonic())

    def worked(self, seconds: float) -> None:
        measured = self.pressure.since_last()
        self.contended = self.share < 1 and measured is not None and measured >= CONTENDED
        self.resume_at = time.monotonic() + seconds * (1 / self.share - 1) if self.contended else 0.0
