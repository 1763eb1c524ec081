// SPDX-License-Identifier: GPL-2.0
/*
 * roampace: a paced stream both ways at once, for the outage tests and
 * the outage benchmark: how long after a network comes back the first
 * byte arrives.
 *
 *   roampace -l [-p PORT] [-t] [-i MS] [-g MS]
 *   roampace -c HOST [-p PORT] [-t] [-i MS] [-g MS] -s SECONDS
 *
 * Each side writes a 16-byte record every -i milliseconds (default 10):
 * its number and the time it was due (CLOCK_REALTIME, ns), both
 * big-endian; a record that cannot be written at once waits its turn,
 * so the stream stays in order and nothing is skipped.  Each side reads
 * the other's records and checks that their numbers follow one another.
 * Whenever no record arrived for -g milliseconds (default 250), it
 * prints, once records flow again:
 *
 *   gap LAST FIRST        (seconds, CLOCK_REALTIME: the last record before
 *                          the silence and the first one after it)
 *
 * The client stops writing after -s seconds, or at SIGUSR1 if that comes
 * first, and shuts its side down; the server does the same once it has
 * read the client's end.  Each
 * prints at the end:
 *
 *   sent N recv N
 *
 * and exits 0 if every record it received was the next one, 1 if not.
 * -t uses TCP, for comparison.  The server serves one client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "roam_util.h"

#define REC 16

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: roampace -l [-p PORT] [-t] [-i MS] [-g MS]\n"
		"       roampace -c HOST [-p PORT] [-t] [-i MS] [-g MS] -s SECONDS\n");
	exit(2);
}

/* A TCP socket address for @ip (IPv4 or IPv6) and @port. */
static socklen_t tcp_addr(struct sockaddr_storage *ss, const char *ip,
			  unsigned short port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	if (strcmp(ip, "*") && inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
		return 0;
	return sizeof(*s6);
}

static int open_conn(int listen_mode, const char *host, unsigned short port, int tcp)
{
	struct sockaddr_storage ss;
	struct sockaddr_roam sa;
	socklen_t len;
	int fd, one = 1, c;

	if (tcp) {
		len = tcp_addr(&ss, listen_mode ? "*" : host, port);
		if (!len)
			return -1;
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
	} else {
		if (roam_addr_parse(&sa, listen_mode ? "*" : host, port))
			return -1;
		fd = roam_socket();
	}
	if (fd < 0)
		return -1;
	if (listen_mode) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if ((tcp ? bind(fd, (struct sockaddr *)&ss, len) :
			   bind(fd, (struct sockaddr *)&sa, sizeof(sa))) || listen(fd, 1))
			return -1;
		printf("listening\n");
		c = accept(fd, NULL, NULL);
		close(fd);
		fd = c;
	} else if (tcp ? connect(fd, (struct sockaddr *)&ss, len) :
			 connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		return -1;
	}
	if (fd >= 0 && tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int main(int argc, char **argv)
{
	int listen_mode = 0, tcp = 0, fd, c, bad = 0, eof = 0, shut = 0;
	uint64_t interval = 10, gap_ms = 250, secs = 0, start, end, next;
	uint64_t sent = 0, recv = 0, last = 0, now, due;
	unsigned char out[REC], in[REC];
	size_t out_len = 0, in_len = 0;
	unsigned short port = 9700;
	const char *host = NULL;
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "lc:p:ti:g:s:")) != -1) {
		switch (c) {
		case 'l':
			listen_mode = 1;
			break;
		case 'c':
			host = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 't':
			tcp = 1;
			break;
		case 'i':
			interval = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			gap_ms = strtoull(optarg, NULL, 0);
			break;
		case 's':
			secs = strtoull(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (listen_mode == !!host || (host && !secs) || !interval)
		usage();
	fd = open_conn(listen_mode, host, port, tcp);
	if (fd < 0) {
		perror("roampace");
		return 1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	printf("connected\n");
	signal(SIGUSR1, on_usr1);
	start = realtime_ns();
	end = secs ? start + secs * 1000000000ull : UINT64_MAX;
	next = start;
	last = start;

	while (!(eof && shut && !out_len)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int timeout;

		now = realtime_ns();
		if (stop)
			end = now;
		/* Our side ends at the deadline (client) or the peer's end (server). */
		if (!shut && !out_len && (now >= end || (!host && eof))) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		if (!shut && !out_len && now >= next) {
			due = next;
			put_be64(out, sent);
			put_be64(out + 8, due);
			out_len = REC;
			next += interval * 1000000ull;
		}
		if (out_len) {
			n = write(fd, out + REC - out_len, out_len);
			if (n > 0) {
				out_len -= n;
				if (!out_len)
					sent++;
			} else if (n < 0 && errno != EAGAIN) {
				perror("roampace: write");
				return 1;
			}
		}
		if (out_len)
			p.events |= POLLOUT;
		timeout = shut ? 1000 : (next > now ? (next - now) / 1000000 + 1 : 0);
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			return 1;
		for (;;) {
			n = read(fd, in + in_len, REC - in_len);
			if (n == 0) {
				eof = 1;
				break;
			}
			if (n < 0) {
				if (errno != EAGAIN) {
					perror("roampace: read");
					return 1;
				}
				break;
			}
			in_len += n;
			if (in_len < REC)
				continue;
			in_len = 0;
			now = realtime_ns();
			if (now - last > gap_ms * 1000000ull)
				printf("gap %.3f %.3f\n", last / 1e9, now / 1e9);
			last = now;
			if (get_be64(in) != recv) {
				fprintf(stderr, "roampace: record %llu where %llu was due\n",
					(unsigned long long)get_be64(in),
					(unsigned long long)recv);
				bad = 1;
			}
			recv++;
		}
	}
	printf("sent %llu recv %llu\n", (unsigned long long)sent, (unsigned long long)recv);
	close(fd);
	return bad || in_len;
}
