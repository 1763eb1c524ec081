// SPDX-License-Identifier: GPL-2.0
/*
 * roamxfer: byte-exact transfers over AF_ROAM (or TCP, for comparison),
 * both directions at once, for the stream selftests and benchmarks.
 *
 *   roamxfer -l [-p PORT] [-n COUNT] [-t] [-m MODE] [-k ID] [-o FILE] [-g FILE]
 *   roamxfer -c HOST [-p PORT] [-u BYTES] [-d BYTES] [-t] [-m MODE] [-k ID] [-o FILE] [-i] [-w MS] [-g FILE]
 *
 * The client sends an 8-byte header holding how many bytes it wants
 * back (-d), then -u bytes, and shuts its side down; the server sends
 * the bytes asked for, reads to EOF, and closes.  Both print, on one
 * line, what they sent and received and the SHA-256 of each:
 *
 *   sent BYTES SHA256 recv BYTES SHA256 secs SECONDS pmtu BYTES lost PACKETS
 *   spurious PACKETS reordering PACKETS rcvbuf BYTES sndbuf BYTES
 *   moves N validations N failures N hops N psk 0|1
 *
 * (SO_RCVBUF and SO_SNDBUF at the end; -b BYTES sets both at the start.
 * -k ID sets ROAM_PSK; "psk 1" says the connection was encrypted.  -o FILE
 * also writes the bytes received to FILE.)
 * With -w MS, the client waits MS milliseconds between its header and
 * its bytes.  With -g FILE (and -m write), a side that has sent its bytes
 * while FILE does not exist yet sends more, a chunk at a time, until it
 * does: a test makes its event, waits for what it should cause, and then
 * creates FILE, so bytes flow through the event however long its
 * commands took.  Meanwhile it keeps no more than its -u or -d bytes
 * unacknowledged (SIOCOUTQ), so that what is left when FILE appears
 * takes about as long as those bytes alone.  With -i, an AF_ROAM client
 * also says on stderr, once connected:
 *
 *   connected port LOCAL_PORT cid LOCAL_CID remote REMOTE_CID
 *
 * The bytes come from a seeded generator, so the two ends' sums can be
 * compared.  -m write|sendfile|splice chooses how bytes are sent (and
 * for splice, received); -t uses TCP instead, as the reference.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <openssl/evp.h>

#include "roam_util.h"

#define CHUNK (256 * 1024)

enum mode { M_WRITE, M_SENDFILE, M_SPLICE };

struct side {
	uint64_t want;		/* bytes to send */
	uint64_t ahead;		/* -g: at most unacknowledged while shut */
	uint64_t done;		/* bytes sent */
	uint64_t got;		/* bytes received */
	uint64_t seed;
	EVP_MD_CTX *sent_md, *recv_md;
	int file;		/* sendfile: a temporary file of the bytes */
	int pipe[2];		/* splice */
	int eof;
	int shut;
};

static enum mode mode = M_WRITE;
static int use_tcp;
static int say_conn;		/* -i */
static int wait_ms;		/* -w */
static const char *gate;	/* -g */
static int out_fd = -1;		/* -o */

