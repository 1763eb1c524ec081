// SPDX-License-Identifier: GPL-2.0
/*
 * Packets out: ACK, MAX_DATA, STREAM, PING and PADDING frames in short-
 * header packets, as the congestion window, flow control, Nagle and cork
 * allow.  Full-size packets to one path go down in bursts of up to
 * ROAM_GSO_MAX_SEGS as one UDP GSO buffer: every packet but the last has
 * the same size, and each has its own packet number and tag.
 * Under the socket lock.
 */
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "ack.h"
#include "addrs.h"
#include "compat.h"
#include "netns.h"
#include "output.h"
#include "path.h"
#include "pmtu.h"
#include "recovery.h"
#include "send.h"
#include "sock.h"
#include "stream.h"
#include "timers.h"

/* One packet being written. */
struct roam_pkt {
	u8 *start;
	u8 *p;
	unsigned int room;		/* frame bytes left before the tag */
	struct roam_chunk chunk;
	bool has_chunk;
	bool eliciting;
	bool record;			/* kept until acknowledged or lost */
	u8 flags;			/* ROAM_SENT_* */
};

static bool roam_output_state_ok(const struct sock *sk, enum roam_out why)
{
	/* Draining: answer, nothing new. */
	return roam_sock_connected(sk) ||
	       (sk->sk_state == TCP_TIME_WAIT && why == ROAM_OUT_ACK);
}

static void roam_pkt_begin(struct roam_sock *rs, struct roam_pkt *pkt, u8 *at,
			   unsigned int size)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->start = at;
	pkt->p = at + roam_short_hdr_put(rs, at, rs->tx_pn);
	pkt->room = size - ROAM_SHORT_OVERHEAD;
}

static void roam_pkt_max_data(struct roam_sock *rs, struct roam_pkt *pkt)
{
	if (!test_bit(ROAM_F_MAX_DATA, &rs->flags) || pkt->room < ROAM_MAX_DATA_LEN)
		return;
	*pkt->p = ROAM_FT_MAX_DATA;
	put_unaligned_be64(rs->stream.rcv_max, pkt->p + 1);
	pkt->p += ROAM_MAX_DATA_LEN;
	pkt->room -= ROAM_MAX_DATA_LEN;
	pkt->eliciting = true;
	pkt->record = true;
	pkt->flags |= ROAM_SENT_MAX_DATA;
	clear_bit(ROAM_F_MAX_DATA, &rs->flags);
}

/* ADDRESSES, when due (addrs.c). */
static void roam_pkt_addrs(struct sock *sk, struct roam_pkt *pkt)
{
	struct roam_sock *rs = roam_sk(sk);
	unsigned int n;

	if (!test_bit(ROAM_F_ADDRS, &rs->flags))
		return;
	n = roam_addrs_write(sk, pkt->p, pkt->room);
	if (!n)
		return;
	pkt->p += n;
	pkt->room -= n;
	pkt->eliciting = true;
	pkt->record = true;
	pkt->flags |= ROAM_SENT_ADDRS;
	clear_bit(ROAM_F_ADDRS, &rs->flags);
}

static void roam_pkt_path_frame(struct roam_pkt *pkt, u8 type, const u8 *data)
{
	*pkt->p = type;
	memcpy(pkt->p + 1, data, ROAM_PATH_DATA_LEN);
	pkt->p += ROAM_PATH_LEN;
	pkt->room -= ROAM_PATH_LEN;
	pkt->eliciting = true;
}

/*
 * PATH_GONE, PATH_RESPONSE and PATH_CHALLENGE, when due, outside any
 * window.  A PATH_RESPONSE alone makes no record: it is never sent again
 * (the peer challenges again, RFC 9000 13.3) and awaits no answer, so
 * that a peer that challenges and never acknowledges does not make the
 * host keep one record per challenge.  It answers the peer, as often as
 * the peer asks, and only this side's own events make a PATH_GONE.
 */
