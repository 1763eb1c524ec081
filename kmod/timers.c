// SPDX-License-Identifier: GPL-2.0
/*
 * Timers, as WireGuard exposes them: the rest of the code calls an event
 * hook ("a packet was sent", "a packet arrived") and the hooks arm what
 * follows from it.  Three timers per connection:
 *
 *  - rtx_timer: handshake retransmission, then loss detection and probe
 *    timeouts (recovery.c);
 *  - ack_timer: the delayed ACK, and a corked partial packet;
 *  - sk_timer: keepalive, idle timeout, the end of draining, the FIN
 *    timeout of an orphan, the end of a path's validation, port hops,
 *    a client's next try of its server's other addresses, and the
 *    closing of old ports.
 *
 * A timer that fires while a task owns the socket leaves its work to
 * roam_release_cb(), which runs when the task lets go, as TCP's does.
 */
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "ack.h"
#include "addrs.h"
#include "handshake.h"
#include "hop.h"
#include "netns.h"
#include "output.h"
#include "path.h"
#include "recovery.h"
#include "sock.h"
#include "stream.h"
#include "timers.h"

/*
 * With SO_KEEPALIVE and TCP_KEEPCNT, and no idle timeout set on the
 * socket: the TCP_KEEPCNT probe intervals after the first keepalive that
 * a silent peer is given.  Otherwise 0.
 */
static u32 roam_keepcnt_ms(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);
	u32 cnt = READ_ONCE(rs->keepcnt), intvl;

	if (READ_ONCE(rs->idle_timeout) || !cnt || !sock_flag(sk, SOCK_KEEPOPEN))
		return 0;
	intvl = READ_ONCE(rs->keepintvl) * MSEC_PER_SEC ?: roam_keepalive_ms(sk);
	return min_t(u64, (u64)cnt * intvl, ROAM_MAX_IDLE_TIMEOUT);
}

/*
 * How long the peer may be silent while something waits on it: the
 * socket's idle timeout (ROAM_IDLE_TIMEOUT, TCP_USER_TIMEOUT); else, with
 * SO_KEEPALIVE and TCP_KEEPCNT, TCP's keepalive time and TCP_KEEPCNT
 * probe intervals; else the netns's.
 */
u32 roam_idle_timeout_ms(const struct sock *sk)
{
	u32 ms = READ_ONCE(roam_sk(sk)->idle_timeout), probes;

	if (ms)
		return ms;
	probes = roam_keepcnt_ms(sk);
	if (probes)
		return min_t(u64, (u64)roam_keepalive_ms(sk) + probes, ROAM_MAX_IDLE_TIMEOUT);
	return ROAM_CFG(roam_net(sock_net(sk)), idle_timeout);
}

/*
 * @at, or sooner if a peer that may well be heard, but acknowledges
 * nothing, is to be taken for dead (jiffies): @ms, the idle timeout, and
 * at least ROAM_UNACKED_PTOS probe timeouts, after the oldest packet
 * still unacknowledged was sent, however much the peer sends meanwhile.
 * TCP's retransmission timeout counts from the oldest unacknowledged
 * segment too (TCP_USER_TIMEOUT, tcp_retries2), whatever else comes in.
 * It is that packet's own send time: a connection idle for long that
 * sends again waits a whole timeout for its answer.
 */
static unsigned long roam_unacked_deadline(const struct sock *sk, u32 ms,
					   unsigned long at)
{
	u64 sent = roam_rec_oldest(sk), now = roam_now(), wait;
	unsigned long when = jiffies;

	if (!sent)
		return at;
	wait = max_t(u64, (u64)ms * NSEC_PER_MSEC,
		     (u64)roam_rec_pto_us(sk) * ROAM_UNACKED_PTOS * NSEC_PER_USEC);
	if (sent + wait > now)
		when += nsecs_to_jiffies(sent + wait - now);
	return time_before(when, at) ? when : at;
}

