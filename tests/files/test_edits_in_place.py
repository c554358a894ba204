"""Edits of a user's file: never lost to a race, a kill, a link or an open Excel (issue 14).

Each case is what a user or a second program does while crm_xl works: the file changed
under it, a second crm-xl on the same file, SIGTERM in the middle of the save, a symlink,
root editing a colleague's file, Excel holding the output open.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crm_xl.cli import main
from crm_xl.errors import CrmError
from crm_xl.files.atomic import atomic_path, editing
from crm_xl.workbook.build import new_workbook

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def stale(tmp_path):
    """A workbook whose results are not stored yet: recalc has to write it."""
    return new_workbook(tmp_path / "book.xlsx", "2026-Q4", lang="en", results=False)


def stray_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".crm" in p.name)


def test_a_file_changed_under_an_edit_is_not_overwritten(tmp_path):
    book = tmp_path / "book.txt"
    book.write_text("v1")
    changed = pytest.raises(CrmError, match="changed on disk while crm-xl was working")
    with changed, editing(book):
        theirs = tmp_path / "theirs.txt"
        theirs.write_text("their save")
        os.replace(theirs, book)  # another program saves (atomically, as Excel does)
        with atomic_path(book) as tmp:
            tmp.write_text("ours")
    assert book.read_text() == "their save"
    assert stray_files(tmp_path) == []


def test_recalc_refuses_when_the_workbook_is_saved_meanwhile(stale, monkeypatch, capsys):
    import crm_xl.xlsx.package as package

    save = package.save_atomically
    other = stale.with_name("other.xlsx")
    new_workbook(other, "2026-Q4", lang="zh")

    def someone_saves_first(path, write):
        os.replace(other, stale)  # e.g. new-period or Excel saved while we computed
        save(path, write)

    monkeypatch.setattr(package, "save_atomically", someone_saves_first)
    theirs = digest(other)
    assert main(["recalc", str(stale)]) == 1
    assert "changed on disk while crm-xl was working" in capsys.readouterr().err
    assert digest(stale) == theirs  # their version stands
    assert stray_files(stale.parent) == []


def test_a_second_crm_xl_on_the_same_file_is_refused(stale, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from crm_xl.files.atomic import editing
                with editing({str(stale)!r}):
                    print("held", flush=True)
                    time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = digest(stale)
        assert main(["recalc", str(stale)]) == 1
        assert "another crm-xl command is changing this file" in capsys.readouterr().err
        assert main(["new-period", str(stale), "--period", "2027-Q1"]) == 1
        assert digest(stale) == before
    finally:
        holder.kill()
        holder.wait()
    assert main(["recalc", str(stale)]) == 0  # once the other is done, it runs


SLOW_SAVE = """
import sys, time
import crm_xl.xlsx.package as package
from crm_xl.cli import main

original = package.save_atomically

def slow(path, write):
    def slowly(stream):
        write(stream)
        print("writing", flush=True)
        time.sleep(30)
    original(path, slowly)

