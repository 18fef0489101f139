"""The WSGI application gunicorn serves. A server defaults to production settings, which refuse
to start half-configured; only manage.py defaults to development (DEBUG on, a published key)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

application = get_wsgi_application()
