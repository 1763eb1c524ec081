// SPDX-License-Identifier: GPL-2.0
/*
 * The byte stream as the application sees it (docs/PROTOCOL.md section
 * 5), on loopback: EOF, half-close both ways, resets, EPIPE and SIGPIPE,
 * the recv flags, the non-blocking flavours, SIOCINQ and SIOCOUTQ,
 * SO_RCVLOWAT, two readers of one socket, timeouts and EINTR, cork and
 * nodelay, ROAM_INFO, poll flags, a slow reader that blocks its writer,
 * keepalive and idle timeouts, the IPPROTO_TCP options in their TCP
 * meaning (TCP_INFO included), ROAM_MIGRATE, and an edge-triggered echo
 * server with 200 clients.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <time.h>

#include "kselftest_harness.h"
#include "roam_util.h"

static int ioctl_int(int fd, unsigned long req)
{
	int v = -1;

	return ioctl(fd, req, &v) ? -1 : v;
}

static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);

		if (r <= 0)
			return r < 0 ? r : (ssize_t)got;
		got += r;
	}
	return got;
}

/*
 * The bound on a wait for what takes milliseconds: a loaded lane can
 * starve the guest, or its receive work, for seconds.
 */
#define LONG_WAIT_S 30

static volatile sig_atomic_t sigpipes, alarms;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

static void on_alarm(int sig)
{
	alarms++;
}

FIXTURE(pair) {
	int l, c, a;
};

FIXTURE_SETUP(pair)
{
	ASSERT_EQ(0, roam_private_netns(NULL));
	self->l = roam_listener("127.0.0.1", 9000, 64);
	ASSERT_LE(0, self->l);
	self->c = roam_connect_ip("127.0.0.1", 9000, 0);
	ASSERT_LE(0, self->c);
	self->a = accept(self->l, NULL, NULL);
	ASSERT_LE(0, self->a);
}

FIXTURE_TEARDOWN(pair)
{
	close(self->a);
	close(self->c);
	close(self->l);
}

TEST_F(pair, eof_after_graceful_close)
{
	char buf[3000], out[1000];

	memset(out, 'x', sizeof(out));
	ASSERT_EQ(1000, write(self->c, out, sizeof(out)));
	close(self->c);
	self->c = -1;
	EXPECT_EQ(1000, read_all(self->a, buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->a, buf, sizeof(buf))) TH_LOG("EOF stays");
}

TEST_F(pair, half_close_both_ways)
{
	char buf[64];

	/* The client ends its side; the server still writes. */
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	EXPECT_EQ(0, read(self->a, buf, sizeof(buf)));
	EXPECT_TRUE(roam_poll(self->a, POLLOUT, 0) & POLLOUT);
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(5, write(self->a, "hello", 5));
	EXPECT_EQ(5, read(self->c, buf, sizeof(buf)));
	/* Then the server ends its side too. */
	ASSERT_EQ(0, shutdown(self->a, SHUT_WR));
	EXPECT_EQ(0, read(self->c, buf, sizeof(buf)));
	EXPECT_TRUE(roam_poll(self->c, POLLIN, LONG_WAIT_S * 1000) & POLLHUP) TH_LOG("both sides shut");
}

TEST_F(pair, half_close_the_other_way)
{
	char buf[64];

	ASSERT_EQ(0, shutdown(self->a, SHUT_WR));
	EXPECT_EQ(0, read(self->c, buf, sizeof(buf)));
	ASSERT_EQ(3, write(self->c, "abc", 3));
	EXPECT_EQ(3, read(self->a, buf, sizeof(buf)));
}

TEST_F(pair, linger_zero_resets)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[16];

	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(self->c);
	self->c = -1;
	EXPECT_TRUE(roam_poll(self->a, POLLIN, LONG_WAIT_S * 1000) & (POLLERR | POLLHUP));
	EXPECT_EQ(-1, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(ECONNRESET, errno);
}

TEST_F(pair, close_with_unread_data_resets)
{
	char buf[16];

	ASSERT_EQ(5, write(self->a, "hello", 5));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(self->c, SIOCINQ) == 5, LONG_WAIT_S));
	close(self->c);		/* unread: as TCP, a reset */
	self->c = -1;
	EXPECT_TRUE(roam_poll(self->a, POLLIN, LONG_WAIT_S * 1000) & POLLERR);
	EXPECT_EQ(-1, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(ECONNRESET, errno);
}

