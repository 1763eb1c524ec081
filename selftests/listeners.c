// SPDX-License-Identifier: GPL-2.0
/*
 * Binding and listener demultiplexing (docs/PROTOCOL.md section 4):
 * specific, wildcard and multi-address binds, port 0, EADDRNOTAVAIL and
 * freebind, bindx with rollback, every conflict rule, shadowing and
 * uncovering, reuseport groups spreading connections, and the wildcards
 * of one family: ::ffff:0.0.0.0 and IPV6_V6ONLY's [::].
 */
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "roam_util.h"

/* Every test has a namespace of its own with lo up: all of 127/8 is local. */
#define NETNS_SETUP \
	"addr add 2001:db8::1/128 dev lo nodad\n" \
	"addr add 2001:db8::2/128 dev lo nodad\n"

static int accept_ready(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return accept(lfd, NULL, NULL);
}

/*
 * A connection to IP:PORT, accepted by @lfd within 5 s: the accepted
 * socket, or -1.  The client end is closed.
 */
static int accept_from(const char *ip, unsigned short port, int lfd)
{
	int c = roam_connect_ip(ip, port, 0), got;

	if (c < 0)
		return -1;
	got = accept_ready(lfd, 5000);
	close(c);
	return got;
}

/* Does @lfd accept a connection to IP:PORT?  Closes both ends. */
static bool lands_on(const char *ip, unsigned short port, int lfd)
{
	int got = accept_from(ip, port, lfd);

	close(got);
	return got >= 0;
}

FIXTURE(ns) {
	int unused;
};

FIXTURE_SETUP(ns)
{
	ASSERT_EQ(0, roam_private_netns(NETNS_SETUP));
}

FIXTURE_TEARDOWN(ns)
{
}

TEST_F(ns, bind_specific_wildcard_and_names)
{
	struct sockaddr_roam sa, want;
	socklen_t len = sizeof(sa);
	int a = roam_socket(), b = roam_socket(), c = roam_socket();

	ASSERT_EQ(0, roam_bind_ip(a, "127.0.0.1", 6000));
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&sa, &len));
	roam_addr_parse(&want, "127.0.0.1", 6000);
	EXPECT_EQ(0, memcmp(&sa, &want, sizeof(sa)));
	EXPECT_EQ(0, roam_bind_ip(b, "2001:db8::1", 6000));
	EXPECT_EQ(0, roam_bind_ip(c, "*", 6001));
	EXPECT_EQ(6001, roam_port_of(c, 0));
	/* A second bind on the same socket, as TCP. */
	EXPECT_EQ(EINVAL, roam_bind_ip(a, "127.0.0.1", 6002));
	close(a);
	close(b);
	close(c);
}

TEST_F(ns, port_zero_takes_the_client_range_in_turn)
{
	unsigned short seen[5] = {}, p;
	int fds[6], i, j;

	ASSERT_EQ(0, roamctl("config set port_range 40000-40004"));
	for (i = 0; i < 5; i++) {
		fds[i] = roam_socket();
		ASSERT_EQ(0, roam_bind_ip(fds[i], "127.0.0.1", 0));
		p = roam_port_of(fds[i], 0);
		EXPECT_TRUE(p >= 40000 && p <= 40004) TH_LOG("port %u", p);
		for (j = 0; j < i; j++)
			EXPECT_NE(seen[j], p);
		seen[i] = p;
	}
	/* The whole range is taken: only now EADDRINUSE. */
	fds[5] = roam_socket();
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(fds[5], "127.0.0.2", 0));
	close(fds[0]);
	EXPECT_EQ(0, roam_bind_ip(fds[5], "127.0.0.2", 0));
	EXPECT_EQ(seen[0], roam_port_of(fds[5], 0));
	for (i = 1; i < 6; i++)
		close(fds[i]);
}

