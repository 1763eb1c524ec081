// SPDX-License-Identifier: GPL-2.0
/*
 * Loss recovery and congestion control for our packets, cut
 * down from RFC 9002 as PROTOCOL.md section 5 describes it: RTT
 * estimates, a packet lost 3 numbers or 9/8 RTT behind an acknowledged
 * one, a probe timeout that doubles, NewReno's window.  What a lost
 * packet carried goes back to the stream (or is announced again); the
 * packets themselves are never sent again.  Packets that scripts send
 * outside the stream are not tracked here.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"

#define INITIAL_CWND		(10 * MSS)
#define MIN_CWND		(2 * MSS)
#define PKT_THRESHOLD		3

/* Starts with RFC 9002's initial RTT and window. */
void recovery_init(struct conn *c)
{
	c->srtt = INITIAL_RTT_US;
	c->rttvar = INITIAL_RTT_US / 2;
	c->min_rtt = UINT64_MAX;
	c->cwnd = INITIAL_CWND;
	c->ssthresh = UINT64_MAX;
}

/* Frees the record of packets in flight. */
void recovery_free(struct conn *c)
{
	free(c->sent.p);
	memset(&c->sent, 0, sizeof(c->sent));
}

/* Appends a record; exits if memory runs out. */
static struct sent_pkt *sentq_push(struct sentq *q)
{
	size_t cap;
	void *p;

	if (q->tail == q->cap && q->head) {
		memmove(q->p, q->p + q->head, (q->tail - q->head) * sizeof(*q->p));
		q->tail -= q->head;
		q->head = 0;
	}
	if (q->tail == q->cap) {
		cap = q->cap ? 2 * q->cap : 64;
		p = realloc(q->p, cap * sizeof(*q->p));
		if (!p) {
			msg("out of memory");
			exit(1);
		}
		q->p = p;
		q->cap = cap;
	}
	return &q->p[q->tail++];
}

/* Forgets a record (size 0 marks it gone) and the gone ones at the head. */
static void sentq_remove(struct sentq *q, struct sent_pkt *p)
{
	p->size = 0;
	while (q->head < q->tail && !q->p[q->head].size)
		q->head++;
}

/* Records a packet just sent. */
void recovery_sent(struct conn *c, const struct sent_pkt *p)
{
	*sentq_push(&c->sent) = *p;
	if (p->in_flight)
		c->in_flight += p->size;
	if (p->ack_eliciting)
		c->last_eliciting = p->time;
}

/* Whether an ack-eliciting packet of ours awaits its ACK. */
bool recovery_outstanding(const struct conn *c)
{
	size_t i;

	for (i = c->sent.head; i < c->sent.tail; i++)
		if (c->sent.p[i].size && c->sent.p[i].ack_eliciting)
			return true;
	return false;
}

/* Whether the congestion window has room for one more full packet. */
bool recovery_cwnd_room(const struct conn *c)
{
	return c->in_flight + MSS <= c->cwnd;
}

/* Takes an RTT measured outside ACKs (the handshake) as the first. */
void recovery_rtt_seed(struct conn *c, u64 rtt)
{
	c->latest_rtt = rtt;
	c->min_rtt = rtt;
	c->srtt = rtt;
	c->rttvar = rtt / 2;
	c->rtt_valid = true;
}

/* RFC 9002 section 5.3: a new RTT sample, less the peer's ACK delay. */
static void rtt_update(struct conn *c, u64 sample, u64 delay)
{
	u64 adj = sample, diff;

	if (!c->rtt_valid) {
		recovery_rtt_seed(c, sample);
		return;
	}
	c->latest_rtt = sample;
	c->min_rtt = MIN(c->min_rtt, sample);
	delay = MIN(delay, (u64)MAX_ACK_DELAY_US);
	if (sample >= c->min_rtt + delay)
		adj = sample - delay;
	diff = c->srtt > adj ? c->srtt - adj : adj - c->srtt;
	c->rttvar = (3 * c->rttvar + diff) / 4;
	c->srtt = (7 * c->srtt + adj) / 8;
}

/* A packet was acknowledged: grow the window, credit the stream. */
static void on_acked(struct conn *c, const struct sent_pkt *p)
{
	if (p->in_flight) {
		c->in_flight -= p->size;
		if (p->time > c->recovery_start) {
			if (c->cwnd < c->ssthresh)
				c->cwnd += p->size;
			else
				c->cwnd += (u64)MSS * p->size / c->cwnd;
		}
	}
	if (p->stream)
		tx_acked(c, p->off, p->len, p->fin);
}

/* What a lost (or probed) packet carried is to be sent again. */
static void requeue(struct conn *c, const struct sent_pkt *p)
{
	if (p->stream)
		tx_lost(c, p->off, p->len, p->fin);
	if (p->max_data)
		c->rx.limit_need = true;
	if (p->challenge && c->chal_out)
		c->chal_need = true;
}

