from django.urls import path

from vanban.api.views import records as v

urlpatterns = [
    path("records/plans", v.PlanListView.as_view(), name="api-records-plans"),
    path("records/plans/<int:pk>", v.PlanDetailView.as_view(), name="api-records-plan"),
    path("records/plans/<int:pk>/headings", v.PlanHeadingsView.as_view(), name="api-records-plan-headings"),
    path("records/plans/<int:pk>/entries", v.PlanEntriesView.as_view(), name="api-records-plan-entries"),
    path("records/plans/<int:pk>/approve", v.PlanApproveView.as_view(), name="api-records-plan-approve"),
    path("records/plans/<int:pk>/publish", v.PlanPublishView.as_view(), name="api-records-plan-publish"),
    path("records/plans/<int:pk>/copy-forward", v.PlanCopyView.as_view(), name="api-records-plan-copy"),
    path("records/plan-entries/<int:pk>", v.PlanEntryView.as_view(), name="api-records-plan-entry"),
    path("records/dossiers", v.DossierListView.as_view(), name="api-records-dossiers"),
    path("records/dossiers/<int:pk>", v.DossierDetailView.as_view(), name="api-records-dossier"),
    path("records/dossiers/<int:pk>/documents", v.DossierDocumentsView.as_view(), name="api-records-dossier-documents"),
    path("records/dossiers/<int:pk>/materials", v.DossierMaterialsView.as_view(), name="api-records-dossier-materials"),
    path("records/dossiers/<int:pk>/close", v.DossierCloseView.as_view(), name="api-records-dossier-close"),
    path("records/dossiers/<int:pk>/reopen", v.DossierReopenView.as_view(), name="api-records-dossier-reopen"),
    path("records/dossiers/<int:pk>/legal-hold", v.LegalHoldView.as_view(), name="api-records-dossier-hold"),
    path("records/dossiers/<int:pk>/contents.pdf", v.DossierContentsView.as_view(), name="api-records-dossier-contents"),
    path("records/items/<int:pk>", v.ItemView.as_view(), name="api-records-item"),
    path("records/retention-report", v.RetentionReportView.as_view(), name="api-records-retention"),
    path("records/transfers", v.TransferListView.as_view(), name="api-records-transfers"),
    path("records/transfers/<int:pk>", v.TransferDetailView.as_view(), name="api-records-transfer"),
    path("records/transfers/<int:pk>/approve", v.TransferApproveView.as_view(), name="api-records-transfer-approve"),
    path("records/transfers/<int:pk>/export", v.TransferExportView.as_view(), name="api-records-transfer-export"),
    path("records/transfers/<int:pk>/package", v.TransferPackageView.as_view(), name="api-records-transfer-package"),
    path("records/packages/verify", v.PackageVerifyView.as_view(), name="api-records-package-verify"),
    path("records/archive/import", v.ArchiveImportView.as_view(), name="api-records-archive-import"),
]
