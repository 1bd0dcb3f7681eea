from django.urls import path

from vanban.web.views import exchange

urlpatterns = [
    path("quan-tri/lien-thong/co-quan/", exchange.partner_list, name="exchange_partners"),
    path("quan-tri/lien-thong/co-quan/nhap/", exchange.partner_import, name="exchange_partner_import"),
    path("quan-tri/lien-thong/co-quan/<int:pk>/", exchange.partner_edit, name="exchange_partner_edit"),
    path("quan-tri/lien-thong/co-quan/<int:pk>/trang-thai/", exchange.partner_toggle, name="exchange_partner_toggle"),
    path("quan-tri/lien-thong/gui-loi/", exchange.outbox_list, name="exchange_outbox"),
    path("quan-tri/lien-thong/gui-loi/<int:pk>/gui-lai/", exchange.outbox_retry, name="exchange_outbox_retry"),
    path("quan-tri/lien-thong/gui-loi/<int:pk>/huy/", exchange.outbox_abandon, name="exchange_outbox_abandon"),
    path("van-ban-lien-thong/", exchange.received_list, name="exchange_received"),
    path("van-ban-lien-thong/<int:pk>/tiep-nhan/", exchange.received_accept, name="exchange_received_accept"),
    path("van-ban-lien-thong/<int:pk>/tu-choi/", exchange.received_refuse, name="exchange_received_refuse"),
    path("van-ban-lien-thong/yeu-cau/<int:pk>/dong-y/", exchange.change_accept, name="exchange_change_accept"),
    path("van-ban-lien-thong/yeu-cau/<int:pk>/tu-choi/", exchange.change_refuse, name="exchange_change_refuse"),
]
