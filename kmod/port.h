/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_PORT_H
#define _ROAM_PORT_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>

struct dst_entry;
struct roam_net;
struct sk_buff;

/*
 * A roam port: one kernel UDP socket bound to [::]:num (dual stack) in a
 * namespace, shared by every roam socket on that port.  Refcounted by its
 * users; the last put releases the UDP socket from a work item, because
 * that sleeps.
 */
struct roam_port {
	struct hlist_node node;		/* rn->ports, under rn->port_mutex */
	struct roam_net *rn;
	struct socket *sock;
	u16 num;			/* host order */
	bool released;			/* under rn->port_mutex */
	bool closing;			/* its work is releasing it, ditto */
	refcount_t refcnt;
	unsigned int nbound;		/* explicit binds, under rn->port_mutex */
	struct list_head binds;		/* their roam_bind, under rn->bind_mutex */
	struct work_struct release_work;
	struct rcu_head rcu;
};

/* Where a packet goes: routing picks the source when saddr is any. */
struct roam_flow {
	struct in6_addr saddr;
	struct in6_addr daddr;
	__be16 dport;
	int oif;
	u32 mark;
	u32 priority;
	u8 tos;
};

int roam_port_get(struct roam_net *rn, u16 num, bool bind,
		  struct roam_port **out);
int roam_port_pick(struct roam_net *rn, bool bind, struct roam_port **out);
void roam_port_unbind(struct roam_port *port);
void roam_port_put(struct roam_port *port);

static inline struct roam_port *roam_port_hold(struct roam_port *port)
{
	refcount_inc(&port->refcnt);
	return port;
}

struct dst_entry *roam_port_route(struct roam_port *port, struct roam_flow *fl);
unsigned int roam_route_mtu(const struct dst_entry *dst, const struct roam_flow *fl);
void roam_port_send(struct roam_port *port, struct sk_buff *skb,
		    const struct roam_flow *fl, struct dst_entry *dst,
		    unsigned int gso_size);
int roam_port_xmit(struct roam_port *port, struct sk_buff *skb,
		   struct roam_flow *fl);

int roam_port_net_init(struct roam_net *rn);
void roam_port_net_exit(struct roam_net *rn);

#endif /* _ROAM_PORT_H */
