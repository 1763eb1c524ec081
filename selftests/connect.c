// SPDX-License-Identifier: GPL-2.0
/*
 * connect() and accept() (docs/PROTOCOL.md section 3): names, blocking
 * and non-blocking connects, refusal (by REJECT and by ICMP), timeouts,
 * no route, a full backlog that drops silently, one waiter woken per
 * connection, edge-triggered epoll that never misses one, a peer that
 * goes before accept(), and a listener that closes while handshakes
 * arrive, which leaves no client half-open.
 */
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <time.h>

#include "kselftest_harness.h"
#include "roam_util.h"

static int completed(const int *fds, int n)
{
	int i, done = 0;

	for (i = 0; i < n; i++)
		done += !!(roam_poll(fds[i], POLLOUT, 0) & POLLOUT);
	return done;
}

static int so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

/* A namespace with lo, and a dummy link whose far side never answers. */
#define NETNS_SETUP \
	"addr add 2001:db8::1/128 dev lo nodad\n" \
	"link add dummy0 type dummy\n" \
	"link set dummy0 up\n" \
	"addr add 10.9.0.1/24 dev dummy0\n"

FIXTURE(ns) {
	int unused;
};

FIXTURE_VARIANT(ns) {
	const char *ip;
};

FIXTURE_VARIANT_ADD(ns, ipv4) { .ip = "127.0.0.1" };
FIXTURE_VARIANT_ADD(ns, ipv6) { .ip = "2001:db8::1" };

FIXTURE_SETUP(ns)
{
	ASSERT_EQ(0, roam_private_netns(NETNS_SETUP));
}

FIXTURE_TEARDOWN(ns)
{
}

TEST_F(ns, connect_accept_and_names)
{
	struct sockaddr_roam cl, cp, al, ap, acc, want;
	socklen_t len = sizeof(acc);
	int l = roam_listener(variant->ip, 8000, 8), c, a;

	ASSERT_LE(0, l);
	c = roam_connect_ip(variant->ip, 8000, 0);
	ASSERT_LE(0, c);
	a = accept(l, (struct sockaddr *)&acc, &len);
	ASSERT_LE(0, a);
	EXPECT_EQ(sizeof(acc), len);

	len = sizeof(cl);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&cl, &len));
	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&cp, &len));
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&al, &len));
	ASSERT_EQ(0, getpeername(a, (struct sockaddr *)&ap, &len));
	roam_addr_parse(&want, variant->ip, 8000);
	EXPECT_EQ(0, memcmp(&cp, &want, sizeof(want)));
	EXPECT_EQ(0, memcmp(&al, &want, sizeof(want)));
	EXPECT_EQ(0, memcmp(&cl, &ap, sizeof(cl)));
	EXPECT_EQ(0, memcmp(&cl, &acc, sizeof(cl)));
	/* An unbound client got a port of the client range. */
	EXPECT_TRUE(ntohs(cl.sroam_port) >= 60001 && ntohs(cl.sroam_port) <= 60999);

	/* Once connected, connect() again is EISCONN, as listen(). */
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&want, sizeof(want)));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(-1, listen(c, 1));
	EXPECT_EQ(EINVAL, errno);
	close(a);
	close(c);
	close(l);
}

TEST_F(ns, accept4_flags_and_nonblocking_accept)
{
	int l = roam_listener(variant->ip, 8001, 8), c, a;

	ASSERT_LE(0, l);
	/* O_NONBLOCK on the listener, FIONBIO or MSG_DONTWAIT: the same. */
	ASSERT_EQ(0, fcntl(l, F_SETFL, O_NONBLOCK));
	a = accept4(l, NULL, NULL, 0);
	EXPECT_EQ(-1, a);
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(l, F_SETFL, 0));
	c = roam_connect_ip(variant->ip, 8001, 0);
	ASSERT_LE(0, c);
	a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, a);
	EXPECT_TRUE(fcntl(a, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(a, F_GETFD) & FD_CLOEXEC);
	close(a);
	close(c);
	close(l);
}

