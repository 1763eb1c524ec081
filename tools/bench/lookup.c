// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup cost: does the per-packet cost grow with the number of
 * connections or listeners?  Runs inside the VM in a namespace of its
 * own, on loopback, where the receive path runs in the sender's softirq,
 * so the time of a sendmmsg() batch is the time to send and demultiplex
 * it.
 *
 *  - established packets: short headers to the CIDs of 1, 1,000 and
 *    100,000 established connections (a table hit, then a tag that does
 *    not verify), and to random CIDs (a miss);
 *  - new-connection packets: INITIALs to one listener among 1 and 10,000
 *    listeners bound to specific addresses of the same port (lookup,
 *    cookie MAC and the answer).
 *
 * Prints a table and writes JSON to the file given as argv[1].
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/roam.h>

#define BATCH	64
#define PACKETS	100000
#define ROUNDS	5

static int family;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void addr4(struct sockaddr_roam *sa, const char *ip, unsigned short port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sroam_family = family;
	sa->sroam_port = htons(port);
	sa->sroam_addr.s6_addr[10] = sa->sroam_addr.s6_addr[11] = 0xff;
	inet_pton(AF_INET, ip, &sa->sroam_addr.s6_addr[12]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sends PACKETS packets made by @fill to 127.0.0.1:@port and returns the
 * median over ROUNDS of the time per packet, in ns.
 */
static double send_cost(unsigned short port, size_t len,
			void (*fill)(unsigned char *pkt, long i, void *ctx), void *ctx)
{
	static unsigned char bufs[BATCH][1500];
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	double t[ROUNDS];
	long sent, i;
	int fd, r, b;

	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("udp socket");
	for (r = 0; r < ROUNDS; r++) {
		double t0 = now();

		for (sent = 0; sent < PACKETS; sent += BATCH) {
			for (b = 0; b < BATCH; b++) {
				fill(bufs[b], sent + b, ctx);
				iov[b].iov_base = bufs[b];
				iov[b].iov_len = len;
				memset(&msgs[b], 0, sizeof(msgs[b]));
				msgs[b].msg_hdr.msg_iov = &iov[b];
				msgs[b].msg_hdr.msg_iovlen = 1;
				msgs[b].msg_hdr.msg_name = &dst;
				msgs[b].msg_hdr.msg_namelen = sizeof(dst);
			}
			for (i = 0; i < BATCH;) {
				int n = sendmmsg(fd, msgs + i, BATCH - i, 0);

				if (n < 0) {
					if (errno == EAGAIN || errno == ENOBUFS)
						continue;
					die("sendmmsg");
				}
				i += n;
			}
		}
		t[r] = (now() - t0) * 1e9 / PACKETS;
	}
	close(fd);
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	return t[ROUNDS / 2];
}

struct cids {
	unsigned long long *v;
	long n;
};

static void fill_hit(unsigned char *p, long i, void *ctx)
{
	struct cids *c = ctx;
	unsigned long long cid = c->v[i % c->n];
	int k;

	p[0] = 0x40;
	for (k = 0; k < 8; k++)
		p[1 + k] = cid >> (56 - 8 * k);
	memset(p + 9, 0x5a, 51);	/* packet number, frames, a wrong tag */
}

static void fill_miss(unsigned char *p, long i, void *ctx)
{
	p[0] = 0x40;
	getrandom(p + 1, 8, 0);
	memset(p + 9, 0x5a, 51);
}

static void fill_initial(unsigned char *p, long i, void *ctx)
{
	memset(p, 0, 1200);
	p[0] = 0x80 | 1;	/* INITIAL */
	p[1] = 1;
	getrandom(p + 12, 24, 0);	/* scid and nonce */
	p[12] |= 1;
}

static void wait_out(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	poll(&p, 1, 60000);
}

/* @n connections to 127.0.0.1:5000; the server side's CIDs go to @c. */
static void connect_many(long n, int lfd, int *fds, struct cids *c)
{
	struct sockaddr_roam sa;
	struct roam_conn_id id;
	socklen_t len;
	long done = 0, i, j;

	addr4(&sa, "127.0.0.1", 5000);
	while (done < n) {
		long b = n - done < 256 ? n - done : 256;

		for (i = 0; i < b; i++) {
			fds[2 * (done + i)] = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (fds[2 * (done + i)] < 0)
				die("socket");
			if (connect(fds[2 * (done + i)], (struct sockaddr *)&sa,
				    sizeof(sa)) && errno != EINPROGRESS)
				die("connect");
		}
		for (i = 0; i < b; i++)
			wait_out(fds[2 * (done + i)]);
		for (i = 0; i < b; i++) {
			j = done + i;
			fds[2 * j + 1] = accept(lfd, NULL, NULL);
			if (fds[2 * j + 1] < 0)
				die("accept");
			len = sizeof(id);
			if (getsockopt(fds[2 * j + 1], SOL_ROAM, ROAM_CONN_ID, &id, &len))
				die("ROAM_CONN_ID");
			c->v[j] = id.local;
		}
		done += b;
	}
	c->n = n;
}

int main(int argc, char **argv)
{
	static const long conns[] = { 1, 1000, 100000 };
	static const long lsns[] = { 1, 10000 };
	double hit[3], miss[3], init[2];
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct cids c;
	int *fds, lfd, i, k;
	FILE *f;

	f = fopen(ROAM_FAMILY_SYSFS, "r");
	if (!f || fscanf(f, "%d", &family) != 1)
		die("roam family");
	fclose(f);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE");
	if (unshare(CLONE_NEWNET) || system("ip link set lo up"))
		die("netns");
	if (system("tools/roamctl/roamctl config set backlog_max 65535"))
		die("roamctl");

	fds = calloc(2 * 100000, sizeof(*fds));
	c.v = calloc(100000, sizeof(*c.v));
	for (k = 0; k < 3; k++) {
		struct sockaddr_roam sa;

		lfd = socket(family, SOCK_STREAM, 0);
		addr4(&sa, "127.0.0.1", 5000);
		if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 65535))
			die("listener");
		fprintf(stderr, "bench: %ld connections...\n", conns[k]);
		connect_many(conns[k], lfd, fds, &c);
		hit[k] = send_cost(5000, 60, fill_hit, &c);
		miss[k] = send_cost(5000, 60, fill_miss, NULL);
		for (i = 0; i < 2 * conns[k]; i++)
			close(fds[i]);
		close(lfd);
		sleep(2);
	}

	for (k = 0; k < 2; k++) {
		struct sockaddr_roam sa;
		int *l = calloc(lsns[k], sizeof(*l));
		char ip[32];

		fprintf(stderr, "bench: %ld listeners...\n", lsns[k]);
		for (i = 0; i < lsns[k]; i++) {
			if (i == 0)
				snprintf(ip, sizeof(ip), "127.0.0.1");
			else
				snprintf(ip, sizeof(ip), "127.2.%d.%d", i / 250, 1 + i % 250);
			l[i] = socket(family, SOCK_STREAM, 0);
			addr4(&sa, ip, 6000);
			if (bind(l[i], (struct sockaddr *)&sa, sizeof(sa)) || listen(l[i], 16))
				die("listener");
		}
		init[k] = send_cost(6000, 1200, fill_initial, NULL);
		for (i = 0; i < lsns[k]; i++)
			close(l[i]);
		free(l);
	}

	printf("%-44s %12s\n", "per packet, median of 5 x 100,000", "ns");
	for (k = 0; k < 3; k++)
		printf("established, CID hit,  %6ld connections %12.0f\n", conns[k], hit[k]);
	for (k = 0; k < 3; k++)
		printf("established, CID miss, %6ld connections %12.0f\n", conns[k], miss[k]);
	for (k = 0; k < 2; k++)
		printf("INITIAL to a listener, %6ld listeners   %12.0f\n", lsns[k], init[k]);
	printf("ratio 100,000 / 1 connections (hit)          %12.2f\n", hit[2] / hit[0]);
	printf("ratio 10,000 / 1 listeners                   %12.2f\n", init[1] / init[0]);

	if (argc > 1) {
		f = fopen(argv[1], "w");
		if (!f)
			die(argv[1]);
		fprintf(f, "{\"unit\":\"ns per packet\",\"established_hit\":{\"1\":%.0f,\"1000\":%.0f,\"100000\":%.0f},"
			"\"established_miss\":{\"1\":%.0f,\"1000\":%.0f,\"100000\":%.0f},"
			"\"initial\":{\"1\":%.0f,\"10000\":%.0f}}\n",
			hit[0], hit[1], hit[2], miss[0], miss[1], miss[2], init[0], init[1]);
		fclose(f);
	}
	return 0;
}
