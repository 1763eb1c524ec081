// SPDX-License-Identifier: GPL-2.0
/*
 * Stream benchmark, AF_ROAM against TCP over the same link.
 *
 *   stream -s [-t|-k ID] [-p PORT]               the server (epoll)
 *   stream -c HOST [-t|-k ID] [-p PORT] bulk SECONDS   bulk throughput
 *   stream -c HOST [-t] [-p PORT] rr SECONDS     1-byte request/response
 *   stream -c HOST [-t] [-p PORT] idle COUNT     memory per idle connection
 *   stream -c HOST [-t] [-p PORT] handover SECONDS
 *                                                 echoes, for the handover gap
 *
 * -t uses TCP instead of AF_ROAM; -k ID sets ROAM_PSK (the listener's
 * and the client's), for an encrypted connection.  The client's first byte tells the
 * server what a connection is for.  The client prints one line, or for
 * handover one per echo:
 *
 *   bulk BYTES_PER_SECOND     (bytes the server counted, over the time to
 *                              its count arriving after our EOF)
 *   rr TRANSACTIONS_PER_SECOND
 *   idle COUNT BYTES_PER_CONNECTION SLAB_BYTES_PER_CONNECTION
 *   echo SENT RECEIVED        (seconds, CLOCK_REALTIME)
 *
 * Idle memory is what the whole kernel holds more, from /proc/meminfo,
 * once COUNT connections are established and have each done one round
 * trip, divided by COUNT: both ends' sockets, as both ends are in this
 * kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "roam_util.h"

#define BUF		(256 * 1024)
#define MAX_EVENTS	64

enum kind { K_NONE, K_BULK = 'B', K_RR = 'R', K_IDLE = 'I' };

struct conn {
	int fd;
	int kind;
	uint64_t got;
};

static int use_tcp;
static unsigned int psk;	/* -k */
static unsigned short port = 7788;
static char buf[BUF];

static void die(const char *what)
{
	fprintf(stderr, "stream: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_all(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p = (const char *)p + n;
		len -= n;
	}
}

static void read_all(int fd, void *p, size_t len)
{
	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (!n)
				errno = ECONNRESET;
			die("read");
		}
		p = (char *)p + n;
		len -= n;
	}
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, use_tcp ? IPPROTO_TCP : SOL_ROAM,
		       use_tcp ? TCP_NODELAY : ROAM_NODELAY, &one, sizeof(one)))
		die("nodelay");
}

static int listener(void)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	int fd, one = 1;

	if (!use_tcp) {
		fd = roam_listener("*", port, 4096);
		if (fd < 0) {
			errno = -fd;
			die("roam listener");
		}
		if (psk && setsockopt(fd, SOL_ROAM, ROAM_PSK, &psk, sizeof(psk)))
			die("ROAM_PSK");
		return fd;
	}
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin6.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) || listen(fd, 4096))
		die("tcp listener");
	return fd;
}

static int connect_to(const char *host)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	char mapped[64];
	int fd;

	if (!use_tcp) {
		struct sockaddr_roam sa;

		fd = roam_socket();
		if (fd < 0)
			die("socket");
		if (psk && setsockopt(fd, SOL_ROAM, ROAM_PSK, &psk, sizeof(psk)))
			die("ROAM_PSK");
		if (roam_addr_parse(&sa, host, port)) {
			errno = EINVAL;
			die(host);
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			die("roam connect");
		return fd;
	}
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	snprintf(mapped, sizeof(mapped), "%s%s", strchr(host, ':') ? "" : "::ffff:", host);
	sin6.sin6_port = htons(port);
	if (inet_pton(AF_INET6, mapped, &sin6.sin6_addr) != 1) {
		errno = EINVAL;
		die(host);
	}
	if (connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)))
		die("tcp connect");
	return fd;
}

/* One readable event on a connection; false when it is done. */
static int serve(struct conn *c)
{
	ssize_t n;

	if (c->kind == K_NONE) {
		char k;

		n = read(c->fd, &k, 1);
		if (n <= 0)
			return n < 0 && errno == EAGAIN;
		c->kind = k;
		if (k == K_RR)
			nodelay(c->fd);
		if (k == K_IDLE)
			write_all(c->fd, "i", 1);
	}
	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN;
		if (!n) {
			if (c->kind == K_BULK) {
				uint64_t got = c->got;

				write_all(c->fd, &got, sizeof(got));
			}
			return 0;
		}
		c->got += n;
		if (c->kind == K_RR)
			write_all(c->fd, buf, n);
	}
}

static void server(void)
{
	struct epoll_event ev, events[MAX_EVENTS];
	int lfd, ep, i, n;

	lfd = listener();
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll");
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		n = epoll_wait(ep, events, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;

			if (!c) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

				if (fd < 0)
					continue;
				c = calloc(1, sizeof(*c));
				if (!c)
					die("calloc");
				c->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
					die("epoll_ctl");
				continue;
			}
			if (!serve(c)) {
				close(c->fd);
				free(c);
			}
		}
	}
}

