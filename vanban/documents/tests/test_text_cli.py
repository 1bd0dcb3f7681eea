"""`vanban text detect FILE` and `vanban text convert [--from ...] FILE|-`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

TCVN3_BYTES = "Xin chµo c¸c b¹n\n".encode("cp1252")
VNI_BYTES = "Toâi ñi hoïc\n".encode("cp1252")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("text", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "tcvn3": tmp_path / "tcvn3.txt",
        "vni": tmp_path / "vni.txt",
        "viqr": tmp_path / "viqr.txt",
        "unicode": tmp_path / "unicode.txt",
    }
    paths["tcvn3"].write_bytes(TCVN3_BYTES)
    paths["vni"].write_bytes(VNI_BYTES)
    paths["viqr"].write_bytes(b"Tie^'ng Vie^.t\n")
    paths["unicode"].write_bytes("Tiếng Việt\n".encode())
    return paths


def test_detect_prints_exactly_the_encoding_name(files):
    for name, path in files.items():
        assert run("detect", str(path)) == (name + "\n", "")


def test_convert_prints_nfc_unicode_and_keeps_the_file_s_own_newline(files):
    assert run("convert", str(files["tcvn3"])) == ("Xin chào các bạn\n", "")
    assert run("convert", str(files["vni"])) == ("Tôi đi học\n", "")
    assert run("convert", str(files["viqr"])) == ("Tiếng Việt\n", "")
    assert run("convert", str(files["unicode"])) == ("Tiếng Việt\n", "")


def test_convert_from_a_named_encoding(tmp_path):
    path = tmp_path / "ambiguous.txt"
    path.write_bytes("tæ".encode("cp1252"))
    assert run("convert", str(path)) == ("tæ", "")
    assert run("convert", "--from", "tcvn3", str(path)) == ("tổ", "")
    assert run("convert", "--from", "vni", str(path)) == ("tỉ", "")


def test_convert_reads_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(VNI_BYTES)))
    assert run("convert", "-") == ("Tôi đi học\n", "")


def test_missing_file_is_a_vietnamese_error_and_a_failing_exit(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("text", "detect", str(tmp_path / "khong-co.txt"), stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue() == f"Không tìm thấy tệp «{tmp_path / 'khong-co.txt'}».\n"


def test_directory_is_a_vietnamese_error(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("text", "convert", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == f"«{tmp_path}» là thư mục, không phải tệp.\n"


def test_unreadable_file_is_a_vietnamese_error(tmp_path, monkeypatch):
    path = tmp_path / "khoa.txt"
    path.write_bytes(b"x")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("text", "convert", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == f"Không có quyền đọc tệp «{path}».\n"


def test_the_vanban_command_works_in_a_pipe(tmp_path):
    env = {**os.environ, "VANBAN_VAR_DIR": str(tmp_path), "LC_ALL": "C", "LANG": "C"}
    command = [sys.executable, "-m", "vanban.cli", "text", "convert", "-"]
    done = subprocess.run(command, input=TCVN3_BYTES, capture_output=True, env=env, cwd=settings.BASE_DIR)
    assert (done.returncode, done.stdout.decode()) == (0, "Xin chào các bạn\n")
    missing = subprocess.run(
        [*command[:-1], str(tmp_path / "x.txt")], capture_output=True, env=env, cwd=settings.BASE_DIR
    )
    assert missing.returncode == 1
    assert "Không tìm thấy tệp" in missing.stderr.decode()
