"""Hostile and odd inputs to `--flows` / `connver usage`: zip bombs, path traversal, corrupt
zips, unreadable folders, symbolic link loops and pipes. Each is one line (exit 2) or a
warning, never a traceback, a hang or gigabytes of memory."""

from __future__ import annotations

import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from flowkit import FLOWS, solution_zip
from connver.flows import reading as flows_module
from connver.errors import InputError
from connver.flows import read_flows

WORKFLOW = next((FLOWS / "solution" / "Workflows").glob("*.json"))


def one_error_line(result) -> str:
    """The run failed with exit 2 and exactly one stderr line and no traceback; that line."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("connver: error: ")
    return lines[0]


def usage(*args: str):
    return CliRunner().invoke(cli, ["usage", *args])


def bomb(path: Path, size: int, name: str = "Workflows/big.json") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return path


# --------------------------------------------------------------------------- zip bombs


def test_a_member_above_the_size_cap_is_refused_in_one_line(tmp_path):
    path = bomb(tmp_path / "bomb.zip", 100 << 20)  # 100 MB of spaces in a ~100 kB zip
    assert path.stat().st_size < 1 << 20
    line = one_error_line(usage(str(path)))
    assert f"{path}!Workflows/big.json: 100 MB, larger than the 64 MB" in line


def test_a_member_with_an_absurd_compression_ratio_is_refused(tmp_path):
    path = bomb(tmp_path / "ratio.zip", 4 << 20)  # 4 MB of spaces: about 1000:1
    with pytest.raises(InputError, match=r"ratio\.zip!Workflows/big\.json: expands \d+ times \(from .* to 4 MB\)"):
        read_flows([path])


def test_a_header_that_lies_about_the_size_is_caught_while_reading(tmp_path):
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Workflows/big.json", b" " * (8 << 20))
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 1000)  # uncompressed size: 1000
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 1000)
    path.write_bytes(bytes(data))
    line = one_error_line(usage(str(path)))
    assert f"{path}!Workflows/big.json: cannot read the member from the zip" in line


def test_what_is_actually_read_counts_not_the_header(monkeypatch):
    import io

    monkeypatch.setattr(flows_module, "MAX_FILE_BYTES", 10)
    assert flows_module._read_capped(io.BytesIO(b"x" * 10), 10, "w", None) == b"x" * 10
    with pytest.raises(InputError, match="w: larger than the 10 bytes connver reads from one file"):
        flows_module._read_capped(io.BytesIO(b"x" * 11), 10, "w", None)


def test_the_whole_zip_has_a_budget(tmp_path, monkeypatch):
    path = tmp_path / "many.zip"
    body = WORKFLOW.read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(4):
            archive.writestr(f"Workflows/flow{n}.json", body)
    assert len(read_flows([path]).flows) == 4
    monkeypatch.setattr(flows_module, "MAX_ZIP_BYTES", 3 * len(body) + 10)
    with pytest.raises(InputError, match=r"many\.zip!Workflows/flow3\.json: the zip expands to more than"):
        read_flows([path])


def test_an_unpacked_export_has_the_same_caps(tmp_path, monkeypatch):
    folder = tmp_path / "solution"
    shutil.copytree(FLOWS / "solution", folder)
    assert [f.name for f in read_flows([folder]).flows] == ["Invoice sync"]
    monkeypatch.setattr(flows_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"solution/customizations\.xml: larger than the 100 bytes"):
        read_flows([folder])


def test_a_plain_flow_file_above_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(flows_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"logicapp-invoice-lookup\.json: larger than the 100 bytes"):
        read_flows([FLOWS / "logicapp-invoice-lookup.json"])


# --------------------------------------------------------------------------- other zips


def test_members_pointing_outside_the_archive_are_skipped_with_a_warning(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Workflows/" + WORKFLOW.name, WORKFLOW.read_bytes())
        archive.writestr("../../evil.json", "{}")
        archive.writestr("Microsoft.Flow/flows/../definition.json", "{}")
    found = read_flows([path])
    assert [f.name for f in found.flows] == ["Invoicesync"]  # the file's name: no customizations.xml
    assert found.warnings == (
        f"{path}: member '../../evil.json' and 1 more points outside the archive; skipped "
        "(connver only reads zip members, it never extracts them)",
    )


def test_corrupt_compressed_data_is_one_line(tmp_path):
    path = solution_zip(tmp_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("Workflows/" + WORKFLOW.name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 5, start + info.compress_size - 5):
        data[offset] ^= 0x5A  # garble the deflate stream
    path.write_bytes(bytes(data))
    line = one_error_line(usage(str(path)))
    assert f"{path}!Workflows/{WORKFLOW.name}: cannot read the member from the zip" in line


def test_an_encrypted_member_is_one_line(tmp_path):
    path = tmp_path / "locked.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Workflows/a.json", WORKFLOW.read_bytes())
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature) + flag_at
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 1)
    path.write_bytes(bytes(data))
    line = one_error_line(usage(str(path)))
    assert f"{path}!Workflows/a.json: the member is encrypted" in line


def test_a_truncated_zip_is_one_line(tmp_path):
    path = solution_zip(tmp_path)
    path.write_bytes(path.read_bytes()[:200])
    line = one_error_line(usage(str(path)))
    assert f"{path}: not a readable zip file" in line


# --------------------------------------------------------------------------- folders


def test_a_symbolic_link_loop_is_followed_once(tmp_path):
    root = tmp_path / "fl6"
    (root / "a").mkdir(parents=True)
    shutil.copy(FLOWS / "logicapp-invoice-lookup.json", root / "a")
    (root / "a" / "loop").symlink_to("..")
    (root / "a" / "more.json").symlink_to("logicapp-invoice-lookup.json")
    found = read_flows([root])
    assert [f.source for f in found.flows] == [str(root / "a" / "logicapp-invoice-lookup.json")]
    assert found.warnings == (
        f"{root / 'a' / 'loop'}: links to {root}, already read; skipped",
        f"{root / 'a' / 'more.json'}: links to {root / 'a' / 'logicapp-invoice-lookup.json'}, already read; skipped",
    )


def test_a_linked_folder_read_nowhere_else_is_read(tmp_path):
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "more").symlink_to(FLOWS / "solution")
    assert [f.name for f in read_flows([tmp_path / "flows"]).flows] == ["Invoice sync"]


def test_an_unreadable_subfolder_is_one_line(tmp_path, monkeypatch):
    root = tmp_path / "flows"
    (root / "locked").mkdir(parents=True)
    shutil.copy(FLOWS / "logicapp-invoice-lookup.json", root)
    real = Path.iterdir

    def iterdir(self):  # tests run as root, where chmod 000 does not bite
        if self.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    line = one_error_line(usage(str(root)))
    assert line.startswith(f"connver: error: {root / 'locked'}: cannot read folder: permission denied (")


def test_an_unreachable_path_is_one_line(tmp_path, monkeypatch):
    real = Path.stat

    def stat(self, **kwargs):
        if self.name == "hidden.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    line = one_error_line(usage(str(tmp_path / "sub" / "hidden.json")))
    assert f"{tmp_path / 'sub' / 'hidden.json'}: cannot read: permission denied" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "flow.json"
    os.mkfifo(fifo)
    line = one_error_line(usage(str(fifo)))
    assert f"{fifo}: not a regular file or folder (a pipe, socket or device)" in line
    shutil.copy(FLOWS / "logicapp-invoice-lookup.json", tmp_path)
    found = read_flows([tmp_path])  # inside a folder: skipped, never opened
    assert [f.name for f in found.flows] == ["logicapp-invoice-lookup"]
    assert found.warnings == (f"{fifo}: not a regular file (a pipe, socket or device); skipped",)


def test_a_file_named_twice_is_read_once(tmp_path):
    flow = FLOWS / "logicapp-invoice-lookup.json"
    found = read_flows([flow, flow])
    assert len(found.flows) == 1
    assert found.warnings == (f"{flow}: is the same as {flow}, already read; skipped",)
