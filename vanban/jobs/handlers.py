"""Imports the modules that register job kinds, so a worker knows all of them."""

from vanban.accounts import imports  # noqa: F401
from vanban.backup import jobs as backup_jobs  # noqa: F401
from vanban.extraction import jobs as autofill_jobs  # noqa: F401
from vanban.records import jobs as records_jobs  # noqa: F401
from vanban.reports import services as reports_services  # noqa: F401
from vanban.search import extraction_jobs  # noqa: F401