TEST_F(ns, nonblocking_connect)
{
	struct sockaddr_roam sa;
	int l = roam_listener(variant->ip, 8002, 8), c, ev;

	ASSERT_LE(0, l);
	c = socket(ksft_roam_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	roam_addr_parse(&sa, variant->ip, 8002);
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINPROGRESS, errno);
	ev = roam_poll(c, POLLOUT, 60000);
	EXPECT_TRUE(ev & POLLOUT);
	EXPECT_FALSE(ev & (POLLERR | POLLHUP));
	EXPECT_EQ(0, so_error(c));
	/* The first call after completion reports success, then EISCONN. */
	EXPECT_EQ(0, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	close(l);
}

TEST_F(ns, connect_while_connecting_is_ealready)
{
	struct sockaddr_roam sa;
	int c = socket(ksft_roam_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);

	roam_addr_parse(&sa, "10.9.0.2", 8003);
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(EALREADY, errno);
	close(c);
}

/*
 * No UDP socket on the port: ICMP port unreachable, quoting our nonce.
 * With no retransmission allowed, only the ICMP error can end the
 * connect() with ECONNREFUSED rather than ETIMEDOUT.
 */
TEST_F(ns, refused_when_nothing_listens)
{
	ASSERT_EQ(0, roamctl("config set hs_timeout 30000 hs_retries 0"));
	EXPECT_EQ(-ECONNREFUSED, roam_connect_ip(variant->ip, 8004, 0));
}

/* The port is roam's but nothing listens on it: REJECT, at once too. */
TEST_F(ns, refused_by_reject)
{
	int b = roam_socket();

	ASSERT_EQ(0, roamctl("config set hs_timeout 30000 hs_retries 0"));
	ASSERT_EQ(0, roam_bind_ip(b, variant->ip, 8005));
	EXPECT_EQ(-ECONNREFUSED, roam_connect_ip(variant->ip, 8005, 0));
	close(b);
}

TEST_F(ns, nonblocking_refused_reports_so_error)
{
	int c, ev;

	ASSERT_EQ(0, roamctl("config set hs_timeout 30000 hs_retries 0"));
	c = roam_connect_ip(variant->ip, 8006, SOCK_NONBLOCK);
	ASSERT_LE(0, c);
	ev = roam_poll(c, POLLOUT, 60000);
	EXPECT_TRUE(ev & POLLERR);
	EXPECT_TRUE(ev & POLLHUP);
	EXPECT_EQ(ECONNREFUSED, so_error(c));
	EXPECT_EQ(0, so_error(c)) TH_LOG("SO_ERROR is read once");
	close(c);
}

TEST_F(ns, timeout_when_the_host_is_silent)
{
	double t;
	int c;

	ASSERT_EQ(0, roamctl("config set hs_timeout 100 hs_retries 2"));
	t = roam_now();
	c = roam_connect_ip("10.9.0.2", 8007, 0);
	t = roam_now() - t;
	EXPECT_EQ(-ETIMEDOUT, c);
	/* 100 + 200 + 400 ms of retransmissions, then the verdict. */
	EXPECT_LT(0.6, t);
	EXPECT_GT(10, t);
}

TEST_F(ns, no_route)
{
	EXPECT_EQ(-ENETUNREACH, roam_connect_ip("198.51.100.1", 8008, 0));
	EXPECT_EQ(-ENETUNREACH, roam_connect_ip("2001:db8:ffff::1", 8008, 0));
}

TEST_F(ns, connect_to_the_wildcard_is_this_host)
{
	int l = roam_listener("127.0.0.1", 8009, 8), c;

	ASSERT_LE(0, l);
	c = roam_connect_ip("*", 8009, 0);
	EXPECT_LE(0, c);
	close(c);
	close(l);
}

/*
 * A full accept queue drops the final handshake packet without a word;
 * the client retransmits and gets in once the server accepts.
 */
TEST_F_TIMEOUT(ns, full_backlog_drops_silently_then_succeeds, 120)
{
	int l, c[4], a, i, done;

	ASSERT_EQ(0, roamctl("config set hs_timeout 100 hs_retries 10"));
	l = roam_listener(variant->ip, 8010, 1);	/* holds 2, as TCP */
	ASSERT_LE(0, l);
	for (i = 0; i < 4; i++) {
		c[i] = roam_connect_ip(variant->ip, 8010, SOCK_NONBLOCK);
		ASSERT_LE(0, c[i]);
	}
	/* Two fit (the queue holds backlog + 1); the others wait. */
	ASSERT_TRUE(WAIT_FOR(completed(c, 4) >= 2, 60));
	usleep(1500 * 1000);
	done = completed(c, 4);
	EXPECT_EQ(2, done) TH_LOG("connections completed while the queue was full");
	for (i = 0; i < 4; i++)
		EXPECT_FALSE(roam_poll(c[i], POLLOUT, 0) & (POLLERR | POLLHUP));

	for (i = 0; i < 4; i++) {
		a = accept4(l, NULL, NULL, 0);
		ASSERT_LE(0, a) TH_LOG("accept %d", i);
		close(a);
	}
	for (i = 0; i < 4; i++) {
		EXPECT_TRUE(roam_poll(c[i], POLLOUT, 60000) & POLLOUT);
		EXPECT_EQ(0, so_error(c[i]));
		close(c[i]);
	}
	close(l);
}

struct waiter {
	int lfd;
	int got;
};

static void *accept_thread(void *arg)
{
	struct waiter *w = arg;
	int fd = accept(w->lfd, NULL, NULL);

	if (fd >= 0)
		__atomic_store_n(&w->got, fd, __ATOMIC_SEQ_CST);
	return NULL;
}

TEST_F(ns, blocking_accept_wakes_one_waiter_per_connection)
{
	struct waiter w[2];
	pthread_t t[2];
	int l = roam_listener(variant->ip, 8011, 8), c1, c2, n, i;

	ASSERT_LE(0, l);
	for (i = 0; i < 2; i++) {
		w[i].lfd = l;
		w[i].got = -1;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, accept_thread, &w[i]));
	}
	usleep(300 * 1000);
	c1 = roam_connect_ip(variant->ip, 8011, 0);
	ASSERT_LE(0, c1);
