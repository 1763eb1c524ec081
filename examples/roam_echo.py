#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""roam from Python, with the standard library alone.

  roam_echo.py server PORT       echo each connection until EOF
  roam_echo.py client HOST PORT  send standard input, half-close, print
                                 what comes back

Python's socket module makes an AF_ROAM socket (the family is a number)
and sends, receives and closes it, but the calls that take or return an
address refuse a family it does not know ("bad family"): bind, connect,
accept, getpeername, getsockname.  So this builds struct sockaddr_roam
itself and calls the C library's bind(), connect() and accept() through
ctypes; socket.socket(fileno=...) adopts an accepted descriptor.
"""
import ctypes
import ipaddress
import os
import socket
import struct
import sys

FAMILY_FILE = "/sys/module/roam/parameters/family"
libc = ctypes.CDLL(None, use_errno=True)


def family():
    """The family number: a module parameter, never a constant."""
    with open(FAMILY_FILE) as f:
        return int(f.read())


def sockaddr_roam(host, port):
    """struct sockaddr_roam: family, port (big-endian), scope id, in6_addr;
    IPv4 v4-mapped, the wildcard for an empty host."""
    if not host:
        addr, scope = ipaddress.IPv6Address("::"), 0
    else:
        ai = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        if ai[0] == socket.AF_INET:
            addr, scope = ipaddress.IPv6Address("::ffff:" + ai[4][0]), 0
        else:
            addr, scope = ipaddress.IPv6Address(ai[4][0].split("%")[0]), ai[4][3]
    return struct.pack("=H", family()) + struct.pack("!H", port) + \
        struct.pack("=I", scope) + addr.packed


def call(fn, sock, addr):
    """bind() or connect() of the C library on @sock."""
    buf = ctypes.create_string_buffer(addr, len(addr))
    if fn(sock.fileno(), buf, len(addr)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def server(port):
    s = socket.socket(family(), socket.SOCK_STREAM)
    call(libc.bind, s, sockaddr_roam("", port))
    s.listen(16)
    print("listening", flush=True)
    while True:
        fd = libc.accept(s.fileno(), None, None)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        with socket.socket(fileno=fd) as c:
            while data := c.recv(65536):
                c.sendall(data)
        print("echoed", flush=True)


def client(host, port):
    with socket.socket(family(), socket.SOCK_STREAM) as s:
        call(libc.connect, s, sockaddr_roam(host, port))
        s.sendall(sys.stdin.buffer.read())
        s.shutdown(socket.SHUT_WR)
        while data := s.recv(65536):
            sys.stdout.buffer.write(data)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        server(int(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
