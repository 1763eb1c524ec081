// SPDX-License-Identifier: GPL-2.0
/*
 * roamfuzz: random system calls and netlink requests at the module, for
 * fuzz.sh on the debug lane (KASAN, lockdep, kmemleak).
 *
 *   roamfuzz syscalls SEED SECS THREADS
 *	THREADS threads run random sequences of calls for SECS seconds.  A
 *	sequence opens an AF_ROAM socket of its own and makes 1 to 8
 *	random calls, three in four of them on that socket and the rest on
 *	a table of sockets the threads share; then it closes its socket,
 *	or leaves it in the table for the others.  The calls: socket,
 *	bind, ROAM_BINDX_ADD and _REM, listen, connect, accept4, send,
 *	recv, sendfile, splice, shutdown, close, setsockopt, getsockopt,
 *	ioctl, poll, getsockname, getpeername and ROAM_MIGRATE, with
 *	invalid arguments among them.  Every socket is non-blocking, so
 *	that no call waits; one socket may be closed by one thread while
 *	another uses it.  Listeners on the loopback addresses give
 *	connect() something to reach.
 *   roamfuzz netlink SEED SECS [THREADS]
 *	random generic netlink requests to the roam family for SECS
 *	seconds: any command, flags and version, attributes of any type,
 *	length and nesting, lengths that lie; with THREADS threads (default
 *	2) of the system calls above beside it, so that dumps run while
 *	sockets come and go.
 *
 * Thread i draws from SEED + i (xorshift64*).  Each mode prints one line:
 *
 *   syscalls SEED: Q sequences, N calls in S s, R/s
 *   netlink SEED: N calls in S s, R/s
 *
 * and exits 0 once every thread has returned; the checks are the
 * kernel's (the VM runner reads its log) and the caller's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "nl.h"
#include "rng.h"
#include "roam_util.h"

#define SLOTS		32
#define PORT0		7700
#define PORTS		4
#define BUF		65536

static int slots[SLOTS];
static int memfd = -1;
static double deadline;
static uint16_t genl_family;
const char *opt_netns;		/* roamctl's -n, for nl.c: unused here */

struct worker {
	pthread_t tid;
	uint64_t rng;
	unsigned long calls;
	unsigned long seqs;
};

/* A value near the edges of an int, or any. */
static int edge_int(uint64_t *s)
{
	static const int edges[] = {
		-1, 0, 1, 2, 3, 4, 7, 8, 16, 64, 128, 255, 256, 1024, 4096,
		65535, 65536, 1 << 20, 0x7fffffff, (int)0x80000000,
	};

	if (!rng_below(s, 4))
		return (int)rng_next(s);
	return edges[rng_below(s, sizeof(edges) / sizeof(edges[0]))];
}

/* An address to bind or connect to: mostly the loopback ones, any other. */
static socklen_t gen_addr(uint64_t *s, struct sockaddr_roam *sa)
{
	static const char *const ips[] = {
		"*", "127.0.0.1", "::1", "127.0.0.2", "10.0.1.1", "fd00::1",
	};

	memset(sa, 0, sizeof(*sa));
	if (rng_below(s, 8)) {
		roam_addr_parse(sa, ips[rng_below(s, sizeof(ips) / sizeof(ips[0]))],
			  rng_below(s, 4) ? PORT0 + rng_below(s, PORTS) : rng_below(s, 65536));
	} else {
		rng_fill(s, sa, sizeof(*sa));
		if (rng_below(s, 2))
			sa->sroam_family = ksft_roam_family();
	}
	switch (rng_below(s, 12)) {
	case 0:
		return 0;
	case 1:
		return sizeof(*sa) - 1;
	case 2:
		return sizeof(struct sockaddr_in);
	case 3:
		return sizeof(*sa) + rng_below(s, 64);
	}
	return sizeof(*sa);
}

/* A slot's socket: any slot, even an empty or just closed one. */
static int pick(uint64_t *s)
{
	return __atomic_load_n(&slots[rng_below(s, SLOTS)], __ATOMIC_RELAXED);
}

static void put(uint64_t *s, int fd)
{
	int old;

	if (fd < 0)
		return;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	old = __atomic_exchange_n(&slots[rng_below(s, SLOTS)], fd, __ATOMIC_RELAXED);
	if (old >= 0)
		close(old);
}

