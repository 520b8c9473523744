"""Production entry point: `gunicorn wsgi:app`."""

from walletservice import create_app

app = create_app()