TEST_F(ns, address_not_here_unless_freebind)
{
	int fd = roam_socket(), one = 1;

	EXPECT_EQ(EADDRNOTAVAIL, roam_bind_ip(fd, "192.0.2.1", 6100));
	EXPECT_EQ(EADDRNOTAVAIL, roam_bind_ip(fd, "2001:db8::99", 6100));
	EXPECT_EQ(EADDRNOTAVAIL, roam_bind_ip(fd, "224.0.0.1", 6100));
	EXPECT_EQ(EADDRNOTAVAIL, roam_bind_ip(fd, "ff02::1", 6100));
	ASSERT_EQ(0, setsockopt(fd, SOL_ROAM, ROAM_FREEBIND, &one, sizeof(one)));
	EXPECT_EQ(0, roam_bind_ip(fd, "192.0.2.1", 6100));
	close(fd);
}

TEST_F(ns, privileged_port_needs_cap_net_bind_service)
{
	int fd = roam_socket();

	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	EXPECT_EQ(EACCES, roam_bind_ip(fd, "127.0.0.1", 80));
	EXPECT_EQ(0, roam_bind_ip(fd, "127.0.0.1", 8080));
	close(fd);
}

TEST_F(ns, udp_port_held_by_someone_else)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(6200) };
	int u = socket(AF_INET6, SOCK_DGRAM, 0), fd = roam_socket();

	ASSERT_EQ(0, bind(u, (struct sockaddr *)&sin6, sizeof(sin6)));
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(fd, "127.0.0.1", 6200));
	close(u);
	EXPECT_EQ(0, roam_bind_ip(fd, "127.0.0.1", 6200));
	close(fd);
}

static int bindx(int fd, int op, const char * const *ips, int n, unsigned short port)
{
	struct sockaddr_roam sa[8];
	int i;

	for (i = 0; i < n; i++)
		roam_addr_parse(&sa[i], ips[i], port);
	return setsockopt(fd, SOL_ROAM, op, sa, n * sizeof(sa[0])) ? errno : 0;
}

TEST_F(ns, bindx_add_and_remove)
{
	static const char * const two[] = { "127.0.0.2", "127.0.0.3" };
	static const char * const v6[] = { "2001:db8::1" };
	static const char * const all[] = { "127.0.0.1", "127.0.0.3", "2001:db8::1" };
	static const char * const gone[] = { "127.0.0.9" };
	static const char * const wild[] = { "*" };
	int fd = roam_socket(), w = roam_socket(), c;

	ASSERT_EQ(0, roam_bind_ip(fd, "127.0.0.1", 6300));
	EXPECT_EQ(0, bindx(fd, ROAM_BINDX_ADD, two, 2, 6300));
	EXPECT_EQ(0, bindx(fd, ROAM_BINDX_ADD, v6, 1, 6300));
	ASSERT_EQ(0, listen(fd, 8));
	/* Every address of the set reaches the listener. */
	c = roam_connect_ip("127.0.0.3", 6300, 0);
	ASSERT_LE(0, c);
	close(c);
	close(accept_ready(fd, 5000));
	c = roam_connect_ip("2001:db8::1", 6300, 0);
	ASSERT_LE(0, c);
	close(c);
	close(accept_ready(fd, 5000));

	EXPECT_EQ(EINVAL, bindx(fd, ROAM_BINDX_ADD, two, 2, 6301)) TH_LOG("other port");
	EXPECT_EQ(0, bindx(fd, ROAM_BINDX_REM, two, 1, 6300));
	EXPECT_EQ(EINVAL, bindx(fd, ROAM_BINDX_REM, gone, 1, 6300)) TH_LOG("not bound");
	EXPECT_EQ(EINVAL, bindx(fd, ROAM_BINDX_REM, all, 3, 6300)) TH_LOG("the last one");
	/* 127.0.0.2 left the set: nothing listens there any more. */
	c = roam_connect_ip("127.0.0.2", 6300, 0);
	EXPECT_EQ(-ECONNREFUSED, c);

	/* A wildcard socket has no set to change. */
	ASSERT_EQ(0, roam_bind_ip(w, "*", 6302));
	EXPECT_EQ(EINVAL, bindx(w, ROAM_BINDX_ADD, two, 2, 6302));
	EXPECT_EQ(EINVAL, bindx(w, ROAM_BINDX_REM, wild, 1, 6302));
	close(w);
	close(fd);
}