package.save_atomically = slow
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_during_the_save_leaves_the_file_and_no_temp_file(stale, sig):
    before = digest(stale)
    run = subprocess.Popen(
        [sys.executable, "-c", SLOW_SAVE, "recalc", str(stale)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert run.stdout.readline().strip() == "writing"
    assert stray_files(stale.parent)  # the temporary file is there, half-way
    run.send_signal(getattr(signal, sig))
    _, err = run.communicate(timeout=30)
    assert run.returncode == 128 + getattr(signal, sig)
    assert f"stopped by {sig}" in err
    assert digest(stale) == before
    assert stray_files(stale.parent) == []


def test_a_killed_writers_temp_file_is_removed_by_the_next_write(stale):
    run = subprocess.Popen(
        [sys.executable, "-c", SLOW_SAVE, "recalc", str(stale)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert run.stdout.readline().strip() == "writing"
    run.kill()  # SIGKILL: nothing in the process can clean up
    run.wait()
    orphans = stray_files(stale.parent)
    assert len(orphans) == 1 and orphans[0].startswith(f".book.xlsx.crm{run.pid}-")
    # a temp file of a process that still runs is not touched
    alive = stale.with_name(f".book.xlsx.crm{os.getppid()}-x.xlsx")
    alive.write_bytes(b"")
    assert main(["recalc", str(stale)]) == 0
    assert stray_files(stale.parent) == [alive.name]


def test_recalc_through_a_symlink_updates_the_target_and_keeps_the_link(stale, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(stale)
    before = digest(stale)
    assert main(["recalc", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == stale
    assert digest(stale) != before  # the results went into the real file
    assert main(["recalc", "--check", str(stale)]) == 0


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_editing_a_users_workbook_leaves_it_theirs(stale):
    os.chown(stale, 1234, 2345)
    os.chmod(stale, 0o640)
    assert main(["recalc", str(stale)]) == 0
    st = stale.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (1234, 2345, 0o640)


def excel_opens(path: Path) -> None:
    (path.parent / ("~$" + path.name)).write_bytes(b"\x0bsome user")


def test_recalc_o_onto_a_workbook_excel_has_open_is_refused(stale, tmp_path, capsys):
    out = new_workbook(tmp_path / "copy.xlsx", "2026-Q4", lang="en")
    excel_opens(out)
    before = digest(out)
    assert main(["recalc", str(stale), "-o", str(out)]) == 1
    assert "Excel has this file open" in capsys.readouterr().err
    assert digest(out) == before


def test_new_force_over_a_workbook_excel_has_open_is_refused(stale, capsys):
    excel_opens(stale)
    before = digest(stale)
    assert main(["new", str(stale), "--period", "2026-Q4", "--force"]) == 1
    assert "Excel has this file open" in capsys.readouterr().err
    assert digest(stale) == before


@pytest.mark.parametrize(
    "command",
    [
        ["recalc", "{book}", "-o", "{out}"],
        ["score", "{csv}", "-m", "{toml}", "-o", "{out_csv}"],
        ["new", "{out}", "--period", "2026-Q4"],
        ["report", "{book}", "-o", "{out_html}"],
    ],
    ids=["recalc", "score", "new", "report"],
)
@pytest.mark.parametrize(
    "where, message",
    [
        ("missing", ("does not exist",)),
        ("folder", ("is a folder", "already exists")),
        # a device is refused for its name (no extension) or for what it is
        ("device", ("is not a regular file", "use .csv or .xlsx", "extensions", "already exists")),
    ],
)
def test_output_path_problems_are_one_line_errors(stale, tmp_path, capsys, command, where, message):
    from crm_xl.files.resources import sample_path

    base = {
        "missing": tmp_path / "no" / "such" / "x",
        "folder": tmp_path / "a_folder",
        "device": Path("/dev/null"),
    }[where]
    if where == "folder":
        for suffix in ("", ".xlsx", ".csv", ".html"):
            base.with_name(base.name + suffix).mkdir()
    suffixed = (lambda s: base) if where == "device" else (lambda s: f"{base}{s}")
    args = [
        a.format(
            book=stale,
            csv=sample_path("customers.csv"),
            toml=sample_path("scorecard.toml"),
            out=suffixed(".xlsx"),
            out_csv=suffixed(".csv"),
            out_html=suffixed(".html"),
        )
        for a in command
    ]
    before = digest(stale)
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    assert any(m in err for m in message), err
    assert digest(stale) == before
    assert Path("/dev/null").is_char_device()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KiB file system (tmpfs): a disk that fills up during the save."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        if os.environ.get("CI") and os.geteuid() == 0:
            pytest.fail(f"cannot mount a small tmpfs: {mounted.stderr.decode()}")
        pytest.skip("needs root to mount a small tmpfs (a disk that fills up)")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_leaves_the_file_as_it_was(tiny_disk, stale, capsys):
    from crm_xl.workbook.build import new_workbook

    book = tiny_disk / "book.xlsx"
    book.write_bytes(stale.read_bytes())  # ~40 KB; its recalculated copy does not fit beside
    filler = tiny_disk / "filler.bin"
    free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
    filler.write_bytes(b"\0" * (free - 20_000))
    before = digest(book)
    assert main(["recalc", str(book)]) == 1
    assert "the disk is full (nothing was written)" in capsys.readouterr().err
    assert digest(book) == before
    assert stray_files(tiny_disk) == []
    with pytest.raises(CrmError, match="the disk is full"):
        new_workbook(tiny_disk / "new.xlsx", "2026-Q4", lang="zh")
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["book.xlsx", "filler.bin"]
