// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path: from the UDP socket's encap_rcv to the handshake or
 * to the connection the packet's destination CID names.  Short-header
 * packets are authenticated here, before any socket lock is taken, so a
 * forged packet never reaches a socket's queues.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/dsfield.h>
#include <net/ipv6.h>

#include "cid.h"
#include "compat.h"
#include "crypto.h"
#include "handshake.h"
#include "netns.h"
#include "port.h"
#include "receive.h"
#include "sock.h"

void roam_skb_saddr(const struct sk_buff *skb, struct in6_addr *a)
{
	if (ip_hdr(skb)->version == 4)
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, a);
	else
		*a = ipv6_hdr(skb)->saddr;
}

void roam_skb_daddr(const struct sk_buff *skb, struct in6_addr *a)
{
	if (ip_hdr(skb)->version == 4)
		ipv6_addr_set_v4mapped(ip_hdr(skb)->daddr, a);
	else
		*a = ipv6_hdr(skb)->daddr;
}

/* The full packet number nearest to @largest + 1 (RFC 9000, A.3). */
static u64 roam_pn_decode(u64 largest, u32 truncated)
{
	const u64 win = 1ULL << 32, hwin = win / 2;
	u64 expected = largest + 1;
	u64 candidate = (expected & ~(win - 1)) | truncated;

	if (candidate + hwin <= expected && candidate < (1ULL << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

/* Hands @skb to @sk: now, or after the task that owns it. */
static void roam_deliver(struct sock *sk, struct sk_buff *skb)
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		roam_sk_backlog_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
				  READ_ONCE(sk->sk_sndbuf))) {
		bh_unlock_sock(sk);
		atomic_inc(&sk->sk_drops);
		kfree_skb(skb);
		return;
	}
	bh_unlock_sock(sk);
}

static void roam_rcv_short(struct roam_port *port, struct sk_buff *skb)
{
	const struct roam_short_hdr *h = (const struct roam_short_hdr *)skb->data;
	struct roam_net *rn = port->rn;
	struct roam_keys *keys;
	struct roam_sock *rs;
	u64 pn;

	if (skb->len < sizeof(*h) + ROAM_TAG_LEN) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		goto drop;
	}
	rs = roam_cid_lookup(rn, be64_to_cpu(h->dcid));
	if (!rs) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_NO_CONN);
		goto drop;
	}
	keys = rcu_dereference(rs->keys);
	pn = roam_pn_decode(READ_ONCE(rs->rx_largest), be32_to_cpu(h->pn));
	if (!keys || !roam_open(keys, pn, skb->data, sizeof(*h),
				skb->len - sizeof(*h) - ROAM_TAG_LEN)) {
		roam_stat_inc(rn, ROAM_A_STAT_AUTH_FAILURES);
		sock_put(&rs->sk);
		goto drop;
	}
	ROAM_CB(skb)->pn = pn;
	skb_trim(skb, skb->len - ROAM_TAG_LEN);
	roam_deliver(&rs->sk, skb);
	sock_put(&rs->sk);
	return;
drop:
	kfree_skb(skb);
}

static void roam_rcv_long(struct roam_port *port, struct sk_buff *skb)
{
	const struct roam_long_hdr *h = (const struct roam_long_hdr *)skb->data;
	struct roam_net *rn = port->rn;
	struct roam_sock *rs;

	if (skb->len < sizeof(*h) || h->version != ROAM_VERSION) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		goto drop;
	}
	switch (h->type & ROAM_HDR_TYPE_MASK) {
	case ROAM_PT_INITIAL:
		roam_hs_initial(port, skb);
		goto drop;
	case ROAM_PT_COOKIE_ECHO:
		roam_hs_cookie_echo(port, skb);
		goto drop;
	case ROAM_PT_COOKIE:
	case ROAM_PT_DONE:
	case ROAM_PT_REJECT:
		rs = roam_cid_lookup(rn, be64_to_cpu(h->dcid));
		if (!rs) {
			roam_stat_inc(rn, ROAM_A_STAT_RX_NO_CONN);
			goto drop;
		}
		roam_deliver(&rs->sk, skb);
		sock_put(&rs->sk);
		return;
	default:
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		goto drop;
	}
drop:
	kfree_skb(skb);
}

