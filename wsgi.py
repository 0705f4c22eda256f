"""WSGI entry point: `flask --app wsgi ...` and production servers (gunicorn wsgi:app)."""
from advocacy import create_app

app = create_app()