static void die(const char *what)
{
	fprintf(stderr, "roamxfer: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The generator: byte i of a stream is a function of the seed and i. */
static void gen(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t x = (off + i) / 8 * 0x9e3779b97f4a7c15ULL ^ seed;

		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 27;
		buf[i] = x >> (8 * ((off + i) % 8));
	}
}

static void hex(EVP_MD_CTX *md, char *out)
{
	unsigned char d[32];
	unsigned int n, i;

	EVP_DigestFinal_ex(md, d, &n);
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* sendfile and splice send from a file of the bytes, made beforehand. */
static int make_file(struct side *s)
{
	static unsigned char buf[CHUNK];
	char name[] = "/tmp/roamxfer.XXXXXX";
	uint64_t off;
	int fd = mkstemp(name);

	if (fd < 0)
		die("mkstemp");
	unlink(name);
	for (off = 0; off < s->want; off += CHUNK) {
		size_t n = s->want - off < CHUNK ? s->want - off : CHUNK;

		gen(s->seed, off, buf, n);
		if (write(fd, buf, n) != (ssize_t)n)
			die("write file");
	}
	return fd;
}

static void side_init(struct side *s, uint64_t want, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->want = want;
	s->ahead = want > CHUNK ? want : CHUNK;
	s->seed = seed;
	s->sent_md = EVP_MD_CTX_new();
	s->recv_md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(s->sent_md, EVP_sha256(), NULL);
	EVP_DigestInit_ex(s->recv_md, EVP_sha256(), NULL);
	if (mode != M_WRITE) {
		s->file = make_file(s);
		if (pipe(s->pipe))
			die("pipe");
	}
}

static int do_send(int fd, struct side *s)
{
	static unsigned char buf[CHUNK];
	size_t n = s->want - s->done < CHUNK ? s->want - s->done : CHUNK;
	ssize_t r;
	off_t off = s->done;

	if (!n)
		return 0;
	switch (mode) {
	case M_SENDFILE:
		r = sendfile(fd, s->file, &off, n);
		if (r > 0) {
			gen(s->seed, s->done, buf, r);
			EVP_DigestUpdate(s->sent_md, buf, r);
		}
		break;
	case M_SPLICE:
		r = splice(s->file, &off, s->pipe[1], NULL, n, SPLICE_F_MOVE);
		if (r <= 0)
			break;
		r = splice(s->pipe[0], NULL, fd, NULL, r, SPLICE_F_MOVE);
		if (r > 0) {
			gen(s->seed, s->done, buf, r);
			EVP_DigestUpdate(s->sent_md, buf, r);
		}
		break;
	default:
		gen(s->seed, s->done, buf, n);
		r = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0)
			EVP_DigestUpdate(s->sent_md, buf, r);
		break;
	}
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	s->done += r;
	return 0;
}

static int do_recv(int fd, struct side *s)
{
	static unsigned char buf[CHUNK];
	ssize_t r;

	if (mode == M_SPLICE) {
		int p[2];

		if (pipe(p))
			die("pipe");
		r = splice(fd, NULL, p[1], NULL, CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (r > 0 && read(p[0], buf, r) != r)
			die("read pipe");
		close(p[0]);
		close(p[1]);
	} else {
		r = recv(fd, buf, CHUNK, MSG_DONTWAIT);
	}
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	if (r == 0) {
		s->eof = 1;
		return 0;
	}
	EVP_DigestUpdate(s->recv_md, buf, r);
	if (out_fd >= 0 && write(out_fd, buf, r) != r)
		die("write -o");
	s->got += r;
	return 0;
}

/*
 * -g: with all of s->want sent and the gate shut, a chunk more, unless
 * s->ahead bytes wait unacknowledged already (then 1: look again soon).
 * A send buffer grown to megabytes, filled while the gate was shut, took
 * 22 s to cross the debug lane's 2 Mbit/s link once it opened.
 */
static int gate_held(int fd, struct side *s)
{
	int queued = 0;

	if (!gate || s->done < s->want || !access(gate, F_OK))
		return 0;
	if (!ioctl(fd, SIOCOUTQ, &queued) && (uint64_t)queued >= s->ahead)
		return 1;
	s->want += CHUNK;
	return 0;
}

/* Sends s->want bytes and reads to EOF, both at once. */
static int pump(int fd, struct side *s)
{
	struct pollfd p = { .fd = fd };
	int held, r;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		held = gate_held(fd, s);
		if (s->eof && s->done == s->want && !held)
			break;
		if (s->done == s->want && !s->shut && !held) {
			if (shutdown(fd, SHUT_WR))
				return -1;
			s->shut = 1;
		}
		p.events = (s->eof ? 0 : POLLIN) | (s->done < s->want ? POLLOUT : 0);
		r = poll(&p, 1, held ? 100 : 60000);
		if (!r && held)
			continue;
		if (r != 1)
			return errno = ETIMEDOUT, -1;
		if ((p.revents & POLLIN || p.revents & (POLLHUP | POLLERR)) &&
		    !s->eof && do_recv(fd, s))
			return -1;
		if (p.revents & POLLOUT && do_send(fd, s))
			return -1;
	}
	if (!s->shut && shutdown(fd, SHUT_WR) && errno != ENOTCONN)
		return -1;
	return 0;
}

static void report(int fd, struct side *s, double t)
{
	struct roam_info info = { 0 };
	socklen_t len = sizeof(info);
	char a[65], b[65];

	hex(s->sent_md, a);
	hex(s->recv_md, b);
	if (!use_tcp)
		getsockopt(fd, SOL_ROAM, ROAM_INFO, &info, &len);
	int rcvbuf = 0, sndbuf = 0;
	socklen_t blen = sizeof(int);

	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &blen);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &blen);
	printf("sent %llu %s recv %llu %s secs %.3f pmtu %u lost %llu spurious %u reordering %u rcvbuf %d sndbuf %d moves %u validations %u failures %u hops %u psk %d\n",
	       (unsigned long long)s->done, a, (unsigned long long)s->got, b, t,
	       info.ri_pmtu, (unsigned long long)info.ri_packets_lost,
	       info.ri_spurious, info.ri_reordering, rcvbuf, sndbuf,
	       info.ri_path_moves, info.ri_path_validations, info.ri_path_failures,
	       info.ri_port_hops, !!(info.ri_flags & ROAM_INFO_F_PSK));
	fflush(stdout);
}

