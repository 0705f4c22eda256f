"""How gunicorn's workers share the connections (advocacy/gunicorn_conf.py: reuse_port)."""
import socket
import sys
from collections import Counter

import pytest

from advocacy import gunicorn_conf
from bench.formclient import AppServer

CONNECTIONS = 30


def _serving_pid(connection: socket.socket) -> str:
    connection.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.split(b"\r\n\r\n", 1)[1]:
        chunk = connection.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer.split(b"\r\n\r\n", 1)[1].decode()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT as Linux spreads connections")
def test_a_burst_of_keep_alive_connections_is_spread_over_the_workers(tmp_path):
    """A load balancer or proxy opens its keep-alive connections in a burst. On one shared socket the
    first worker to wake took all 30 of them (measured: 30, 30, 30, 30 and 29 of 30), leaving
    one Python process, one core, for the whole load; with a socket per worker, 11 to 16."""
    with AppServer({}, workers=3, app="tests.support.whoami:app", log_path=tmp_path / "gunicorn.log") as server:
        server.wait_ready()
        workers = {str(pid) for pid in server.worker_pids()}
        connections = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(CONNECTIONS)]
        try:
            served_by = Counter(_serving_pid(connection) for connection in connections)
        finally:
            for connection in connections:
                connection.close()
    assert len(workers) == 3 and set(served_by) <= workers
    assert len(served_by) >= 2
    assert max(served_by.values()) <= 0.8 * CONNECTIONS


def test_a_unix_socket_is_never_taken_over_worker_by_worker(monkeypatch):
    """Each worker would bind the path anew (gunicorn removes the socket file first), so only the last
    one would be reached."""
    monkeypatch.delenv("GUNICORN_REUSE_PORT", raising=False)
    monkeypatch.delenv("LISTEN_FDS", raising=False)
    assert gunicorn_conf._spreads_connections(["127.0.0.1:8000"]) == sys.platform.startswith("linux")
    assert not gunicorn_conf._spreads_connections(["unix:/run/advocacy.sock"])
    assert not gunicorn_conf._spreads_connections(["127.0.0.1:8000", "unix:/run/advocacy.sock"])


@pytest.mark.parametrize("off", ["0", "false", "False", " OFF ", "no"])
def test_one_shared_socket_can_be_asked_for(monkeypatch, off):
    monkeypatch.delenv("LISTEN_FDS", raising=False)
    monkeypatch.setenv("GUNICORN_REUSE_PORT", off)
    assert not gunicorn_conf._spreads_connections(["0.0.0.0:8000"])


def test_a_socket_systemd_hands_over_is_used_as_it_is(monkeypatch):
    """With socket activation the address is already held by systemd's socket: binding it again in
    each worker would fail."""
    monkeypatch.delenv("GUNICORN_REUSE_PORT", raising=False)
    monkeypatch.setenv("LISTEN_FDS", "1")
    assert not gunicorn_conf._spreads_connections(["0.0.0.0:8000"])