/* The peer closed: writing gets EPIPE and SIGPIPE, or only EPIPE. */
TEST_F(pair, epipe_and_sigpipe)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	double end = roam_now() + LONG_WAIT_S;
	int err = 0, n;

	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	close(self->a);
	self->a = -1;
	/* The first writes may go; the peer answers them with a reset. */
	while (!err && roam_now() < end) {
		n = send(self->c, "x", 1, MSG_NOSIGNAL);
		if (n < 0)
			err = errno;
		usleep(20000);
	}
	EXPECT_EQ(EPIPE, err);
	EXPECT_EQ(0, sigpipes) TH_LOG("MSG_NOSIGNAL");
	EXPECT_EQ(-1, write(self->c, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
}

TEST_F(pair, recv_flags)
{
	char buf[200], out[100];
	int one = 1;

	memset(out, 'p', sizeof(out));
	ASSERT_EQ(100, write(self->c, out, 100));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(self->a, SIOCINQ) == 100, LONG_WAIT_S));
	EXPECT_EQ(50, recv(self->a, buf, 50, MSG_PEEK));
	EXPECT_EQ(100, ioctl_int(self->a, SIOCINQ)) TH_LOG("PEEK leaves the data");
	EXPECT_EQ(60, recv(self->a, NULL, 60, MSG_TRUNC)) TH_LOG("TRUNC discards");
	EXPECT_EQ(40, ioctl_int(self->a, SIOCINQ));
	EXPECT_EQ(40, recv(self->a, buf, sizeof(buf), 0));

	/* MSG_DONTWAIT, O_NONBLOCK and FIONBIO are the same thing. */
	EXPECT_EQ(-1, recv(self->a, buf, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ioctl(self->a, FIONBIO, &one));
	EXPECT_EQ(-1, read(self->a, buf, 1));
	EXPECT_EQ(EAGAIN, errno);
	one = 0;
	ASSERT_EQ(0, ioctl(self->a, FIONBIO, &one));
	ASSERT_EQ(0, fcntl(self->a, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->a, buf, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(self->a, F_SETFL, 0));

	/* MSG_WAITALL waits for all of it, across writes. */
	ASSERT_EQ(60, write(self->c, out, 60));
	usleep(100000);
	ASSERT_EQ(40, write(self->c, out, 40));
	EXPECT_EQ(100, recv(self->a, buf, 100, MSG_WAITALL));
	EXPECT_EQ(-1, recv(self->a, buf, 1, MSG_OOB));
}

TEST_F(pair, siocinq_siocoutq)
{
	char out[5000];

	memset(out, 'q', sizeof(out));
	ASSERT_EQ(5000, write(self->c, out, sizeof(out)));
	EXPECT_TRUE(WAIT_FOR(ioctl_int(self->a, SIOCINQ) == 5000, LONG_WAIT_S));
	/* Acknowledged: nothing left in the sender's queue. */
	EXPECT_TRUE(WAIT_FOR(ioctl_int(self->c, SIOCOUTQ) == 0, LONG_WAIT_S));
	EXPECT_EQ(0, ioctl_int(self->c, SIOCOUTQNSD));
	EXPECT_EQ(-1, ioctl_int(self->l, SIOCINQ)) TH_LOG("not on a listener");
}

TEST_F(pair, rcvlowat)
{
	int lowat = 1000;
	char out[600], buf[2000];

	memset(out, 'l', sizeof(out));
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	ASSERT_EQ(500, write(self->c, out, 500));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(self->a, SIOCINQ) == 500, LONG_WAIT_S));
	EXPECT_FALSE(roam_poll(self->a, POLLIN, 200) & POLLIN);
	ASSERT_EQ(600, write(self->c, out, 600));
	EXPECT_TRUE(roam_poll(self->a, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	EXPECT_EQ(1100, recv(self->a, buf, sizeof(buf), 0));
}

/*
 * Another connection to the fixture's listener, which gives the server
 * side its options (SO_RCVBUF: the window it announces from the start).
 */
static int another_pair(int l, int *c, int *a)
{
	*c = roam_connect_ip("127.0.0.1", 9000, 0);
	if (*c < 0)
		return -1;
	*a = accept(l, NULL, NULL);
	return *a < 0 ? -1 : 0;
}

static int set_timeo(int fd, int opt, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/*
 * The bytes a writer thread sends: byte i of the stream is i % 251, in
 * writes of @chunk bytes (0: 64 KiB).
 */
struct writer {
	int fd;
	size_t len, chunk;
	ssize_t done;
};

static void *write_pattern(void *arg)
{
	struct writer *w = arg;
	static char buf[65536];
	size_t i, n, most = w->chunk && w->chunk < sizeof(buf) ? w->chunk : sizeof(buf);
	ssize_t r;

	w->done = 0;
	while ((size_t)w->done < w->len) {
		n = w->len - w->done < most ? w->len - w->done : most;
		for (i = 0; i < n; i++)
			buf[i] = (w->done + i) % 251;
		r = write(w->fd, buf, n);
		if (r <= 0)
			break;
		w->done += r;
	}
	return NULL;
}

/* Where @buf, stream bytes [0, @len), first differs from the pattern. */
static ssize_t pattern_mismatch(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] != i % 251)
			return i;
	return -1;
}

/*
 * MSG_WAITALL for more than the window: the reader announces the window
 * it freed before it waits for more, as TCP's tcp_cleanup_rbuf(), or the
 * writer, held by flow control, never sends the rest.
 */
TEST_F_TIMEOUT(pair, waitall_beyond_the_window, 120)
{
	int rcvbuf = 65536, c, a;
	size_t len = 1 << 20;
	struct writer w;
	char *buf = malloc(len);
	pthread_t t;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, another_pair(self->l, &c, &a));
	ASSERT_EQ(0, set_timeo(a, SO_RCVTIMEO, LONG_WAIT_S));
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, LONG_WAIT_S));
	w = (struct writer){ .fd = c, .len = len };
	ASSERT_EQ(0, pthread_create(&t, NULL, write_pattern, &w));
	EXPECT_EQ((ssize_t)len, recv(a, buf, len, MSG_WAITALL));
	pthread_join(t, NULL);
	EXPECT_EQ((ssize_t)len, w.done);
	EXPECT_EQ(-1, pattern_mismatch(buf, len));
	close(a);
	close(c);
	free(buf);
}

/*
 * SO_RCVLOWAT as TCP's: with SO_RCVBUF set, at most the window (half the
 * buffer), which the peer can fill; a larger mark would never be reached.
 */