static void sockopt(uint64_t *s, int fd, int set)
{
	static const int levels[] = { SOL_ROAM, SOL_ROAM, SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6 };
	static const int so[] = {
		SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEADDR, SO_REUSEPORT,
		SO_KEEPALIVE, SO_ERROR, SO_TYPE, SO_PRIORITY, SO_MARK,
		SO_BINDTODEVICE, SO_RCVLOWAT, SO_SNDLOWAT, SO_ACCEPTCONN,
	};
	unsigned char val[256];
	int level = levels[rng_below(s, sizeof(levels) / sizeof(levels[0]))];
	int name = level == SOL_SOCKET ? so[rng_below(s, sizeof(so) / sizeof(so[0]))] :
		   (int)rng_below(s, 16);
	socklen_t len;

	rng_fill(s, val, sizeof(val));
	switch (rng_below(s, 6)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = rng_below(s, sizeof(val));
		break;
	case 2:			/* an array of addresses, for bindx */
		len = sizeof(struct sockaddr_roam) * (1 + rng_below(s, 4));
		for (unsigned int i = 0; i < len / sizeof(struct sockaddr_roam); i++)
			gen_addr(s, (struct sockaddr_roam *)val + i);
		break;
	case 3:
		len = sizeof(int);
		*(int *)val = edge_int(s);
		break;
	default:
		len = rng_below(s, 2) ? sizeof(int) : sizeof(struct roam_info);
	}
	if (set) {
		if (level == SOL_SOCKET && name == SO_BINDTODEVICE && rng_below(s, 2)) {
			memcpy(val, "lo", 3);
			len = 3;
		}
		/* A linger with a timeout would block close(): not here. */
		if (level == SOL_SOCKET && name == SO_LINGER)
			memset(val, 0, sizeof(struct linger));
		setsockopt(fd, level, name, val, len);
	} else {
		getsockopt(fd, level, name, val, rng_below(s, 8) ? &len : NULL);
	}
}

/*
 * One random call, on @own three times in four if it is open, else on a
 * slot's socket; returns nothing, since any result is allowed.
 */
static void one_call(uint64_t *s, char *buf, int own)
{
	struct sockaddr_roam sa;
	int fd = own >= 0 && rng_below(s, 4) ? own : pick(s), p[2], n;
	socklen_t len;
	struct pollfd pfd[4];
	loff_t off;

	switch (rng_below(s, 22)) {
	case 0:
	case 1:
		/* Other families seldom, and only ones already loaded: any
		 * family would have the kernel load modules that have nothing
		 * to do with roam (kcm, appletalk, ...).
		 */
		put(s, socket(rng_below(s, 16) ? ksft_roam_family() :
			      rng_below(s, 2) ? AF_INET : rng_below(s, 2) ? AF_INET6 : AF_UNIX,
			      rng_below(s, 8) ? SOCK_STREAM : (int)rng_below(s, 16),
			      rng_below(s, 8) ? 0 : edge_int(s)));
		break;
	case 2:
		len = gen_addr(s, &sa);
		bind(fd, (struct sockaddr *)&sa, len);
		break;
	case 3:
		listen(fd, rng_below(s, 2) ? (int)rng_below(s, 8) : edge_int(s));
		break;
	case 4:
	case 5:
		len = gen_addr(s, &sa);
		connect(fd, (struct sockaddr *)&sa, len);
		break;
	case 6:
		len = sizeof(sa) - rng_below(s, 3) * 8;
		put(s, accept4(fd, rng_below(s, 2) ? (struct sockaddr *)&sa : NULL,
			       rng_below(s, 2) ? &len : NULL,
			       rng_below(s, 8) ? SOCK_NONBLOCK : (int)rng_next(s)));
		break;
	case 7:
	case 8:
		send(fd, buf, rng_below(s, 4) ? rng_below(s, 2048) : rng_below(s, BUF),
		     MSG_DONTWAIT | MSG_NOSIGNAL | (rng_below(s, 4) ? 0 : MSG_MORE) |
		     (rng_below(s, 16) ? 0 : MSG_OOB));
		break;
	case 9:
		len = gen_addr(s, &sa);
		sendto(fd, buf, rng_below(s, 512), MSG_DONTWAIT | MSG_NOSIGNAL,
		       (struct sockaddr *)&sa, len);
		break;
	case 10:
	case 11:
		recv(fd, buf, rng_below(s, BUF),
		     MSG_DONTWAIT | (rng_below(s, 4) ? 0 : MSG_PEEK) |
		     (rng_below(s, 8) ? 0 : MSG_TRUNC) | (rng_below(s, 8) ? 0 : MSG_WAITALL) |
		     (rng_below(s, 16) ? 0 : MSG_OOB));
		break;
	case 12:
		off = rng_below(s, 2 * BUF);
		sendfile(fd, memfd, rng_below(s, 2) ? &off : NULL, rng_below(s, BUF));
		break;
	case 13:
		if (pipe2(p, O_NONBLOCK))
			break;
		if (rng_below(s, 2)) {
			n = write(p[1], buf, rng_below(s, 4096));
			splice(p[0], NULL, fd, NULL, n > 0 ? n : 1, SPLICE_F_NONBLOCK);
		} else {
			splice(fd, NULL, p[1], NULL, rng_below(s, BUF),
			       SPLICE_F_NONBLOCK | (rng_below(s, 2) ? SPLICE_F_MORE : 0));
		}
		close(p[0]);
		close(p[1]);
		break;
	case 14:
		shutdown(fd, rng_below(s, 8) ? (int)rng_below(s, 3) : edge_int(s));
		break;
	case 15:
		if (!rng_below(s, 3)) {
			int slot = rng_below(s, SLOTS);
			int old = __atomic_exchange_n(&slots[slot], -1, __ATOMIC_RELAXED);

			if (old >= 0)
				close(old);
		}
		break;
	case 16:
	case 17:
		sockopt(s, fd, rng_below(s, 2));
		break;
	case 18: {
		/*
		 * TCGETS is one that no socket knows.  Not SIOCDEVPRIVATE:
		 * the kernel would look for a device of a random name and run
		 * modprobe for it, twice, in every call.
		 */
		static const unsigned long cmds[] = {
			FIONREAD, SIOCOUTQ, SIOCOUTQNSD, SIOCATMARK, FIONBIO,
			SIOCGSTAMP_OLD, TCGETS,
		};
		int arg = 1;

		if (rng_below(s, 8)) {
			unsigned long cmd = cmds[rng_below(s, sizeof(cmds) / sizeof(cmds[0]))];

			ioctl(fd, cmd, &arg);
			if (cmd == FIONBIO)	/* never blocking, whatever it set */
				fcntl(fd, F_SETFL, O_NONBLOCK);
		}
		break;
	}
	case 19:
		for (n = 0; n < 4; n++) {
			pfd[n].fd = pick(s);
			pfd[n].events = rng_next(s);
		}
		poll(pfd, 4, rng_below(s, 3));
		break;
	case 20:
		len = rng_below(s, 4) ? sizeof(sa) : rng_below(s, sizeof(sa));
		if (rng_below(s, 2))
			getsockname(fd, (struct sockaddr *)&sa, &len);
		else
			getpeername(fd, (struct sockaddr *)&sa, &len);
		break;
	case 21:
		n = 1;
		setsockopt(fd, SOL_ROAM, ROAM_MIGRATE, &n, rng_below(s, 4) ? sizeof(n) : rng_below(s, 8));
		break;
	}
}

