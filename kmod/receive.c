// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path: from the UDP socket's encap_rcv to the handshake or
 * to the connection the packet's destination CID names.  Short-header
 * packets are authenticated here, before any socket lock is taken, so a
 * forged packet never reaches a socket's queues or state.  Full ones are
 * authenticated (and in PSK mode decrypted) on another CPU, in order;
 * until then they wait in a queue of their own, bounded per socket and
 * charged to the protocol's memory.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/dsfield.h>
#include <net/ipv6.h>

#include "ack.h"
#include "addrs.h"
#include "cid.h"
#include "compat.h"
#include "crypto.h"
#include "handshake.h"
#include "netns.h"
#include "output.h"
#include "path.h"
#include "port.h"
#include "receive.h"
#include "recovery.h"
#include "sock.h"
#include "stream.h"
#include "timers.h"

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

/*
 * @sk's queue for @skb is full: the open queue (not opened yet) or the
 * socket backlog (not taken yet).
 */
static void roam_rx_drop(struct sock *sk, struct sk_buff *skb)
{
	atomic_inc(&sk->sk_drops);
	roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_RX_DROPS);
	kfree_skb(skb);
}

/* Hands @skb to @sk: now, or after the task that owns it.  Consumes @skb. */
void roam_deliver(struct sock *sk, struct sk_buff *skb)
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		roam_sk_backlog_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
				  READ_ONCE(sk->sk_sndbuf))) {
		bh_unlock_sock(sk);
		roam_rx_drop(sk, skb);
		return;
	}
	bh_unlock_sock(sk);
}

/*
 * Checks the tag of @skb, a short-header packet for @rs (decrypting it in
 * PSK mode), and hands it over, or drops it.  Under RCU, with BH off.
 */
static void roam_rcv_open(struct roam_sock *rs, struct sk_buff *skb)
{
	struct roam_keys *keys = rcu_dereference(rs->keys);
	const struct roam_short_hdr *h;
	u64 pn;

	/* PSK mode decrypts in place: never in data a tap's clone shares. */
	if (keys && keys->encrypt && skb_ensure_writable(skb, skb->len))
		goto drop;
	h = (const struct roam_short_hdr *)skb->data;
	pn = roam_pn_decode(READ_ONCE(rs->rx_largest), be32_to_cpu(h->pn));
	/* Number 0 is the handshake's nonce: no short header has it. */
	if (!pn) {
		roam_stat_inc(roam_net(sock_net(&rs->sk)), ROAM_A_STAT_RX_MALFORMED);
		goto drop;
	}
	if (!keys || !roam_open(keys, pn, skb->data, sizeof(*h),
				skb->len - sizeof(*h) - ROAM_TAG_LEN)) {
		roam_stat_inc(roam_net(sock_net(&rs->sk)), ROAM_A_STAT_AUTH_FAILURES);
		goto drop;
	}
	ROAM_CB(skb)->pn = pn;
	skb_trim(skb, skb->len - ROAM_TAG_LEN);
	roam_deliver(&rs->sk, skb);
	return;
drop:
	kfree_skb(skb);
}

/*
 * Checking a full packet's tag (and in PSK mode decrypting it) costs as
 * much as the rest of receiving, so full packets are opened on the next
 * CPU, not on the one they arrive on (for a local sender, the one that
 * sealed them).  One work item per connection keeps the packets in
 * order.  It holds a socket reference while queued.  What waits is not
 * trusted yet: it is bounded as the socket backlog is, and charged to the
 * protocol's memory, so that many sockets cannot hold more between them
 * than the protocol may (roam_mem_charge()).  A small packet
 * with nothing queued before it (an ACK, a request) is opened at once:
 * a trip through the work queue would only add latency.
 */
static void roam_rx_crypt_work(struct work_struct *work)
{
	struct roam_sock *rs = container_of(work, struct roam_sock, rx_crypt_work);
	struct sk_buff *skb;
	unsigned int n = 0;

	local_bh_disable();
	while ((skb = skb_dequeue(&rs->rx_crypt))) {
		unsigned int size = skb->truesize;

		/* Its ACK may wait for theirs (roam_ack_due()). */
		ROAM_CB(skb)->more = !skb_queue_empty_lockless(&rs->rx_crypt);
		rcu_read_lock();
		roam_rcv_open(rs, skb);
		rcu_read_unlock();
		atomic_sub(size, &rs->rx_crypt_mem);
		roam_mem_uncharge(sk_mem_pages(size));
		if (++n % 64 == 0) {
			local_bh_enable();
			cond_resched();
			local_bh_disable();
		}
	}
	local_bh_enable();
	sock_put(&rs->sk);
}

