from django.urls import path

from vanban.web.views import signatures

urlpatterns = [
    path("tai-khoan/chu-ky-so/", signatures.my_signatures, name="my_signatures"),
    path("tai-khoan/chu-ky-so/<int:pk>/thu-hoi/", signatures.my_signature_revoke, name="my_signature_revoke"),
    path("pki/crl/<slug:serial>.crl", signatures.crl, name="pki_crl"),
    path("pki/tsa", signatures.tsa, name="pki_tsa"),
    path("quan-tri/chu-ky-so-co-quan/", signatures.organ_seal, name="organ_seal"),
]