TEST_F(ns, bindx_on_an_unbound_socket_binds)
{
	static const char * const two[] = { "127.0.0.2", "127.0.0.3" };
	static const char * const mixed[] = { "127.0.0.2", "*" };
	int fd = roam_socket(), g = roam_socket();

	EXPECT_EQ(EINVAL, bindx(g, ROAM_BINDX_ADD, mixed, 2, 6310)) TH_LOG("wildcard in a set");
	EXPECT_EQ(0, bindx(fd, ROAM_BINDX_ADD, two, 2, 6310));
	EXPECT_EQ(6310, roam_port_of(fd, 0));
	close(fd);
	close(g);
}

TEST_F(ns, bindx_partial_failure_rolls_back)
{
	static const char * const add[] = { "127.0.0.6", "127.0.0.5" };
	int a = roam_listener("127.0.0.5", 6400, 8), b = roam_socket(), c;

	ASSERT_LE(0, a);
	ASSERT_EQ(0, roam_bind_ip(b, "127.0.0.4", 6400));
	EXPECT_EQ(EADDRINUSE, bindx(b, ROAM_BINDX_ADD, add, 2, 6400));
	/* 127.0.0.6 was not kept: another listener may have it. */
	c = roam_listener("127.0.0.6", 6400, 8);
	EXPECT_LE(0, c);
	close(a);
	close(b);
	close(c);
}

TEST_F(ns, overlapping_specific_sets_conflict)
{
	static const char * const ab[] = { "127.0.0.1", "127.0.0.2" };
	static const char * const bc[] = { "127.0.0.3", "127.0.0.2" };
	static const char * const cd[] = { "127.0.0.3", "127.0.0.4" };
	int a = roam_socket(), b = roam_socket(), c = roam_socket();

	ASSERT_EQ(0, bindx(a, ROAM_BINDX_ADD, ab, 2, 6500));
	ASSERT_EQ(0, listen(a, 8));
	EXPECT_EQ(EADDRINUSE, bindx(b, ROAM_BINDX_ADD, bc, 2, 6500));
	EXPECT_EQ(0, bindx(c, ROAM_BINDX_ADD, cd, 2, 6500)) TH_LOG("disjoint sets");
	EXPECT_EQ(0, listen(c, 8));
	close(a);
	close(b);
	close(c);
}

TEST_F(ns, specific_and_wildcard_coexist)
{
	int s = roam_listener("127.0.0.1", 6600, 8), w = roam_listener("*", 6600, 8);
	int w2 = roam_socket();

	EXPECT_LE(0, s);
	EXPECT_LE(0, w);
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(w2, "*", 6600)) TH_LOG("two wildcards");
	close(s);
	close(w);
	close(w2);
}

TEST_F(ns, every_address_explicitly_is_an_ordinary_set)
{
	static const char * const all[] = { "127.0.0.1", "::1", "2001:db8::1", "2001:db8::2" };
	int a = roam_socket(), b = roam_socket(), w;

	ASSERT_EQ(0, bindx(a, ROAM_BINDX_ADD, all, 4, 6700));
	ASSERT_EQ(0, listen(a, 8));
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(b, "2001:db8::2", 6700));
	/* It is no wildcard: a wildcard listener still coexists with it. */
	w = roam_listener("*", 6700, 8);
	EXPECT_LE(0, w);
	close(a);
	close(b);
	close(w);
}

