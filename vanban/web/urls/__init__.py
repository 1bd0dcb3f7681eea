"""Web pages, one module per area; all in the "web" namespace."""

from vanban.web.urls import accounts, audit, auth, directory, documents, incoming, jobs, security, units, usage

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
)