static void roam_rx_crypt_queue(struct roam_sock *rs, struct sk_buff *skb)
{
	struct sock *sk = &rs->sk;
	unsigned int cpu;

	if (atomic_read(&rs->rx_crypt_mem) + skb->truesize >
	    READ_ONCE(sk->sk_rcvbuf) + READ_ONCE(sk->sk_sndbuf) ||
	    !roam_mem_charge(sk_mem_pages(skb->truesize))) {
		roam_rx_drop(sk, skb);
		return;
	}
	atomic_add(skb->truesize, &rs->rx_crypt_mem);
	skb_queue_tail(&rs->rx_crypt, skb);
	cpu = cpumask_next(smp_processor_id(), cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	sock_hold(sk);
	if (!queue_work_on(cpu, roam_crypt_wq, &rs->rx_crypt_work))
		sock_put(sk);	/* queued already: it takes this one too */
}

void roam_rcv_init(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	skb_queue_head_init(&rs->rx_crypt);
	INIT_WORK(&rs->rx_crypt_work, roam_rx_crypt_work);
	atomic_set(&rs->rx_crypt_mem, 0);
}

static void roam_rcv_short(struct roam_port *port, struct sk_buff *skb)
{
	const struct roam_short_hdr *h = (const struct roam_short_hdr *)skb->data;
	struct roam_net *rn = port->rn;
	struct roam_sock *rs;

	if (skb->len < sizeof(*h) + ROAM_TAG_LEN) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		goto drop;
	}
	rs = roam_cid_lookup(rn, be64_to_cpu(h->dcid));
	if (!rs) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_NO_CONN);
		goto drop;
	}
	if (rcu_access_pointer(rs->keys) && num_online_cpus() > 1 &&
	    (skb->len >= ROAM_RX_CRYPT_INLINE || atomic_read(&rs->rx_crypt_mem)))
		roam_rx_crypt_queue(rs, skb);
	else
		roam_rcv_open(rs, skb);
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
		/* For a connection that exists, its DONE was lost. */
		rs = roam_cid_lookup(rn, be64_to_cpu(h->dcid));
		if (!rs) {
			roam_hs_cookie_echo(port, skb);
			goto drop;
		}
		break;
	case ROAM_PT_COOKIE:
	case ROAM_PT_DONE:
	case ROAM_PT_REJECT:
		rs = roam_cid_lookup(rn, be64_to_cpu(h->dcid));
		if (!rs)
			goto no_conn;
		break;
	default:
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		goto drop;
	}
	if (!roam_hs_takes(rs, skb)) {
		sock_put(&rs->sk);
		goto no_conn;
	}
	roam_deliver(&rs->sk, skb);
	sock_put(&rs->sk);
	return;
no_conn:
	roam_stat_inc(rn, ROAM_A_STAT_RX_NO_CONN);
drop:
	kfree_skb(skb);
}

