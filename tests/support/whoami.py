"""A WSGI app that answers with the pid of the process that served it: which gunicorn worker took a
connection (tests/test_gunicorn_connections.py)."""
import os


def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