TEST_F(pair, rcvlowat_is_capped_by_a_locked_buffer)
{
	int rcvbuf = 32768, lowat = 1 << 20, v, c, a;
	socklen_t len = sizeof(v);
	static char buf[65536];

	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, another_pair(self->l, &c, &a));
	ASSERT_EQ(0, getsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, &len));
	ASSERT_EQ(65536, v);		/* doubled, as for TCP */
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	ASSERT_EQ(0, getsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &v, &len));
	EXPECT_EQ(32768, v);
	memset(buf, 'w', sizeof(buf));
	ASSERT_EQ(40960, write(c, buf, 40960));
	EXPECT_TRUE(roam_poll(a, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	EXPECT_EQ(40960, read_all(a, buf, 40960));
	close(a);
	close(c);
}

/*
 * Without SO_RCVBUF, a larger SO_RCVLOWAT grows the buffer so that its
 * window holds the mark, as TCP's does; the peer learns of it at once.
 * Readable once the mark is in or, if its packets cost more than twice
 * their bytes and filled the buffer first, short of it (docs/PROTOCOL.md
 * section 5: a 1 MiB mark once filled its 2 MiB buffer 36 KiB short),
 * but past the window the buffer had before: the peer sent into the
 * grown one.
 */
TEST_F_TIMEOUT(pair, rcvlowat_grows_the_window, 120)
{
	int lowat = 1 << 20, v, before;
	socklen_t len = sizeof(v);
	char *buf = malloc(lowat);
	struct writer w = { .fd = self->c, .len = lowat };
	pthread_t t;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, getsockopt(self->a, SOL_SOCKET, SO_RCVBUF, &before, &len));
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	ASSERT_EQ(0, getsockopt(self->a, SOL_SOCKET, SO_RCVLOWAT, &v, &len));
	EXPECT_EQ(lowat, v);
	ASSERT_EQ(0, getsockopt(self->a, SOL_SOCKET, SO_RCVBUF, &v, &len));
	EXPECT_LE(2 * lowat, v);
	EXPECT_LT(before, v);
	ASSERT_EQ(0, set_timeo(self->a, SO_RCVTIMEO, LONG_WAIT_S));
	ASSERT_EQ(0, set_timeo(self->c, SO_SNDTIMEO, LONG_WAIT_S));
	ASSERT_EQ(0, pthread_create(&t, NULL, write_pattern, &w));
	EXPECT_TRUE(roam_poll(self->a, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	EXPECT_LT(before / 2, ioctl_int(self->a, SIOCINQ));
	EXPECT_EQ(lowat, read_all(self->a, buf, lowat));
	pthread_join(t, NULL);
	EXPECT_EQ(lowat, w.done);
	EXPECT_EQ(-1, pattern_mismatch(buf, lowat));
	free(buf);
}

/*
 * Below the mark, what is in is readable once the peer can send no
 * more, as TCP's tcp_epollin_ready() has it: here the window is used up
 * (a reader that took less than a quarter of it made no new one due).
 */
TEST_F(pair, rcvlowat_readable_once_the_window_is_used_up)
{
	int rcvbuf = 65536, lowat = 1 << 20, c, a;
	size_t len = 256 << 10;
	char *buf = malloc(len);
	struct writer w;
	pthread_t t;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, another_pair(self->l, &c, &a));
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	ASSERT_EQ(0, set_timeo(a, SO_RCVTIMEO, LONG_WAIT_S));
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, LONG_WAIT_S));
	w = (struct writer){ .fd = c, .len = len };
	ASSERT_EQ(0, pthread_create(&t, NULL, write_pattern, &w));
	/* The mark is the window, 64 KiB, which the peer fills. */
	EXPECT_TRUE(roam_poll(a, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	ASSERT_EQ(8192, read_all(a, buf, 8192));
	EXPECT_TRUE(roam_poll(a, POLLIN, LONG_WAIT_S * 1000) & POLLIN)
		TH_LOG("%d bytes in, below the mark", ioctl_int(a, SIOCINQ));
	EXPECT_EQ((ssize_t)(len - 8192), read_all(a, buf + 8192, len - 8192));
	pthread_join(t, NULL);
	EXPECT_EQ((ssize_t)len, w.done);
	EXPECT_EQ(-1, pattern_mismatch(buf, len));
	close(a);
	close(c);
	free(buf);
}

/*
 * Small packets cost many times their bytes as they arrive, but the
 * receive buffer packs them, as TCP's tcp_collapse(): a reader that does
 * not read holds the whole window of 1000-byte writes, not a fraction of
 * it, and one that waits for a mark above the window is woken once the
 * window is used up.  Then all the bytes arrive exact.
 */
TEST_F_TIMEOUT(pair, small_packets_fill_the_window, 120)
{
	int rcvbuf = 65536, lowat = 1 << 20, one = 1, v, c, a;
	socklen_t vlen = sizeof(v);
	size_t len = 256 << 10;
	char *buf = malloc(len);
	struct writer w;
	pthread_t t;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, another_pair(self->l, &c, &a));
	ASSERT_EQ(0, getsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, &vlen));
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	ASSERT_EQ(0, setsockopt(c, SOL_ROAM, ROAM_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(0, set_timeo(a, SO_RCVTIMEO, LONG_WAIT_S));
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, LONG_WAIT_S));
	w = (struct writer){ .fd = c, .len = len, .chunk = 1000 };
	ASSERT_EQ(0, pthread_create(&t, NULL, write_pattern, &w));
	EXPECT_TRUE(roam_poll(a, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	EXPECT_EQ(v / 2, ioctl_int(a, SIOCINQ)) TH_LOG("the window is half of %d", v);
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one)));
	EXPECT_EQ((ssize_t)len, read_all(a, buf, len));
	pthread_join(t, NULL);
	EXPECT_EQ((ssize_t)len, w.done);
	EXPECT_EQ(-1, pattern_mismatch(buf, len));
	close(a);
	close(c);
	free(buf);
}

/*
 * Two threads read one socket with MSG_WAITALL while a writer trickles
 * bytes in: each must pick up where the other left off, after every
 * wait, never from where it stood before it slept.  The stream is the
 * bytes 0 to 254, each once, so whatever a reader gets shows where it
 * came from: each reader's bytes must rise, and together they must be
 * the stream, each byte once.  Each reader pauses between reads, so
 * that the other one is sometimes alone to wait (the last to wait is
 * woken first, and may otherwise take everything): a reader alone gets
 * the next bytes well within its SO_RCVTIMEO, which it must never see
 * before the end.
 */
#define RACE_BYTES	255

struct race_reader {
	int fd;
	unsigned int seed;
	unsigned char got[RACE_BYTES * 2];
	int n, timeouts, short_reads, errors;
};

