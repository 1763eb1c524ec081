// SPDX-License-Identifier: GPL-2.0
/*
 * Loss detection and congestion control, after RFC 9002: acknowledgements
 * by packet number, loss by packet and time thresholds, probe timeouts,
 * NewReno with ECN.  Packet numbers are never reused: what a lost packet
 * carried goes out again in a new one.  A packet declared lost and then
 * acknowledged after all shows reordering: both thresholds grow, and if
 * every loss of the last reduction was such, the reduction is undone,
 * as TCP's undo does.  Under the socket lock.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "ack.h"
#include "addrs.h"
#include "netns.h"
#include "output.h"
#include "pmtu.h"
#include "path.h"
#include "recovery.h"
#include "send.h"
#include "sock.h"
#include "stream.h"
#include "timers.h"

static struct kmem_cache *roam_sent_cache __ro_after_init;

static u32 roam_rec_min_window(const struct sock *sk)
{
	return ROAM_MIN_WINDOW_PACKETS * roam_sk(sk)->pmtu.size;
}

/* A new path: congestion control and RTT start again (RFC 9000 9.4). */
static void roam_rec_reset(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;

	rec->cwnd = ROAM_INITIAL_WINDOW_PACKETS * ROAM_PMTU_BASE;
	rec->ssthresh = U32_MAX;
	rec->ca_acked = 0;
	rec->recovery_start = 0;
	rec->srtt = ROAM_INITIAL_RTT_US;
	rec->rttvar = ROAM_INITIAL_RTT_US / 2;
	rec->min_rtt = U32_MAX;
	rec->have_rtt = false;
	rec->pto_count = 0;
	rec->reordering = ROAM_PACKET_THRESHOLD;
	rec->time_num = ROAM_TIME_THRESHOLD_NUM;
	roam_ranges_purge(&rec->lost_pns);
	rec->episode_lost = 0;
	rec->episode_spurious = 0;
	rec->prior_cwnd = 0;
}

void roam_rec_init(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;

	memset(rec, 0, sizeof(*rec));
	INIT_LIST_HEAD(&rec->sent);
	roam_ranges_init(&rec->lost_pns);
	rec->largest_acked = U64_MAX;
	roam_rec_reset(sk);
}

/* What the current path has learned, for roam_rec_path_changed(). */
void roam_rec_save(const struct sock *sk, struct roam_rec_state *st)
{
	const struct roam_recovery *rec = &roam_sk(sk)->rec;

	st->gen = rec->gen;
	st->cwnd = rec->cwnd;
	st->ssthresh = rec->ssthresh;
	st->ca_acked = rec->ca_acked;
	st->recovery_start = rec->recovery_start;
	st->srtt = rec->srtt;
	st->rttvar = rec->rttvar;
	st->min_rtt = rec->min_rtt;
	st->reordering = rec->reordering;
	st->time_num = rec->time_num;
	st->have_rtt = rec->have_rtt;
	st->loss_largest = rec->loss_largest;
	st->episode_lost = rec->episode_lost;
	st->episode_spurious = rec->episode_spurious;
	st->prior_cwnd = rec->prior_cwnd;
	st->prior_ssthresh = rec->prior_ssthresh;
}

/*
 * The connection sends along another path from now (path.c, hop.c).  A
 * path it used before brings back its state @st: its window, RTT, the
 * loss episode under way, and its generation, so that what went along
 * it before counts again.  A new host (@keep false, @st NULL) starts
 * afresh, in a new generation: what is in flight on another path, when
 * found lost, calls for no congestion response.  Another port or source
 * on the way to the same host (@keep) is the same bottleneck, and keeps
 * everything.  Probe timeouts on the old path say nothing of this one.
 */
