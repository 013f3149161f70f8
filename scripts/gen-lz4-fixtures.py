#!/usr/bin/python3
"""Writes test/fixtures/series/lz4/: raw inputs and the LZ4 frames python-lz4 makes of them.

Documents how the committed fixtures were made; no test or CI job runs it. Needs Debian's
python3-lz4 (`apt-get install -y python3-lz4`, then run with /usr/bin/python3): its liblz4 is
the C library HoLcStore's python-lz4 wheels bundle. Run from the repository root:

    /usr/bin/python3 scripts/gen-lz4-fixtures.py

The inputs are deterministic, so a re-run rewrites the same bytes unless liblz4 changed.
"""

import base64
import json
import math
import os
import random
import struct

import lz4
import lz4.frame as lf

OUT = os.path.join("test", "fixtures", "series", "lz4")


def load_curve(hours, seed):
    """Hourly kW readings with a daily profile, 4-decimal noise and a NaN outage, like HoLcStore's."""
    rnd = random.Random(seed)
    values = []
    for i in range(hours):
        h = i % 24
        v = 100 + 30 * math.sin(2 * math.pi * h / 24) + round(rnd.random() * 20, 4)
        values.append(v)
    for i in range(5, 30):
        values[i] = float("nan")
    return struct.pack("<%dd" % hours, *values)


def inputs():
    rnd = random.Random(42)
    text = b"".join(
        b"%d;%s;load;%0.1f\n" % (i, b"2024-01-%02d" % (1 + i % 28), 100 + (i * 7919) % 400 / 10)
        for i in range(5500)
    )
    return {
        "empty": b"",
        "abc": b"abc",
        "month-load": load_curve(744, 1),
        "year-load": load_curve(8784, 2),
        "zeros": bytes(1_100_000),
        "random": bytes(rnd.getrandbits(8) for _ in range(66_000)),
        "text": text,
    }


# name -> keyword arguments of lz4.frame.compress; "default" is how HoLcStore calls it.
VARIANTS = {
    "default": {},
    "independent": {"block_linked": False},
    "nosize": {"store_size": False},
    "checksums": {"block_checksum": True, "content_checksum": True},
    "b256k": {"block_size": lf.BLOCKSIZE_MAX256KB, "content_checksum": True},
    "b1m": {"block_size": lf.BLOCKSIZE_MAX1MB, "store_size": False},
    "b4m": {"block_size": lf.BLOCKSIZE_MAX4MB, "block_checksum": True},
    "hc": {"compression_level": 9},
    "fast": {"compression_level": -8},
}


# Every input gets the first four; the rest go where they change something (multi-block inputs).
COMMON = ("default", "independent", "nosize", "checksums")
EXTRA = {
    "year-load": ("hc", "fast"),
    "zeros": ("b256k", "b1m", "b4m", "hc"),
    "text": ("b256k", "b1m", "b4m", "hc"),
}
# Incompressible: every variant stores the same raw blocks, so a few show it.
ONLY = {"random": ("default", "independent", "checksums")}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, data in inputs().items():
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)
        for variant in ONLY.get(name, COMMON + EXTRA.get(name, ())):
            kwargs = VARIANTS[variant]
            frame = lf.compress(data, **kwargs)
            assert lf.decompress(frame) == data
            fname = "%s.%s.lz4" % (name, variant)
            with open(os.path.join(OUT, fname), "wb") as f:
                f.write(frame)
            cases.append({"input": name + ".bin", "frame": fname, "compress": kwargs})
    manifest = {
        "generator": "scripts/gen-lz4-fixtures.py",
        "python_lz4": lz4.__version__,
        "liblz4": lz4.library_version_string(),
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    # The workers-pool test cannot read files: a few frames inline, as base64.
    month = inputs()["month-load"]
    sample = {
        "input": base64.b64encode(month).decode(),
        "frames": {v: base64.b64encode(lf.compress(month, **VARIANTS[v])).decode() for v in ("default", "checksums", "hc")},
    }
    with open(os.path.join(OUT, "worker-sample.json"), "w") as f:
        json.dump(sample, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
