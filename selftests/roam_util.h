/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the roam selftests. */
#ifndef _ROAM_UTIL_H
#define _ROAM_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libroam.h>

/* Seconds on the monotonic clock. */
static inline double roam_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Waits, for at most @secs seconds, until @cond holds; the value of @cond
 * at the end.  @cond is evaluated again and again: that is the point.
 */
#define WAIT_FOR(cond, secs) ({						\
	double __end = roam_now() + (secs);				\
	while (!(cond) && roam_now() < __end)				\
		usleep(10000);						\
	(cond);								\
})

/* poll() on one descriptor: its revents, or 0 on timeout. */
static inline int roam_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, timeout_ms) == 1 ? p.revents : 0;
}

/* The family number in use (libroam); without the module, a skip. */
static inline int ksft_roam_family(void)
{
	int family = roam_family();

	if (family < 0) {
		fprintf(stderr, "roam is not loaded (%s)\n", ROAM_FAMILY_SYSFS);
		exit(4);	/* KSFT_SKIP */
	}
	return family;
}

/* Brings lo up in the current namespace: 0 or -1. */
static inline int roam_lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, rc = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/*
 * A network namespace of one's own, with lo up, and @ip_batch, lines for
 * `ip -batch -` ("addr add 2001:db8::1/128 dev lo nodad\n"), run in it:
 * one ip for all of them, since each process costs a fifth of a second
 * of CPU on the debug lane, and every test case of a fixture makes its
 * namespace.  0 or -1.  An IPv6 address needs nodad: even on lo it is
 * tentative, neither bindable nor routed, until a work item has run,
 * which a loaded guest may not run for a while.
 */
static inline int roam_private_netns(const char *ip_batch)
{
	FILE *ip;

	/* ROAM_TEST_NETNS=keep: stay, to look at what a test left behind. */
	if (!getenv("ROAM_TEST_NETNS") && unshare(CLONE_NEWNET))
		return -1;
	if (roam_lo_up())
		return -1;
	if (!ip_batch)
		return 0;
	ip = popen("exec ip -batch -", "w");
	if (!ip)
		return -1;
	fputs(ip_batch, ip);
	return pclose(ip) ? -1 : 0;
}

/* roamctl ARGS in the current namespace; returns its exit status. */
static inline int roamctl(const char *args)
{
	const char *top = getenv("ROAM_TOP");
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s/tools/roamctl/roamctl %s", top ?: "../../..", args);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static inline int roam_socket(void)
{
	return socket(ksft_roam_family(), SOCK_STREAM, 0);
}

/* bind(): 0 or the errno. */
static inline int roam_bind_ip(int fd, const char *ip, unsigned short port)
{
	struct sockaddr_roam sa;

	if (roam_addr_parse(&sa, ip, port))
		return EINVAL;
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
}

/* A listener on IP:PORT, or -errno. */
static inline int roam_listener(const char *ip, unsigned short port, int backlog)
{
	int fd = roam_socket(), err;

	if (fd < 0)
		return -errno;
	err = roam_bind_ip(fd, ip, port);
	if (!err && listen(fd, backlog))
		err = errno;
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

/* connect(); the socket, or -errno.  @flags: SOCK_NONBLOCK. */
static inline int roam_connect_ip(const char *ip, unsigned short port, int flags)
{
	struct sockaddr_roam sa;
	int fd, err;

	fd = socket(ksft_roam_family(), SOCK_STREAM | flags, 0);
	if (fd < 0)
		return -errno;
	if (roam_addr_parse(&sa, ip, port)) {
		close(fd);
		return -EINVAL;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/*
 * SO_REUSEPORT; kernels without SOCK_CUSTOM_SOCKOPT refuse it outside IP
 * (EOPNOTSUPP), and ROAM_REUSEPORT is the same option under roam's level.
 */
static inline int roam_reuseport(int fd)
{
	int one = 1;

	if (!setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		return 0;
	if (errno != EOPNOTSUPP)
		return -1;
	return setsockopt(fd, SOL_ROAM, ROAM_REUSEPORT, &one, sizeof(one));
}

static inline unsigned short roam_port_of(int fd, int peer)
{
	struct sockaddr_roam sa;
	socklen_t len = sizeof(sa);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return ntohs(sa.sroam_port);
}

/* True on the debug lane (KASAN, lockdep, kmemleak, all under emulation). */
static inline bool roam_debug_lane(void)
{
	const char *lane = getenv("ROAM_LANE");

	return lane && !strcmp(lane, "debug");
}

/*
 * Load for the current lane: the debug lane runs every test, with a
 * tenth of the connections and bytes.
 */
static inline int roam_scaled(int n)
{
	if (roam_debug_lane())
		return n / 10 > 1 ? n / 10 : 1;
	return n;
}

static inline void roam_raise_nofile(void)
{
	struct rlimit rl = { 65536, 65536 };

	setrlimit(RLIMIT_NOFILE, &rl);
}

#endif /* _ROAM_UTIL_H */