static void roam_pkt_path(struct roam_sock *rs, struct roam_pkt *pkt)
{
	if (pkt->room && test_and_clear_bit(ROAM_F_GONE, &rs->flags)) {
		*pkt->p++ = ROAM_FT_PATH_GONE;
		pkt->room--;
		pkt->eliciting = true;
		pkt->record = true;
	}
	if (pkt->room >= ROAM_PATH_LEN &&
	    test_and_clear_bit(ROAM_F_RESPONSE, &rs->flags))
		roam_pkt_path_frame(pkt, ROAM_FT_PATH_RESPONSE, rs->pv.response);
	if (pkt->room >= ROAM_PATH_LEN &&
	    test_and_clear_bit(ROAM_F_CHALLENGE, &rs->flags)) {
		roam_pkt_path_frame(pkt, ROAM_FT_PATH_CHALLENGE,
				    roam_path_challenge_data(&rs->sk));
		pkt->record = true;
		pkt->flags |= ROAM_SENT_CHALLENGE;
	}
}

static void roam_pkt_ack(struct sock *sk, struct roam_pkt *pkt)
{
	int n = roam_ack_write(sk, pkt->p, pkt->room);

	if (n > 0) {
		pkt->p += n;
		pkt->room -= n;
		roam_timers_ack_sent(sk);
	}
}

/*
 * Stream bytes, if the window, flow control, Nagle and cork let them go.
 * A partial packet waits while data is in flight (Nagle, unless
 * ROAM_NODELAY), and under ROAM_CORK or after a write with MSG_MORE for
 * ROAM_CORK_MS at most, unless it ends the stream.
 */
static void roam_pkt_stream(struct sock *sk, struct roam_pkt *pkt,
			    enum roam_out why, bool window)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_chunk *c = &pkt->chunk;
	bool partial, corked, hold;

	if (!window || pkt->room <= ROAM_STREAM_HDR_LEN ||
	    !roam_stream_next(sk, pkt->room - ROAM_STREAM_HDR_LEN, c))
		return;
	partial = c->len < pkt->room - ROAM_STREAM_HDR_LEN && !c->fin && !c->again;
	corked = why != ROAM_OUT_FLUSH &&
		 (test_bit(ROAM_F_CORK, &rs->flags) || test_bit(ROAM_F_MORE, &rs->flags));
	hold = corked || (why == ROAM_OUT_DATA && rs->rec.in_flight &&
			  !test_bit(ROAM_F_NODELAY, &rs->flags));
	if (partial && hold) {
		/*
		 * A partial packet held by the cork or MSG_MORE waits
		 * ROAM_CORK_MS at most, as TCP's does.
		 */
		if (corked)
			roam_timers_corked(sk, true);
		return;
	}
	roam_timers_corked(sk, false);
	*pkt->p = ROAM_FT_STREAM | (c->fin ? ROAM_FT_STREAM_FIN : 0);
	put_unaligned_be64(c->off, pkt->p + 1);
	pkt->p += ROAM_STREAM_HDR_LEN;
	roam_stream_copy(sk, c->off, c->len, pkt->p);
	pkt->p += c->len;
	pkt->room -= ROAM_STREAM_HDR_LEN + c->len;
	pkt->has_chunk = true;
	pkt->eliciting = true;
	pkt->record = true;
}

static void roam_pkt_ping(struct roam_pkt *pkt)
{
	*pkt->p++ = ROAM_FT_PING;
	pkt->room--;
	pkt->eliciting = true;
	pkt->record = true;
}

/* Pads to @size: a PMTU probe must have exactly its size. */
static void roam_pkt_pad(struct roam_pkt *pkt)
{
	memset(pkt->p, ROAM_FT_PADDING, pkt->room);
	pkt->p += pkt->room;
	pkt->room = 0;
}

/*
 * Numbers, seals and records the packet, if it has what must be
 * recorded; one that has not takes a packet number of its own all the
 * same.  Returns its length, or 0 if it could not be recorded (it is
 * then not sent and its bytes stay queued).
 */