/* A packet is lost: it leaves the window, its contents go again. */
static void on_lost(struct conn *c, struct sent_pkt *p)
{
	c->stats.lost++;
	if (p->in_flight)
		c->in_flight -= p->size;
	requeue(c, p);
	sentq_remove(&c->sent, p);
}

/* NewReno: one reduction per round trip, for losses sent after the last. */
static void congestion_event(struct conn *c, u64 sent_time, u64 now)
{
	if (sent_time <= c->recovery_start)
		return;
	c->recovery_start = now;
	c->cwnd = MAX(c->cwnd / 2, (u64)MIN_CWND);
	c->ssthresh = c->cwnd;
}

/* Declares lost what is 3 numbers or 9/8 RTT behind the largest acked. */
static void detect_lost(struct conn *c, u64 now)
{
	u64 delay = MAX(9 * MAX(c->latest_rtt, c->srtt) / 8, 1000ULL);
	u64 last_lost = 0;
	struct sent_pkt *p;
	size_t i;

	c->loss_time = 0;
	if (!c->any_acked)
		return;
	for (i = c->sent.head; i < c->sent.tail; i++) {
		p = &c->sent.p[i];
		if (!p->size || p->pn > c->largest_acked)
			continue;
		if (c->largest_acked - p->pn >= PKT_THRESHOLD ||
		    now >= p->time + delay) {
			if (p->in_flight)
				last_lost = MAX(last_lost, p->time);
			on_lost(c, p);
		} else if (!c->loss_time || p->time + delay < c->loss_time) {
			c->loss_time = p->time + delay;
		}
	}
	if (last_lost)
		congestion_event(c, last_lost, now);
}

/* Adds the acked numbers that a script watches to its set. */
static void watch_acks(struct conn *c, const struct range *r, int n)
{
	u64 lo, hi;
	int i;

	if (!c->watch_hi)
		return;
	for (i = 0; i < n; i++) {
		lo = MAX(r[i].lo, c->watch_lo);
		hi = MIN(r[i].hi, c->watch_hi);
		if (lo < hi)
			ranges_add(&c->watch_acked, lo, hi);
	}
}

/* Whether @pn is in one of @n ranges. */
static bool in_ranges(const struct range *r, int n, u64 pn)
{
	int i;

	for (i = 0; i < n; i++)
		if (pn >= r[i].lo && pn < r[i].hi)
			return true;
	return false;
}

/*
 * An ACK frame: the packets it acknowledges leave the record, the RTT
 * gets a sample, and what fell behind is declared lost.  An ACK of a
 * number we never sent is ignored (the rest of its packet stands).
 */
void recovery_on_ack(struct conn *c, const struct ack_frame *a, u64 now)
{
	struct range r[ACK_MAX_RANGES + 1];
	bool newly = false;
	u64 sample = 0;
	struct sent_pkt *p;
	size_t i;
	int n;

	if (a->largest >= c->tx_pn) {
		dbg(1, "ACK of packet %llu, which we never sent: ignored",
		    (unsigned long long)a->largest);
		return;
	}
	n = ack_ranges(a, r);
	watch_acks(c, r, n);
	for (i = c->sent.head; i < c->sent.tail; i++) {
		p = &c->sent.p[i];
		if (!p->size || !in_ranges(r, n, p->pn))
			continue;
		if (p->pn == a->largest && p->ack_eliciting)
			sample = now - p->time;
		on_acked(c, p);
		sentq_remove(&c->sent, p);
		newly = true;
	}
	if (!c->any_acked || a->largest > c->largest_acked)
		c->largest_acked = a->largest;
	c->any_acked = true;
	if (sample)
		rtt_update(c, sample, (u64)a->delay * 8);
	if (newly)
		c->pto_count = 0;
	detect_lost(c, now);
}

/* PATH_GONE: everything in flight went to a dead address; resend it all. */
void recovery_all_lost(struct conn *c)
{
	size_t i;

	for (i = c->sent.head; i < c->sent.tail; i++)
		if (c->sent.p[i].size)
			on_lost(c, &c->sent.p[i]);
	c->loss_time = 0;
}

/* When the loss or probe timer fires next, or 0. */
u64 recovery_deadline(const struct conn *c)
{
	if (c->loss_time)
		return c->loss_time;
	if (!recovery_outstanding(c))
		return 0;
	return c->last_eliciting + (conn_pto(c) << MIN(c->pto_count, 10U));
}

/*
 * The loss timer declares packets lost; the probe timer doubles the
 * timeout and sends two probes, with the oldest packet's contents again.
 */
void recovery_timer(struct conn *c, u64 now)
{
	u64 deadline = recovery_deadline(c);
	size_t i;

	if (!deadline || now < deadline)
		return;
	if (c->loss_time) {
		detect_lost(c, now);
		return;
	}
	c->pto_count++;
	c->stats.ptos++;
	c->probes = 2;
	for (i = c->sent.head; i < c->sent.tail; i++) {
		if (c->sent.p[i].size && c->sent.p[i].ack_eliciting) {
			requeue(c, &c->sent.p[i]);
			break;
		}
	}
	dbg(1, "probe timeout %u", c->pto_count);
}