static void *syscall_worker(void *arg)
{
	struct worker *w = arg;
	char *buf = malloc(BUF);

	if (!buf)
		return NULL;
	rng_fill(&w->rng, buf, BUF);
	while (roam_now() < deadline) {
		uint64_t *s = &w->rng;
		int own = socket(ksft_roam_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
		int n = 1 + rng_below(s, 8);

		while (n-- && roam_now() < deadline) {
			one_call(s, buf, own);
			w->calls++;
		}
		if (rng_below(s, 2))
			put(s, own);
		else if (own >= 0)
			close(own);
		w->seqs++;
	}
	free(buf);
	return NULL;
}

/* Sends a netlink message and reads what comes back until it is done. */
static void fuzz_talk(int fd, void *msg, size_t len, uint32_t seq)
{
	char rbuf[16384];
	struct nlmsghdr *h;
	ssize_t n;
	int more;

	if (send(fd, msg, len, 0) < 0)
		return;
	do {
		if (roam_poll(fd, POLLIN, 50) <= 0)
			return;
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n <= 0)
			return;
		more = 0;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return;
			more = h->nlmsg_flags & NLM_F_MULTI;
		}
	} while (more);
}

/*
 * Random attributes at @p, at most @room bytes, nested up to @depth
 * more levels: their length.
 */
static size_t gen_attrs(uint64_t *s, char *p, size_t room, int depth)
{
	size_t used = 0;
	int k = rng_below(s, 5);

	while (k-- > 0 && room - used >= NLA_HDRLEN + 8) {
		struct nlattr *a = (struct nlattr *)(p + used);
		size_t len;

		a->nla_type = rng_below(s, 4) ? rng_below(s, 24) : (uint16_t)rng_next(s);
		if (depth && rng_below(s, 3)) {
			a->nla_type |= rng_below(s, 2) ? NLA_F_NESTED : 0;
			len = gen_attrs(s, (char *)(a + 1), room - used - NLA_HDRLEN, depth - 1);
		} else {
			static const size_t sizes[] = { 0, 1, 2, 4, 8, 16, 32, 64 };

			len = sizes[rng_below(s, sizeof(sizes) / sizeof(sizes[0]))];
			len = len < room - used - NLA_HDRLEN ? len : 0;
			rng_fill(s, a + 1, len);
			if (len >= 4 && rng_below(s, 2)) {	/* what policies accept */
				uint32_t v = edge_int(s);

				memset(a + 1, 0, len);
				memcpy(a + 1, &v, sizeof(v));
			}
		}
		a->nla_len = NLA_HDRLEN + len;
		if (!rng_below(s, 16))	/* a length that lies */
			a->nla_len = rng_next(s);
		used += NLA_ALIGN(NLA_HDRLEN + len);
	}
	return used;
}