void roam_rec_path_changed(struct sock *sk, const struct roam_rec_state *st, bool keep)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;

	rec->pto_count = 0;
	if (keep)
		return;
	if (!st) {
		rec->gen = ++rec->next_gen;
		roam_rec_reset(sk);
		return;
	}
	rec->gen = st->gen;
	rec->cwnd = st->cwnd;
	rec->ssthresh = st->ssthresh;
	rec->ca_acked = st->ca_acked;
	rec->recovery_start = st->recovery_start;
	rec->srtt = st->srtt;
	rec->rttvar = st->rttvar;
	rec->min_rtt = st->min_rtt;
	rec->reordering = st->reordering;
	rec->time_num = st->time_num;
	rec->have_rtt = st->have_rtt;
	rec->loss_largest = st->loss_largest;
	rec->episode_lost = st->episode_lost;
	rec->episode_spurious = st->episode_spurious;
	rec->prior_cwnd = st->prior_cwnd;
	rec->prior_ssthresh = st->prior_ssthresh;
}

void roam_rec_purge(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_sent *e, *tmp;

	list_for_each_entry_safe(e, tmp, &rec->sent, node) {
		list_del(&e->node);
		kmem_cache_free(roam_sent_cache, e);
	}
	rec->challenge = NULL;
	roam_ranges_purge(&rec->lost_pns);
	WRITE_ONCE(rec->unacked, 0);
	rec->in_flight = 0;
	rec->loss_time = 0;
	rec->resend = false;
}

u32 roam_rec_window(const struct sock *sk)
{
	const struct roam_recovery *rec = &roam_sk(sk)->rec;

	return rec->cwnd > rec->in_flight ? rec->cwnd - rec->in_flight : 0;
}

u32 roam_rec_pto_us(const struct sock *sk)
{
	const struct roam_recovery *rec = &roam_sk(sk)->rec;

	return rec->srtt + max_t(u32, 4 * rec->rttvar, ROAM_GRANULARITY_US) +
	       ROAM_MAX_ACK_DELAY_US;
}

/* When the oldest packet still unacknowledged was sent (ns), 0 if none. */
u64 roam_rec_oldest(const struct sock *sk)
{
	const struct roam_sent *e;

	e = list_first_entry_or_null(&roam_sk(sk)->rec.sent, struct roam_sent, node);
	return e ? e->time : 0;
}

/* Drops @e, whether it was acknowledged, lost or forgotten. */
static void roam_rec_free(struct sock *sk, struct roam_sent *e)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;

	rec->in_flight -= e->size;
	WRITE_ONCE(rec->unacked, rec->unacked - 1);
	if (rec->challenge == e)
		rec->challenge = NULL;
	list_del(&e->node);
	kmem_cache_free(roam_sent_cache, e);
}

/*
 * Records packet @pn, of @size bytes, and what it carried: @c, @flags.
 * A packet that holds nothing to send again but this side's challenge
 * forgets the one before it, if that held nothing else either: a lost
 * challenge is sent again only while its path is the current one
 * (roam_path_challenge_lost()), and the newest is the current path's.
 * So a peer that moves to a new port at every packet, each move
 * challenged, and acknowledges nothing, leaves one such record, not one
 * per move.  An ACK of the packet forgotten then finds nothing, as one
 * of a PATH_RESPONSE alone does.
 */
int roam_rec_sent(struct sock *sk, u64 pn, u16 size, const struct roam_chunk *c,
		  u8 flags)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_sent *e;

	e = kmem_cache_alloc(roam_sent_cache, GFP_ATOMIC);
	if (!e)
		return -ENOMEM;
	e->pn = pn;
	e->time = roam_now();
	e->size = size;
	e->flags = flags;
	e->off = c ? c->off : 0;
	e->len = c ? c->len : 0;
	e->gen = rec->gen;
	if (c && (c->len || c->fin))
		e->flags |= ROAM_SENT_STREAM;
	if (c && c->fin)
		e->flags |= ROAM_SENT_FIN;
	if (e->flags == ROAM_SENT_CHALLENGE) {
		if (rec->challenge)
			roam_rec_free(sk, rec->challenge);
		rec->challenge = e;
	}
	list_add_tail(&e->node, &rec->sent);
	WRITE_ONCE(rec->unacked, rec->unacked + 1);
	rec->in_flight += size;
	rec->last_eliciting = e->time;
	return 0;
}

