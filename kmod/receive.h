/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_RECEIVE_H
#define _ROAM_RECEIVE_H

#include <linux/in6.h>
#include <linux/skbuff.h>

struct roam_port;
struct sock;

/*
 * What the receive path learned about a packet, in skb->cb.  skb->data
 * is the roam packet; the IP header stays where the network header
 * points, for the addresses.
 */
struct roam_rcv_cb {
	u64 pn;				/* short header: the full packet number */
	int ifindex;			/* where it arrived */
	__be16 sport;			/* the sender's UDP port */
	u16 dport;			/* host order: the roam port */
	u8 tos;				/* IP TOS / traffic class, for ECN */
	bool more;			/* more were waiting to be opened */
	int icmp_err;			/* an ICMP error, deferred to the owner */
	int icmp_off;			/* where our quoted packet starts */
};

#define ROAM_CB(skb) ((struct roam_rcv_cb *)(skb)->cb)

void roam_skb_saddr(const struct sk_buff *skb, struct in6_addr *a);
void roam_skb_daddr(const struct sk_buff *skb, struct in6_addr *a);

void roam_rcv(struct roam_port *port, struct sk_buff *skb);
void roam_deliver(struct sock *sk, struct sk_buff *skb);
void roam_icmp_rcv(struct roam_port *port, struct sk_buff *skb, int err,
		   u32 info, int offset);
int roam_sk_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void roam_rcv_init(struct sock *sk);

#endif /* _ROAM_RECEIVE_H */
