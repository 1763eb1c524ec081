// SPDX-License-Identifier: GPL-2.0
/*
 * Sending along a connection's path: the route is cached in the socket
 * (sk_dst_cache) and checked before each use; a source address that has
 * gone is dropped and routing picks another, so a connection never
 * severs because an address went away.  Stateless answers go back where
 * the packet came from, from the address it reached.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip6_fib.h>
#include <net/ipv6.h>

#include "addr.h"
#include "compat.h"
#include "crypto.h"
#include "netns.h"
#include "path.h"
#include "pmtu.h"
#include "port.h"
#include "receive.h"
#include "send.h"
#include "sock.h"

struct sk_buff *roam_skb_alloc(unsigned int len, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(ROAM_HEADROOM + len, gfp);

	if (skb)
		skb_reserve(skb, ROAM_HEADROOM);
	return skb;
}

/*
 * A buffer for a burst of @len bytes, at most ROAM_SKB_LEN_MAX.  One of
 * 64 KiB from the page allocator is zeroed whole each time under
 * init_on_alloc, which cost more than the copy that fills it.  So a
 * connection that sends bursts keeps a 64 KiB page (rs->tx_page) and cuts
 * their buffers from it, from the start again once the stack has freed
 * every burst in it: the page is then ours alone.  Under the socket lock.
 */
struct sk_buff *roam_burst_alloc(struct roam_sock *rs, unsigned int len)
{
	unsigned int size = SKB_DATA_ALIGN(ROAM_HEADROOM + len) +
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct page_frag *pf = &rs->tx_page;
	struct sk_buff *skb;

	if (pf->page && page_ref_count(pf->page) == 1)
		pf->offset = 0;
	if (!pf->page || pf->offset + size > pf->size) {
		roam_burst_release(rs);
		pf->page = alloc_pages(GFP_ATOMIC | __GFP_COMP | __GFP_NOWARN |
				       __GFP_NOMEMALLOC,
				       get_order(SZ_64K));
		if (!pf->page)
			return roam_skb_alloc(len, GFP_ATOMIC);
		pf->offset = 0;
		pf->size = PAGE_SIZE << get_order(SZ_64K);
	}
	skb = build_skb(page_address(pf->page) + pf->offset, size);
	if (!skb)
		return NULL;
	get_page(pf->page);
	pf->offset += size;
	skb_reserve(skb, ROAM_HEADROOM);
	return skb;
}

/* The page goes when the connection has nothing left to send. */
void roam_burst_release(struct roam_sock *rs)
{
	if (rs->tx_page.page) {
		put_page(rs->tx_page.page);
		rs->tx_page.page = NULL;
	}
}

static void roam_flow_init(struct roam_sock *rs, const struct roam_path *path,
			   struct roam_flow *fl)
{
	struct sock *sk = &rs->sk;

	memset(fl, 0, sizeof(*fl));
	fl->saddr = path->local;
	fl->daddr = path->peer.sroam_addr;
	fl->dport = path->peer.sroam_port;
	fl->oif = READ_ONCE(sk->sk_bound_dev_if) ?: path->peer.sroam_scope_id;
	fl->mark = READ_ONCE(sk->sk_mark);
	fl->priority = READ_ONCE(sk->sk_priority);
	fl->tos = READ_ONCE(rs->dscp);
	if (test_bit(ROAM_F_ECN, &rs->flags))
		fl->tos |= ROAM_ECN_ECT0;
}

/*
 * The path's route, from the cache or looked up again; returns it with a
 * reference for the packet, or an ERR_PTR.  Under the socket lock.  A
 * source that changed because the old one is gone, or its link is down,
 * is for the peer to know (PATH_GONE): whichever looks the route up
 * first, a send or the notifiers, sees it.
 */
static struct dst_entry *roam_path_route(struct roam_sock *rs, struct roam_flow *fl)
{
	struct sock *sk = &rs->sk;
	struct dst_entry *dst;