static unsigned int roam_pkt_finish(struct sock *sk, struct roam_pkt *pkt)
{
	struct roam_sock *rs = roam_sk(sk);
	unsigned int len = pkt->p - pkt->start;
	u64 pn = rs->tx_pn;

	if (pkt->record &&
	    roam_rec_sent(sk, pn, len + ROAM_TAG_LEN,
			  pkt->has_chunk ? &pkt->chunk : NULL, pkt->flags)) {
		if (pkt->flags & ROAM_SENT_MAX_DATA)
			set_bit(ROAM_F_MAX_DATA, &rs->flags);
		if (pkt->flags & ROAM_SENT_CHALLENGE)
			set_bit(ROAM_F_CHALLENGE, &rs->flags);
		if (pkt->flags & ROAM_SENT_ADDRS)
			set_bit(ROAM_F_ADDRS, &rs->flags);
		return 0;
	}
	rs->tx_pn++;
	if (pkt->has_chunk)
		roam_stream_sent(sk, &pkt->chunk);
	roam_packet_seal(rs, pkt->start, len, pn);
	rs->cnt.packets_sent++;
	return len + ROAM_TAG_LEN;
}

/* A PMTU probe, alone: PING and PADDING to the size under test. */
static void roam_output_mtu_probe(struct sock *sk, u16 size)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_pkt pkt;
	struct sk_buff *skb;
	unsigned int len;

	skb = roam_skb_alloc(size, GFP_ATOMIC);
	if (!skb)
		return;
	roam_pkt_begin(rs, &pkt, skb->data, size);
	roam_pkt_ping(&pkt);
	roam_pkt_pad(&pkt);
	pkt.flags |= ROAM_SENT_MTU_PROBE;
	roam_pmtu_probe_sent(sk, rs->tx_pn, size);
	len = roam_pkt_finish(sk, &pkt);
	if (!len) {
		kfree_skb(skb);
		roam_pmtu_probe_lost(sk, size);
		return;
	}
	skb_put(skb, len);
	roam_send(rs, skb);
	roam_timers_packet_sent(sk, true);
}

/*
 * Would a packet begun now carry anything?  Most calls come after a
 * packet arrived and find nothing to say; they must not cost a buffer.
 * It may say yes when the packet then stays empty, never the reverse.
 */
static bool roam_output_due(struct sock *sk, enum roam_out why, bool window,
			    bool ping)
{
	unsigned long f = READ_ONCE(roam_sk(sk)->flags);

	if (ping || (f & (BIT(ROAM_F_GONE) | BIT(ROAM_F_RESPONSE) |
			  BIT(ROAM_F_CHALLENGE))))
		return true;
	if (roam_ack_pending(sk) && (why == ROAM_OUT_ACK || roam_ack_due(sk)))
		return true;
	return window && ((f & BIT(ROAM_F_MAX_DATA)) || roam_stream_unsent(sk, 1));
}

/* The stream bytes a full packet of @mtu (UDP payload) carries. */
unsigned int roam_output_mss(unsigned int mtu)
{
	return mtu > ROAM_SHORT_OVERHEAD + ROAM_STREAM_HDR_LEN ?
	       mtu - ROAM_SHORT_OVERHEAD - ROAM_STREAM_HDR_LEN : 0;
}

/*
 * Packets of @mtu the next burst can fill: as many as the stream has
 * bytes for and the window allows, at least one for control frames.
 * The buffer is sized to that, not to the largest burst: an ACK must not
 * cost a 64 KiB allocation (pages are zeroed when init_on_alloc is on).
 */
static unsigned int roam_output_segs(struct sock *sk, unsigned int mtu,
				     bool window)
{
	unsigned int payload = roam_output_mss(mtu);
	unsigned int max = min3(ROAM_GSO_MAX_SEGS, (U16_MAX - 64U) / mtu,
				(unsigned int)ROAM_SKB_LEN_MAX / mtu);
	u32 bytes;

	if (!window)
		return 1;
	bytes = roam_stream_unsent(sk, max * payload);
	bytes = min(bytes, max(roam_rec_window(sk), mtu));
	return clamp_t(unsigned int, DIV_ROUND_UP(bytes, payload), 1, max);
}

/*
 * A buffer could not be had: with nothing in flight, no probe timer
 * would bring output back, so try again in 100 ms rather than wait for
 * an outside event that may never come (roam_rec_timeout() takes it for
 * a retry).  With packets in flight, their probe timer does.
 */
