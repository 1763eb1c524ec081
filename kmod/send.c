// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending packets.  A connection sends along its path from
 * its port; stateless replies go back to where the packet came from,
 * from the address it reached.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "compat.h"
#include "crypto.h"
#include "netns.h"
#include "port.h"
#include "receive.h"
#include "send.h"
#include "sock.h"

/* Room for the link, IP and UDP headers in front of a packet. */
#define ROAM_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(struct udphdr))

struct sk_buff *roam_skb_alloc(unsigned int len, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(ROAM_HEADROOM + len, gfp);

	if (skb)
		skb_reserve(skb, ROAM_HEADROOM);
	return skb;
}

static void roam_flow_init(struct roam_sock *rs, struct roam_flow *fl)
{
	struct sock *sk = &rs->sk;

	memset(fl, 0, sizeof(*fl));
	fl->saddr = rs->path.local;
	fl->daddr = rs->path.peer.sroam_addr;
	fl->dport = rs->path.peer.sroam_port;
	fl->oif = READ_ONCE(sk->sk_bound_dev_if) ?: rs->path.peer.sroam_scope_id;
	fl->mark = READ_ONCE(sk->sk_mark);
	fl->priority = READ_ONCE(sk->sk_priority);
}

/* Sends @skb along the connection's path.  Consumes @skb. */
int roam_send(struct roam_sock *rs, struct sk_buff *skb)
{
	struct roam_flow fl;
	int err;

	if (unlikely(!rs->port)) {
		kfree_skb(skb);
		return -ENOTCONN;
	}
	roam_flow_init(rs, &fl);
	err = roam_port_xmit(rs->port, skb, &fl);
	if (!err)
		rs->path.src = fl.saddr;
	return err;
}

/* Is the peer reachable?  ENETUNREACH, EHOSTUNREACH or 0. */
int roam_route_check(struct roam_sock *rs)
{
	struct roam_flow fl;

	roam_flow_init(rs, &fl);
	return roam_port_route(rs->port, &fl);
}

/* Answers @in, from the address it reached.  Consumes @skb. */
int roam_reply(struct roam_port *port, const struct sk_buff *in,
	       struct sk_buff *skb)
{
	struct roam_flow fl = {
		.dport = ROAM_CB(in)->sport,
	};

	roam_skb_daddr(in, &fl.saddr);
	roam_skb_saddr(in, &fl.daddr);
	if (ipv6_addr_type(&fl.daddr) & IPV6_ADDR_LINKLOCAL)
		fl.oif = ROAM_CB(in)->ifindex;
	return roam_port_xmit(port, skb, &fl);
}

/*
 * A short-header packet with room for @frames bytes of frames, which the
 * caller appends with skb_put.  Under the socket lock.
 */
struct sk_buff *roam_packet_new(struct roam_sock *rs, unsigned int frames,
				gfp_t gfp)
{
	struct roam_short_hdr *h;
	struct sk_buff *skb;

	skb = roam_skb_alloc(sizeof(*h) + frames + ROAM_TAG_LEN, gfp);
	if (!skb)
		return NULL;
	h = skb_put(skb, sizeof(*h));
	h->type = ROAM_HDR_SHORT;
	h->dcid = cpu_to_be64(rs->remote_cid);
	h->pn = 0;		/* numbered when sent */
	return skb;
}

/* Numbers, seals and sends a packet from roam_packet_new.  Consumes @skb. */
int roam_packet_send(struct roam_sock *rs, struct sk_buff *skb)
{
	struct roam_short_hdr *h = (struct roam_short_hdr *)skb->data;
	struct roam_keys *keys;
	u64 pn = rs->tx_pn++;

	unsigned int len = skb->len - sizeof(*h);

	keys = rcu_dereference_protected(rs->keys, lockdep_sock_is_held(&rs->sk));
	if (unlikely(!keys)) {
		kfree_skb(skb);
		return -ENOTCONN;
	}
	h->pn = cpu_to_be32(lower_32_bits(pn));
	skb_put(skb, ROAM_TAG_LEN);
	roam_seal(keys, pn, skb->data, sizeof(*h), len);
	return roam_send(rs, skb);
}

int roam_send_close(struct roam_sock *rs, u8 kind, u16 error)
{
	struct sk_buff *skb;
	u8 *f;

	skb = roam_packet_new(rs, 4, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	f = skb_put(skb, 4);
	f[0] = ROAM_FT_CLOSE;
	f[1] = kind;
	put_unaligned_be16(error, f + 2);
	return roam_packet_send(rs, skb);
}