/* From the UDP socket of @port, in softirq under rcu_read_lock. */
void roam_rcv(struct roam_port *port, struct sk_buff *skb)
{
	struct roam_rcv_cb *cb = ROAM_CB(skb);
	struct udphdr *uh;
	unsigned int len;
	int ifindex;
	u8 tos;

	roam_stat_inc(port->rn, ROAM_A_STAT_RX_PACKETS);
	/* A connection is to one host: not to a broadcast or a group. */
	if (skb->pkt_type != PACKET_HOST)
		goto drop;
	if (skb_linearize(skb))
		goto drop;
	uh = udp_hdr(skb);
	len = ntohs(uh->len);
	if (len < sizeof(*uh) + 1 || (u8 *)uh + len > skb_tail_pointer(skb))
		goto malformed;
	skb_pull(skb, (u8 *)(uh + 1) - skb->data);
	skb_trim(skb, len - sizeof(*uh));

	/* inet6_iif() reads the IPv6 control block: before it is cleared. */
	if (ip_hdr(skb)->version == 4) {
		ifindex = inet_iif(skb);
		tos = ip_hdr(skb)->tos;
	} else {
		ifindex = inet6_iif(skb);
		tos = ipv6_get_dsfield(ipv6_hdr(skb));
	}
	/*
	 * The input route is held without a reference, for this softirq
	 * only; a packet that waits (the open queue, the backlog) would
	 * outlive it.  Nothing after this needs it.
	 */
	skb_dst_drop(skb);
	memset(cb, 0, sizeof(*cb));
	cb->sport = uh->source;
	cb->dport = port->num;
	cb->ifindex = ifindex;
	cb->tos = tos;

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

/* What the frames of one packet say, parsed before anything is done. */
struct roam_frames {
	bool eliciting;
	bool moving;			/* a frame but PADDING, PATH_CHALLENGE, PATH_RESPONSE */
	bool has_ack;
	bool has_max_data;
	bool has_stream;
	bool has_close;
	bool gone;			/* PATH_GONE */
	bool fin;
	const u8 *challenge;		/* PATH_CHALLENGE data, or NULL */
	const u8 *response;		/* PATH_RESPONSE data, or NULL */
	const u8 *addrs;		/* ADDRESSES, after its type, or NULL */
	u8 close_kind;
	u64 max_data;
	u64 off;
	u32 len;
	unsigned int data;		/* offset of the stream bytes in the skb */
	struct roam_ack ack;
};

/* Parses every frame; -EINVAL if one is malformed or unknown. */
static int roam_frames_parse(struct sk_buff *skb, struct roam_frames *f)
{
	const u8 *p = skb->data + sizeof(struct roam_short_hdr);
	const u8 *end = skb_tail_pointer(skb);
	int n;

	while (p < end) {
		u8 type = *p++;

		if (type != ROAM_FT_PADDING && type != ROAM_FT_PATH_CHALLENGE &&
		    type != ROAM_FT_PATH_RESPONSE)
			f->moving = true;
		switch (type) {
		case ROAM_FT_PADDING:
			break;
		case ROAM_FT_PING:
			f->eliciting = true;
			break;
		case ROAM_FT_PATH_GONE:
			f->gone = true;
			f->eliciting = true;
			break;
		case ROAM_FT_ACK:
		case ROAM_FT_ACK_ECN:
			if (f->has_ack)
				return -EINVAL;
			n = roam_ack_parse(p, end, type == ROAM_FT_ACK_ECN, &f->ack);
			if (n < 0)
				return n;
			f->has_ack = true;
			p += n;
			break;
		case ROAM_FT_STREAM ... ROAM_FT_STREAM | ROAM_FT_STREAM_FIN | ROAM_FT_STREAM_LEN:
			if (f->has_stream || end - p < ROAM_STREAM_HDR_LEN - 1)
				return -EINVAL;
			f->has_stream = true;
			f->eliciting = true;
			f->fin = type & ROAM_FT_STREAM_FIN;
			f->off = get_unaligned_be64(p);
			p += 8;
			if (type & ROAM_FT_STREAM_LEN) {
				if (end - p < 2)
					return -EINVAL;
				f->len = get_unaligned_be16(p);
				p += 2;
				if (end - p < f->len)
					return -EINVAL;
			} else {
				f->len = end - p;
			}
			if (f->off + f->len < f->off)
				return -EINVAL;
			f->data = p - skb->data;
			p += f->len;
			break;
		case ROAM_FT_MAX_DATA:
			if (end - p < ROAM_MAX_DATA_LEN - 1)
				return -EINVAL;
			f->has_max_data = true;
			f->eliciting = true;
			f->max_data = get_unaligned_be64(p);
			p += ROAM_MAX_DATA_LEN - 1;
			break;
		case ROAM_FT_PATH_CHALLENGE:
		case ROAM_FT_PATH_RESPONSE:
			if (end - p < ROAM_PATH_DATA_LEN)
				return -EINVAL;
			f->eliciting = true;
			if (type == ROAM_FT_PATH_CHALLENGE)
				f->challenge = p;
			else
				f->response = p;
			p += ROAM_PATH_DATA_LEN;
			break;
		case ROAM_FT_ADDRESSES:
			n = roam_addrs_parse(p, end - p);
			if (n < 0)
				return n;
			f->eliciting = true;
			f->addrs = p;
			p += n;
			break;
		case ROAM_FT_CLOSE:
			if (end - p < ROAM_CLOSE_LEN - 1)
				return -EINVAL;
			f->has_close = true;
			f->close_kind = p[0];
			p += ROAM_CLOSE_LEN - 1;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * A CLOSE frame.  An abort resets the connection: ECONNRESET, or EPIPE
 * where the peer had closed its side, as TCP's RST.  A graceful one ends
 * it without an error.
 */
static void roam_conn_rcv_close(struct sock *sk, u8 kind)
{
	int err = 0;

	if (kind == ROAM_CLOSE_ABORT)
		err = sk->sk_state == TCP_CLOSE_WAIT ? EPIPE : ECONNRESET;
	roam_sock_done(sk, err);
}

/*
 * An authenticated short-header packet.  Its frames are checked before
 * anything changes; a packet whose stream bytes do not fit is dropped
 * unacknowledged, so the peer sends it again.  Returns true if the
 * stream took @skb.
 */
static bool roam_conn_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_net *rn = roam_net(sock_net(sk));
	struct roam_frames frames, *f = &frames;
	bool consumed = false;
	u64 pn = ROAM_CB(skb)->pn;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return false;
	/* Authentic but seen before: a replay, or a duplicate on the path. */
	if (!roam_replay_check(&rs->replay, pn)) {
		roam_stat_inc(rn, ROAM_A_STAT_REPLAYS);
		return false;
	}
	rs->acks.held = ROAM_CB(skb)->more;
	memset(f, 0, offsetof(struct roam_frames, ack));
	if (roam_frames_parse(skb, f)) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		goto out;
	}
	/*
	 * Only a server that took our COOKIE_ECHO has our keys: its packet
	 * confirms the connection as DONE would, if DONE was lost, unless it
	 * closes it: the server could not queue it (CLOSE(REFUSED)).
	 */
	if (sk->sk_state == TCP_SYN_SENT && f->has_close) {
		roam_sock_done(sk, ECONNREFUSED);
		goto out;
	}
	if (sk->sk_state == TCP_SYN_SENT)
		roam_hs_confirmed(sk);
	if (sk->sk_state == TCP_SYN_SENT)
		goto out;
	if (f->has_stream && f->len && !roam_stream_rcv_room(sk, skb, f->off, f->len)) {
		atomic_inc(&sk->sk_drops);
		goto out;
	}
	if (!roam_ack_record(sk, pn, f->eliciting, ROAM_CB(skb)->tos)) {
		if (roam_ack_due(sk))
			roam_output(sk, ROAM_OUT_ACK);
		goto out;
	}
	/* Probing packets (RFC 9000 9.1) move nothing: only what else comes. */
	roam_path_rcv(sk, skb, pn > rs->rx_largest && f->moving);
	if (pn > rs->rx_largest)
		WRITE_ONCE(rs->rx_largest, pn);
	rs->cnt.packets_received++;
	roam_timers_packet_received(sk);
	if (f->challenge)
		roam_path_challenged(sk, skb, f->challenge);
	if (f->response)
		roam_path_response(sk, skb, f->response);
	if (f->addrs)
		roam_addrs_rcv(sk, f->addrs);
	if (f->gone) {
		roam_stat_inc(rn, ROAM_A_STAT_PATHS_GONE);
		roam_rec_path_gone(sk);
	}

	if (f->has_close) {
		roam_conn_rcv_close(sk, f->close_kind);
		goto out;
	}
	if (f->has_ack)
		roam_rec_on_ack(sk, &f->ack);
	if (f->has_max_data && f->max_data > rs->stream.peer_max)
		WRITE_ONCE(rs->stream.peer_max, f->max_data);
	if (f->has_stream) {
		u64 before = rs->stream.rcv_nxt;

		/* The application closed: new bytes have no reader (TCP's RST). */
		if (sock_flag(sk, SOCK_DEAD) && f->off + f->len > before) {
			roam_sock_abort(sk, 0);
			goto out;
		}
		consumed = true;
		if (roam_stream_rcv(sk, skb, f->data, f->off, f->len, f->fin)) {
			roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
			roam_sock_abort(sk, EPROTO);
			goto out;
		}
		rs->cnt.bytes_received += rs->stream.rcv_nxt - before;
	}
	/* The peer gets through: ours may again, after an outage. */
	roam_rec_probe_now(sk);
	roam_output(sk, roam_ack_due(sk) ? ROAM_OUT_ACK : ROAM_OUT_CONTROL);
out:
	rs->acks.held = false;
	return consumed;
}

/* Packets for @sk, under its lock: now, or from the backlog. */
int roam_sk_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	bool consumed = false;

	if (ROAM_CB(skb)->icmp_err)
		roam_icmp_sk(sk, skb, ROAM_CB(skb)->icmp_err, ROAM_CB(skb)->icmp_off);
	else if (skb->data[0] & ROAM_HDR_LONG)
		roam_hs_rcv(sk, skb);
	else
		consumed = roam_conn_rcv(sk, skb);
	if (!consumed)
		kfree_skb(skb);
	roam_sock_fail_pending(sk);
	return 0;
}
