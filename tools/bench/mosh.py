#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The handover client of `stream -c HOST handover SECS`, for mosh.
#   mosh.py HOST PORT KEY SECS
# runs mosh-client in a pseudo-terminal with local echo prediction off and
# types one key every 10 ms for SECS seconds.  The server side runs
# `mosh.py count`, which shows on row 6 how many keys it has read; this
# side keeps the screen with pyte and takes a key as echoed when the
# count shown reaches it.  Mosh synchronises screen states and may skip
# some, so one screen can echo several keys.  The SECS start at the first
# echo, when the session is up (within READY_MAX); with MOSH_READY set,
# that file is made then, so the caller knows when to change addresses.
# Prints, like stream:
#   echo SENT RECEIVED        (seconds, CLOCK_REALTIME)
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ROW = 5                # the server's count is on the sixth row
INTERVAL = 0.010
READY_MAX = 30.0       # seconds for the session to come up


def count():
    """Server side: read keys raw, show how many came."""
    fd = sys.stdin.fileno()
    attr = termios.tcgetattr(fd)
    attr[3] &= ~(termios.ICANON | termios.ECHO)
    termios.tcsetattr(fd, termios.TCSANOW, attr)
    n = 0
    out = sys.stdout
    out.write("\033[2J")
    while True:
        got = os.read(fd, 4096)
        if not got:
            return
        n += len(got)
        out.write("\033[%d;1H%010d" % (ROW + 1, n))
        out.flush()


def client(host, port, key, secs):
    env = dict(os.environ, MOSH_KEY=key, MOSH_PREDICTION_DISPLAY="never",
               LC_ALL="C.UTF-8", TERM="xterm")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("mosh-client", ["mosh-client", host, port], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    import pyte        # only this side needs it
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    digits = re.compile(r"(\d{10})")
    sent = []          # the time each key went, by number - 1
    echoed = 0
    start = time.time()
    next_key = start + 1.0     # let the session settle first
    end = next_key + READY_MAX
    ready = os.environ.get("MOSH_READY")
    out = []
    while True:
        now = time.time()
        if now >= end:
            break
        if now >= next_key:
            os.write(fd, b"x")
            sent.append(time.time())
            next_key += INTERVAL
        wait = max(0.0, min(next_key, end) - time.time())
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        now = time.time()
        stream.feed(data)
        m = digits.search(screen.display[ROW])
        shown = min(int(m.group(1)), len(sent)) if m else 0
        if shown and not echoed:
            end = now + secs
            if ready:
                open(ready, "w").close()
        while echoed < shown:
            out.append("echo %.6f %.6f" % (sent[echoed], now))
            echoed += 1
    if not sent:
        print("mosh-client ended at once: %r" %
              "\n".join(line.rstrip() for line in screen.display if line.strip()),
              file=sys.stderr)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    print("\n".join(out))
    print("typed %d echoed %d" % (len(sent), echoed), file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] == ["count"]:
        count()
    elif len(sys.argv) == 5:
        client(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit("usage: mosh.py count | mosh.py HOST PORT KEY SECS")
