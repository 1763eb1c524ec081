// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libroamize.so, roamize's preload: a program's TCP sockets become
 * AF_ROAM sockets, and the program never sees it.
 *
 * socket() leaves an AF_INET or AF_INET6 SOCK_STREAM socket as TCP until
 * it is bound to a port or connected: that is when the address that
 * decides is known.  If roam should carry it (not loopback; ROAMIZE_PORTS
 * and ROAMIZE_DEST, when set, match), a new AF_ROAM socket takes the
 * descriptor's number with dup3(): the same flags (O_NONBLOCK,
 * FD_CLOEXEC), the options set so far replayed onto it (IPPROTO_TCP's
 * mean the same there; options roam does not know are dropped), and the
 * address a bind() to port 0 named.  From then on the calls that carry
 * addresses translate them, in both directions, to the family the
 * program asked for: bind, connect, accept, accept4, getsockname,
 * getpeername, and sendto and sendmsg (whose address a connected stream
 * ignores, as TCP's does).  An IPv6 peer of an AF_INET socket (a server
 * reached over IPv6 after a move) shows as 0.0.0.0.
 *
 * A descriptor's state lives in a table indexed by its number.  fork()
 * keeps it; dup(), dup2() and dup3() copy it; after exec() it is gone,
 * and a socket is then recognised by SO_DOMAIN when an address call
 * needs it, shown as AF_INET if its address is IPv4 and AF_INET6 if not.
 *
 * The wildcards mean what they mean to TCP: an AF_INET socket's 0.0.0.0
 * takes IPv4 alone (roam's ::ffff:0.0.0.0), and an AF_INET6 socket's
 * [::] both families, or IPv6 alone with IPV6_V6ONLY.  A server that
 * binds [::] with IPV6_V6ONLY and 0.0.0.0 on one port (sshd, nginx) thus
 * serves roam in both families from its two sockets.
 *
 * ROAMIZE_FALLBACK=1: a connect() over roam that fails, or does not
 * finish within ROAMIZE_FALLBACK_MS (default 3000), is made again over
 * TCP.  connect() then waits that long at most, even on a non-blocking
 * socket.  ROAMIZE_DEBUG=1 says on stderr what each socket became.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libroam.h>

#define FD_TABLE	65536	/* descriptors above are left alone */
#define OPT_MAX		128	/* bytes of an option value kept to replay */
#define RULES_MAX	64
#define FALLBACK_MS	3000

enum kind {
	K_UNKNOWN,	/* not seen since the program began, or since close() */
	K_OTHER,	/* not a TCP socket of this program's making */
	K_CAND,		/* TCP, not bound to a port nor connected yet */
	K_TCP,		/* TCP for good: loopback, or not matched */
	K_ROAM,		/* an AF_ROAM socket in the program's family's clothes */
};

struct opt {
	struct opt *next;
	int level, name;
	socklen_t len;
	unsigned char val[OPT_MAX];
};

struct fdstate {
	unsigned char kind;
	unsigned char family;	/* AF_INET, AF_INET6, or AF_UNSPEC if unknown */
	bool bound;		/* bind() to port 0 before the decision: @local */
	struct sockaddr_roam local;
	struct opt *opts;
};

struct rule_port {
	unsigned short lo, hi;
};

struct rule_net {
	struct in6_addr addr;
	unsigned int plen;
};

static struct fdstate *fds;
static pthread_mutex_t fds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule_port ports[RULES_MAX];
static struct rule_net nets[RULES_MAX];
static unsigned int nports, nnets;
static bool fallback, debug;
static int fallback_ms = FALLBACK_MS;

static int (*real_socket)(int, int, int);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_listen)(int, int);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_getsockname)(int, struct sockaddr *, socklen_t *);
static int (*real_getpeername)(int, struct sockaddr *, socklen_t *);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_getsockopt)(int, int, int, void *, socklen_t *);
static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static int (*real_close)(int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);

static pthread_once_t once = PTHREAD_ONCE_INIT;

