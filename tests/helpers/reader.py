#!/usr/bin/env python3
# tests/helpers/reader.py ROOT SECONDS SEED: one reader of 0520-concurrency.
# Walks the mounted tree at random for SECONDS, reads whole files and checks
# each against its user.fmfs.sha256; remembers what it saw and checks that
# nothing seen ever disappears or changes. Prints "reads N bytes B" or the
# first error, and exits 1 on any error.
import hashlib, os, random, sys, time

root, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
seen = {}  # path -> (sha, size)
reads = nbytes = 0


def die(msg):
    print(f"reader {seed}: {msg}", flush=True)
    sys.exit(1)


def check(path):
    global reads, nbytes
    want = os.getxattr(path, "user.fmfs.sha256").decode()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            nbytes += len(b)
    reads += 1
    if h.hexdigest() != want:
        die(f"{path}: read {h.hexdigest()}, its sha256 xattr says {want}")
    st = os.stat(path)
    old = seen.get(path)
    if old and old != (want, st.st_size):
        die(f"{path}: changed from {old} to {(want, st.st_size)}")
    seen[path] = (want, st.st_size)


def walk(d):
    try:
        names = os.listdir(d)
    except OSError as e:
        die(f"listdir {d}: {e}")
    return [os.path.join(d, n) for n in names]


end = time.monotonic() + seconds
try:
    while time.monotonic() < end:
        d = root
        while True:  # a random descent to a file
            entries = walk(d)
            if not entries:
                break
            p = rng.choice(entries)
            if os.path.isdir(p):
                d = p
                continue
            check(p)
            break
        if seen and rng.random() < 0.2:  # something seen before is still there
            p = rng.choice(list(seen))
            if not os.path.exists(p):
                die(f"{p}: was there, has disappeared")
            check(p)
    for p in seen:
        if not os.path.exists(p):
            die(f"{p}: was there, has disappeared")
        check(p)
except OSError as e:
    die(f"{e}")
print(f"reads {reads} bytes {nbytes} seen {len(seen)}", flush=True)