/*
 * When the peer is dead (jiffies).  A silent one: the idle timeout after
 * the last packet from it, and never sooner than that after the first
 * ack-eliciting packet sent since (RFC 9000 10.1), so that a connection
 * quiet for longer than its timeout gives its peer the chance to answer
 * what it sends next.  With TCP_KEEPCNT, the probe intervals count from
 * that packet, the first keepalive, as TCP's probes do.  And one that is
 * heard but leaves what we sent unacknowledged: roam_unacked_deadline().
 */
static unsigned long roam_idle_deadline(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);
	u32 ms = roam_idle_timeout_ms(sk), after = roam_keepcnt_ms(sk) ?: ms;
	unsigned long at = rs->last_rx + msecs_to_jiffies(ms);
	unsigned long from = rs->eliciting_tx;

	if (from && time_after(from + msecs_to_jiffies(after), at))
		at = from + msecs_to_jiffies(after);
	return roam_unacked_deadline(sk, ms, at);
}

/* Whether the idle timeout has passed (above).  Socket lock or BH. */
bool roam_idle_expired(const struct sock *sk)
{
	return !time_before(jiffies, roam_idle_deadline(sk));
}

u32 roam_keepalive_ms(const struct sock *sk)
{
	return READ_ONCE(roam_sk(sk)->keepalive) ?:
	       ROAM_CFG(roam_net(sock_net(sk)), keepalive);
}

/* The peer has sent nothing that authenticated for @ms. */
bool roam_peer_silent(const struct sock *sk, u32 ms)
{
	return !time_before(jiffies, READ_ONCE(roam_sk(sk)->last_rx) + msecs_to_jiffies(ms));
}

void roam_timer_at(struct sock *sk, struct timer_list *t, u64 when_ns)
{
	u64 now = roam_now();
	unsigned long delta = when_ns > now ? nsecs_to_jiffies(when_ns - now) : 0;

	sk_reset_timer(sk, t, jiffies + max(delta, 1UL));
}

/* The ack timer serves the delayed ACK and the cork: it fires at the earlier. */
static void roam_ack_timer_reduce(struct sock *sk, unsigned long when)
{
	struct roam_sock *rs = roam_sk(sk);

	if (!timer_pending(&rs->ack_timer) ||
	    time_before(when, rs->ack_timer.expires))
		sk_reset_timer(sk, &rs->ack_timer, when);
}

static void roam_cork_timer_arm(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (rs->cork_since)
		roam_ack_timer_reduce(sk, rs->cork_since +
				      msecs_to_jiffies(ROAM_CORK_MS));
}

/* An ack-eliciting packet arrived: acknowledge it within the delay. */
void roam_timer_ack(struct sock *sk)
{
	roam_ack_timer_reduce(sk, jiffies + usecs_to_jiffies(ROAM_MAX_ACK_DELAY_US));
}

/* An ACK went: no delayed ACK is due, but a held partial packet still is. */
void roam_timers_ack_sent(struct sock *sk)
{
	sk_stop_timer(sk, &roam_sk(sk)->ack_timer);
	roam_cork_timer_arm(sk);
}

/*
 * A partial packet is held by the cork or MSG_MORE (@held) or went
 * (!@held): it waits ROAM_CORK_MS at most from when it was first held.
 */
void roam_timers_corked(struct sock *sk, bool held)
{
	struct roam_sock *rs = roam_sk(sk);

	if (!held) {
		rs->cork_since = 0;
		return;
	}
	if (!rs->cork_since)
		rs->cork_since = jiffies ?: 1;
	roam_cork_timer_arm(sk);
}

/*
 * Does the connection wait for its peer?  Then silence longer than the
 * idle timeout means the peer is gone.
 */
static bool roam_waiting(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);

	return rs->rec.in_flight || sock_flag(sk, SOCK_KEEPOPEN) ||
	       (test_bit(ROAM_F_FIN_SENT, &rs->flags) &&
		!test_bit(ROAM_F_FIN_ACKED, &rs->flags));
}