	dst = __sk_dst_check(sk, rs->path.dst_cookie);
	if (dst) {
		fl->saddr = rs->path.src;
		dst_hold(dst);
		return dst;
	}
	dst = roam_port_route(rs->port, fl);
	if (IS_ERR(dst) && !ipv6_addr_any(&rs->path.local)) {
		/* The source we kept is gone: let routing pick another. */
		rs->path.local = in6addr_any;
		fl->saddr = in6addr_any;
		dst = roam_port_route(rs->port, fl);
	}
	if (IS_ERR(dst))
		return dst;
	if (!ipv6_addr_any(&rs->path.src) &&
	    !ipv6_addr_equal(&rs->path.src, &fl->saddr) &&
	    !roam_addr_local(sock_net(sk), &rs->path.src, 0, true))
		set_bit(ROAM_F_GONE, &rs->flags);
	rs->path.src = fl->saddr;
	rs->path.dst_cookie = ipv6_addr_v4mapped(&fl->daddr) ? 0 :
			      rt6_get_cookie((struct rt6_info *)dst);
	dst_hold(dst);
	sk_dst_set(sk, dst);
	roam_pmtu_route(sk, roam_route_mtu(dst, fl));
	return dst;
}

/* The route changed or may have: look it up again on the next packet. */
void roam_path_reset_route(struct roam_sock *rs)
{
	sk_dst_reset(&rs->sk);
}

/*
 * An ACK acknowledged new packets: the peer got what went along the
 * cached route, so its next hop is reachable, and the neighbour entry
 * need not be probed again (TCP's sk_dst_confirm()).  Under the socket
 * lock, and only for authenticated packets.
 */
void roam_path_confirm_route(struct roam_sock *rs)
{
	const struct in6_addr *peer = &rs->path.peer.sroam_addr;
	struct dst_entry *dst = __sk_dst_get(&rs->sk);

	if (!dst)
		return;
	dst_confirm_neigh(dst, ipv6_addr_v4mapped(peer) ?
			  (const void *)&peer->s6_addr32[3] : (const void *)peer);
}

/*
 * Sends @skb along the connection's path: one packet, or with @gso_size
 * several of that size.  Consumes @skb.
 */
int roam_send_gso(struct roam_sock *rs, struct sk_buff *skb, unsigned int gso_size)
{
	struct roam_flow fl;
	struct dst_entry *dst;

	if (unlikely(!rs->port)) {
		kfree_skb(skb);
		return -ENOTCONN;
	}
	roam_flow_init(rs, &rs->path, &fl);
	dst = roam_path_route(rs, &fl);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		roam_stat_inc(roam_net(sock_net(&rs->sk)), ROAM_A_STAT_TX_ERRORS);
		return PTR_ERR(dst);
	}
	roam_path_sent(&rs->sk, skb->len);
	roam_port_send(rs->port, skb, &fl, dst, gso_size);
	return 0;
}

int roam_send(struct roam_sock *rs, struct sk_buff *skb)
{
	return roam_send_gso(rs, skb, 0);
}

/*
 * Sends @skb along @path, which is not the connection's (a PATH_RESPONSE
 * goes back the way its challenge came): routed for this packet alone,
 * nothing cached.  Consumes @skb.
 */
int roam_send_path(struct roam_sock *rs, struct sk_buff *skb,
		   const struct roam_path *path)
{
	struct roam_flow fl;

	if (unlikely(!rs->port)) {
		kfree_skb(skb);
		return -ENOTCONN;
	}
	roam_flow_init(rs, path, &fl);
	return roam_port_xmit(rs->port, skb, &fl);
}

/* Is the peer reachable?  ENETUNREACH, EHOSTUNREACH or 0. */
int roam_route_check(struct roam_sock *rs)
{
	struct roam_flow fl;
	struct dst_entry *dst;

	roam_flow_init(rs, &rs->path, &fl);
	dst = roam_path_route(rs, &fl);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	dst_release(dst);
	return 0;
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

/* Writes a short header for packet @pn at @p; returns its length. */
unsigned int roam_short_hdr_put(struct roam_sock *rs, u8 *p, u64 pn)
{
	struct roam_short_hdr *h = (struct roam_short_hdr *)p;

	h->type = ROAM_HDR_SHORT;
	h->dcid = cpu_to_be64(rs->remote_cid);
	h->pn = cpu_to_be32(lower_32_bits(pn));
	return sizeof(*h);
}

/* Seals the packet of @len bytes (header and frames) at @p; adds the tag. */
void roam_packet_seal(struct roam_sock *rs, u8 *p, unsigned int len, u64 pn)
{
	struct roam_keys *keys = rcu_dereference_protected(rs->keys,
							    lockdep_sock_is_held(&rs->sk));

	roam_seal(keys, pn, p, sizeof(struct roam_short_hdr),
		  len - sizeof(struct roam_short_hdr));
}
