import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What Django would otherwise do in a web worker's first request, done as it starts: import
# every view (the URLs) and fingerprint the report templates and fonts, so the first visitor
# of a fresh worker waits no longer than the next (a stored PDF in a few ms, not ~0.15 s).
from assessment.startup import warm_web_process  # noqa: E402 - needs the app set up above

warm_web_process()