/* When sk_timer should fire next, or 0 for never. */
static unsigned long roam_keepalive_next(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	unsigned long next = 0, t, hop, retry;

#define ROAM_SOONER(x) do { t = (x); if (!next || time_before(t, next)) next = t; } while (0)
	if (sk->sk_state == TCP_TIME_WAIT)
		return rs->drain_end;
	if (!roam_sock_connected(sk))
		return 0;
	if (roam_waiting(sk))
		ROAM_SOONER(roam_idle_deadline(sk));
	if (sock_flag(sk, SOCK_KEEPOPEN))
		ROAM_SOONER(rs->last_tx + msecs_to_jiffies(roam_keepalive_ms(sk)));
	if (sock_flag(sk, SOCK_DEAD))
		ROAM_SOONER(rs->progress + msecs_to_jiffies(ROAM_FIN_TIMEOUT_MS));
	if (test_bit(ROAM_F_VALIDATING, &rs->flags)) {
		ROAM_SOONER(rs->pv.again);
		ROAM_SOONER(rs->pv.deadline);
	}
	hop = roam_hop_next(sk);
	if (hop)
		ROAM_SOONER(hop);
	retry = roam_addrs_retry_due(sk);
	if (retry)
		ROAM_SOONER(retry);
#undef ROAM_SOONER
	return next;
}

static void roam_keepalive_arm(struct sock *sk)
{
	unsigned long next = roam_keepalive_next(sk);

	if (!next)
		return;
	if (!timer_pending(&sk->sk_timer) || time_before(next, sk->sk_timer.expires))
		sk_reset_timer(sk, &sk->sk_timer, time_after(next, jiffies) ? next : jiffies + 1);
}

void roam_timers_packet_sent(struct sock *sk, bool eliciting)
{
	struct roam_sock *rs = roam_sk(sk);

	rs->last_tx = jiffies;
	if (!eliciting)
		return;
	if (!rs->eliciting_tx)
		rs->eliciting_tx = jiffies ?: 1;
	/* An answer is awaited from now, if none was already. */
	if (!rs->hop.waiting)
		rs->hop.waiting = jiffies ?: 1;
	if (!timer_pending(&rs->rtx_timer))
		roam_rec_set_timer(sk);
	roam_keepalive_arm(sk);
}

/*
 * What was to be sent found no route: the keepalive and a downloading
 * client's ping (hop.c), which wait on last_tx, count from this try as
 * from a packet sent.  Otherwise their due time stays past, and sk_timer
 * fires again at once, every tick, for as long as the route is gone.
 * (TCP tries a keepalive probe that could not go again in 500 ms; here
 * the notifiers say when a route comes back.)
 */
void roam_timers_no_route(struct sock *sk)
{
	roam_sk(sk)->last_tx = jiffies;
}

/* An ack-eliciting packet arrived: the peer was sending to us. */
void roam_timers_eliciting_received(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	rs->hop.heard = jiffies ?: 1;
	roam_keepalive_arm(sk);
}

/* An ACK acknowledged packets: a round trip worked. */
void roam_timers_round_trip(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	rs->hop.waiting = list_empty(&rs->rec.sent) ? 0 : jiffies ?: 1;
}

void roam_timers_packet_received(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	rs->last_rx = jiffies;
	rs->eliciting_tx = 0;
}

void roam_timers_state_changed(struct sock *sk)
{
	roam_keepalive_arm(sk);
}

/*
 * SO_KEEPALIVE, under the socket lock.  sk_setsockopt() sets
 * SOCK_KEEPOPEN only after this returns, and the timer reads it: set it
 * first, or an idle connection, with nothing else to time, would never
 * probe (TCP arms its timer here for the same reason).
 */
void roam_keepalive_set(struct sock *sk, int on)
{
	sock_valbool_flag(sk, SOCK_KEEPOPEN, on);
	if (on)
		roam_keepalive_arm(sk);
}

