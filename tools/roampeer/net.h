/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP endpoints: addresses as text and as the 16 bytes roam puts
 * in a cookie, and non-blocking UDP sockets.
 */
#ifndef ROAMPEER_NET_H
#define ROAMPEER_NET_H

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util.h"

#define ADDR_STRLEN	(INET6_ADDRSTRLEN + IF_NAMESIZE + 10)

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

int addr_parse(const char *host, u16 port, union sockaddr_any *a);
const char *addr_fmt(const union sockaddr_any *a, char *buf);
socklen_t addr_len(const union sockaddr_any *a);
bool addr_eq(const union sockaddr_any *a, const union sockaddr_any *b);
u16 addr_port(const union sockaddr_any *a);
void addr_set_port(union sockaddr_any *a, u16 port);
void addr_mapped(const union sockaddr_any *a, u8 *out);
void addr_any(int family, union sockaddr_any *a);
int udp_open(const union sockaddr_any *local, union sockaddr_any *bound);
int udp_send(int fd, const union sockaddr_any *to, const void *buf,
	     size_t len);
ssize_t udp_recv(int fd, union sockaddr_any *from, void *buf, size_t len);

#endif /* ROAMPEER_NET_H */
