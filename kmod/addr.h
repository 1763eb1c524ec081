/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_ADDR_H
#define _ROAM_ADDR_H

#include <linux/in6.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <uapi/linux/roam.h>

struct net;

int roam_addr_check(struct net *net, const struct sockaddr *uaddr, int len,
		    struct sockaddr_roam *out);
bool roam_addr_local(struct net *net, const struct in6_addr *a, int ifindex,
		     bool up);

static inline bool roam_addr_any(const struct in6_addr *a)
{
	return ipv6_addr_any(a);
}

/* ::ffff:0.0.0.0, the IPv4 wildcard, as an IPv6 socket of Linux sees it. */
static inline bool roam_addr_any4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a) && !a->s6_addr32[3];
}

/* Either wildcard. */
static inline bool roam_addr_wild(const struct in6_addr *a)
{
	return roam_addr_any(a) || roam_addr_any4(a);
}

static inline bool roam_addr_v4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a);
}

static inline bool roam_addr_equal(const struct sockaddr_roam *a,
				   const struct sockaddr_roam *b)
{
	return a->sroam_port == b->sroam_port &&
	       a->sroam_scope_id == b->sroam_scope_id &&
	       ipv6_addr_equal(&a->sroam_addr, &b->sroam_addr);
}

void roam_addr_fill(struct sockaddr_roam *sa, const struct in6_addr *ip,
		    __be16 port, u32 scope_id);

#endif /* _ROAM_ADDR_H */