static void roam_output_retry(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (list_empty(&rs->rec.sent))
		sk_reset_timer(sk, &rs->rtx_timer, jiffies + HZ / 10);
}

static void roam_output_packets(struct sock *sk, enum roam_out why)
{
	struct roam_sock *rs = roam_sk(sk);
	unsigned int mtu, seg = 0, nseg = 0, len, probes = 0, sent = 0;
	struct sk_buff *skb = NULL;
	bool eliciting = false, window, ping;
	struct roam_pkt pkt;
	u64 burst_pn = 0;
	int err = 0;
	u16 probe;

	if (!roam_output_state_ok(sk, why) || !rs->port)
		return;
	if (why == ROAM_OUT_PROBE) {
		probes = 2;
		if (!roam_stream_unsent(sk, 1))
			roam_rec_probe_oldest(sk);
	}
	/*
	 * Learn the route, and with it the MTU, before sizing packets.  A
	 * client with none to its server's address tries the others.
	 */
	if (!__sk_dst_get(sk) && roam_route_check(rs)) {
		roam_timers_no_route(sk);
		roam_addrs_unreachable(sk, false);
		return;
	}
	roam_addrs_reachable(sk);
	roam_rec_resend(sk);
	mtu = roam_pmtu_size(sk);

	for (;;) {
		unsigned int size = nseg ? seg : mtu;
		u64 budget = roam_path_budget(sk);

		/*
		 * An unvalidated path gets what it earned, no more: a smaller
		 * packet, if that is all that fits, so that the challenge and
		 * ACKs still go.  It ends the burst.
		 */
		if (skb)
			budget = budget > skb->len ? budget - skb->len : 0;
		if (budget < size) {
			if (budget < ROAM_SHORT_OVERHEAD + ROAM_PATH_LEN)
				break;
			size = budget;
		}
		window = probes > sent || !rs->rec.in_flight ||
			 roam_rec_window(sk) >= mtu;
		ping = (why == ROAM_OUT_PING && !sent) || probes > sent;
		if (!skb) {
			unsigned int segs;

			if (!roam_output_due(sk, why, window, ping))
				break;
			segs = roam_output_segs(sk, mtu, window);
			skb = segs > 1 ? roam_burst_alloc(rs, segs * mtu) :
					 roam_skb_alloc(mtu, GFP_ATOMIC);
			if (!skb) {
				roam_output_retry(sk);
				break;
			}
		}
		roam_pkt_begin(rs, &pkt, skb_tail_pointer(skb), size);
		if (!nseg) {
			burst_pn = rs->tx_pn;
			roam_pkt_path(rs, &pkt);
		}
		if (!nseg && roam_ack_pending(sk) &&
		    (why == ROAM_OUT_ACK || roam_ack_due(sk) ||
		     (window && roam_stream_unsent(sk, 1))))
			roam_pkt_ack(sk, &pkt);
		if (window) {
			roam_pkt_max_data(rs, &pkt);
			roam_pkt_addrs(sk, &pkt);
		}
		roam_pkt_stream(sk, &pkt, why, window);
		/* A ping or a probe awaits its answer: it is recorded. */
		if (!pkt.eliciting && ping)
			roam_pkt_ping(&pkt);
		pkt.record |= ping;
		if (pkt.p == pkt.start + sizeof(struct roam_short_hdr))
			break;		/* nothing to say */

		len = roam_pkt_finish(sk, &pkt);
		if (!len) {
			roam_output_retry(sk);
			break;
		}
		skb_put(skb, len);
		/* What awaits an answer arms the timers; a lone answer does not. */
		eliciting |= pkt.record;
		sent++;
		if (!nseg)
			seg = len;
		nseg++;
		/* A burst goes on only while its packets are full. */
		if (len < mtu || nseg == ROAM_GSO_MAX_SEGS || skb_tailroom(skb) < seg) {
			err = roam_send_gso(rs, skb, nseg > 1 ? seg : 0);
			skb = NULL;
			nseg = 0;
			if (err)
				break;
		}
	}
	if (skb && nseg)
		err = roam_send_gso(rs, skb, nseg > 1 ? seg : 0);
	else
		kfree_skb(skb);
	/* No route: the burst goes again once there is one. */
	if (err)
		roam_rec_unsent(sk, burst_pn);

	if (sent)
		roam_timers_packet_sent(sk, eliciting);
	/* An idle connection holds no page for bursts. */
	if (skb_queue_empty(&sk->sk_write_queue))
		roam_burst_release(rs);
	if (err)
		return;
	/*
	 * Room in the window and a size to try: probe the path MTU, on a
	 * path with no limit on what it may be sent (roam_path_budget()):
	 * validated, and not stale.
	 */
	probe = roam_pmtu_probe_due(sk);
	if (probe && roam_path_budget(sk) == U64_MAX &&
	    (!rs->rec.in_flight || roam_rec_window(sk) >= probe))
		roam_output_mtu_probe(sk, probe);
}