/* From the UDP socket of @port, in softirq under rcu_read_lock. */
void roam_rcv(struct roam_port *port, struct sk_buff *skb)
{
	struct roam_rcv_cb *cb = ROAM_CB(skb);
	struct udphdr *uh;
	unsigned int len;

	roam_stat_inc(port->rn, ROAM_A_STAT_RX_PACKETS);
	if (skb_linearize(skb))
		goto drop;
	uh = udp_hdr(skb);
	len = ntohs(uh->len);
	if (len < sizeof(*uh) + 1 || (u8 *)uh + len > skb_tail_pointer(skb))
		goto malformed;
	skb_pull(skb, (u8 *)(uh + 1) - skb->data);
	skb_trim(skb, len - sizeof(*uh));

	memset(cb, 0, sizeof(*cb));
	cb->sport = uh->source;
	cb->dport = port->num;
	if (ip_hdr(skb)->version == 4) {
		cb->ifindex = inet_iif(skb);
		cb->tos = ip_hdr(skb)->tos;
	} else {
		cb->ifindex = inet6_iif(skb);
		cb->tos = ipv6_get_dsfield(ipv6_hdr(skb));
	}

	if (skb->data[0] & ROAM_HDR_LONG)
		roam_rcv_long(port, skb);
	else if (skb->data[0] & ROAM_HDR_SHORT)
		roam_rcv_short(port, skb);
	else
		goto malformed;
	return;
malformed:
	roam_stat_inc(port->rn, ROAM_A_STAT_RX_MALFORMED);
drop:
	kfree_skb(skb);
}

/* An ICMP error about our packet in @skb at @off, under the socket lock. */
static void roam_icmp_sk(struct sock *sk, const struct sk_buff *skb, int err,
			 int off)
{
	struct roam_long_hdr buf;
	const struct roam_long_hdr *h;

	/* Believed only with the nonce, which an off-path sender lacks. */
	h = skb_header_pointer(skb, off, sizeof(buf), &buf);
	roam_hs_icmp(sk, err, h ? h->cnonce : NULL);
}

/*
 * An ICMP error that quotes a packet we sent from @port.  Only our
 * handshake packets name us (their scid), and only they matter here:
 * path MTU changes reach the route, which the sender reads.
 */
void roam_icmp_rcv(struct roam_port *port, struct sk_buff *skb, int err,
		   u32 info, int offset)
{
	struct roam_long_hdr buf;
	const struct roam_long_hdr *h;
	struct sk_buff *clone;
	struct roam_sock *rs;
	struct sock *sk;

	h = skb_header_pointer(skb, offset, offsetof(struct roam_long_hdr, cnonce), &buf);
	if (!h || (h->type != (ROAM_HDR_LONG | ROAM_PT_INITIAL) &&
		   h->type != (ROAM_HDR_LONG | ROAM_PT_COOKIE_ECHO)))
		return;
	rs = roam_cid_lookup(port->rn, be64_to_cpu(h->scid));
	if (!rs)
		return;
	sk = &rs->sk;
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		roam_icmp_sk(sk, skb, err, offset);
	} else {
		/* The owner handles it when it lets go, in order. */
		clone = skb_clone(skb, GFP_ATOMIC);
		if (clone) {
			ROAM_CB(clone)->icmp_err = err;
			ROAM_CB(clone)->icmp_off = offset;
			if (sk_add_backlog(sk, clone, READ_ONCE(sk->sk_rcvbuf)))
				kfree_skb(clone);
		}
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/*
 * A CLOSE frame.  An abort ends the connection with ECONNRESET; a
 * graceful close is the peer's end of the stream: reads see EOF, as
 * after a TCP FIN, and the connection ends when we close too.
 */
static void roam_conn_rcv_close(struct sock *sk, u8 kind)
{
	if (kind == ROAM_CLOSE_ABORT) {
		roam_sock_done(sk, ECONNRESET);
	} else if (sk->sk_state == TCP_ESTABLISHED) {
		roam_sock_set_state(sk, TCP_CLOSE_WAIT);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
		sk->sk_state_change(sk);
	} else {
		roam_sock_done(sk, 0);
	}
}

/* An authenticated short-header packet: its frames, in order. */
static void roam_conn_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct roam_sock *rs = roam_sk(sk);
	const u8 *p = skb->data + sizeof(struct roam_short_hdr);
	const u8 *end = skb_tail_pointer(skb);

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	/*
	 * Only a server that took our COOKIE_ECHO has our keys: its packet
	 * confirms the connection as DONE would, if DONE was lost.
	 */
	if (sk->sk_state == TCP_SYN_SENT)
		roam_hs_confirmed(sk);
	if (ROAM_CB(skb)->pn > rs->rx_largest)
		WRITE_ONCE(rs->rx_largest, ROAM_CB(skb)->pn);

	while (p < end) {
		switch (*p++) {
		case ROAM_FT_PADDING:
		case ROAM_FT_PING:
			break;
		case ROAM_FT_CLOSE:
			if (end - p < 3)
				goto malformed;
			roam_conn_rcv_close(sk, p[0]);
			return;
		default:
			goto malformed;
		}
	}
	return;
malformed:
	roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_RX_MALFORMED);
}

/* Packets for @sk, under its lock: now, or from the backlog. */
int roam_sk_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (ROAM_CB(skb)->icmp_err)
		roam_icmp_sk(sk, skb, ROAM_CB(skb)->icmp_err, ROAM_CB(skb)->icmp_off);
	else if (skb->data[0] & ROAM_HDR_LONG)
		roam_hs_rcv(sk, skb);
	else
		roam_conn_rcv(sk, skb);
	kfree_skb(skb);
	return 0;
}
