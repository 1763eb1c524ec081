// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP side of roampeer.  IPv4 endpoints are plain AF_INET
 * sockets on the wire; only the cookie writes them v4-mapped.  An IPv6
 * socket bound to the wildcard is dual stack, so an IPv4 peer shows up
 * v4-mapped there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

/*
 * Parses "1.2.3.4", "::1" or "fe80::1%eth0" with a port into @a: 0, or
 * -1 if it is no address.
 */
int addr_parse(const char *host, u16 port, union sockaddr_any *a)
{
	char buf[ADDR_STRLEN], *pct;

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons(port);
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", host) >= (int)sizeof(buf))
		return -1;
	pct = strchr(buf, '%');
	if (pct) {
		*pct++ = '\0';
		a->in6.sin6_scope_id = if_nametoindex(pct);
		if (!a->in6.sin6_scope_id)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, &a->in6.sin6_addr) != 1)
		return -1;
	a->in6.sin6_family = AF_INET6;
	a->in6.sin6_port = htons(port);
	return 0;
}

/* "1.2.3.4:5" or "[::1]:5" into @buf (ADDR_STRLEN); returns @buf. */
const char *addr_fmt(const union sockaddr_any *a, char *buf)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in.sin_addr, ip, sizeof(ip));
		snprintf(buf, ADDR_STRLEN, "%s:%u", ip, ntohs(a->in.sin_port));
	} else {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, ip, sizeof(ip));
		snprintf(buf, ADDR_STRLEN, "[%s]:%u", ip,
			 ntohs(a->in6.sin6_port));
	}
	return buf;
}

/* The length of the address for the socket calls. */
socklen_t addr_len(const union sockaddr_any *a)
{
	return a->sa.sa_family == AF_INET ? sizeof(a->in) : sizeof(a->in6);
}

/* Whether two endpoints are the same address and port. */
bool addr_eq(const union sockaddr_any *a, const union sockaddr_any *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_port == b->in.sin_port &&
		       a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	return a->in6.sin6_port == b->in6.sin6_port &&
	       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) &&
	       a->in6.sin6_scope_id == b->in6.sin6_scope_id;
}

/* The port, host order. */
u16 addr_port(const union sockaddr_any *a)
{
	return ntohs(a->sa.sa_family == AF_INET ? a->in.sin_port :
						  a->in6.sin6_port);
}

/* Sets the port, host order. */
void addr_set_port(union sockaddr_any *a, u16 port)
{
	if (a->sa.sa_family == AF_INET)
		a->in.sin_port = htons(port);
	else
		a->in6.sin6_port = htons(port);
}

/* The address as roam's 16 bytes: IPv6, or IPv4 v4-mapped. */
void addr_mapped(const union sockaddr_any *a, u8 *out)
{
	if (a->sa.sa_family == AF_INET6) {
		memcpy(out, &a->in6.sin6_addr, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	memcpy(out + 12, &a->in.sin_addr, 4);
}

/* The wildcard address of @family, port 0. */
void addr_any(int family, union sockaddr_any *a)
{
	memset(a, 0, sizeof(*a));
	a->sa.sa_family = family;
}

/*
 * Opens a non-blocking UDP socket bound to @local (port 0: any) and
 * writes the address it got to @bound: the descriptor, or -1.
 */
int udp_open(const union sockaddr_any *local, union sockaddr_any *bound)
{
	socklen_t len = sizeof(*bound);
	int fd, off = 0, size = 4 << 20;
	char buf[ADDR_STRLEN];

	fd = socket(local->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		msg("socket: %s", strerror(errno));
		return -1;
	}
	if (local->sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (bind(fd, &local->sa, addr_len(local)) < 0) {
		msg("bind %s: %s", addr_fmt(local, buf), strerror(errno));
		goto err;
	}
	if (getsockname(fd, &bound->sa, &len) < 0) {
		msg("getsockname: %s", strerror(errno));
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

/* Sends one datagram: 0, or -1 with errno (the packet is then lost). */
int udp_send(int fd, const union sockaddr_any *to, const void *buf,
	     size_t len)
{
	ssize_t n;

	do {
		n = sendto(fd, buf, len, 0, &to->sa, addr_len(to));
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* Receives one datagram: its length, or -1 (EAGAIN when none waits). */
ssize_t udp_recv(int fd, union sockaddr_any *from, void *buf, size_t len)
{
	socklen_t alen = sizeof(*from);
	ssize_t n;

	do {
		n = recvfrom(fd, buf, len, 0, &from->sa, &alen);
	} while (n < 0 && errno == EINTR);
	return n;
}
