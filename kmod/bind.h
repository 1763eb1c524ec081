/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_BIND_H
#define _ROAM_BIND_H

#include <linux/in6.h>
#include <linux/rhashtable-types.h>
#include <net/ipv6.h>

#include "addr.h"

struct roam_net;
struct roam_port;
struct roam_sock;
struct sockaddr_roam;

/* A socket may be bound to this many specific addresses. */
#define ROAM_MAX_BIND_ADDRS	64

struct roam_bkey {
	struct in6_addr addr;		/* in6addr_any, ::ffff:0.0.0.0: wildcards */
	__be16 port;
	u16 pad;			/* zero: keys are hashed as bytes */
};

/* One address of one bound socket, in rn->binds. */
struct roam_baddr {
	struct rhlist_head node;
	struct roam_bkey key;
	struct roam_sock *rs;
};

/* A socket's binding: one port and the wildcard or a set of addresses. */
struct roam_bind {
	struct roam_port *port;
	struct list_head port_node;	/* port->binds, under rn->bind_mutex */
	u32 group;			/* reuseport group id while listening, or 0 */
	unsigned int n;
	struct rcu_head rcu;
	struct roam_baddr addrs[];
};

/* The families a binding takes connections in. */
#define ROAM_BIND_V4	BIT(0)
#define ROAM_BIND_V6	BIT(1)

/* Bound to a wildcard: in6addr_any, or the IPv4 one (addr.h). */
static inline bool roam_bind_wildcard(const struct roam_bind *b)
{
	return b->n == 1 && roam_addr_wild(&b->addrs[0].key.addr);
}

unsigned int roam_bind_families(const struct roam_bind *b);

int roam_bind(struct roam_sock *rs, const struct sockaddr_roam *addrs,
	      unsigned int n);
int roam_bind_add(struct roam_sock *rs, const struct sockaddr_roam *addrs,
		  unsigned int n);
int roam_bind_rem(struct roam_sock *rs, const struct sockaddr_roam *addrs,
		  unsigned int n);
int roam_bind_listen(struct roam_sock *rs);
void roam_bind_release(struct roam_sock *rs);

struct roam_sock *roam_listener_lookup(struct roam_net *rn,
				       const struct in6_addr *daddr,
				       __be16 dport, int ifindex, u32 hash);

int roam_bind_net_init(struct roam_net *rn);
void roam_bind_net_exit(struct roam_net *rn);

#endif /* _ROAM_BIND_H */
