"""`vanban edxml validate|import`: exit codes, the one-line summary, the Vietnamese
reason, the row id on the last line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from vanban.exchange.models import ReceivedMessage
from vanban.exchange.tests.conftest import FIXTURES, VALID_FILES


def _run(capsys: Any, *args: str) -> tuple[int, str, str]:
    try:
        call_command("edxml", *args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", VALID_FILES)
def test_validate_accepts_every_valid_sample_with_one_line(name: str, capsys: Any) -> None:
    code, out, _ = _run(capsys, "validate", str(FIXTURES / name))
    assert code == 0
    assert out.count("\n") == 1 and out.startswith("Hợp lệ: ")
    assert ("Trạng thái " if name.startswith("status") else "Văn bản ") in out


def test_validate_reports_warnings_on_stderr(capsys: Any) -> None:
    code, out, err = _run(capsys, "validate", str(FIXTURES / "edoc_new.edxml"))
    assert code == 0 and "74fass22/VPCP-TTĐT" in out
    assert "Cảnh báo: edXML: đã bỏ 4 byte («1212»)" in err


def test_validate_refuses_the_damaged_sample_with_the_reason(capsys: Any) -> None:
    code, out, err = _run(capsys, "validate", str(FIXTURES / "edoc.edxml"))
    assert code == 1 and out == ""
    assert err.startswith("Không hợp lệ [unbound_prefix]:") and "xlink" in err


def test_validate_a_missing_file(capsys: Any, tmp_path: Path) -> None:
    code, _, err = _run(capsys, "validate", str(tmp_path / "khong-co.edxml"))
    assert code == 1 and "Không tìm thấy tệp" in err


def test_the_console_script_exits_1_with_the_reason() -> None:
    """The real `vanban` entry point (validate touches no database)."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    vanban = Path(sys.executable).with_name("vanban")
    bad = subprocess.run([str(vanban), "edxml", "validate", str(FIXTURES / "edoc.edxml")], capture_output=True, env=env,
                         timeout=120)  # fmt: skip
    assert bad.returncode == 1
    assert "tiền tố không gian tên «xlink»" in bad.stderr.decode("utf-8")
    good = subprocess.run([str(vanban), "edxml", "validate", str(FIXTURES / "status_finish_06.edxml")],
                          capture_output=True, env=env, timeout=120)  # fmt: skip
    assert good.returncode == 0
    assert good.stdout.decode("utf-8").startswith("Hợp lệ: Trạng thái 06 (Hoàn thành)")


@pytest.mark.django_db
def test_import_prints_the_row_id_last_and_is_idempotent(capsys: Any, organ: Any, own_h41: Any,
                                                        isolated_storage: Any) -> None:  # fmt: skip
    path = str(FIXTURES / "edoc_replacement.edxml")
    code, out, _ = _run(capsys, "import", path)
    assert code == 0
    row = ReceivedMessage.objects.get()
    assert out.splitlines()[-1] == str(row.pk)
    assert row.to_organ == own_h41 and row.channel == "cli"
    code, out, _ = _run(capsys, "import", path)
    assert code == 0 and out.splitlines()[-1] == str(row.pk)
    assert "Đã nhận trước đó" in out
    assert ReceivedMessage.objects.count() == 1


@pytest.mark.django_db
def test_import_refuses_another_organs_message_unless_told(capsys: Any, organ: Any, isolated_storage: Any) -> None:
    path = str(FIXTURES / "edoc_update.edxml")
    code, out, err = _run(capsys, "import", path)
    assert code == 1 and out == ""
    assert err.startswith("Không nhận [wrong_recipient]:")
    assert not ReceivedMessage.objects.exists()
    code, out, _ = _run(capsys, "import", path, "--any-recipient")
    assert code == 0 and out.splitlines()[-1] == str(ReceivedMessage.objects.get().pk)
    code, _, err = _run(capsys, "import", str(FIXTURES / "edoc.edxml"), "--any-recipient")
    assert code == 1 and "[unbound_prefix]" in err
    assert ReceivedMessage.objects.count() == 1