#define RESOLVE(f) (real_##f = dlsym(RTLD_NEXT, #f))
/* First in each entry point: a library's constructor may call it before ours. */
#define INIT() pthread_once(&once, roamize_init)

static void say(const char *fmt, ...)
{
	va_list ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	fputs("roamize: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* "22,8000-8100" */
static void parse_ports(const char *s)
{
	char *end;

	while (s && *s && nports < RULES_MAX) {
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			break;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (lo <= 65535 && hi <= 65535 && lo <= hi) {
			ports[nports].lo = lo;
			ports[nports++].hi = hi;
		}
		s = *end == ',' ? end + 1 : NULL;
	}
}

/* "192.0.2.0/24,2001:db8::/32": IPv4 as v4-mapped, its prefix + 96. */
static void parse_nets(const char *s)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	struct sockaddr_roam sa;
	size_t n;

	while (s && *s && nnets < RULES_MAX) {
		n = strcspn(s, ",");
		if (n < sizeof(buf)) {
			memcpy(buf, s, n);
			buf[n] = '\0';
			slash = strchr(buf, '/');
			if (slash)
				*slash++ = '\0';
			if (!roam_addr_parse(&sa, buf, 0)) {
				bool v4 = IN6_IS_ADDR_V4MAPPED(&sa.sroam_addr);
				unsigned int max = v4 ? 32 : 128;
				unsigned int plen = slash ? strtoul(slash, NULL, 10) : max;

				nets[nnets].addr = sa.sroam_addr;
				nets[nnets++].plen = (plen > max ? max : plen) + (v4 ? 96 : 0);
			} else {
				fprintf(stderr, "roamize: ROAMIZE_DEST: bad network '%s'\n", buf);
			}
		}
		s = s[n] ? s + n + 1 : NULL;
	}
}

static void roamize_init(void)
{
	const char *v;

	RESOLVE(socket);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(listen);
	RESOLVE(accept4);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(close);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	fds = calloc(FD_TABLE, sizeof(*fds));
	debug = (v = getenv("ROAMIZE_DEBUG")) && *v == '1';
	fallback = (v = getenv("ROAMIZE_FALLBACK")) && *v == '1';
	v = getenv("ROAMIZE_FALLBACK_MS");
	if (v && atoi(v) > 0)
		fallback_ms = atoi(v);
	parse_ports(getenv("ROAMIZE_PORTS"));
	parse_nets(getenv("ROAMIZE_DEST"));
}

__attribute__((constructor))
static void roamize_start(void)
{
	INIT();
}

static struct fdstate *state(int fd)
{
	return fds && fd >= 0 && fd < FD_TABLE ? &fds[fd] : NULL;
}

static void forget_opts(struct fdstate *st)
{
	struct opt *o, *next;

	for (o = st->opts; o; o = next) {
		next = o->next;
		free(o);
	}
	st->opts = NULL;
}

static void set_kind(int fd, enum kind kind, int family)
{
	struct fdstate *st = state(fd);

	if (!st)
		return;
	pthread_mutex_lock(&fds_lock);
	/*
	 * A candidate that became roam's keeps its options and binding: a
	 * fallback to TCP replays them.  Any other change forgets them.
	 */
	if (kind != K_CAND && !(kind == K_ROAM && st->kind == K_CAND)) {
		forget_opts(st);
		st->bound = false;
	}
	st->kind = kind;
	st->family = family;
	pthread_mutex_unlock(&fds_lock);
}

/* What @fd is; a socket not seen before is asked for its family. */
static enum kind kind_of(int fd, int *family)
{
	struct fdstate *st = state(fd);
	int domain = 0, f = roam_family();
	socklen_t len = sizeof(domain);

	if (st && st->kind != K_UNKNOWN) {
		*family = st->family;
		return st->kind;
	}
	*family = AF_UNSPEC;
	if (f > 0 && !real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) &&
	    domain == f) {
		set_kind(fd, K_ROAM, AF_UNSPEC);
		return K_ROAM;
	}
	set_kind(fd, K_OTHER, AF_UNSPEC);
	return K_OTHER;
}