static int reuseport_listener(const char * const *ips, int n, unsigned short port)
{
	int fd = roam_socket();

	if (roam_reuseport(fd) || bindx(fd, ROAM_BINDX_ADD, ips, n, port) ||
	    listen(fd, 128)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST_F(ns, reuseport_needs_identical_sets_and_owner)
{
	static const char * const x[] = { "127.0.0.1" };
	static const char * const xy[] = { "127.0.0.1", "127.0.0.2" };
	int a = reuseport_listener(x, 1, 6800), b = reuseport_listener(x, 1, 6800);
	int status;
	pid_t pid;

	EXPECT_LE(0, a);
	EXPECT_LE(0, b);
	EXPECT_EQ(-1, reuseport_listener(xy, 2, 6800)) TH_LOG("overlapping set");

	/* Another user cannot steal a share. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresuid(1000, 1000, 1000))
			_exit(2);
		_exit(reuseport_listener(x, 1, 6800) < 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(a);
	close(b);
}

TEST_F(ns, reuseaddr_as_tcp)
{
	int a = roam_socket(), b = roam_socket(), c = roam_socket(), one = 1;

	setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ASSERT_EQ(0, roam_bind_ip(a, "127.0.0.1", 6900));
	/* Without SO_REUSEADDR on both: a conflict. */
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(c, "127.0.0.1", 6900));
	/* With it, and the other not listening: none. */
	EXPECT_EQ(0, roam_bind_ip(b, "127.0.0.1", 6900));
	EXPECT_EQ(0, listen(a, 8));
	/* Two listeners on one address: the second is refused. */
	EXPECT_EQ(-1, listen(b, 8));
	EXPECT_EQ(EADDRINUSE, errno);
	close(a);
	close(b);
	close(c);
}

TEST_F(ns, specific_shadows_wildcard_and_uncovers_it)
{
	int w = roam_listener("*", 7000, 16), s = roam_listener("127.0.0.1", 7000, 16);

	ASSERT_LE(0, w);
	ASSERT_LE(0, s);
	EXPECT_TRUE(lands_on("127.0.0.1", 7000, s)) TH_LOG("the specific listener did not get it");
	EXPECT_EQ(-1, accept_ready(w, 200));
	EXPECT_TRUE(lands_on("127.0.0.2", 7000, w)) TH_LOG("the wildcard listener did not get it");
	EXPECT_TRUE(lands_on("::1", 7000, w)) TH_LOG("IPv6 to the wildcard");

	/* Closing the specific listener uncovers the wildcard one at once. */
	close(s);
	EXPECT_TRUE(lands_on("127.0.0.1", 7000, w));
	close(w);
}

static int v6only(int fd, int on)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) ? errno : 0;
}

/* connect(): 0 or the errno. */
static int connect_ip(int fd, const char *ip, unsigned short port)
{
	struct sockaddr_roam sa;

	if (roam_addr_parse(&sa, ip, port))
		return EINVAL;
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
}

/*
 * As TCP's: [::] with IPV6_V6ONLY and IPv4's wildcard share a port, each
 * taking its own family, and a specific address shadows IPv4's wildcard.
 */
TEST_F(ns, v6only_and_ipv4_wildcards_split_the_families)
{
	int a = roam_socket(), b, s, got, on = -1;
	struct sockaddr_roam sa;
	socklen_t len = sizeof(on);

	ASSERT_EQ(0, v6only(a, 1));
	ASSERT_EQ(0, getsockopt(a, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len));
	EXPECT_EQ(1, on);
	ASSERT_EQ(0, roam_bind_ip(a, "::", 7200));
	ASSERT_EQ(0, listen(a, 8));
	EXPECT_EQ(EINVAL, v6only(a, 0)) TH_LOG("changed once bound");
	b = roam_listener("::ffff:0.0.0.0", 7200, 8);
	ASSERT_LE(0, b);
	s = roam_listener("127.0.0.2", 7200, 8);
	ASSERT_LE(0, s) TH_LOG("a specific address beside IPv4's wildcard");
	len = sizeof(sa);
	ASSERT_EQ(0, getsockname(b, (struct sockaddr *)&sa, &len));
	EXPECT_TRUE(IN6_IS_ADDR_V4MAPPED(&sa.sroam_addr) && !sa.sroam_addr.s6_addr32[3]);

	EXPECT_TRUE(lands_on("127.0.0.1", 7200, b)) TH_LOG("IPv4 to IPv4's wildcard");
	EXPECT_EQ(-1, accept_ready(a, 200));
	EXPECT_TRUE(lands_on("127.0.0.2", 7200, s))
		TH_LOG("the specific address shadows IPv4's wildcard");

	got = accept_from("::1", 7200, a);
	EXPECT_LE(0, got) TH_LOG("IPv6 to IPV6_V6ONLY's wildcard");
	EXPECT_EQ(-1, accept_ready(b, 200));
	on = -1;
	len = sizeof(on);
	EXPECT_EQ(0, getsockopt(got, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len));
	EXPECT_EQ(1, on) TH_LOG("inherited, as TCP's");
	close(got);

	/* Without IPv4's wildcard, IPv4 finds no listener. */
	close(b);
	EXPECT_EQ(-ECONNREFUSED, roam_connect_ip("127.0.0.1", 7200, 0));
	close(s);
	close(a);
}

