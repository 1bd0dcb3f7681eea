"""The document types every installation starts with (ND30 App III, the common
normative types, the three copy forms, and the forbidden đơn thư tố cáo). Frozen here
as data: later changes to vanban/documents/catalogue.py need a migration of their own."""

from django.db import migrations

# code, name, abbreviation (as written), group, is_forbidden
TYPES = [
    ('nghi-quyet-ca-biet', 'Nghị quyết (cá biệt)', 'NQ', 'administrative', False),
    ('quyet-dinh-ca-biet', 'Quyết định (cá biệt)', 'QĐ', 'administrative', False),
    ('chi-thi', 'Chỉ thị', 'CT', 'administrative', False),
    ('quy-che', 'Quy chế', 'QC', 'administrative', False),
    ('quy-dinh', 'Quy định', 'QyĐ', 'administrative', False),
    ('thong-cao', 'Thông cáo', 'TC', 'administrative', False),
    ('thong-bao', 'Thông báo', 'TB', 'administrative', False),
    ('huong-dan', 'Hướng dẫn', 'HD', 'administrative', False),
    ('chuong-trinh', 'Chương trình', 'CTr', 'administrative', False),
    ('ke-hoach', 'Kế hoạch', 'KH', 'administrative', False),
    ('phuong-an', 'Phương án', 'PA', 'administrative', False),
    ('de-an', 'Đề án', 'ĐA', 'administrative', False),
    ('du-an', 'Dự án', 'DA', 'administrative', False),
    ('bao-cao', 'Báo cáo', 'BC', 'administrative', False),
    ('bien-ban', 'Biên bản', 'BB', 'administrative', False),
    ('to-trinh', 'Tờ trình', 'TTr', 'administrative', False),
    ('hop-dong', 'Hợp đồng', 'HĐ', 'administrative', False),
    ('cong-van', 'Công văn', '', 'administrative', False),
    ('cong-dien', 'Công điện', 'CĐ', 'administrative', False),
    ('ban-ghi-nho', 'Bản ghi nhớ', 'BGN', 'administrative', False),
    ('ban-thoa-thuan', 'Bản thỏa thuận', 'BTT', 'administrative', False),
    ('giay-uy-quyen', 'Giấy ủy quyền', 'GUQ', 'administrative', False),
    ('giay-moi', 'Giấy mời', 'GM', 'administrative', False),
    ('giay-gioi-thieu', 'Giấy giới thiệu', 'GGT', 'administrative', False),
    ('giay-nghi-phep', 'Giấy nghỉ phép', 'GNP', 'administrative', False),
    ('phieu-gui', 'Phiếu gửi', 'PG', 'administrative', False),
    ('phieu-chuyen', 'Phiếu chuyển', 'PC', 'administrative', False),
    ('phieu-bao', 'Phiếu báo', 'PB', 'administrative', False),
    ('thu-cong', 'Thư công', '', 'administrative', False),
    ('luat', 'Luật', '', 'legal', False),
    ('phap-lenh', 'Pháp lệnh', 'PL', 'legal', False),
    ('lenh', 'Lệnh', 'L', 'legal', False),
    ('nghi-quyet-qppl', 'Nghị quyết (quy phạm pháp luật)', 'NQ', 'legal', False),
    ('nghi-quyet-lien-tich', 'Nghị quyết liên tịch', 'NQLT', 'legal', False),
    ('nghi-dinh', 'Nghị định', 'NĐ', 'legal', False),
    ('quyet-dinh-qppl', 'Quyết định (quy phạm pháp luật)', 'QĐ', 'legal', False),
    ('thong-tu', 'Thông tư', 'TT', 'legal', False),
    ('thong-tu-lien-tich', 'Thông tư liên tịch', 'TTLT', 'legal', False),
    ('ban-sao-y', 'Bản sao y', 'SY', 'copy', False),
    ('ban-trich-sao', 'Bản trích sao', 'TrS', 'copy', False),
    ('ban-sao-luc', 'Bản sao lục', 'SL', 'copy', False),
    ('don-thu-to-cao', 'Đơn thư tố cáo', '', 'other', True),
]


def load(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for order, (code, name, abbreviation, group, forbidden) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "abbreviation": abbreviation,
                "group": group,
                "is_forbidden": forbidden,
                "is_builtin": True,
                "sort_order": order * 10,
            },
        )


def unload(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    DocumentType.objects.filter(code__in=[t[0] for t in TYPES], is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