static bool is_loopback(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LOOPBACK(a) ||
	       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static bool port_matches(unsigned short port)
{
	unsigned int i;

	if (!nports)
		return true;
	for (i = 0; i < nports; i++)
		if (port >= ports[i].lo && port <= ports[i].hi)
			return true;
	return false;
}

static bool net_matches(const struct in6_addr *a)
{
	unsigned int i, b;

	if (!nnets)
		return true;
	for (i = 0; i < nnets; i++) {
		for (b = 0; b < nets[i].plen; b++) {
			unsigned int mask = 0x80 >> (b % 8);

			if ((a->s6_addr[b / 8] ^ nets[i].addr.s6_addr[b / 8]) & mask)
				break;
		}
		if (b == nets[i].plen)
			return true;
	}
	return false;
}

/*
 * @sa, an address of a socket of @family, where TCP would bind it: an
 * AF_INET socket's 0.0.0.0 is IPv4's wildcard alone, not roam's.
 */
static void tcp_wildcard(struct sockaddr_roam *sa, int family)
{
	if (family == AF_INET && IN6_IS_ADDR_UNSPECIFIED(&sa->sroam_addr))
		sa->sroam_addr.s6_addr[10] = sa->sroam_addr.s6_addr[11] = 0xff;
}

/* Should roam carry a socket bound to (@remote false) or connected to @sa? */
static bool wanted(const struct sockaddr_roam *sa, bool remote)
{
	if (is_loopback(&sa->sroam_addr) || !port_matches(ntohs(sa->sroam_port)))
		return false;
	return !remote || net_matches(&sa->sroam_addr);
}

/*
 * A new socket in @fd's place: AF_ROAM if @roam, else TCP of @family,
 * with @fd's flags, options and port-0 binding.  0, or -1 with errno
 * and @fd unchanged.
 */
static int replace(int fd, bool roam, int family)
{
	struct fdstate *st = state(fd);
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD), nfd;
	int type = SOCK_STREAM | (fl > 0 && (fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0);
	struct opt *o;
	int err;

	nfd = real_socket(roam ? roam_family() : family, type, 0);
	if (nfd < 0)
		return -1;
	pthread_mutex_lock(&fds_lock);
	for (o = st->opts; o; o = o->next)
		if (real_setsockopt(nfd, o->level, o->name, o->val, o->len) && roam)
			say("fd %d: option %d/%d not carried over: %s", fd, o->level,
			    o->name, strerror(errno));
	pthread_mutex_unlock(&fds_lock);
	if (st->bound) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		if (roam)
			err = real_bind(nfd, (struct sockaddr *)&st->local, sizeof(st->local));
		else
			err = roam_to_sockaddr((struct sockaddr *)&ss, &len, &st->local,
					       family) < 0 ||
			      real_bind(nfd, (struct sockaddr *)&ss, len);
		if (err)
			goto fail;
	}
	if (real_dup3(nfd, fd, fdfl > 0 && (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0)
		goto fail;
	real_close(nfd);
	return 0;
fail:
	err = errno;
	real_close(nfd);
	errno = err;
	return -1;
}

/* Make @fd an AF_ROAM socket, if it is a candidate and @sa wants it. */
static bool convert(int fd, const struct sockaddr_roam *sa, bool remote)
{
	struct fdstate *st = state(fd);
	int family = st->family;

	if (!wanted(sa, remote) || replace(fd, true, family)) {
		set_kind(fd, K_TCP, family);
		return false;
	}
	set_kind(fd, K_ROAM, family);
	return true;
}

/* Show @sa to the program as @family; an IPv6 address to AF_INET as 0.0.0.0. */
static void show(struct sockaddr *addr, socklen_t *addrlen,
		 const struct sockaddr_roam *sa, int family)
{
	struct sockaddr_roam any = *sa;

	if (!addr || !addrlen)
		return;
	if (roam_to_sockaddr(addr, addrlen, sa, family) >= 0)
		return;
	memset(&any.sroam_addr, 0, sizeof(any.sroam_addr));
	roam_to_sockaddr(addr, addrlen, &any, family);
}

int socket(int domain, int type, int protocol)
{
	bool tcp = (domain == AF_INET || domain == AF_INET6) &&
		   (type & 0xf) == SOCK_STREAM && (!protocol || protocol == IPPROTO_TCP);
	int fd;

	INIT();
	fd = real_socket(domain, type, protocol);
	if (fd >= 0)
		set_kind(fd, tcp && roam_family() > 0 ? K_CAND : K_OTHER, domain);
	return fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct fdstate *st;
	struct sockaddr_roam sa;
	int family, rc;
	enum kind k;

	INIT();
	k = kind_of(fd, &family);
	st = state(fd);
	if ((k != K_CAND && k != K_ROAM) || roam_from_sockaddr(&sa, addr, len))
		return real_bind(fd, addr, len);
	tcp_wildcard(&sa, family);
	if (k == K_CAND && !sa.sroam_port && !is_loopback(&sa.sroam_addr)) {
		/* Port 0: connect() or listen() decides.  TCP binds too. */
		rc = real_bind(fd, addr, len);
		if (!rc) {
			st->local = sa;
			st->bound = true;
		}
		return rc;
	}
	if (k == K_CAND && !convert(fd, &sa, false))
		return real_bind(fd, addr, len);
	rc = real_bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	say("fd %d: bind %s over roam: %s", fd,
	    roam_addr_format(&sa, (char[ROAM_ADDRSTRLEN]){ 0 }, ROAM_ADDRSTRLEN),
	    rc ? strerror(errno) : "ok");
	return rc;
}

int listen(int fd, int backlog)
{
	struct sockaddr_roam any = { 0 };
	struct fdstate *st;
	int family;

	INIT();
	st = state(fd);
	if (kind_of(fd, &family) == K_CAND) {
		/* Not bound to a port: the kernel picks one. */
		any.sroam_family = roam_family();
		tcp_wildcard(&any, family);
		convert(fd, st->bound ? &st->local : &any, false);
	}
	return real_listen(fd, backlog);
}

/* connect() over roam, within fallback_ms; 0, or -1 with errno. */
static int connect_bounded(int fd, const struct sockaddr_roam *sa)
{
	int fl = fcntl(fd, F_GETFL), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (!real_connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		goto out;
	if (errno != EINPROGRESS) {
		err = errno;
		goto out;
	}
	if (poll(&p, 1, fallback_ms) != 1)
		err = ETIMEDOUT;
	else if (real_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
out:
	fcntl(fd, F_SETFL, fl);
	errno = err;
	return err ? -1 : 0;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	char buf[ROAM_ADDRSTRLEN];
	struct sockaddr_roam sa;
	int family, rc;
	enum kind k;

	INIT();
	k = kind_of(fd, &family);
	if ((k != K_CAND && k != K_ROAM) || roam_from_sockaddr(&sa, addr, len))
		return real_connect(fd, addr, len);
	if (k == K_CAND && !convert(fd, &sa, true)) {
		say("fd %d: connect %s over TCP", fd, roam_addr_format(&sa, buf, sizeof(buf)));
		return real_connect(fd, addr, len);
	}
	if (!fallback || k == K_ROAM)
		goto roam;
	rc = connect_bounded(fd, &sa);
	if (!rc || errno == EISCONN)
		goto done;
	say("fd %d: connect %s over roam: %s; TCP instead", fd,
	    roam_addr_format(&sa, buf, sizeof(buf)), strerror(errno));
	if (replace(fd, false, family))
		return -1;
	set_kind(fd, K_TCP, family);
	return real_connect(fd, addr, len);
roam:
	rc = real_connect(fd, (struct sockaddr *)&sa, sizeof(sa));
done:
	say("fd %d: connect %s over roam: %s", fd, roam_addr_format(&sa, buf, sizeof(buf)),
	    rc && errno != EINPROGRESS ? strerror(errno) : "ok");
	return rc;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)
{
	struct sockaddr_roam sa;
	socklen_t len = sizeof(sa);
	int family, nfd;

	INIT();
	if (kind_of(fd, &family) != K_ROAM) {
		nfd = real_accept4(fd, addr, addrlen, flags);
		if (nfd >= 0)
			set_kind(nfd, K_OTHER, AF_UNSPEC);
		return nfd;
	}
	nfd = real_accept4(fd, (struct sockaddr *)&sa, &len, flags);
	if (nfd < 0)
		return nfd;
	set_kind(nfd, K_ROAM, family);
	show(addr, addrlen, &sa, family);
	return nfd;
}

int accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	return accept4(fd, addr, addrlen, 0);
}

static int name_of(int fd, struct sockaddr *addr, socklen_t *addrlen,
		   int (*real)(int, struct sockaddr *, socklen_t *))
{
	struct sockaddr_roam sa;
	socklen_t len = sizeof(sa);
	int family;

	INIT();
	if (kind_of(fd, &family) != K_ROAM)
		return real(fd, addr, addrlen);
	if (real(fd, (struct sockaddr *)&sa, &len))
		return -1;
	if (sa.sroam_family != roam_family()) {
		/* A number closed behind our back (close_range) and reused. */
		set_kind(fd, K_OTHER, AF_UNSPEC);
		return real(fd, addr, addrlen);
	}
	show(addr, addrlen, &sa, family);
	return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	return name_of(fd, addr, addrlen, real_getsockname);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
	return name_of(fd, addr, addrlen, real_getpeername);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct opt *o, **pp;
	struct fdstate *st;
	int rc;

	INIT();
	st = state(fd);
	rc = real_setsockopt(fd, level, name, val, len);
	if (rc || !st || st->kind != K_CAND || len > OPT_MAX)
		return rc;
	pthread_mutex_lock(&fds_lock);
	for (pp = &st->opts; *pp; pp = &(*pp)->next)
		if ((*pp)->level == level && (*pp)->name == name)
			break;
	o = *pp ?: calloc(1, sizeof(*o));
	if (o) {
		o->level = level;
		o->name = name;
		o->len = len;
		memcpy(o->val, val, len);
		*pp = o;
	}
	pthread_mutex_unlock(&fds_lock);
	return rc;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int family, v;

	INIT();
	/* What the program asked for, not what it got. */
	if (level == SOL_SOCKET && (name == SO_DOMAIN || name == SO_PROTOCOL) &&
	    val && len && *len >= sizeof(int) && kind_of(fd, &family) == K_ROAM &&
	    family != AF_UNSPEC) {
		v = name == SO_DOMAIN ? family : IPPROTO_TCP;
		memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
		return 0;
	}
	return real_getsockopt(fd, level, name, val, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags,
	       const struct sockaddr *addr, socklen_t len)
{
	int family;

	INIT();
	if (addr && kind_of(fd, &family) == K_ROAM)
		return real_sendto(fd, buf, n, flags, NULL, 0);
	return real_sendto(fd, buf, n, flags, addr, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct msghdr m;
	int family;

	INIT();
	if (!msg || !msg->msg_name || kind_of(fd, &family) != K_ROAM)
		return real_sendmsg(fd, msg, flags);
	m = *msg;
	m.msg_name = NULL;
	m.msg_namelen = 0;
	return real_sendmsg(fd, &m, flags);
}

int close(int fd)
{
	struct fdstate *st;

	INIT();
	st = state(fd);
	if (st && st->kind != K_UNKNOWN)
		set_kind(fd, K_UNKNOWN, AF_UNSPEC);
	return real_close(fd);
}

/* A copy of a socket that is roam's stays roam's; any other is seen anew. */
static int copied(int from, int to)
{
	struct fdstate *st = state(from);

	if (to < 0 || to == from)
		return to;
	if (st && st->kind == K_ROAM)
		set_kind(to, K_ROAM, st->family);
	else
		set_kind(to, K_UNKNOWN, AF_UNSPEC);
	return to;
}

int dup(int fd)
{
	INIT();
	return copied(fd, real_dup(fd));
}

int dup2(int fd, int to)
{
	INIT();
	return copied(fd, real_dup2(fd, to));
}

int dup3(int fd, int to, int flags)
{
	INIT();
	return copied(fd, real_dup3(fd, to, flags));
}