static void netlink_fuzz(uint64_t *s, unsigned long *calls)
{
	static char msg[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = (struct genlmsghdr *)(msg + NLMSG_HDRLEN);
	uint32_t seq = 2;
	struct nl nl;
	int fd;

	/* roamctl's client finds the family; the requests are raw. */
	if (nl_open(&nl))
		return;
	fd = mnl_socket_get_fd(nl.sock);
	genl_family = nl.family;
	while (roam_now() < deadline) {
		size_t len;

		memset(msg, 0, NLMSG_HDRLEN + GENL_HDRLEN);
		len = NLMSG_HDRLEN + GENL_HDRLEN +
		      gen_attrs(s, msg + NLMSG_HDRLEN + GENL_HDRLEN,
				sizeof(msg) - NLMSG_HDRLEN - GENL_HDRLEN, 3);
		h->nlmsg_len = rng_below(s, 16) ? len : rng_below(s, len + 1);
		h->nlmsg_type = rng_below(s, 16) ? genl_family : (uint16_t)rng_next(s);
		h->nlmsg_flags = NLM_F_REQUEST | (rng_below(s, 2) ? NLM_F_ACK : 0) |
				 (rng_below(s, 3) ? 0 : NLM_F_DUMP);
		h->nlmsg_seq = ++seq;
		g->cmd = rng_below(s, 8) ? rng_below(s, ROAM_CMD_MAX + 3) : rng_next(s);
		g->version = rng_below(s, 8) ? ROAM_GENL_VERSION : rng_next(s);
		fuzz_talk(fd, msg, len, seq);
		(*calls)++;
	}
	nl_close(&nl);
}

/* Listeners on the loopback addresses, for connect() to reach. */
static void listeners(void)
{
	static const char *const ips[] = { "127.0.0.1", "::1" };
	unsigned int i;

	for (i = 0; i < PORTS; i++) {
		int fd = roam_listener(ips[i % 2], PORT0 + i, 8);

		if (fd >= 0)
			fcntl(fd, F_SETFL, O_NONBLOCK);
		slots[i] = fd;
	}
}

int main(int argc, char **argv)
{
	int threads, i, netlink;
	unsigned long calls = 0, seqs = 0;
	struct worker *w;
	uint64_t seed;
	double t0;

	if (argc < 4 || (strcmp(argv[1], "syscalls") && strcmp(argv[1], "netlink"))) {
		fprintf(stderr, "usage: roamfuzz syscalls SEED SECS THREADS\n"
				"       roamfuzz netlink SEED SECS [THREADS]\n");
		return 2;
	}
	netlink = !strcmp(argv[1], "netlink");
	seed = strtoull(argv[2], NULL, 0);
	threads = argc > 4 ? atoi(argv[4]) : netlink ? 2 : 4;
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < SLOTS; i++)
		slots[i] = -1;
	memfd = memfd_create("roamfuzz", 0);
	if (memfd < 0 || ftruncate(memfd, 2 * BUF))
		return 1;
	listeners();
	t0 = roam_now();
	deadline = t0 + atof(argv[3]);
	w = calloc(threads + 1, sizeof(*w));
	if (!w)
		return 1;
	for (i = 0; i < threads; i++) {
		w[i].rng = (seed + i) * 2 + 1;
		if (pthread_create(&w[i].tid, NULL, syscall_worker, &w[i]))
			return 1;
	}
	if (netlink) {
		uint64_t s = (seed + threads) * 2 + 1;

		netlink_fuzz(&s, &calls);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		if (!netlink) {
			calls += w[i].calls;
			seqs += w[i].seqs;
		}
	}
	for (i = 0; i < SLOTS; i++)
		if (slots[i] >= 0)
			close(slots[i]);
	printf("%s %llu: ", argv[1], (unsigned long long)seed);
	if (!netlink)
		printf("%lu sequences, ", seqs);
	printf("%lu calls in %.1f s, %.0f/s\n", calls, roam_now() - t0,
	       calls / (roam_now() - t0));
	free(w);
	return netlink && !genl_family;
}
