"""--out never replaces what is not a plain file (issue 14): /dev/null stays a device, a FIFO
gets the bytes, a symbolic link keeps pointing at its file (which is written), an existing
file keeps its permissions, a folder is refused with a message."""
from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from finals_app.reports.writers import write_atomically


def _write(text: str):
    return lambda temporary: Path(temporary).write_text(text, encoding="utf-8")


def test_dev_null_stays_a_device():
    before = os.stat("/dev/null")
    write_atomically(Path("/dev/null"), _write("rows\n"))
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not list(Path("/dev").glob("null.partial*"))


def test_a_fifo_gets_the_bytes_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    write_atomically(fifo, _write("a,b\n1,2\n"))
    reader.join(10)
    assert got == ["a,b\n1,2\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomically(link, _write("new\n"))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n" and stat.S_IMODE(os.stat(real).st_mode) == 0o640


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(Exception) as raised:
        write_atomically(tmp_path, _write("x"))
    assert "is a folder" in raised.value.render("en") and str(tmp_path) in raised.value.render("en")


def test_the_cli_writes_a_listing_to_dev_null_and_to_stdout(cli):
    code, _, err = cli("standings", "--period", "P1", "--format", "csv", "--out", "/dev/null")
    assert code == 0 and err == "" and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_no_pdf_without_its_chinese_font(cli, tmp_path, monkeypatch):
    import finals_app.reports.fonts as fonts
    monkeypatch.setattr(fonts, "SOURCE_FAMILY", "No Such Font CJK")
    target = tmp_path / "report.pdf"
    code, _, err = cli("report", "--org", "1", "--period", "P1", "--out", str(target))
    assert code == 2 and "fonts-noto-cjk" in err and "No Such Font CJK" in err and not target.exists()