#define WOKEN() ((__atomic_load_n(&w[0].got, __ATOMIC_SEQ_CST) >= 0) + \
		 (__atomic_load_n(&w[1].got, __ATOMIC_SEQ_CST) >= 0))
	ASSERT_TRUE(WAIT_FOR(WOKEN() >= 1, 60));
	usleep(500 * 1000);
	n = WOKEN();
	EXPECT_EQ(1, n) TH_LOG("waiters woken by one connection");
	c2 = roam_connect_ip(variant->ip, 8011, 0);
	ASSERT_LE(0, c2);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_LE(0, w[0].got);
	EXPECT_LE(0, w[1].got);
	close(w[0].got);
	close(w[1].got);
	close(c1);
	close(c2);
	close(l);
}

/* 500 connections in bursts; an edge-triggered loop that drains gets all. */
TEST_F_TIMEOUT(ns, epoll_edge_triggered_accepts_every_connection, 1200)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int l, ep, total = 0, fds[50], status, i, b, fd;
	int bursts = roam_scaled(10), want = bursts * 50;
	double deadline;
	pid_t pid;

	roam_raise_nofile();
	l = roam_listener(variant->ip, 8012, 600);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, fcntl(l, F_SETFL, O_NONBLOCK));
	ep = epoll_create1(0);
	ev.data.fd = l;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (b = 0; b < bursts; b++) {
			for (i = 0; i < 50; i++)
				fds[i] = roam_connect_ip(variant->ip, 8012, SOCK_NONBLOCK);
			for (i = 0; i < 50; i++) {
				if (fds[i] < 0 || !(roam_poll(fds[i], POLLOUT, 120000) & POLLOUT) ||
				    so_error(fds[i]))
					_exit(1);
			}
			usleep(100 * 1000);
		}
		pause();
		_exit(0);
	}

	deadline = roam_now() + 1000;
	while (total < want && roam_now() < deadline) {
		if (epoll_wait(ep, &ev, 1, 1000) != 1)
			continue;
		/* Drain until EAGAIN: each queued connection was an edge. */
		while ((fd = accept(l, NULL, NULL)) >= 0) {
			total++;
			close(fd);
		}
		ASSERT_EQ(EAGAIN, errno);
	}
	EXPECT_EQ(want, total);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	EXPECT_EQ(SIGKILL, WTERMSIG(status)) TH_LOG("a client connect failed");
	close(ep);
	close(l);
}

/* The client left before accept(): the connection is returned all the same. */
TEST_F(ns, peer_gone_before_accept)
{
	int l = roam_listener(variant->ip, 8013, 8), c, a, ev;

	ASSERT_LE(0, l);
	c = roam_connect_ip(variant->ip, 8013, 0);
	ASSERT_LE(0, c);
	close(c);
	usleep(500 * 1000);
	a = accept(l, NULL, NULL);
	ASSERT_LE(0, a);
	/* As after a TCP FIN: the peer has hung up its side. */
	ev = roam_poll(a, POLLIN | POLLRDHUP, 5000);
	EXPECT_TRUE(ev & POLLRDHUP) TH_LOG("revents %#x", ev);
	EXPECT_TRUE(ev & POLLIN);
	close(a);
	close(l);
}

/* Accepts, without waiting, every connection the queue holds now. */
static void accept_queued(int l, int *acc, int *nacc)
{
	int fd;

	while (roam_poll(l, POLLIN, 0) & POLLIN) {
		fd = accept4(l, NULL, NULL, SOCK_NONBLOCK);
		if (fd < 0)
			break;
		acc[(*nacc)++] = fd;
	}
}

struct outcome {
	int got;		/* read the byte the server wrote: accepted */
	int refused;		/* ECONNREFUSED or ECONNRESET */
	int half;		/* neither in 30 s: connected to no one */
};

