// SPDX-License-Identifier: GPL-2.0
/*
 * roamcat: netcat and a relay for roam (roamcat(1)).
 *
 *   roamcat [OPTIONS] HOST PORT
 *       connect over roam and copy standard input to the connection and
 *       the connection to standard output: an ssh ProxyCommand
 *   roamcat [OPTIONS] -l PORT --to HOST:PORT
 *       accept roam connections and relay each to a TCP service
 *   roamcat [OPTIONS] --listen-tcp [ADDR:]PORT --to-roam HOST:PORT
 *       accept TCP connections and relay each over roam
 *
 * Each direction is a pipe that splice() fills from one side and empties
 * into the other, so the bytes are not copied through user space; where
 * a descriptor cannot splice (a terminal), read() and write() do it.
 * The end of one direction is passed on as a half-close (shutdown()
 * SHUT_WR, or closing standard output), and the relay ends when both
 * directions have.  A listener forks a process per connection.
 *
 * Exit status: 0 when both directions ended, 1 when a connection failed
 * or was reset, 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libroam.h>

#define PIPE_SIZE	(1 << 20)
#define CHUNK		(64 << 10)

static unsigned int psk;
static int verbose;
static const char *bind_addr;

struct dir {
	int from, to;		/* descriptors */
	int pipe[2];		/* -1: no splice, copy through buf */
	size_t queued;		/* bytes in the pipe or buf */
	size_t off;		/* buf's first unsent byte */
	char *buf;
	bool eof, done;
	bool to_sock;		/* end it with shutdown(), not close() */
};

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"Usage: roamcat [OPTIONS] HOST PORT\n"
		"       roamcat [OPTIONS] -l PORT --to HOST:PORT\n"
		"       roamcat [OPTIONS] --listen-tcp [ADDR:]PORT --to-roam HOST:PORT\n"
		"       roamcat help\n"
		"OPTIONS := { -b ADDR (the roam address to listen on) | -k ID (ROAM_PSK) |\n"
		"             -v (say what happens) | -V }\n");
	exit(rc);
}


/* "HOST:PORT", "[V6]:PORT" or, with @port_only, "PORT". */
static void split(char *s, char **host, char **port, bool port_only)
{
	char *c = strrchr(s, ':');

	if (!c) {
		if (!port_only)
			usage(2);
		*host = NULL;
		*port = s;
		return;
	}
	*c = '\0';
	*port = c + 1;
	*host = s;
	if (*s == '[' && c > s && c[-1] == ']') {
		c[-1] = '\0';
		*host = s + 1;
	}
	if (!**host)
		*host = NULL;
}

static void roam_options(int fd)
{
	if (psk && setsockopt(fd, SOL_ROAM, ROAM_PSK, &psk, sizeof(psk))) {
		perror("roamcat: ROAM_PSK");
		exit(1);
	}
}

/* A connected socket: over roam, or TCP.  Exits on failure. */
static int dial(const char *host, const char *port, bool roam)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc, fd = -1, err = 0;

	rc = roam ? roam_getaddrinfo(host, port, &hints, &res) :
		    getaddrinfo(host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "roamcat: %s: %s\n", host,
			rc == EAI_FAMILY && roam ? "roam is not loaded" : gai_strerror(rc));
		exit(1);
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (roam)
			roam_options(fd);
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	roam ? roam_freeaddrinfo(res) : freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "roamcat: connect to %s port %s: %s\n", host, port, strerror(err));
		exit(1);
	}
	if (verbose)
		fprintf(stderr, "roamcat: connected to %s port %s\n", host, port);
	return fd;
}

/* A listening socket on @host (NULL: the wildcard) and @port.  Exits on failure. */
static int announce(const char *host, const char *port, bool roam)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res;
	int rc, fd, one = 1;

	if (!roam && !host)
		hints.ai_family = AF_INET6;	/* :: takes IPv4 too */
	rc = roam ? roam_getaddrinfo(host, port, &hints, &res) :
		    getaddrinfo(host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "roamcat: %s: %s\n", host ?: "*", gai_strerror(rc));
		exit(1);
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (roam)
		roam_options(fd);
	else
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 128))
		goto fail;
	roam ? roam_freeaddrinfo(res) : freeaddrinfo(res);
	return fd;
fail:
	fprintf(stderr, "roamcat: listen on port %s: %s\n", port, strerror(errno));
	exit(1);
}

static void dir_init(struct dir *d, int from, int to, bool to_sock)
{
	memset(d, 0, sizeof(*d));
	d->from = from;
	d->to = to;
	d->to_sock = to_sock;
	if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC)) {
		d->pipe[0] = d->pipe[1] = -1;
	} else {
		fcntl(d->pipe[1], F_SETPIPE_SZ, PIPE_SIZE);
	}
	d->buf = malloc(PIPE_SIZE);	/* room for all a pipe holds */
	if (!d->buf)
		exit(1);
}

/* The direction's end: pass it on as a half-close. */
static void dir_end(struct dir *d)
{
	d->done = true;
	if (d->to_sock)
		shutdown(d->to, SHUT_WR);
	else
		close(d->to);
}

/*
 * Moves what it can without blocking.  0, or -1 on an error (reported).
 * splice() first; a descriptor that cannot splice (EINVAL) moves the
 * direction to read() and write() for good.
 */