static void *race_read(void *arg)
{
	struct race_reader *r = arg;
	unsigned char buf[16];
	int want, was_short = 0;
	ssize_t n;

	for (;;) {
		want = 1 + rand_r(&r->seed) % 4;
		n = recv(r->fd, buf, want, MSG_WAITALL);
		if (n < 0) {
			if (errno == EAGAIN)
				r->timeouts++;
			else
				r->errors++;
			return NULL;
		}
		if (!n)
			return NULL;
		/* Short only at the end: after that, EOF and nothing else. */
		r->short_reads += was_short;
		was_short = n < want;
		if (r->n + n > (int)sizeof(r->got)) {
			r->errors++;
			return NULL;
		}
		memcpy(r->got + r->n, buf, n);
		r->n += n;
		usleep(rand_r(&r->seed) % 40000);
	}
}

TEST_F_TIMEOUT(pair, two_readers_share_the_stream, 120)
{
	struct race_reader r[2] = { { .fd = self->a, .seed = 1 },
				    { .fd = self->a, .seed = 2 } };
	unsigned int seed = 3, seen[RACE_BYTES] = { 0 };
	unsigned char out[RACE_BYTES];
	int i, j, k, n, back, bad;
	pthread_t t[2];

	/* Any wait for the writer is far shorter. */
	ASSERT_EQ(0, set_timeo(self->a, SO_RCVTIMEO, LONG_WAIT_S));
	for (i = 0; i < RACE_BYTES; i++)
		out[i] = i;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_read, &r[i]));
	for (i = 0; i < RACE_BYTES; i += n) {
		n = 1 + rand_r(&seed) % 2;
		if (n > RACE_BYTES - i)
			n = RACE_BYTES - i;
		if (write(self->c, out + i, n) != n)
			break;
		usleep(25000);
	}
	EXPECT_EQ(RACE_BYTES, i);
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, r[i].timeouts) TH_LOG("reader %d timed out after %d bytes", i, r[i].n);
		EXPECT_EQ(0, r[i].short_reads) TH_LOG("reader %d", i);
		EXPECT_EQ(0, r[i].errors) TH_LOG("reader %d", i);
		for (j = 0, back = -1; j < r[i].n; j++) {
			k = r[i].got[j];
			if (k < RACE_BYTES)
				seen[k]++;
			if (back < 0 && j && k <= r[i].got[j - 1])
				back = j;
		}
		EXPECT_EQ(-1, back) TH_LOG("reader %d: byte %d after %d", i,
					   r[i].got[back], r[i].got[back - 1]);
	}
	EXPECT_EQ(RACE_BYTES, r[0].n + r[1].n);
	for (k = 0, bad = -1; k < RACE_BYTES; k++)
		if (seen[k] != 1 && bad < 0)
			bad = k;
	EXPECT_EQ(-1, bad) TH_LOG("byte %d read %u times", bad, seen[bad]);
}

TEST_F(pair, timeouts_and_eintr)
{
	struct timeval tv = { .tv_usec = 200000 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char buf[16];
	double t;

	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	t = roam_now();
	EXPECT_EQ(-1, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LT(0.15, roam_now() - t);

	tv.tv_usec = 0;
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(-1, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, alarms);
}

TEST_F(pair, cork_nodelay_and_more)
{
	int on = 1, off = 0, v, nsd;
	socklen_t len = sizeof(v);
	double t;

	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_CORK, &on, sizeof(on)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_CORK, &v, &len));
	EXPECT_EQ(1, v);
	/*
	 * Corked: a partial packet waits, for up to ROAM_CORK_MS (200 ms).  A
	 * check that a starved lane made later than that cannot tell.
	 */
	t = roam_now();
	ASSERT_EQ(10, write(self->c, "0123456789", 10));
	usleep(50000);
	nsd = ioctl_int(self->c, SIOCOUTQNSD);
	if (roam_now() - t < 0.2)
		EXPECT_EQ(10, nsd);
	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_CORK, &off, sizeof(off)));
	EXPECT_TRUE(WAIT_FOR(ioctl_int(self->a, SIOCINQ) == 10, LONG_WAIT_S)) TH_LOG("uncork sends");

	/* MSG_MORE holds a partial packet too, until a write without it. */
	ASSERT_TRUE(WAIT_FOR(ioctl_int(self->c, SIOCOUTQ) == 0, LONG_WAIT_S));
	usleep(100000);
	t = roam_now();
	ASSERT_EQ(5, send(self->c, "abcde", 5, MSG_MORE));
	usleep(50000);
	nsd = ioctl_int(self->c, SIOCOUTQNSD);
	if (roam_now() - t < 0.2)
		EXPECT_EQ(5, nsd);
	ASSERT_EQ(5, send(self->c, "fghij", 5, 0));
	EXPECT_TRUE(WAIT_FOR(ioctl_int(self->a, SIOCINQ) == 20, LONG_WAIT_S));

	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_NODELAY, &on, sizeof(on)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_NODELAY, &v, &len));
	EXPECT_EQ(1, v);
	ASSERT_EQ(1, write(self->c, "z", 1));
	EXPECT_EQ(0, ioctl_int(self->c, SIOCOUTQNSD)) TH_LOG("no delay");
	EXPECT_EQ(-1, setsockopt(self->c, SOL_ROAM, ROAM_CORK, &on, 2));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(pair, roam_info)
{
	struct sockaddr_roam name, peer;
	struct roam_info ci, ai;
	socklen_t len = sizeof(ci), nlen = sizeof(name);
	static char big[100000];

	ASSERT_EQ((ssize_t)sizeof(big), write(self->c, big, sizeof(big)));
	ASSERT_EQ((ssize_t)sizeof(big), read_all(self->a, big, sizeof(big)));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(self->c, SIOCOUTQ) == 0, LONG_WAIT_S));

	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_INFO, &ci, &len));
	EXPECT_EQ(sizeof(ci), len);
	len = sizeof(ai);
	ASSERT_EQ(0, getsockopt(self->a, SOL_ROAM, ROAM_INFO, &ai, &len));
	EXPECT_EQ((__u32)ROAM_INFO_VERSION, ci.ri_version);
	EXPECT_EQ((__u32)ROAM_STATE_ESTABLISHED, ci.ri_state);
	EXPECT_LT(0U, ci.ri_srtt_us);
	EXPECT_LT(0U, ci.ri_cwnd);
	EXPECT_LE(1200U, ci.ri_pmtu);
	EXPECT_LE(sizeof(big), ci.ri_bytes_sent);
	EXPECT_EQ(sizeof(big), ci.ri_bytes_acked);
	EXPECT_EQ(sizeof(big), ai.ri_bytes_received);
	EXPECT_EQ(ci.ri_local_cid, ai.ri_remote_cid);
	EXPECT_EQ(ci.ri_remote_cid, ai.ri_local_cid);
	ASSERT_EQ(0, getsockname(self->c, (struct sockaddr *)&name, &nlen));
	ASSERT_EQ(0, getpeername(self->c, (struct sockaddr *)&peer, &nlen));
	EXPECT_EQ(0, memcmp(&name, &ci.ri_local, sizeof(name)));
	EXPECT_EQ(0, memcmp(&peer, &ci.ri_remote, sizeof(peer)));
	/* Versioned: a shorter buffer gets the first part. */
	len = 8;
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_INFO, &ci, &len));
	EXPECT_EQ(8U, len);
}