/* Waits for each of @n clients to be accepted or refused, 30 s in all. */
static void outcomes(int *c, int n, struct outcome *o)
{
	double deadline = roam_now() + 30, left;
	char ch;
	int i;

	for (i = 0; i < n; i++) {
		left = deadline - roam_now();
		if (!roam_poll(c[i], POLLIN, left > 0 ? left * 1000 : 0))
			o->half++;
		else if (read(c[i], &ch, 1) == 1)
			o->got++;
		else if (errno == ECONNREFUSED || errno == ECONNRESET)
			o->refused++;
		else
			o->half++;
		close(c[i]);
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The listener closes while 500 handshakes arrive at its small queue,
 * from clients on two CPUs at once, in a few rounds: each client ends up
 * accepted (it reads the byte the server writes to every connection it
 * accepted) or refused, never connected to a server that dropped its
 * side.  The connections the queue had no room for, and those whose
 * COOKIE_ECHO was on the way when the listener closed, are the ones
 * that must be refused.
 */
TEST_F_TIMEOUT(ns, listener_closes_while_handshakes_arrive, 900)
{
	int n = roam_scaled(500) / 2, rounds = 3, nacc, l, i, r, status;
	int *c = calloc(n, sizeof(*c)), *acc = calloc(2 * n, sizeof(*acc));
	struct outcome mine, theirs;
	int fds[2];
	pid_t pid;

	ASSERT_TRUE(c && acc);
	roam_raise_nofile();
	ASSERT_EQ(0, roamctl("config set hs_timeout 100 hs_retries 5"));
	for (r = 0; r < rounds; r++) {
		memset(&mine, 0, sizeof(mine));
		memset(&theirs, 0, sizeof(theirs));
		nacc = 0;
		l = roam_listener(variant->ip, 8020 + r, 8);
		ASSERT_LE(0, l);
		ASSERT_EQ(0, pipe(fds));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			/* The other CPU's clients. */
			pin(1);
			close(l);
			for (i = 0; i < n; i++)
				c[i] = roam_connect_ip(variant->ip, 8020 + r, SOCK_NONBLOCK);
			outcomes(c, n, &theirs);
			_exit(write(fds[1], &theirs, sizeof(theirs)) != sizeof(theirs));
		}
		pin(0);
		for (i = 0; i < n; i++) {
			c[i] = roam_connect_ip(variant->ip, 8020 + r, SOCK_NONBLOCK);
			ASSERT_LE(0, c[i]);
			if (i % 25 == 24)
				accept_queued(l, acc, &nacc);
			if (i == n / 2) {
				accept_queued(l, acc, &nacc);
				close(l);
			}
		}
		for (i = 0; i < nacc; i++)
			ASSERT_EQ(1, write(acc[i], "x", 1));
		outcomes(c, n, &mine);
		ASSERT_EQ((ssize_t)sizeof(theirs), read(fds[0], &theirs, sizeof(theirs)));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		close(fds[0]);
		close(fds[1]);
		TH_LOG("round %d: %d accepted, %d+%d refused, %d+%d half-open", r, nacc,
		       mine.refused, theirs.refused, mine.half, theirs.half);
		EXPECT_EQ(nacc, mine.got + theirs.got);
		EXPECT_EQ(0, mine.half + theirs.half);
		for (i = 0; i < nacc; i++)
			close(acc[i]);
	}
	free(c);
	free(acc);
}

TEST_F(ns, bad_option_lengths)
{
	struct sockaddr_roam sa[2];
	struct roam_conn_id id;
	int fd = roam_socket(), v = 1;
	socklen_t len;

	roam_addr_parse(&sa[0], variant->ip, 8014);
	roam_addr_parse(&sa[1], variant->ip, 8014);
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, ROAM_BINDX_ADD, sa, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, ROAM_BINDX_ADD, sa, sizeof(sa[0]) + 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, ROAM_BINDX_ADD, sa, 100 * sizeof(sa[0])));
	EXPECT_EQ(EINVAL, errno);
	sa[1].sroam_family = AF_INET;
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, ROAM_BINDX_ADD, sa, sizeof(sa)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, ROAM_FREEBIND, &v, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, 999, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	len = sizeof(id) - 1;
	EXPECT_EQ(-1, getsockopt(fd, SOL_ROAM, ROAM_CONN_ID, &id, &len));
	EXPECT_EQ(EINVAL, errno);
	len = sizeof(v);
	EXPECT_EQ(-1, getsockopt(fd, SOL_ROAM, 999, &v, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	len = sizeof(id);
	EXPECT_EQ(0, getsockopt(fd, SOL_ROAM, ROAM_CONN_ID, &id, &len));
	EXPECT_EQ(0ULL, id.local);
	close(fd);
}

TEST_HARNESS_MAIN