static int dir_pump(struct dir *d)
{
	ssize_t n;

	while (!d->done) {
		if (!d->queued && !d->eof) {
			if (d->pipe[0] >= 0) {
				n = splice(d->from, NULL, d->pipe[1], NULL, PIPE_SIZE,
					   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
				if (n < 0 && errno == EINVAL && !d->queued) {
					close(d->pipe[0]);
					close(d->pipe[1]);
					d->pipe[0] = d->pipe[1] = -1;
					continue;
				}
			} else {
				n = read(d->from, d->buf, CHUNK);
				d->off = 0;
			}
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			if (!n)
				d->eof = true;
			d->queued = n;
		}
		if (!d->queued) {
			if (d->eof)
				dir_end(d);
			return 0;
		}
		if (d->pipe[0] >= 0)
			n = splice(d->pipe[0], NULL, d->to, NULL, d->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		else
			n = write(d->to, d->buf + d->off, d->queued);
		if (n < 0 && errno == EINVAL && d->pipe[0] >= 0) {
			/* @to cannot splice: the pipe's bytes to buf, and buf from now on. */
			if (read(d->pipe[0], d->buf, d->queued) != (ssize_t)d->queued)
				return -1;
			close(d->pipe[0]);
			close(d->pipe[1]);
			d->pipe[0] = d->pipe[1] = -1;
			d->off = 0;
			continue;
		}
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		d->queued -= n;
		d->off += n;
	}
	return 0;
}

static int stdio_flags[2] = { -1, -1 };

/* Standard input and output may be shared: their flags come back at exit. */
static void stdio_restore(void)
{
	int i;

	for (i = 0; i < 2; i++)
		if (stdio_flags[i] >= 0)
			fcntl(i, F_SETFL, stdio_flags[i]);
}

static void nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fd <= STDOUT_FILENO && stdio_flags[fd] < 0) {
		stdio_flags[fd] = fl;
		atexit(stdio_restore);
	}
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Relays @a (read @a_in, write @a_out) and @b both ways until both end. */
static int relay(int a_in, int a_out, bool a_sock, int b)
{
	struct epoll_event ev[4];
	struct dir d[2];
	int ep, i, n, fds[3] = { a_in, a_out, b };

	dir_init(&d[0], a_in, b, true);
	dir_init(&d[1], b, a_out, a_sock);
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < 3; i++) {
		struct epoll_event e = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.fd = fds[i] };

		if (i == 1 && a_out == a_in)
			continue;
		nonblock(fds[i]);
		/* Regular files cannot be polled: they are always ready. */
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) && errno != EPERM)
			return perror("roamcat: epoll"), 1;
	}
	for (;;) {
		for (i = 0; i < 2; i++) {
			if (dir_pump(&d[i])) {
				if (errno == EPIPE && i == 1 && !a_sock)
					return 0;	/* our reader went away */
				fprintf(stderr, "roamcat: %s\n", strerror(errno));
				return 1;
			}
		}
		if (d[0].done && d[1].done)
			return 0;
		n = epoll_wait(ep, ev, 4, 1000);
		if (n < 0 && errno != EINTR)
			return perror("roamcat: epoll_wait"), 1;
	}
}

/* Accepts on @l for ever; a child relays each connection to @host:@port. */
static int serve(int l, const char *host, const char *port, bool to_roam)
{
	struct sigaction sa = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
	int c, out;

	sigaction(SIGCHLD, &sa, NULL);
	for (;;) {
		c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("roamcat: accept");
			return 1;
		}
		switch (fork()) {
		case -1:
			perror("roamcat: fork");
			close(c);
			continue;
		case 0:
			close(l);
			out = dial(host, port, to_roam);
			_exit(relay(c, c, true, out));
		}
		close(c);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "to-roam", required_argument, NULL, 'r' },
		{ "listen-tcp", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *listen_port = NULL, *to = NULL, *to_roam = NULL, *listen_tcp = NULL;
	char *host, *port;
	int opt, fd;

	if (argc == 2 && !strcmp(argv[1], "help"))
		usage(0);
	while ((opt = getopt_long(argc, argv, "l:b:k:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen_port = optarg;
			break;
		case 'b':
			bind_addr = optarg;
			break;
		case 'k':
			psk = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = 1;
			break;
		case 't':
			to = optarg;
			break;
		case 'r':
			to_roam = optarg;
			break;
		case 'T':
			listen_tcp = optarg;
			break;
		case 'V':
			printf("roamcat %s\n", roam_version());
			return 0;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (listen_port) {
		if (!to || to_roam || listen_tcp || optind != argc)
			usage(2);
		split(to, &host, &port, false);
		return serve(announce(bind_addr, listen_port, true), host, port, false);
	}
	if (listen_tcp) {
		char *lhost, *lport;

		if (!to_roam || to || optind != argc)
			usage(2);
		split(listen_tcp, &lhost, &lport, true);
		split(to_roam, &host, &port, false);
		return serve(announce(lhost, lport, false), host, port, true);
	}
	if (to || to_roam || argc - optind != 2)
		usage(2);
	fd = dial(argv[optind], argv[optind + 1], true);
	return relay(STDIN_FILENO, STDOUT_FILENO, false, fd);
}