/* UDP sockets open in the test's namespace: roam's ports. */
static int udp_ports(void)
{
	FILE *f = fopen("/proc/net/udp6", "r");
	char line[512];
	int n = -1;		/* the header */

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static unsigned int hops_of(int fd)
{
	struct roam_info info = { 0 };
	socklen_t len = sizeof(info);

	getsockopt(fd, SOL_ROAM, ROAM_INFO, &info, &len);
	return info.ri_port_hops;
}

/*
 * ROAM_MIGRATE: the client sends from a new port, the server follows the
 * newest packet there, and at most 10 ports stay open per client.
 */
TEST_F(pair, migrate_hops_to_a_new_port)
{
	unsigned short before = roam_port_of(self->c, 0);
	int one = 1, other, i;
	struct roam_info ai;
	socklen_t len;
	char buf[4];

	ASSERT_EQ(2, udp_ports());	/* the listener's and the client's */
	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_MIGRATE, &one, sizeof(one)));
	EXPECT_NE(before, roam_port_of(self->c, 0));
	EXPECT_EQ(1U, hops_of(self->c));
	EXPECT_EQ(3, udp_ports()) TH_LOG("the old port still receives");
	ASSERT_EQ(4, write(self->c, "ping", 4));
	ASSERT_EQ(4, read_all(self->a, buf, 4));
	ASSERT_EQ(4, write(self->a, "pong", 4));
	ASSERT_EQ(4, read_all(self->c, buf, 4));
	EXPECT_TRUE(WAIT_FOR(roam_port_of(self->a, 1) == roam_port_of(self->c, 0), LONG_WAIT_S));
	len = sizeof(ai);
	EXPECT_TRUE(WAIT_FOR(!getsockopt(self->a, SOL_ROAM, ROAM_INFO, &ai, &len) &&
			     ai.ri_path_validations == 1, LONG_WAIT_S));
	EXPECT_EQ(1U, ai.ri_path_moves);

	for (i = 0; i < 12; i++)
		ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_MIGRATE, &one, sizeof(one)));
	EXPECT_EQ(13U, hops_of(self->c));
	EXPECT_TRUE(WAIT_FOR(udp_ports() == 11, LONG_WAIT_S)) TH_LOG("%d ports", udp_ports());
	ASSERT_EQ(4, write(self->c, "ping", 4));
	ASSERT_EQ(4, read_all(self->a, buf, 4));
	EXPECT_TRUE(WAIT_FOR(roam_port_of(self->a, 1) == roam_port_of(self->c, 0), LONG_WAIT_S));

	/* Only a client's connection hops. */
	EXPECT_EQ(-1, setsockopt(self->a, SOL_ROAM, ROAM_MIGRATE, &one, sizeof(one)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(self->l, SOL_ROAM, ROAM_MIGRATE, &one, sizeof(one)));
	EXPECT_EQ(ENOTCONN, errno);
	other = roam_socket();
	ASSERT_LE(0, other);
	EXPECT_EQ(-1, setsockopt(other, SOL_ROAM, ROAM_MIGRATE, &one, sizeof(one)));
	EXPECT_EQ(ENOTCONN, errno);
	close(other);
}

TEST_F(pair, poll_flags)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int ev;

	EXPECT_EQ(POLLOUT, roam_poll(self->c, POLLIN | POLLOUT | POLLRDHUP, 0));
	ASSERT_EQ(1, write(self->a, "x", 1));
	EXPECT_TRUE(roam_poll(self->c, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	ASSERT_EQ(0, shutdown(self->a, SHUT_WR));
	ev = roam_poll(self->c, POLLRDHUP, LONG_WAIT_S * 1000);
	EXPECT_TRUE(ev & POLLRDHUP);
	EXPECT_FALSE(ev & POLLHUP);
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(self->a);
	self->a = -1;
	/* Already readable (the "x", then EOF): wait for the reset itself. */
	EXPECT_TRUE(WAIT_FOR((ev = roam_poll(self->c, POLLIN, 0)) & POLLHUP, LONG_WAIT_S))
		TH_LOG("revents %#x", ev);
	EXPECT_TRUE(ev & POLLERR);
}

TEST_F(pair, option_values)
{
	int v = 50, len = sizeof(v);

	EXPECT_EQ(-1, setsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
	v = 5000;
	EXPECT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &v, sizeof(v)));
	EXPECT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &v,
				(socklen_t *)&len));
	EXPECT_EQ(5000, v);
	v = 0;	/* back to the namespace's default */
	EXPECT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &v, sizeof(v)));
	EXPECT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &v,
				(socklen_t *)&len));
	EXPECT_EQ(300000, v);
	v = -1;
	EXPECT_EQ(-1, setsockopt(self->c, SOL_ROAM, ROAM_KEEPALIVE_INTVL, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
}

/* ROAM_PSK names a key of the table, and only before the connection. */
TEST_F(pair, psk_option)
{
	unsigned int id = 4000000000U;
	int v = -1, len = sizeof(v), fd = roam_socket();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, setsockopt(fd, SOL_ROAM, ROAM_PSK, &id, sizeof(id)));
	EXPECT_EQ(ENOKEY, errno);
	EXPECT_EQ(0, getsockopt(fd, SOL_ROAM, ROAM_PSK, &v, (socklen_t *)&len));
	EXPECT_EQ(0, v);
	close(fd);
	id = 0;
	EXPECT_EQ(-1, setsockopt(self->c, SOL_ROAM, ROAM_PSK, &id, sizeof(id)));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(-1, setsockopt(self->a, SOL_ROAM, ROAM_PSK, &id, sizeof(id)));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(0, setsockopt(self->l, SOL_ROAM, ROAM_PSK, &id, sizeof(id)));
}

