"""The text guard on the wire: POST /api/v1/text/convert."""

from __future__ import annotations

from rest_framework import serializers

from vanban.api.serializers.common import StrictSerializer
from vanban.documents.text import SOURCE_LABELS, SOURCES

# A long official text is a few hundred thousand characters; this bounds the work one
# request can ask for (and stays under the request body limit for Vietnamese UTF-8).
MAX_TEXT_LENGTH = 500_000

SOURCE_HELP = "Bảng mã: " + "; ".join(f"{code} – {label}" for code, label in SOURCE_LABELS.items())


class TextConvertSerializer(StrictSerializer):
    """Văn bản cần chuyển sang Unicode dựng sẵn."""

    text = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_TEXT_LENGTH,
        help_text="Văn bản cần chuyển, nguyên như khi dán hoặc đọc từ tệp (chữ mã cũ hiện ra dạng lỗi phông)",
    )
    source = serializers.ChoiceField(
        choices=["auto", *[s for s in SOURCES if s != "unicode"]],
        default="auto",
        help_text="Bảng mã nguồn; auto (mặc định) để hệ thống tự nhận dạng",
    )


class TextConversionSerializer(serializers.Serializer):
    """Kết quả chuyển mã."""

    text = serializers.CharField(help_text="Văn bản đã chuyển sang Unicode dựng sẵn (NFC)")
    source = serializers.ChoiceField(choices=list(SOURCES), help_text=SOURCE_HELP)
    changed = serializers.BooleanField(help_text="Văn bản có bị thay đổi hay không")
    original = serializers.CharField(help_text="Văn bản gửi lên, không đổi, để người dùng so sánh hoặc hoàn tác")
