// SPDX-License-Identifier: GPL-2.0
/*
 * roamnc: a netcat for AF_ROAM, for the shell selftests and the demo.
 *
 *   roamnc -l [-b ADDR]... [-p PORT] [-n COUNT] [-B BACKLOG] [-D SEC] [-r] [-R] [-k ID] [-d DEV]
 *	listen (on the wildcard unless -b), and once a connection waits,
 *	wait SEC seconds more; then accept COUNT connections (0: until
 *	killed) and print one line for each; with -H hold them until
 *	killed, unread, but close those that are over (an error, or both
 *	directions shut), so that a long run does not run out of
 *	descriptors
 *   roamnc [-b ADDR] [-p PORT] [-w SEC] [-n COUNT] [-H] [-k ID] HOST PORT
 *	connect (COUNT times, each a connection of its own), print one
 *	line for each, and with -H hold them until killed
 *
 * -k ID sets ROAM_PSK, the pre-shared key of that id; -d DEV binds the
 * socket to a device (SO_BINDTODEVICE).
 *
 * Exit status: 0, or the errno of the failing call.
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "roam_util.h"

#define MAX_BIND 16

static void usage(void)
{
	fprintf(stderr,
		"usage: roamnc -l [-b ADDR]... [-p PORT] [-n COUNT] [-B BACKLOG] [-D SEC] [-r] [-R] [-k ID] [-d DEV]\n"
		"       roamnc [-b ADDR] [-p PORT] [-w SEC] [-n COUNT] [-H] [-k ID] HOST PORT\n");
	exit(2);
}

static int fail(const char *what)
{
	int err = errno;

	fprintf(stderr, "roamnc: %s: %s\n", what, strerror(err));
	return err ?: 1;
}

/*
 * -l -H: accept @count connections (0: any number) and hold them unread
 * until killed; those that are over are closed.  Returns only on error.
 */
static int hold_accepted(int lfd, int count)
{
	struct pollfd *p = NULL;
	struct sockaddr_roam sa;
	int n = 1, room = 0, accepted = 0, i;
	socklen_t len;
	char b1[80];

	for (;;) {
		if (n + 1 > room) {	/* room for p[n], the next one */
			room = room ? 2 * room : 64;
			p = realloc(p, room * sizeof(*p));
			if (!p)
				return fail("realloc");
		}
		/* The listener first, while it still takes connections. */
		p[0].fd = count && accepted == count ? -1 : lfd;
		p[0].events = POLLIN;
		if (poll(p, n, -1) < 0)
			return fail("poll");
		for (i = n - 1; i > 0; i--) {
			if (!(p[i].revents & (POLLHUP | POLLERR | POLLNVAL)))
				continue;
			close(p[i].fd);
			p[i] = p[--n];
		}
		if (!(p[0].revents & POLLIN))
			continue;
		len = sizeof(sa);
		p[n].fd = accept(lfd, (struct sockaddr *)&sa, &len);
		if (p[n].fd < 0)
			return fail("accept");
		p[n++].events = 0;	/* POLLHUP and POLLERR, not data */
		accepted++;
		printf("accepted %s\n", roam_addr_format(&sa, b1, sizeof(b1)));
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_roam addrs[MAX_BIND], sa;
	int listen_mode = 0, hold = 0, reuseport = 0, reuseaddr = 0;
	int count = 1, backlog = 128, nbind = 0, one = 1, fd, c, i;
	unsigned short port = 0;
	unsigned int key = 0;
	const char *bind_ip[MAX_BIND], *dev = NULL;
	char b1[80], b2[80];
	socklen_t len;
	double wait = 0, delay = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "lb:p:n:B:rRw:HD:k:d:")) != -1) {
		switch (c) {
		case 'l':
			listen_mode = 1;
			break;
		case 'b':
			if (nbind == MAX_BIND)
				usage();
			bind_ip[nbind++] = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'B':
			backlog = atoi(optarg);
			break;
		case 'r':
			reuseport = 1;
			break;
		case 'R':
			reuseaddr = 1;
			break;
		case 'w':
			wait = atof(optarg);
			break;
		case 'H':
			hold = 1;
			break;
		case 'D':
			delay = atof(optarg);
			break;
		case 'k':
			key = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			dev = optarg;
			break;
		default:
			usage();
		}
	}
	if (listen_mode != (argc - optind == 0) || (!listen_mode && argc - optind != 2))
		usage();

	fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket");
	if (key && setsockopt(fd, SOL_ROAM, ROAM_PSK, &key, sizeof(key)))
		return fail("ROAM_PSK");
	if (reuseport && roam_reuseport(fd))
		return fail("SO_REUSEPORT");
	if (reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return fail("SO_REUSEADDR");
	if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1))
		return fail("SO_BINDTODEVICE");
	for (i = 0; i < nbind; i++)
		if (roam_addr_parse(&addrs[i], bind_ip[i], port)) {
			fprintf(stderr, "roamnc: bad address %s\n", bind_ip[i]);
			return 2;
		}
	if (nbind == 0 && (listen_mode || port)) {
		roam_addr_parse(&addrs[0], "*", port);
		nbind = 1;
	}
	if (nbind && bind(fd, (struct sockaddr *)&addrs[0], sizeof(addrs[0])))
		return fail("bind");
	if (nbind > 1 && setsockopt(fd, SOL_ROAM, ROAM_BINDX_ADD, &addrs[1],
				    (nbind - 1) * sizeof(addrs[0])))
		return fail("ROAM_BINDX_ADD");

	if (listen_mode) {
		if (listen(fd, backlog))
			return fail("listen");
		len = sizeof(sa);
		getsockname(fd, (struct sockaddr *)&sa, &len);
		printf("listening %s\n", roam_addr_format(&sa, b1, sizeof(b1)));
		if (delay > 0) {
			/* The delay counts from the first queued connection, not
			 * from listen(): a slow client start must not eat it.
			 */
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, -1) < 0)
				return fail("poll");
			usleep(delay * 1e6);
		}
		if (hold)
			return hold_accepted(fd, count);
		for (i = 0; !count || i < count; i++) {
			int cfd;

			len = sizeof(sa);
			cfd = accept(fd, (struct sockaddr *)&sa, &len);
			if (cfd < 0)
				return fail("accept");
			printf("accepted %s\n", roam_addr_format(&sa, b1, sizeof(b1)));
			close(cfd);
		}
		return 0;
	}

	if (roam_addr_parse(&sa, argv[optind], atoi(argv[optind + 1]))) {
		fprintf(stderr, "roamnc: bad address %s\n", argv[optind]);
		return 2;
	}
	if (wait > 0) {
		struct timeval tv = { .tv_sec = (time_t)wait,
				      .tv_usec = (wait - (time_t)wait) * 1e6 };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	for (i = 0; !count || i < count; i++) {
		struct sockaddr_roam peer = sa, name;

		if (i > 0) {
			fd = socket(ksft_roam_family(), SOCK_STREAM, 0);
			if (fd < 0)
				return fail("socket");
			if (key && setsockopt(fd, SOL_ROAM, ROAM_PSK, &key, sizeof(key)))
				return fail("ROAM_PSK");
		}
		if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)))
			return fail("connect");
		len = sizeof(name);
		getsockname(fd, (struct sockaddr *)&name, &len);
		roam_addr_format(&name, b1, sizeof(b1));
		len = sizeof(name);
		getpeername(fd, (struct sockaddr *)&name, &len);
		printf("connected %s -> %s\n", b1, roam_addr_format(&name, b2, sizeof(b2)));
		if (!hold)
			close(fd);
	}
	if (hold)
		pause();
	return 0;
}
