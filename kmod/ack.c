// SPDX-License-Identifier: GPL-2.0
/*
 * Acknowledging what we receive: the packet numbers seen, when an ACK is
 * due, and the ACK frame both ways (docs/PROTOCOL.md section 2 and 5).
 * Under the socket lock.
 */
#include <net/sock.h>

#include "ack.h"
#include "compat.h"
#include "recovery.h"
#include "sock.h"
#include "timers.h"

void roam_ack_init(struct sock *sk)
{
	struct roam_acks *a = &roam_sk(sk)->acks;

	memset(a, 0, sizeof(*a));
	roam_ranges_init(&a->pns);
}

/*
 * Records packet @pn.  Returns false for a duplicate, or a number older
 * than anything remembered, which the caller drops; it is acknowledged
 * again, since our last ACK may have been lost.
 */
bool roam_ack_record(struct sock *sk, u64 pn, bool eliciting, u8 tos)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_acks *a = &rs->acks;
	struct roam_range *first = roam_ranges_first(&a->pns);
	struct roam_range *last = roam_ranges_last(&a->pns);
	/* Adding may merge and free ranges: keep what is needed of them. */
	bool largest = !last || pn >= last->end;

	if (roam_ranges_contains(&a->pns, pn, pn + 1) ||
	    (first && a->pns.count >= ROAM_ACK_RANGES_MAX && pn < first->start)) {
		a->immediate = true;
		return false;
	}
	if (last && pn != last->end)
		a->immediate = true;	/* a gap, or a packet late */
	if (roam_ranges_add(&a->pns, pn, pn + 1))
		return false;
	while (a->pns.count > ROAM_ACK_RANGES_MAX)
		roam_ranges_drop_first(&a->pns);
	if (largest)
		a->largest_time = roam_now();

	switch (tos & ROAM_ECN_MASK) {
	case ROAM_ECN_ECT0:
		a->ecn[0]++;
		break;
	case ROAM_ECN_ECT1:
		a->ecn[1]++;
		break;
	case ROAM_ECN_CE:
		a->ecn[2]++;
		a->immediate = true;
		break;
	}
	if (eliciting) {
		roam_timers_eliciting_received(sk);
		a->unacked++;
		/* Even an ACK held for the end of a batch goes within the delay. */
		roam_timer_ack(sk);
	}
	return true;
}

/*
 * Should an ACK go out now, even alone?  Not while more packets that
 * arrived with this one are being opened (@held, as TCP acknowledges a
 * GRO batch once), unless ROAM_ACK_HELD_MAX wait already.
 */
bool roam_ack_due(const struct sock *sk)
{
	const struct roam_acks *a = &roam_sk(sk)->acks;

	if (a->held)
		return a->unacked >= ROAM_ACK_HELD_MAX;
	return a->unacked >= ROAM_ACK_EVERY || (a->immediate && a->unacked);
}

/* Is there anything to acknowledge, for a packet going out anyway? */
bool roam_ack_pending(const struct sock *sk)
{
	const struct roam_acks *a = &roam_sk(sk)->acks;

	return a->unacked || a->immediate;
}

/*
 * Writes an ACK (or ACK_ECN) frame of the ranges remembered, newest
 * first, as many as fit in @room.  Returns its length, 0 if none fits.
 */
int roam_ack_write(struct sock *sk, u8 *p, unsigned int room)
{
	struct roam_acks *a = &roam_sk(sk)->acks;
	struct roam_range *r = roam_ranges_last(&a->pns), *prev;
	bool ecn = a->ecn[0] || a->ecn[1] || a->ecn[2];
	unsigned int len = ROAM_ACK_LEN + (ecn ? ROAM_ACK_ECN_LEN : 0);
	u8 *start = p, *count;
	u64 delay;

	if (!r || room < len)
		return 0;
	delay = div_u64(roam_now() - a->largest_time, NSEC_PER_USEC) >> ROAM_ACK_DELAY_SHIFT;
	*p++ = ecn ? ROAM_FT_ACK_ECN : ROAM_FT_ACK;
	put_unaligned_be64(r->end - 1, p);
	put_unaligned_be16(min_t(u64, delay, U16_MAX), p + 8);
	put_unaligned_be32(r->end - 1 - r->start, p + 10);
	count = p + 14;
	*count = 0;
	p += 15;
	room -= len;
	/* Older ranges: the gap below the previous one, then the length. */
	for (prev = r; prev != roam_ranges_first(&a->pns) && room >= ROAM_ACK_RANGE_LEN;) {
		r = list_prev_entry(prev, node);
		put_unaligned_be32(prev->start - r->end - 1, p);
		put_unaligned_be32(r->end - 1 - r->start, p + 4);
		p += ROAM_ACK_RANGE_LEN;
		room -= ROAM_ACK_RANGE_LEN;
		(*count)++;
		prev = r;
	}
	if (ecn) {
		put_unaligned_be64(a->ecn[0], p);
		put_unaligned_be64(a->ecn[1], p + 8);
		put_unaligned_be64(a->ecn[2], p + 16);
		p += ROAM_ACK_ECN_LEN;
	}
	a->unacked = 0;
	a->immediate = false;
	return p - start;
}

/* Decodes an ACK frame after its type byte; returns its length or -EINVAL. */
int roam_ack_parse(const u8 *p, const u8 *end, bool ecn, struct roam_ack *ack)
{
	const u8 *start = p;
	u64 largest, first, smallest;
	unsigned int n, i;

	if (end - p < ROAM_ACK_LEN - 1)
		return -EINVAL;
	largest = get_unaligned_be64(p);
	ack->delay_us = (u64)get_unaligned_be16(p + 8) << ROAM_ACK_DELAY_SHIFT;
	first = get_unaligned_be32(p + 10);
	n = p[14];
	p += 15;
	if (first > largest || n > ROAM_ACK_RANGES_MAX ||
	    end - p < n * ROAM_ACK_RANGE_LEN + (ecn ? ROAM_ACK_ECN_LEN : 0))
		return -EINVAL;
	ack->largest = largest;
	ack->n = n + 1;
	smallest = largest - first;
	/* Ranges arrive newest first; store them oldest first. */
	ack->range[n].start = smallest;
	ack->range[n].end = largest + 1;
	for (i = 0; i < n; i++) {
		u64 gap = get_unaligned_be32(p), len = get_unaligned_be32(p + 4);

		p += ROAM_ACK_RANGE_LEN;
		if (smallest < gap + 2 || smallest - gap - 2 < len)
			return -EINVAL;
		largest = smallest - gap - 2;
		smallest = largest - len;
		ack->range[n - 1 - i].start = smallest;
		ack->range[n - 1 - i].end = largest + 1;
	}
	ack->ecn = ecn;
	if (ecn) {
		ack->ect0 = get_unaligned_be64(p);
		ack->ect1 = get_unaligned_be64(p + 8);
		ack->ce = get_unaligned_be64(p + 16);
		p += ROAM_ACK_ECN_LEN;
	}
	return p - start;
}
