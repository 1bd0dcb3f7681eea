"""Imports the modules that register job kinds, so a worker knows all of them."""

from vanban.accounts import imports  # noqa: F401
from vanban.extraction import jobs as extraction_jobs  # noqa: F401