/* RFC 9002 5.3. */
void roam_rec_rtt_sample(struct sock *sk, u64 sent_ns, u64 ack_delay_us)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	u64 now = roam_now();
	u32 latest, adjusted;

	latest = now > sent_ns ? max_t(u64, div_u64(now - sent_ns, NSEC_PER_USEC), 1) : 1;
	rec->latest_rtt = latest;
	if (!rec->have_rtt) {
		rec->have_rtt = true;
		rec->min_rtt = latest;
		rec->srtt = latest;
		rec->rttvar = latest / 2;
		return;
	}
	rec->min_rtt = min(rec->min_rtt, latest);
	ack_delay_us = min_t(u64, ack_delay_us, ROAM_MAX_ACK_DELAY_US);
	adjusted = latest;
	if (latest >= rec->min_rtt + ack_delay_us)
		adjusted = latest - ack_delay_us;
	rec->rttvar = (3 * rec->rttvar + abs((s32)(rec->srtt - adjusted))) / 4;
	rec->srtt = (7 * rec->srtt + adjusted) / 8;
}

/*
 * NewReno: one reduction per round trip (RFC 9002 7.3.2).  @lost packets
 * were declared lost, 0 for an ECN mark; a reduction for losses only can
 * be undone if they all prove spurious.
 */
static void roam_cc_congestion(struct sock *sk, u64 sent_ns, u32 lost)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;

	if (sent_ns <= rec->recovery_start) {
		if (!lost)
			rec->prior_cwnd = 0;	/* ECN is never spurious */
		rec->episode_lost += lost;
		return;
	}
	rec->recovery_start = roam_now();
	rec->prior_cwnd = lost ? rec->cwnd : 0;
	rec->prior_ssthresh = rec->ssthresh;
	rec->episode_lost = lost;
	rec->episode_spurious = 0;
	rec->ssthresh = max(rec->cwnd / 2, roam_rec_min_window(sk));
	rec->cwnd = rec->ssthresh;
	rec->ca_acked = 0;
}

/*
 * The peer acknowledged [start, end), which may hold packets declared
 * lost: they were only late.  The packet threshold grows to cover how
 * far behind the largest acknowledged they were when declared lost (up
 * to ROAM_REORDERING_MAX), the time threshold by an eighth of an
 * RTT (up to two RTTs), and the last reduction is undone once every loss
 * it answered proves spurious.
 */
static void roam_rec_spurious(struct sock *sk, u64 start, u64 end)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_range *r;
	u64 n = 0, first = U64_MAX;

	list_for_each_entry(r, &rec->lost_pns.list, node) {
		u64 s = max(r->start, start), e = min(r->end, end);

		if (r->start >= end)
			break;
		if (s >= e)
			continue;
		n += e - s;
		first = min(first, s);
	}
	if (!n || roam_ranges_remove(&rec->lost_pns, start, end))
		return;
	if (rec->loss_largest > first)
		rec->reordering = clamp_t(u64, rec->loss_largest - first + 1,
					  rec->reordering, ROAM_REORDERING_MAX);
	rec->time_num = min(rec->time_num + 1, ROAM_TIME_THRESHOLD_MAX_NUM);
	rec->episode_spurious += n;
	roam_sk(sk)->cnt.spurious += n;
	if (rec->prior_cwnd && rec->episode_spurious >= rec->episode_lost) {
		rec->cwnd = max(rec->cwnd, rec->prior_cwnd);
		rec->ssthresh = max(rec->ssthresh, rec->prior_ssthresh);
		rec->prior_cwnd = 0;
	}
}

static void roam_cc_acked(struct sock *sk, const struct roam_sent *e)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_recovery *rec = &rs->rec;

	if (e->time <= rec->recovery_start || e->gen != rec->gen)
		return;			/* still recovering, or another path's */
	/* Application-limited: the window was not the limit, do not grow it. */
	if (rec->in_flight + e->size < rec->cwnd / 2)
		return;
	if (rec->cwnd < rec->ssthresh) {
		rec->cwnd += e->size;
		return;
	}
	rec->ca_acked += e->size;
	if (rec->ca_acked >= rec->cwnd) {
		rec->ca_acked -= rec->cwnd;
		rec->cwnd += rs->pmtu.size;
	}
}

