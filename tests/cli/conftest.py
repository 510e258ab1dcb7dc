"""Shared helpers for the command-line tests: tiny generated data and an in-process runner."""

from __future__ import annotations

import struct
import zlib

import pytest

from audioflow.cli import main
from audioflow.synthetic import make_synthetic_dataset

# Settings that make a model train in seconds on a 2-core CPU.
TINY = [
    "--sample-rate", "8000", "--duration", "0.5", "--n-fft", "256", "--n-mels", "32",
    "--size", "small", "--batch-size", "16",
]  # fmt: skip


def run_cli(capsys, *argv):
    """Run ``main(argv)`` in-process -> (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def read_png(path):
    """Check the PNG signature and IHDR chunk (CRC included) -> (width, height)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + 13]
    (crc,) = struct.unpack(">I", data[29:33])
    assert zlib.crc32(b"IHDR" + body) == crc
    assert data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    width, height = struct.unpack(">II", body[:8])
    return width, height


@pytest.fixture(scope="session")
def small_data(tmp_path_factory):
    """3 files per class of the built-in dataset (0.5 s, mixed formats and sample rates)."""
    root = tmp_path_factory.mktemp("small-data")
    make_synthetic_dataset(root, examples_per_class=3, duration=0.5, seed=5)
    return root