/* A reader that does not read: the writer blocks, and memory stays bounded. */
TEST_F(pair, slow_reader_blocks_the_writer)
{
	static char buf[65536];
	int sndbuf = 65536, rcvbuf = 65536, got_sndbuf;
	socklen_t len = sizeof(got_sndbuf);
	long total = 0, rd = 0;
	ssize_t n;

	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)));
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &got_sndbuf, &len));
	/* Let the new window reach the writer. */
	ASSERT_EQ(1, write(self->a, "w", 1));
	ASSERT_EQ(1, read(self->c, buf, 1));
	ASSERT_EQ(0, fcntl(self->c, F_SETFL, O_NONBLOCK));
	while ((n = write(self->c, buf, sizeof(buf))) > 0 && total < (64 << 20))
		total += n;
	ASSERT_EQ(-1, n) TH_LOG("the writer never blocked after %ld bytes", total);
	EXPECT_EQ(EAGAIN, errno);
	usleep(500000);
	EXPECT_GE(got_sndbuf, ioctl_int(self->c, SIOCOUTQ));
	EXPECT_GE(rcvbuf * 2, ioctl_int(self->a, SIOCINQ));
	EXPECT_GT(4 * (got_sndbuf + 2 * rcvbuf), total) TH_LOG("%ld bytes taken", total);
	/* Reading lets the writer go on. */
	while (rd < total) {
		n = read(self->a, buf, sizeof(buf));
		ASSERT_LT(0, n);
		rd += n;
	}
	EXPECT_TRUE(roam_poll(self->c, POLLOUT, LONG_WAIT_S * 1000) & POLLOUT);
}

/* From now on nothing reaches the listener's UDP port (9000). */
static int block_listener_port(void)
{
	return system("nft add table inet vanish && "
		      "nft add chain inet vanish in '{ type filter hook input priority 0; }' && "
		      "nft add rule inet vanish in udp dport 9000 drop");
}

/* The peer vanishes: keepalive probes go unanswered, then ETIMEDOUT. */
/*
 * The server side of a pair whose client timed out: closing it normally
 * would leave an orphan probing a peer that is gone for minutes, as TCP's
 * would.  SO_LINGER {1, 0} ends it at once.
 */
static void abort_on_close(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

TEST_F_TIMEOUT(pair, keepalive_and_idle_timeout, 120)
{
	int on = 1, ka = 200, idle = 3000;
	char buf[8];
	double t;

	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_KEEPALIVE_INTVL, &ka, sizeof(ka)));
	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &idle, sizeof(idle)));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)));
	/*
	 * A live peer answers the probes: nothing happens.  The idle timeout
	 * leaves the peer seconds to answer: a loaded lane can starve the
	 * guest for that long.
	 */
	usleep(3500 * 1000);
	EXPECT_EQ(0, roam_poll(self->c, POLLIN, 0));
	/*
	 * Now nothing reaches it any more.  The time counts from before the
	 * block: on a loaded lane, nft's processes can end long after their
	 * rule took effect.
	 */
	t = roam_now();
	ASSERT_EQ(0, block_listener_port());
	EXPECT_TRUE(roam_poll(self->c, POLLIN, 30000) & POLLERR);
	EXPECT_EQ(-1, read(self->c, buf, sizeof(buf)));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LT(2.5, roam_now() - t);
	abort_on_close(self->a);
}

/* Unacknowledged data to a vanished peer: ETIMEDOUT after the idle timeout. */
TEST_F_TIMEOUT(pair, data_to_a_vanished_peer_times_out, 120)
{
	int idle = 1500;
	char buf[8];

	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &idle, sizeof(idle)));
	ASSERT_EQ(0, block_listener_port());
	ASSERT_EQ(5, write(self->c, "hello", 5));
	EXPECT_TRUE(roam_poll(self->c, POLLIN, 30000) & POLLERR);
	EXPECT_EQ(-1, write(self->c, buf, 1));
	EXPECT_EQ(ETIMEDOUT, errno);
	abort_on_close(self->a);
}

/*
 * A connection quiet for longer than its idle timeout (nothing in flight,
 * no keepalive) then writes: the timeout counts from that write, not from
 * the last packet heard, so the live peer gets its chance to answer (RFC
 * 9000 10.1; TCP_USER_TIMEOUT counts from the unacknowledged data too).
 */
TEST_F(pair, idle_timeout_counts_from_the_first_write)
{
	int idle = 1000;
	char buf[8];

	ASSERT_EQ(0, setsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &idle, sizeof(idle)));
	usleep(2500 * 1000);
	ASSERT_EQ(5, write(self->c, "hello", 5));
	EXPECT_EQ(5, read_all(self->a, buf, 5));
	usleep(500 * 1000);
	EXPECT_EQ(0, roam_poll(self->c, POLLIN, 0) & POLLERR);
	ASSERT_EQ(1, write(self->c, "!", 1));
	ASSERT_TRUE(roam_poll(self->a, POLLIN, LONG_WAIT_S * 1000) & POLLIN);
	EXPECT_EQ(1, read(self->a, buf, sizeof(buf)));
}