/* Returns true if this acknowledges our FIN. */
static bool roam_rec_acked_one(struct sock *sk, struct roam_sent *e)
{
	bool fin = false;

	roam_cc_acked(sk, e);
	if (e->flags & ROAM_SENT_STREAM)
		fin = roam_stream_acked(sk, e->off, e->len, e->flags & ROAM_SENT_FIN);
	/* A probe tells of the path it went along only. */
	if ((e->flags & ROAM_SENT_MTU_PROBE) && e->gen == roam_sk(sk)->rec.gen)
		roam_pmtu_probe_acked(sk, e->size);
	roam_rec_free(sk, e);
	return fin;
}

static void roam_rec_lost_one(struct sock *sk, struct roam_sent *e)
{
	struct roam_sock *rs = roam_sk(sk);

	if (e->flags & ROAM_SENT_STREAM)
		roam_stream_lost(sk, e->off, e->len, e->flags & ROAM_SENT_FIN);
	if (e->flags & ROAM_SENT_MAX_DATA)
		set_bit(ROAM_F_MAX_DATA, &rs->flags);
	if (e->flags & ROAM_SENT_CHALLENGE)
		roam_path_challenge_lost(sk);
	if (e->flags & ROAM_SENT_ADDRS)
		roam_addrs_again(sk);
	if (e->flags & ROAM_SENT_MTU_PROBE) {
		if (e->gen == rs->rec.gen)
			roam_pmtu_probe_lost(sk, e->size);
	} else {
		rs->cnt.packets_lost++;
		roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_RETRANSMITS);
		/*
		 * Remembered, to tell a late packet from a lost one; one
		 * sent again after a PATH_GONE may well be acknowledged,
		 * and that says nothing of reordering.
		 */
		if (!(e->flags & ROAM_SENT_RESEND) && e->gen == rs->rec.gen &&
		    !roam_ranges_add(&rs->rec.lost_pns, e->pn, e->pn + 1) &&
		    rs->rec.lost_pns.count > ROAM_ACK_RANGES_MAX)
			roam_ranges_drop_first(&rs->rec.lost_pns);
	}
	roam_rec_free(sk, e);
}

/*
 * The packets from @first_pn on never left the host: sending them failed
 * for want of a route.  They stay in flight, so the probe timer still
 * runs, until a route is back (roam_rec_resend()).
 */
void roam_rec_unsent(struct sock *sk, u64 first_pn)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_sent *e;

	list_for_each_entry_reverse(e, &rec->sent, node) {
		if (e->pn < first_pn)
			break;
		e->flags |= ROAM_SENT_RESEND;
		rec->resend = true;
	}
}

/*
 * The peer says the address it sent from last is gone (PATH_GONE): what
 * is in flight went there and is lost.  Its data goes again first, along
 * the path the peer's packet came by, instead of waiting for later
 * packets' ACKs or a probe timeout to declare it lost.  Should some of it
 * have arrived before, the peer drops the duplicates.  PMTU probes are
 * left to ordinary loss detection: they carry no data.
 */
void roam_rec_path_gone(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_sent *e;

	list_for_each_entry(e, &rec->sent, node) {
		if (e->flags & ROAM_SENT_MTU_PROBE)
			continue;
		e->flags |= ROAM_SENT_RESEND;
		rec->resend = true;
	}
}

/*
 * Before a send: what roam_rec_unsent() or roam_rec_path_gone() marked
 * is lost and goes first, without a congestion response, since the
 * network did not drop it.
 */
void roam_rec_resend(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_sent *e, *tmp;

	if (!rec->resend)
		return;
	rec->resend = false;
	list_for_each_entry_safe(e, tmp, &rec->sent, node)
		if (e->flags & ROAM_SENT_RESEND)
			roam_rec_lost_one(sk, e);
}