TEST_F(ns, wildcards_that_share_a_family_conflict)
{
	int d = roam_listener("*", 7250, 8), f4, x = roam_socket(), y = roam_socket();
	int z = roam_socket(), p = roam_socket(), q = roam_socket();

	ASSERT_LE(0, d);
	/* The wildcard of both families takes IPv4's and IPv6's. */
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(x, "::ffff:0.0.0.0", 7250));
	ASSERT_EQ(0, v6only(y, 1));
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(y, "::", 7250));
	/* The other way round. */
	f4 = roam_listener("::ffff:0.0.0.0", 7251, 8);
	ASSERT_LE(0, f4);
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(z, "*", 7251));
	/* One family's wildcard alone in a set. */
	EXPECT_EQ(EINVAL, bindx(p, ROAM_BINDX_ADD,
				(const char * const[]){ "::ffff:0.0.0.0", "127.0.0.1" }, 2, 7252));
	close(p);
	p = roam_socket();
	/* SO_REUSEPORT joins no dual wildcard with an IPV6_V6ONLY one. */
	ASSERT_EQ(0, roam_reuseport(p));
	ASSERT_EQ(0, roam_reuseport(q));
	ASSERT_EQ(0, v6only(q, 1));
	ASSERT_EQ(0, roam_bind_ip(p, "*", 7253));
	ASSERT_EQ(0, listen(p, 8));
	EXPECT_EQ(EADDRINUSE, roam_bind_ip(q, "*", 7253));
	close(d);
	close(f4);
	close(x);
	close(y);
	close(z);
	close(p);
	close(q);
}

TEST_F(ns, v6only_refuses_ipv4_as_tcp)
{
	int a = roam_socket(), b = roam_socket(), c = roam_socket();
	int l = roam_listener("*", 7300, 8);

	ASSERT_LE(0, l);
	ASSERT_EQ(0, v6only(a, 1));
	EXPECT_EQ(EINVAL, roam_bind_ip(a, "127.0.0.1", 7301));
	EXPECT_EQ(EINVAL, roam_bind_ip(a, "::ffff:0.0.0.0", 7301));
	ASSERT_EQ(0, v6only(b, 1));
	EXPECT_EQ(ENETUNREACH, connect_ip(b, "127.0.0.1", 7300));
	/* A socket bound to IPv4's wildcard connects over IPv4 alone. */
	ASSERT_EQ(0, roam_bind_ip(c, "::ffff:0.0.0.0", 0));
	EXPECT_EQ(EINVAL, v6only(c, 1)) TH_LOG("changed once bound");
	EXPECT_EQ(EAFNOSUPPORT, connect_ip(c, "::1", 7300));
	EXPECT_EQ(0, connect_ip(c, "127.0.0.1", 7300));
	close(a);
	close(b);
	close(c);
	close(l);
}

/* 1,000 connects spread over a group of four. */
TEST_F_TIMEOUT(ns, reuseport_group_spreads_connects, 1200)
{
	static const char * const x[] = { "127.0.0.1" };
	struct pollfd pfd[4];
	int counts[4] = {}, i, n, c, total = roam_scaled(1000);

	roam_raise_nofile();
	for (i = 0; i < 4; i++) {
		pfd[i].fd = reuseport_listener(x, 1, 7100);
		pfd[i].events = POLLIN;
		ASSERT_LE(0, pfd[i].fd);
	}
	for (n = 0; n < total; n++) {
		c = roam_connect_ip("127.0.0.1", 7100, 0);
		ASSERT_LE(0, c) TH_LOG("connect %d: %s", n, strerror(-c));
		ASSERT_LT(0, poll(pfd, 4, 60000));
		for (i = 0; i < 4; i++) {
			if (pfd[i].revents & POLLIN) {
				close(accept(pfd[i].fd, NULL, NULL));
				counts[i]++;
			}
		}
		close(c);
	}
	for (i = 0; i < 4; i++) {
		TH_LOG("member %d: %d connections", i, counts[i]);
		EXPECT_LT(total / 4 / 3, counts[i]);
		close(pfd[i].fd);
	}
	EXPECT_EQ(total, counts[0] + counts[1] + counts[2] + counts[3]);
}

TEST_HARNESS_MAIN
