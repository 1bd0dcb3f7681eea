"""Web pages, one module per area; all in the "web" namespace."""

from vanban.web.urls import (
    accounts,
    audit,
    auth,
    directory,
    documents,
    extraction,
    incoming,
    incoming_exports,
    jobs,
    outgoing,
    outgoing_exports,
    security,
    signatures,
    units,
    usage,
    workflow,
)

app_name = "web"
urlpatterns = (
    auth.urlpatterns
    + units.urlpatterns
    + accounts.urlpatterns
    + security.urlpatterns
    + directory.urlpatterns
    + jobs.urlpatterns
    + audit.urlpatterns
    + usage.urlpatterns
    + documents.urlpatterns
    + incoming.urlpatterns
    + extraction.urlpatterns
    + workflow.urlpatterns
    + outgoing.urlpatterns
    + incoming_exports.urlpatterns
    + outgoing_exports.urlpatterns
    + signatures.urlpatterns
)