/* RFC 9002 6.1: packet and time thresholds. */
static void roam_rec_detect_lost(struct sock *sk, u64 now)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	u64 delay, first = 0, last = 0;
	struct roam_sent *e, *tmp;
	u32 lost = 0;

	rec->loss_time = 0;
	if (rec->largest_acked == U64_MAX)
		return;
	delay = (u64)max(rec->latest_rtt, rec->srtt) * rec->time_num /
		ROAM_TIME_THRESHOLD_DEN;
	delay = max_t(u64, delay, ROAM_GRANULARITY_US) * NSEC_PER_USEC;

	list_for_each_entry_safe(e, tmp, &rec->sent, node) {
		if (e->pn > rec->largest_acked)
			break;
		if (e->time + delay <= now ||
		    rec->largest_acked >= e->pn + rec->reordering) {
			/* Probes, and what went along another path, are no congestion. */
			if (!(e->flags & ROAM_SENT_MTU_PROBE) && e->gen == rec->gen) {
				first = first ?: e->time;
				last = e->time;
				lost++;
			}
			roam_rec_lost_one(sk, e);
		} else if (!rec->loss_time || e->time + delay < rec->loss_time) {
			rec->loss_time = e->time + delay;
		}
	}
	if (!last)
		return;
	rec->loss_largest = rec->largest_acked;
	roam_cc_congestion(sk, last, lost);
	/* Persistent congestion (RFC 9002 7.6): the window starts over. */
	if (rec->have_rtt && last - first >
	    (u64)roam_rec_pto_us(sk) * ROAM_PERSISTENT_CONGESTION * NSEC_PER_USEC)
		rec->cwnd = roam_rec_min_window(sk);
}

void roam_rec_on_ack(struct sock *sk, const struct roam_ack *ack)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_recovery *rec = &rs->rec;
	struct roam_sent *e, *tmp;
	u64 largest_time = 0, now = roam_now();
	bool newly = false, fin = false;
	unsigned int i = 0, j;

	if (ack->largest >= rs->tx_pn || !ack->n)
		return;		/* acknowledges what we never sent */
	if (rec->largest_acked == U64_MAX || ack->largest > rec->largest_acked)
		rec->largest_acked = ack->largest;
	for (j = 0; j < ack->n && !roam_ranges_empty(&rec->lost_pns); j++)
		roam_rec_spurious(sk, ack->range[j].start, ack->range[j].end);

	list_for_each_entry_safe(e, tmp, &rec->sent, node) {
		while (i < ack->n && ack->range[i].end <= e->pn)
			i++;
		if (i == ack->n)
			break;
		if (e->pn < ack->range[i].start)
			continue;
		/* An RTT sample of this path only. */
		if (e->pn == ack->largest && e->gen == rec->gen)
			largest_time = e->time;
		newly = true;
		fin |= roam_rec_acked_one(sk, e);
	}
	if (!newly)
		return;
	if (largest_time)
		roam_rec_rtt_sample(sk, largest_time, ack->delay_us);
	if (ack->ecn && ack->ce > rec->ecn_ce) {
		rec->ecn_ce = ack->ce;
		rs->cnt.ecn_ce = ack->ce;
		roam_cc_congestion(sk, largest_time ?: now, 0);
	}
	rec->pto_count = 0;
	roam_path_confirm_route(rs);
	roam_rec_detect_lost(sk, now);
	roam_rec_set_timer(sk);
	roam_timers_round_trip(sk);
	/* Last: this may end the connection, and with it what is above. */
	if (fin)
		roam_sock_fin_acked(sk);
}

/*
 * The probe timeout after @rec->pto_count unanswered ones, in µs: doubled
 * each time (RFC 9002 6.2.1), but never past the config's probe_max or
 * one undoubled PTO, whichever is longer.  A connection inside its idle
 * timeout thus probes at least every probe_max through an outage of any
 * length, and comes back within that of the network (section 5).
 */
u64 roam_rec_backoff_us(const struct sock *sk)
{
	u64 pto = roam_rec_pto_us(sk);

	return min(pto << min_t(u8, roam_sk(sk)->rec.pto_count, ROAM_PTO_MAX_SHIFT),
		   roam_rec_backoff_max_us(sk));
}

/* Where the backoff stops: probe_max, or one undoubled PTO if longer. */
u64 roam_rec_backoff_max_us(const struct sock *sk)
{
	return max_t(u64, roam_rec_pto_us(sk),
		     (u64)ROAM_CFG(roam_net(sock_net(sk)), probe_max) * USEC_PER_MSEC);
}

/*
 * When the probe timeout counts from: the last ack-eliciting packet, or
 * the last timeout, if its probe could not leave (no route to the peer).
 * Otherwise a stale send time would fire the timer again at once, as
 * often as it can, for as long as the path is gone; TCP re-arms a failed
 * retransmission's timer from now too (tcp_retransmit_timer()).
 */