/* The IPPROTO_TCP options take their TCP meaning (kmod/tcpopt.c). */
TEST_F(pair, tcp_options_with_tcp_meaning)
{
	static char big[50000];
	struct roam_info ri;
	struct tcp_info ti;
	socklen_t len = sizeof(int);
	int v, r;

	v = 1;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_NODELAY, &r, &len));
	EXPECT_EQ(1, r);
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_CORK, &r, &len));
	EXPECT_EQ(1, r);
	v = 0;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)));

	/* TCP_KEEPIDLE is the keepalive interval, in seconds. */
	v = 7;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_KEEPALIVE_INTVL, &r, &len));
	EXPECT_EQ(7000, r);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_KEEPIDLE, &r, &len));
	EXPECT_EQ(7, r);
	for (v = -1; v <= 32768; v += 32769) {
		EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof(v)));
		EXPECT_EQ(EINVAL, errno);
	}
	v = 128;
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);

	/* TCP_USER_TIMEOUT is the idle timeout, raised to roam's shortest timer. */
	v = 1;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_USER_TIMEOUT, &r, &len));
	EXPECT_EQ(100, r);
	v = 60000;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &r, &len));
	EXPECT_EQ(60000, r);
	v = -1;
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
	v = 0;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_USER_TIMEOUT, &r, &len));
	EXPECT_EQ(0, r);

	/* Short buffers get what fits, as TCP's do; short values do not. */
	r = -1;
	len = 1;
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_KEEPIDLE, &r, &len));
	EXPECT_EQ(1U, len);
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_NODELAY, &v, 2));
	EXPECT_EQ(EINVAL, errno);

	/*
	 * TCP_MAXSEG reads the stream bytes a full packet carries: the path
	 * MTU's UDP payload less the short header (13), the tag (16) and a
	 * last STREAM frame's header (9) of PROTOCOL.md section 2.  What roam
	 * has no use for is ENOPROTOOPT.
	 */
	len = sizeof(ri);
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_INFO, &ri, &len));
	len = sizeof(int);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_MAXSEG, &r, &len));
	EXPECT_EQ((int)ri.ri_pmtu - 13 - 16 - 9, r);
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_MAXSEG, &r, sizeof(r)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_TCP, TCP_INFO, &r, sizeof(r)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->c, IPPROTO_TCP, TCP_CONGESTION, &r, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->c, IPPROTO_UDP, 1, &r, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);

	/* TCP_INFO after a transfer. */
	ASSERT_EQ((ssize_t)sizeof(big), write(self->c, big, sizeof(big)));
	ASSERT_EQ((ssize_t)sizeof(big), read_all(self->a, big, sizeof(big)));
	ASSERT_TRUE(WAIT_FOR(ioctl_int(self->c, SIOCOUTQ) == 0, LONG_WAIT_S));
	len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(sizeof(ti), len);
	EXPECT_EQ(1, ti.tcpi_state);	/* TCP_ESTABLISHED */
	EXPECT_LE(sizeof(big), ti.tcpi_bytes_acked);
	EXPECT_LE(sizeof(big), ti.tcpi_bytes_sent);
	EXPECT_LT(0U, ti.tcpi_segs_out);
	EXPECT_LT(0U, ti.tcpi_rtt);
	EXPECT_LT(0U, ti.tcpi_rto);
	EXPECT_LT(1000U, ti.tcpi_pmtu);
	EXPECT_EQ(ti.tcpi_pmtu - 13 - 16 - 9, ti.tcpi_snd_mss);
	EXPECT_LT(0U, ti.tcpi_snd_cwnd);
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(self->a, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_LE(sizeof(big), ti.tcpi_bytes_received);
	len = 8;
	ASSERT_EQ(0, getsockopt(self->a, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(8U, len);
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(self->l, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(10, ti.tcpi_state);	/* TCP_LISTEN */
}

/* IPPROTO_IP and IPPROTO_IPV6: the options servers set (kmod/tcpopt.c). */
TEST_F(pair, ip_options_servers_set)
{
	socklen_t len = sizeof(int);
	int v, r;

	/* One DSCP for both families; the ECN bits stay roam's. */
	v = 0xbb;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_IP, IP_TOS, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_IP, IP_TOS, &r, &len));
	EXPECT_EQ(0xb8, r);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_IPV6, IPV6_TCLASS, &r, &len));
	EXPECT_EQ(0xb8, r);
	v = -1;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_IP, IP_TOS, &r, &len));
	EXPECT_EQ(0, r);
	v = 256;
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);
	/* Data still flows with a DSCP set. */
	v = 0x28;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_IP, IP_TOS, &v, sizeof(v)));
	ASSERT_EQ(5, write(self->c, "hello", 5));
	ASSERT_EQ(5, read_all(self->a, (char[8]){ 0 }, 5));

	/* Both families by default; fixed once bound (listeners.c: the rest). */
	ASSERT_EQ(0, getsockopt(self->l, IPPROTO_IPV6, IPV6_V6ONLY, &r, &len));
	EXPECT_EQ(0, r);
	v = 1;
	EXPECT_EQ(-1, setsockopt(self->l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)));
	EXPECT_EQ(EINVAL, errno);

	/* IP_FREEBIND is ROAM_FREEBIND. */
	v = 1;
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_IP, IP_FREEBIND, &v, sizeof(v)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_FREEBIND, &r, &len));
	EXPECT_EQ(1, r);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_IPV6, IPV6_FREEBIND, &r, &len));
	EXPECT_EQ(1, r);

	/* What roam has no use for. */
	EXPECT_EQ(-1, setsockopt(self->c, IPPROTO_IP, IP_TTL, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &r, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
}

/*
 * With SO_KEEPALIVE and TCP_KEEPCNT, and no idle timeout, a silent peer
 * is dead after TCP_KEEPIDLE + TCP_KEEPCNT * TCP_KEEPINTVL, as in TCP.
 */
TEST_F_TIMEOUT(pair, tcp_keepcnt_ends_a_silent_peer, 120)
{
	int on = 1, idle = 1, intvl = 1, cnt = 2, r;
	socklen_t len = sizeof(r);
	char buf[8];
	double t;

	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)));
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)));
	ASSERT_EQ(0, setsockopt(self->c, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)));
	/* Without SO_KEEPALIVE, the netns's idle timeout still rules. */
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &r, &len));
	EXPECT_NE(3000, r);
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_ROAM, ROAM_IDLE_TIMEOUT, &r, &len));
	EXPECT_EQ(3000, r);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_KEEPCNT, &r, &len));
	EXPECT_EQ(2, r);
	/* A live peer answers: nothing happens. */
	usleep(4000 * 1000);
	EXPECT_EQ(0, roam_poll(self->c, POLLIN, 0));
	/*
	 * The first probe that goes unanswered left at the block, at the
	 * earliest (one sent just before it was answered); KEEPCNT intervals
	 * later, the peer is dead.  The time counts from before the block
	 * (above).
	 */
	t = roam_now();
	ASSERT_EQ(0, block_listener_port());
	EXPECT_TRUE(roam_poll(self->c, POLLIN, 30000) & POLLERR);
	EXPECT_EQ(-1, read(self->c, buf, sizeof(buf)));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LT(2.0, roam_now() - t);
	abort_on_close(self->a);
}

