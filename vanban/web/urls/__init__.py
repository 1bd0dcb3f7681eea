"""Web pages, one module per area; all in the "web" namespace."""

from vanban.web.urls import (
    accounts,
    audit,
    auth,
    backups,
    directory,
    documents,
    exchange,
    extraction,
    incoming,
    incoming_exports,
    jobs,
    notifications,
    outgoing,
    outgoing_exports,
    records,
    reports,
    schedule,
    search,
    security,
    signatures,
    units,
    usage,
    workcalendar,
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
    + records.urlpatterns
    + schedule.urlpatterns
    + backups.urlpatterns
    + workcalendar.urlpatterns
    + notifications.urlpatterns
    + exchange.urlpatterns
    + reports.urlpatterns
    + search.urlpatterns
)