static u64 roam_rec_probe_base(const struct roam_recovery *rec)
{
	return max(rec->last_eliciting, rec->last_probe);
}

/* The loss timer if a packet waits on the time threshold, else the PTO. */
void roam_rec_set_timer(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_recovery *rec = &rs->rec;
	u64 when;

	if (rec->loss_time) {
		when = rec->loss_time;
	} else if (!list_empty(&rec->sent)) {
		when = roam_rec_probe_base(rec) + roam_rec_backoff_us(sk) * NSEC_PER_USEC;
	} else {
		sk_stop_timer(sk, &rs->rtx_timer);
		return;
	}
	roam_timer_at(sk, &rs->rtx_timer, when);
}

/*
 * The path works again, as far as this side can tell (a packet from the
 * peer, a link or an address back, notify.c): a connection whose probes
 * went unanswered probes now rather than at the end of its backoff, but
 * not sooner than one undoubled PTO after its last probe, however often
 * it is told.
 */
void roam_rec_probe_now(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;

	if (!rec->pto_count || rec->loss_time || list_empty(&rec->sent) ||
	    roam_now() < roam_rec_probe_base(rec) + (u64)roam_rec_pto_us(sk) * NSEC_PER_USEC)
		return;
	roam_output(sk, ROAM_OUT_PROBE);
	roam_rec_set_timer(sk);
}

/* A probe with nothing new to send repeats the oldest bytes in flight. */
void roam_rec_probe_oldest(struct sock *sk)
{
	struct roam_recovery *rec = &roam_sk(sk)->rec;
	struct roam_sent *e;

	list_for_each_entry(e, &rec->sent, node) {
		if (e->flags & ROAM_SENT_STREAM) {
			roam_stream_lost(sk, e->off, e->len, e->flags & ROAM_SENT_FIN);
			return;
		}
	}
}

void roam_rec_timeout(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_recovery *rec = &rs->rec;
	u64 now = roam_now();

	if (rec->loss_time) {
		if (rec->loss_time > now + ROAM_GRANULARITY_US * NSEC_PER_USEC) {
			roam_rec_set_timer(sk);
			return;
		}
		roam_rec_detect_lost(sk, now);
		roam_output(sk, ROAM_OUT_PUSH);
		roam_rec_set_timer(sk);
		return;
	}
	if (list_empty(&rec->sent)) {
		/* Nothing in flight: a retry after a failed allocation. */
		roam_output(sk, roam_ack_pending(sk) ? ROAM_OUT_ACK : ROAM_OUT_PUSH);
		return;
	}
	/* Probe timeout: one more round trip went unanswered. */
	if (rec->pto_count < U8_MAX)
		rec->pto_count++;
	rec->last_probe = now;
	/*
	 * An orphan gives up sooner than the idle timeout, as TCP's, but not
	 * after a few short round trips alone: on a lossy path, seven probe
	 * rounds in a row can fail by chance, each losing its probes or the
	 * ACK that answered them.  The span runs from its last acknowledged
	 * byte, so a port hop, which restarts the count, does not restart it.
	 */
	if (sock_flag(sk, SOCK_DEAD) && rec->pto_count > ROAM_ORPHAN_PTOS &&
	    !time_before(jiffies, rs->progress +
			 msecs_to_jiffies(ROAM_ORPHAN_PROBE_MS))) {
		pr_debug("conn %016llx: orphan gives up after %u probe timeouts\n",
			 roam_sk(sk)->local_cid, rec->pto_count);
		roam_sock_done(sk, 0);
		return;
	}
	roam_pmtu_pto(sk);
	roam_output(sk, ROAM_OUT_PROBE);
	/* Two rounds unanswered: the server may be reachable elsewhere. */
	if (rec->pto_count >= 2)
		roam_addrs_unanswered(sk);
	roam_rec_set_timer(sk);
}

int __init roam_recovery_init(void)
{
	roam_sent_cache = KMEM_CACHE(roam_sent, 0);
	return roam_sent_cache ? 0 : -ENOMEM;
}

void roam_recovery_exit(void)
{
	kmem_cache_destroy(roam_sent_cache);
}