/*
 * Sends what is due, as @why allows.  A connection that failed while its
 * state was walked (roam_sock_fail()) sends nothing more, and ends here.
 */
void roam_output(struct sock *sk, enum roam_out why)
{
	if (!roam_sk(sk)->fail)
		roam_output_packets(sk, why);
	roam_sock_fail_pending(sk);
}

/*
 * One frame alone along @path, which is not the current path: a
 * PATH_RESPONSE or PATH_CHALLENGE (@type) with @data, or a PING.
 * Outside any window and budget, as it is small, and not sent again if
 * lost.  0, or why it could not go (no route, no memory).
 */
static int roam_output_alone(struct sock *sk, const struct roam_path *path, u8 type,
			     const u8 *data)
{
	struct roam_sock *rs = roam_sk(sk);
	unsigned int size = ROAM_SHORT_OVERHEAD + (data ? ROAM_PATH_LEN : 1);
	struct roam_pkt pkt;
	struct sk_buff *skb;

	if (!rs->port || !roam_sock_connected(sk))
		return -ENOTCONN;
	skb = roam_skb_alloc(size, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	roam_pkt_begin(rs, &pkt, skb->data, size);
	if (data)
		roam_pkt_path_frame(&pkt, type, data);
	else
		roam_pkt_ping(&pkt);
	roam_packet_seal(rs, pkt.start, pkt.p - pkt.start, rs->tx_pn++);
	skb_put(skb, size);
	rs->cnt.packets_sent++;
	return roam_send_path(rs, skb, path);
}

/*
 * The answer to the peer's challenge, along @path where the challenge
 * came from: the peer challenges again if it is lost.
 */
void roam_output_response(struct sock *sk, const struct roam_path *path, const u8 *data)
{
	roam_output_alone(sk, path, ROAM_FT_PATH_RESPONSE, data);
}

/* Our challenge @data, along @path, which the connection just left. */
void roam_output_challenge(struct sock *sk, const struct roam_path *path, const u8 *data)
{
	roam_output_alone(sk, path, ROAM_FT_PATH_CHALLENGE, data);
}

/* A PING to another address of the peer's (addrs.c).  0, or why not. */
int roam_output_path_ping(struct sock *sk, const struct roam_path *path)
{
	return roam_output_alone(sk, path, ROAM_FT_PING, NULL);
}

/* A CLOSE frame, alone, outside any window: the connection ends. */
void roam_output_close(struct sock *sk, u8 kind, u16 error)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_pkt pkt;
	struct sk_buff *skb;
	unsigned int size = ROAM_SHORT_OVERHEAD + ROAM_CLOSE_LEN;

	if (!rs->port || !rs->remote_cid ||
	    !rcu_access_pointer(rs->keys))
		return;
	skb = roam_skb_alloc(size, GFP_ATOMIC);
	if (!skb)
		return;
	roam_pkt_begin(rs, &pkt, skb->data, size);
	pkt.p[0] = ROAM_FT_CLOSE;
	pkt.p[1] = kind;
	put_unaligned_be16(error, pkt.p + 2);
	pkt.p += ROAM_CLOSE_LEN;
	roam_packet_seal(rs, pkt.start, pkt.p - pkt.start, rs->tx_pn++);
	skb_put(skb, size);
	roam_send(rs, skb);
}
