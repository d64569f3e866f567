"""The WSGI entry point: `flask run` finds it, gunicorn serves `wsgi:app`."""

from fitlink import create_app

app = create_app()
