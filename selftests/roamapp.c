// SPDX-License-Identifier: GPL-2.0
/*
 * An ordinary TCP program, which knows nothing of roam, for roamize.sh to
 * run under roamize.  It checks what such a program relies on:
 *
 *   roamapp server [-6] PORT       bind the wildcard of its family, listen,
 *                                  accept4() with SOCK_NONBLOCK and
 *                                  SOCK_CLOEXEC (both must hold), the peer's
 *                                  address in its own family; echo one
 *                                  connection until EOF, and exit
 *   roamapp client [-6] HOST PORT  a non-blocking connect(), SO_ERROR,
 *                                  getsockname() and getpeername() in its
 *                                  family; then fork(): the child writes
 *                                  "child\n", the parent after it "parent\n",
 *                                  and the echo must be exactly that
 *   roamapp exec [-6] HOST PORT    connect, then execve() itself with the
 *                                  descriptor, which must still show its
 *                                  addresses in its family, and echo
 *
 * Each prints "ok" and what it saw, or the first thing that was wrong,
 * and exits 0 or 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int family = AF_INET;

static int fail(const char *what)
{
	printf("roamapp: %s: %s\n", what, errno ? strerror(errno) : "wrong");
	exit(1);
}

static socklen_t addr_of(struct sockaddr_storage *ss, const char *host, int port)
{
	struct sockaddr_in6 *s6 = (void *)ss;
	struct sockaddr_in *s4 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = family;
	if (family == AF_INET) {
		s4->sin_port = htons(port);
		if (host && inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			fail("address");
		return sizeof(*s4);
	}
	s6->sin6_port = htons(port);
	if (host && inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
		fail("address");
	return sizeof(*s6);
}

/* The address the kernel reports, checked to be of the program's family. */
static const char *name(int fd, int peer, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];
	const void *a;
	int port;

	errno = 0;
	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &n))
		fail(peer ? "getpeername" : "getsockname");
	if (ss.ss_family != family ||
	    n != (family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
		fail(peer ? "getpeername's family" : "getsockname's family");
	if (family == AF_INET) {
		a = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else {
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	inet_ntop(family, a, ip, sizeof(ip));
	snprintf(buf, len, "%s/%d", ip, port);
	return buf;
}

/* Half-closes @fd, reads the echo to its end: it must be @want. */
static void expect_echo(int fd, const char *want)
{
	char buf[64];
	int got = 0;
	ssize_t n;

	if (shutdown(fd, SHUT_WR))
		fail("shutdown");
	while (got < (int)sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	errno = 0;
	if (strcmp(buf, want))
		fail("the echo");
}

/*
 * Writes all @n bytes of @buf to the non-blocking @fd, waiting for room
 * as needed: a reader slower than the writer (roamcat on the debug lane)
 * fills the send buffer, and write() then takes part of them, or none.
 */
static void write_all(int fd, const char *buf, ssize_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EAGAIN) {
			if (poll(&p, 1, 30000) != 1)
				fail("poll for room to write");
			continue;
		}
		if (w <= 0)
			fail("write");
		buf += w;
		n -= w;
	}
}

static int server(int port)
{
	struct sockaddr_storage ss, peer;
	socklen_t len = addr_of(&ss, NULL, port), plen = sizeof(peer);
	int l, c, one = 1, zero = 0;
	char buf[4096], b1[80];
	struct pollfd p;
	ssize_t n;

	l = socket(family, SOCK_STREAM, 0);
	if (l < 0)
		fail("socket");
	if (setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		fail("setsockopt");
	if (family == AF_INET6)	/* what dual-stack servers do; may be refused */
		setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(l, (struct sockaddr *)&ss, len) || listen(l, 8))
		fail("bind and listen");
	printf("listening %s\n", name(l, 0, b1, sizeof(b1)));
	fflush(stdout);
	c = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		fail("accept4");
	errno = 0;
	if (!(fcntl(c, F_GETFL) & O_NONBLOCK) || !(fcntl(c, F_GETFD) & FD_CLOEXEC))
		fail("accept4's flags");
	if (peer.ss_family != family)
		fail("accept4's address family");
	printf("accepted %s\n", name(c, 1, b1, sizeof(b1)));
	fflush(stdout);
	p.fd = c;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, 30000) != 1)
			fail("poll");
		n = read(c, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			break;
		write_all(c, buf, n);
	}
	if (n < 0)
		fail("read");
	close(c);
	close(l);
	printf("ok\n");
	return 0;
}

static int client(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(&ss, host, port), elen = sizeof(int);
	struct pollfd p = { .events = POLLOUT };
	char b1[80], b2[80];
	int fd, err = 0, st;
	pid_t pid;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		fail("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		fail("connect");
	p.fd = fd;
	errno = 0;
	if (poll(&p, 1, 20000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		fail("connect's completion");
	if (err) {
		errno = err;
		fail("connect");
	}
	printf("connected %s -> %s\n", name(fd, 0, b1, sizeof(b1)), name(fd, 1, b2, sizeof(b2)));
	fflush(stdout);
	fcntl(fd, F_SETFL, 0);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (!pid)
		_exit(write(fd, "child\n", 6) == 6 ? 0 : 1);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("the child's write");
	if (write(fd, "parent\n", 7) != 7)
		fail("write");
	expect_echo(fd, "child\nparent\n");
	close(fd);
	printf("ok\n");
	return 0;
}

/* After execve(): the inherited descriptor @fd, as a new program sees it. */
static int exec_image(int fd)
{
	char b1[80], b2[80];

	printf("inherited %s -> %s\n", name(fd, 0, b1, sizeof(b1)), name(fd, 1, b2, sizeof(b2)));
	if (write(fd, "exec\n", 5) != 5)
		fail("write");
	expect_echo(fd, "exec\n");
	printf("ok\n");
	return 0;
}

static int exec_client(const char *self, const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_of(&ss, host, port);
	char fdstr[16];
	int fd;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		fail("connect");
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	fflush(stdout);
	execl(self, self, "inherited", family == AF_INET ? "4" : "6", fdstr, (char *)NULL);
	fail("execl");
	return 1;
}

int main(int argc, char **argv)
{
	int i = 2;

	if (argc == 4 && !strcmp(argv[1], "inherited")) {
		family = argv[2][0] == '6' ? AF_INET6 : AF_INET;
		return exec_image(atoi(argv[3]));
	}

	if (argc > 2 && !strcmp(argv[2], "-6")) {
		family = AF_INET6;
		i++;
	}
	if (argc == i + 1 && !strcmp(argv[1], "server"))
		return server(atoi(argv[i]));
	if (argc == i + 2 && !strcmp(argv[1], "client"))
		return client(argv[i], atoi(argv[i + 1]));
	if (argc == i + 2 && !strcmp(argv[1], "exec"))
		return exec_client(argv[0], argv[i], atoi(argv[i + 1]));
	fprintf(stderr, "usage: roamapp server [-6] PORT | { client | exec } [-6] HOST PORT\n");
	return 2;
}
