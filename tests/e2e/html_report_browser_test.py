#!/usr/bin/env python3
"""The HTML stress report in a real browser: a short `idemctl stress` against `idemctl serve` on
loopback writes --report html=, Debian's chromium renders it headless to a PNG, and the test
decodes the PNG (zlib, no imaging library) and checks that both charts were drawn: the latency
bands' and the 2xx colours cover a large, wide area, the latency chart above the throughput
chart. It also checks that the page refers to nothing outside itself. No chromium process
outlives the test. Usage: html_report_browser_test.py BUILD_DIR [KEEP_DIR]"""
import html.parser
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

# The series colours of src/core/stress/stress_html_charts.cpp (opaque fills).
LATENCY_BANDS = {"max": (0xC7, 0xD7, 0xF5), "p99": (0x7E, 0xA6, 0xE8),
                 "p90": (0x3B, 0x6F, 0xD1), "p50": (0x1B, 0x3A, 0x80)}
SUCCESS_2XX = (0x16, 0xA3, 0x4A)
WIDTH, HEIGHT = 1280, 2000
CHROMIUM_TIMEOUT_S = 90


def fail(message):
    sys.exit("FAIL: " + message)


def start_serve(idemctl):
    serve = subprocess.Popen([idemctl, "serve", "--listen", "127.0.0.1:0"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    line = ""
    while time.monotonic() < deadline:
        line = serve.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if match:
            return serve, match.group(1)
        if not line and serve.poll() is not None:
            break
    serve.kill()
    fail(f"idemctl serve did not say where it listens (last line: {line!r})")


class References(html.parser.HTMLParser):
    """Collects whatever would make a browser fetch something: tags that load, attributes that
    point somewhere, CSS that imports or refers to a URL."""

    LOADING_TAGS = {"script", "img", "link", "iframe", "object", "embed", "image", "use",
                    "audio", "video", "source", "frame", "base", "meta"}

    def __init__(self):
        super().__init__()
        self.found = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        if tag in self.LOADING_TAGS and not (tag == "meta" and all(
                k in ("charset", "name", "content") for k, _ in attrs)):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data",
                        "xmlns") or (value and re.search(r"(https?:)?//|url\(", value)):
                self.found.append(f"<{tag} {name}={value!r}>")
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and re.search(r"url\(|@import|//", data):
            self.found.append("a URL in <style>")


def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace != 0:
        fail(f"unexpected PNG format: depth {depth}, colour type {color}, interlace {interlace}")
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    # Bytewise sums mod 256 of whole rows at once, as one big integer: the low 7 bits of each
    # byte add without a carry out, the top bit is the XOR of both tops and that carry.
    low7 = int.from_bytes(b"\x7f" * stride, "little")
    top = int.from_bytes(b"\x80" * stride, "little")
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 0 or (kind == 2 and y == 0):
            rows.append(line)
            prev = line
            continue
        if kind == 2:  # Up, nearly every row of a screenshot: fast path
            a, b = int.from_bytes(line, "little"), int.from_bytes(prev, "little")
            line = bytearray((((a & low7) + (b & low7)) ^ ((a ^ b) & top)).to_bytes(stride, "little"))
            rows.append(line)
            prev = line
            continue
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        prev = line
    return width, height, rows, bpp


def colour_regions(path, colours, tolerance=6):
    """For each named colour: pixel count and bounding box (x0, y0, x1, y1) of pixels within
    `tolerance` per channel."""
    width, height, rows, bpp = png_pixels(path)
    near = {}  # every (r, g, b) within the tolerance of a colour -> its name: one lookup a pixel
    span = range(-tolerance, tolerance + 1)
    for name, (cr, cg, cb) in colours.items():
        for dr in span:
            for dg in span:
                for db in span:
                    rgb = (cr + dr, cg + dg, cb + db)
                    if all(0 <= v <= 255 for v in rgb):
                        near[rgb] = name
    found = {name: [0, width, height, -1, -1] for name in colours}
    for y, line in enumerate(rows):
        pixels = list(zip(line[0::bpp], line[1::bpp], line[2::bpp]))
        if near.keys().isdisjoint(pixels):  # most rows: page background and text
            continue
        for x, name in enumerate(map(near.get, pixels)):
            if name is not None:
                f = found[name]
                f[0] += 1
                if x < f[1]: f[1] = x
                if y < f[2]: f[2] = y
                if x > f[3]: f[3] = x
                if y > f[4]: f[4] = y
    return (width, height), {k: tuple(v) for k, v in found.items()}


def our_chromium_pids(profile):
    """Processes whose command line names our throwaway profile directory."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = open(f"/proc/{entry}/cmdline", "rb").read()
        except OSError:
            continue
        if profile.encode() in cmdline:
            pids.append(int(entry))
    return pids


def screenshot(page, png, work):
    chromium = shutil.which("chromium")
    if chromium is None:
        fail("chromium is not installed (scripts/setup.sh installs Debian's chromium)")
    profile = os.path.join(work, "chromium-profile")
    os.makedirs(profile)
    args = ["timeout", "-k", "5", str(CHROMIUM_TIMEOUT_S), chromium, "--headless",
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png}",
            f"--window-size={WIDTH},{HEIGHT}", "file://" + page]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=CHROMIUM_TIMEOUT_S + 15)
    finally:
        # Its own session: whatever chromium forked goes with it.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while our_chromium_pids(profile) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = our_chromium_pids(profile)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    if left:
        fail(f"chromium processes outlived the screenshot: {left}")
    if proc.returncode != 0 or not os.path.exists(png):
        fail(f"chromium exited {proc.returncode} without a screenshot:\n"
             f"{out.decode(errors='replace')[-2000:]}")


def main():
    build = os.path.abspath(sys.argv[1])
    keep = sys.argv[2] if len(sys.argv) > 2 else None
    idemctl = os.path.join(build, "idemctl")
    work = tempfile.mkdtemp(prefix="idemctl-html-")
    serve, url = start_serve(idemctl)
    try:
        page = os.path.join(work, "stress.html")
        run = subprocess.run([idemctl, "stress", "-q", "--target", url, "-d", "3s", "-t", "1",
                              "-c", "4", "--dups", "2", "--report", "html=" + page,
                              "--report", "json=" + os.path.join(work, "stress.json")],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            fail(f"idemctl stress exited {run.returncode}:\n{run.stdout}{run.stderr}")
        text = open(page, encoding="utf-8").read()
        refs = References()
        refs.feed(text)
        if refs.found:
            fail(f"the page refers outside itself: {refs.found[:5]}")
        for needle in ("<svg", "PASS", url):
            if needle not in text:
                fail(f"the page lacks {needle!r}")

        png = os.path.join(work, "stress.png")
        screenshot(page, png, work)
        colours = dict(LATENCY_BANDS, success=SUCCESS_2XX)
        (width, height), found = colour_regions(png, colours)
        if (width, height) != (WIDTH, HEIGHT):
            fail(f"screenshot is {width}x{height}, asked for {WIDTH}x{HEIGHT}")
        for name, (n, x0, y0, x1, y1) in found.items():
            print(f"{name}: {n} px in x {x0}..{x1}, y {y0}..{y1}")
        band_pixels = sum(found[name][0] for name in LATENCY_BANDS)
        # A drawn chart fills most of its plot area (~1100 x 220 px at 1280 px wide).
        if band_pixels < 50_000:
            fail(f"the latency chart is not drawn: {band_pixels} px in the band colours")
        for name in ("max", "success"):
            n, x0, y0, x1, y1 = found[name]
            if n < 10_000 or x1 - x0 < 0.6 * WIDTH:
                fail(f"the {name} series is not drawn across the chart: {n} px, x {x0}..{x1}")
        if not found["max"][4] < found["success"][2]:
            fail("the latency chart is not above the throughput chart")
        if found["success"][4] > 1000:
            fail("the throughput chart is not in the first screen")
        print(f"ok: page {len(text.encode())} bytes, charts drawn")
        if keep:
            shutil.copy(png, keep)
            shutil.copy(page, keep)
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