static void roam_keepalive_work(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	unsigned long now = jiffies;

	if (sk->sk_state == TCP_TIME_WAIT) {
		if (!time_before(now, rs->drain_end))
			roam_sock_done(sk, 0);
		else
			roam_keepalive_arm(sk);
		return;
	}
	/*
	 * A keepalive that is due goes first.  On a connection quiet for
	 * longer than its idle timeout, it is the packet the peer gets to
	 * answer before the timeout can end it (roam_idle_deadline()), as
	 * TCP sends its probes before it gives up.
	 */
	if (sock_flag(sk, SOCK_KEEPOPEN) &&
	    !time_before(now, rs->last_tx + msecs_to_jiffies(roam_keepalive_ms(sk))))
		roam_output(sk, ROAM_OUT_PING);
	if (roam_waiting(sk) && roam_idle_expired(sk)) {
		roam_sock_done(sk, ETIMEDOUT);
		return;
	}
	/*
	 * An orphan that makes no progress for ROAM_FIN_TIMEOUT_MS ends: in
	 * FIN-WAIT-2, as TCP's, and in any state where what it still has to
	 * send can neither go nor time out (a peer that stopped reading).
	 */
	if (sock_flag(sk, SOCK_DEAD) &&
	    !time_before(now, rs->progress + msecs_to_jiffies(ROAM_FIN_TIMEOUT_MS))) {
		roam_sock_abort(sk, 0);
		return;
	}
	roam_path_timeout(sk);
	roam_hop_timeout(sk);
	/* No route to the server's address: its others, again (addrs.c). */
	if (roam_addrs_retry_due(sk) && !time_before(now, roam_addrs_retry_due(sk)))
		roam_output(sk, ROAM_OUT_PING);
	roam_keepalive_arm(sk);
}

static void roam_rtx_work(struct sock *sk)
{
	if (sk->sk_state == TCP_SYN_SENT)
		roam_hs_timeout(sk);
	else if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN)
		roam_rec_timeout(sk);
}

static void roam_ack_work(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN ||
	    sk->sk_state == TCP_SYN_SENT)
		return;
	if (roam_ack_pending(sk))
		roam_output(sk, ROAM_OUT_ACK);
	if (rs->cork_since &&
	    !time_before(jiffies, rs->cork_since + msecs_to_jiffies(ROAM_CORK_MS)))
		roam_output(sk, ROAM_OUT_FLUSH);
	else
		roam_cork_timer_arm(sk);
}

static void roam_timer_run(struct sock *sk, int bit, void (*work)(struct sock *sk))
{
	struct roam_sock *rs = roam_sk(sk);

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		work(sk);
	else if (!test_and_set_bit(bit, &rs->deferred))
		sock_hold(sk);		/* roam_release_cb() puts it */
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void roam_rtx_timer(struct timer_list *t)
{
	struct roam_sock *rs = from_timer(rs, t, rtx_timer);

	roam_timer_run(&rs->sk, ROAM_D_RTX, roam_rtx_work);
}

static void roam_ack_timer(struct timer_list *t)
{
	struct roam_sock *rs = from_timer(rs, t, ack_timer);

	roam_timer_run(&rs->sk, ROAM_D_ACK, roam_ack_work);
}

static void roam_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);

	roam_timer_run(sk, ROAM_D_KEEPALIVE, roam_keepalive_work);
}

/*
 * The owner lets go: what the timers left.  As for tcp_release_cb(), the
 * caller holds a reference of its own, so the __sock_put()s below never
 * drop the last one, even when the work ends an orphan.
 */
void roam_release_cb(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (!READ_ONCE(rs->deferred))
		return;
	if (test_and_clear_bit(ROAM_D_RTX, &rs->deferred)) {
		roam_rtx_work(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(ROAM_D_ACK, &rs->deferred)) {
		roam_ack_work(sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(ROAM_D_KEEPALIVE, &rs->deferred)) {
		roam_keepalive_work(sk);
		__sock_put(sk);
	}
}

void roam_timers_init(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	timer_setup(&rs->rtx_timer, roam_rtx_timer, 0);
	timer_setup(&rs->ack_timer, roam_ack_timer, 0);
	timer_setup(&sk->sk_timer, roam_keepalive_timer, 0);
}

void roam_timers_stop(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	sk_stop_timer(sk, &rs->rtx_timer);
	sk_stop_timer(sk, &rs->ack_timer);
	sk_stop_timer(sk, &sk->sk_timer);
}