static int make_socket(void)
{
	return use_tcp ? socket(AF_INET6, SOCK_STREAM, 0) : roam_socket();
}

static socklen_t make_addr(struct sockaddr_storage *ss, const char *ip, unsigned short port)
{
	struct sockaddr_roam *sa = (struct sockaddr_roam *)ss;
	socklen_t len = sizeof(*ss);

	if (roam_addr_parse(sa, ip, port))
		die("address");
	if (!use_tcp)
		return sizeof(*sa);
	/* TCP over IPv6 sockets, IPv4 v4-mapped: as roam writes it. */
	roam_to_sockaddr((struct sockaddr *)ss, &len, sa, AF_INET6);
	return len;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);

		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t up = 0, down = 0, hdr;
	const char *host = NULL;
	int listen_mode = 0, count = 1, port = 7777, bufsz = 0, fd, c, i;
	unsigned int key = 0;
	struct sockaddr_storage ss;
	struct side s;
	socklen_t len;
	double t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "lc:p:n:u:d:tm:b:ik:o:w:g:")) != -1) {
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
		case 'n':
			count = atoi(optarg);
			break;
		case 'u':
			up = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			down = strtoull(optarg, NULL, 0);
			break;
		case 't':
			use_tcp = 1;
			break;
		case 'i':
			say_conn = 1;
			break;
		case 'b':
			bufsz = atoi(optarg);
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		case 'g':
			gate = optarg;
			break;
		case 'k':
			key = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			out_fd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (out_fd < 0)
				die(optarg);
			break;
		case 'm':
			mode = !strcmp(optarg, "sendfile") ? M_SENDFILE :
			       !strcmp(optarg, "splice") ? M_SPLICE : M_WRITE;
			break;
		default:
			fprintf(stderr, "usage: roamxfer -l|-c HOST [-p PORT] [-n N] [-u B] [-d B] [-t] [-m MODE] [-b BYTES] [-k ID] [-o FILE] [-i] [-w MS] [-g FILE]\n");
			return 2;
		}
	}
	if (listen_mode == !!host || (gate && mode != M_WRITE))
		return 2;

	fd = make_socket();
	if (fd < 0)
		die("socket");
	if (bufsz && (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz)) ||
		      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz))))
		die("SO_RCVBUF, SO_SNDBUF");
	if (key && setsockopt(fd, SOL_ROAM, ROAM_PSK, &key, sizeof(key)))
		die("ROAM_PSK");
	if (listen_mode) {
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		len = make_addr(&ss, "*", port);
		if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64))
			die("listen");
		printf("listening %d\n", port);
		for (i = 0; !count || i < count; i++) {
			int cfd = accept(fd, NULL, NULL);

			if (cfd < 0)
				die("accept");
			if (read_full(cfd, &hdr, sizeof(hdr)))
				die("header");
			side_init(&s, be64toh(hdr), 2);
			t = roam_now();
			if (pump(cfd, &s))
				die("transfer");
			report(cfd, &s, roam_now() - t);
			close(cfd);
		}
		return 0;
	}

	len = make_addr(&ss, host, port);
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	if (say_conn && !use_tcp) {
		struct roam_conn_id id = { 0 };
		socklen_t idlen = sizeof(id);

		getsockopt(fd, SOL_ROAM, ROAM_CONN_ID, &id, &idlen);
		fprintf(stderr, "connected port %u cid %016llx remote %016llx\n",
			roam_port_of(fd, 0), (unsigned long long)id.local,
			(unsigned long long)id.remote);
	}
	hdr = htobe64(down);
	if (write(fd, &hdr, sizeof(hdr)) != sizeof(hdr))
		die("header");
	if (wait_ms)
		usleep(wait_ms * 1000);
	side_init(&s, up, 1);
	t = roam_now();
	if (pump(fd, &s))
		die("transfer");
	report(fd, &s, roam_now() - t);
	close(fd);
	return 0;
}