static void bulk(const char *host, double secs)
{
	int fd = connect_to(host);
	uint64_t counted;
	double t0, end;

	memset(buf, 0x5a, sizeof(buf));
	write_all(fd, "B", 1);
	t0 = roam_now();
	end = t0 + secs;
	while (roam_now() < end)
		write_all(fd, buf, sizeof(buf));
	shutdown(fd, SHUT_WR);
	read_all(fd, &counted, sizeof(counted));
	printf("bulk %.0f\n", counted / (roam_now() - t0));
	close(fd);
}

static void rr(const char *host, double secs)
{
	int fd = connect_to(host);
	uint64_t n = 0;
	double t0, end;
	char b = 'x';

	nodelay(fd);
	write_all(fd, "R", 1);
	t0 = roam_now();
	end = t0 + secs;
	do {
		write_all(fd, &b, 1);
		read_all(fd, &b, 1);
		n++;
	} while ((n & 63) || roam_now() < end);
	printf("rr %.0f\n", n / (roam_now() - t0));
	close(fd);
}

static double realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A message every HANDOVER_MS, echoed by the server as in rr; the script
 * changes the client's address meanwhile.  Prints each echo's send and
 * arrival times (CLOCK_REALTIME): the script finds the gap in them
 * afterwards, so nothing here waits on when it learns of the change.
 */
#define HANDOVER_MS	10

static void handover(const char *host, double secs)
{
	int fd = connect_to(host);
	double end = realtime() + secs, next = 0, stamp, now;
	char in[sizeof(double)];
	size_t have = 0;

	nodelay(fd);
	write_all(fd, "R", 1);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (realtime() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		now = realtime();
		if (now >= next) {
			/* Nothing else is queued: a short write cannot happen. */
			if (write(fd, &now, sizeof(now)) < 0 && errno != EAGAIN)
				break;
			next = now + HANDOVER_MS / 1e3;
		}
		if (poll(&p, 1, HANDOVER_MS) != 1)
			continue;
		n = read(fd, in + have, sizeof(in) - have);
		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				continue;
			break;		/* the connection ended */
		}
		have += n;
		if (have < sizeof(in))
			continue;
		have = 0;
		memcpy(&stamp, in, sizeof(stamp));
		printf("echo %.6f %.6f\n", stamp, realtime());
	}
	close(fd);
}

/* Kernel memory in use and slab, in bytes, from /proc/meminfo. */
static void meminfo(long long *used, long long *slab)
{
	long long total = 0, avail_free = 0, v;
	char key[64];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	*slab = 0;
	while (fscanf(f, "%63s %lld kB\n", key, &v) == 2) {
		if (!strcmp(key, "MemTotal:"))
			total = v;
		else if (!strcmp(key, "MemFree:"))
			avail_free = v;
		else if (!strcmp(key, "Slab:"))
			*slab = v * 1024;
	}
	fclose(f);
	*used = (total - avail_free) * 1024;
}

static void idle(const char *host, int count)
{
	long long used0, slab0, used1, slab1;
	int *fds = calloc(count, sizeof(int));
	int i;
	char b;

	if (!fds)
		die("calloc");
	/* Everything this process needs, before the first reading. */
	for (i = 0; i < count; i++)
		fds[i] = -1;
	sleep(1);
	meminfo(&used0, &slab0);
	for (i = 0; i < count; i++) {
		fds[i] = connect_to(host);
		write_all(fds[i], "I", 1);
		read_all(fds[i], &b, 1);
	}
	sleep(2);
	meminfo(&used1, &slab1);
	printf("idle %d %lld %lld\n", count, (used1 - used0) / count,
	       (slab1 - slab0) / count);
	for (i = 0; i < count; i++)
		close(fds[i]);
	free(fds);
}

int main(int argc, char **argv)
{
	const char *host = NULL;
	int opt, listen_mode = 0;
	struct rlimit rl = { 65536, 65536 };

	while ((opt = getopt(argc, argv, "sc:tp:k:")) != -1) {
		switch (opt) {
		case 's':
			listen_mode = 1;
			break;
		case 'c':
			host = optarg;
			break;
		case 't':
			use_tcp = 1;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'k':
			psk = strtoul(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	if (listen_mode) {
		server();
		return 0;
	}
	if (!host || optind + 2 != argc)
		goto usage;
	if (!strcmp(argv[optind], "bulk"))
		bulk(host, atof(argv[optind + 1]));
	else if (!strcmp(argv[optind], "rr"))
		rr(host, atof(argv[optind + 1]));
	else if (!strcmp(argv[optind], "idle"))
		idle(host, atoi(argv[optind + 1]));
	else if (!strcmp(argv[optind], "handover"))
		handover(host, atof(argv[optind + 1]));
	else
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: stream -s [-t|-k ID] [-p PORT]\n"
		"       stream -c HOST [-t|-k ID] [-p PORT] bulk|rr SECONDS | idle COUNT |\n"
		"                                   handover SECONDS\n");
	return 2;
}