/*
 * SO_KEEPALIVE set after accept() on a connection quiet for longer than
 * its idle timeout: the probes start at once, as TCP's do
 * (tcp_set_keepalive()), and the client's answers keep it up; a client
 * that vanishes then ends it.
 */
static __u64 packets_sent(int fd)
{
	struct roam_info ri;
	socklen_t len = sizeof(ri);

	return getsockopt(fd, SOL_ROAM, ROAM_INFO, &ri, &len) ? 0 : ri.ri_packets_sent;
}

TEST_F_TIMEOUT(pair, keepalive_set_after_accept_on_an_idle_connection, 120)
{
	int on = 1, ka = 200, idle = 1500;
	__u64 sent;
	char buf[8];

	ASSERT_EQ(0, setsockopt(self->a, SOL_ROAM, ROAM_KEEPALIVE_INTVL, &ka, sizeof(ka)));
	ASSERT_EQ(0, setsockopt(self->a, SOL_ROAM, ROAM_IDLE_TIMEOUT, &idle, sizeof(idle)));
	/* Past the idle timeout: whatever the handshake left timed has fired. */
	usleep(2500 * 1000);
	sent = packets_sent(self->a);
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)));
	/* A probe every 200 ms of quiet: some ten in 2 s, on a slow lane fewer. */
	usleep(2000 * 1000);
	EXPECT_LE(sent + 3, packets_sent(self->a))
		TH_LOG("%llu packets sent in 2 s", packets_sent(self->a) - sent);
	/* Nothing to or from the server's port 9000 gets through any more. */
	ASSERT_EQ(0, system("nft add table inet vanish && "
			    "nft add chain inet vanish in '{ type filter hook input priority 0; }' && "
			    "nft add rule inet vanish in udp sport 9000 drop && "
			    "nft add rule inet vanish in udp dport 9000 drop"));
	EXPECT_TRUE(roam_poll(self->a, POLLIN, 30000) & POLLERR);
	EXPECT_EQ(-1, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(ETIMEDOUT, errno);
	abort_on_close(self->c);
}

/* An edge-triggered echo server and 200 clients; every byte comes back. */
#define CLIENTS 200

static int clients;

static void *echo_clients(void *arg)
{
	int *ok = arg, fds[CLIENTS], i, n;
	char buf[64];

	for (i = 0; i < clients; i++) {
		fds[i] = roam_connect_ip("127.0.0.1", 9001, 0);
		if (fds[i] < 0)
			return NULL;
		snprintf(buf, sizeof(buf), "client %03d", i);
		if (write(fds[i], buf, 10) != 10)
			return NULL;
	}
	for (i = 0; i < clients; i++) {
		char want[16];

		snprintf(want, sizeof(want), "client %03d", i);
		n = read_all(fds[i], buf, 10);
		if (n != 10 || memcmp(buf, want, 10))
			return NULL;
		close(fds[i]);
	}
	*ok = 1;
	return NULL;
}

TEST_F_TIMEOUT(pair, edge_triggered_echo_with_200_clients, 1200)
{
	struct epoll_event ev, evs[64];
	int l = roam_listener("127.0.0.1", 9001, 256), ep, ok = 0, closed = 0, i, n;
	pthread_t t;
	double end;
	char buf[4096];

	clients = roam_scaled(CLIENTS);
	roam_raise_nofile();
	ASSERT_LE(0, l);
	fcntl(l, F_SETFL, O_NONBLOCK);
	ep = epoll_create1(0);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = l;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
	ASSERT_EQ(0, pthread_create(&t, NULL, echo_clients, &ok));

	end = roam_now() + 1000;
	while (closed < clients && roam_now() < end) {
		n = epoll_wait(ep, evs, 64, 1000);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c;

			if (fd == l) {
				while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			/* Edge-triggered: read until EAGAIN, echo everything. */
			for (;;) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r > 0) {
					if (write(fd, buf, r) != r)
						break;
					continue;
				}
				if (r == 0 || errno != EAGAIN) {
					close(fd);
					closed++;
				}
				break;
			}
		}
	}
	pthread_join(t, NULL);
	EXPECT_EQ(1, ok);
	EXPECT_EQ(clients, closed);
	close(ep);
	close(l);
}

TEST_HARNESS_MAIN
