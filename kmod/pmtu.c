// SPDX-License-Identifier: GPL-2.0
/*
 * Packetization-layer path MTU discovery, after RFC 8899.  Packets start
 * at 1200 bytes of UDP payload, which every IPv6 path carries, and are
 * sent with DF.  Probes (PING and PADDING) search upwards to the route's
 * MTU; one acknowledged raises the size, three lost of one size lower the
 * ceiling.  A route MTU that drops applies at once; probe timeouts in a
 * row with full-size packets in flight mean a black hole, and the size
 * starts over from the base.  Probe losses are not congestion.
 */
#include <linux/jiffies.h>
#include <net/sock.h>

#include "pmtu.h"
#include "recovery.h"
#include "sock.h"

void roam_pmtu_init(struct sock *sk)
{
	struct roam_pmtu *p = &roam_sk(sk)->pmtu;

	memset(p, 0, sizeof(*p));
	p->size = ROAM_PMTU_BASE;
	p->high = ROAM_PMTU_MAX + 1;
	p->next = jiffies;
}

/*
 * What PLPMTUD learned of the current path, for roam_pmtu_path_changed():
 * not a probe in flight, whose answer, if any, comes while the
 * connection is elsewhere, and which the path probes again on its return.
 */
void roam_pmtu_save(const struct sock *sk, struct roam_pmtu *out)
{
	*out = roam_sk(sk)->pmtu;
	out->probe = 0;
	out->next = jiffies;
}

/*
 * Another host: what the search learned of it before (@restore), or from
 * the base again.  The route's MTU comes with the next route lookup.
 */
void roam_pmtu_path_changed(struct sock *sk, const struct roam_pmtu *restore)
{
	if (restore)
		roam_sk(sk)->pmtu = *restore;
	else
		roam_pmtu_init(sk);
}

/* The size of a full packet now: never above what the route takes. */
u16 roam_pmtu_size(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);
	u16 limit = rs->path.mtu ?: ROAM_PMTU_BASE;

	return min(rs->pmtu.size, max_t(u16, limit, ROAM_PMTU_BASE));
}

/* What the route says fits, in UDP payload bytes. */
void roam_pmtu_route(struct sock *sk, unsigned int limit)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_pmtu *p = &rs->pmtu;

	rs->path.mtu = limit;
	if (limit < p->size) {
		/* The route shrank (ICMP, or the device): follow it now. */
		p->size = max_t(u16, limit, ROAM_PMTU_BASE);
		p->high = p->size + 1;
		p->probe = 0;
		p->next = jiffies + msecs_to_jiffies(ROAM_PMTU_RAISE_MS);
	} else if (limit >= p->high && time_after(jiffies, p->next)) {
		/* A larger route (a new path?): search again. */
		p->high = ROAM_PMTU_MAX + 1;
	}
}

/* The size to probe now, or 0. */
u16 roam_pmtu_probe_due(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_pmtu *p = &rs->pmtu;
	unsigned int top;

	if (p->probe || time_before(jiffies, p->next) || !rs->path.mtu)
		return 0;
	top = min_t(unsigned int, rs->path.mtu, p->high - 1);
	if (top < p->size + ROAM_PMTU_STEP) {
		p->next = jiffies + msecs_to_jiffies(ROAM_PMTU_RAISE_MS);
		p->high = ROAM_PMTU_MAX + 1;
		return 0;
	}
	/* The route's size first, as most paths take it; then halve. */
	if (p->fails && top == p->high - 1)
		return top;
	return top == rs->path.mtu ? top : p->size + (top - p->size) / 2;
}

void roam_pmtu_probe_sent(struct sock *sk, u64 pn, u16 size)
{
	struct roam_pmtu *p = &roam_sk(sk)->pmtu;

	p->probe = size;
	p->probe_pn = pn;
}

void roam_pmtu_probe_acked(struct sock *sk, u16 size)
{
	struct roam_pmtu *p = &roam_sk(sk)->pmtu;

	if (size > p->size)
		p->size = size;
	p->probe = 0;
	p->fails = 0;
	p->next = jiffies;
}

void roam_pmtu_probe_lost(struct sock *sk, u16 size)
{
	struct roam_pmtu *p = &roam_sk(sk)->pmtu;

	p->probe = 0;
	if (++p->fails >= ROAM_PMTU_PROBE_TRIES) {
		p->high = size;
		p->fails = 0;
		p->next = jiffies;
	} else {
		p->next = jiffies + HZ / 10;
	}
}

/*
 * A probe timeout.  Several in a row while full-size packets wait for an
 * acknowledgment look like a black hole: start again from the base.
 */
void roam_pmtu_pto(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_pmtu *p = &rs->pmtu;
	struct roam_sent *oldest;

	oldest = list_first_entry_or_null(&rs->rec.sent, struct roam_sent, node);
	if (rs->rec.pto_count < ROAM_PMTU_BLACK_HOLE_PTOS || p->size <= ROAM_PMTU_BASE ||
	    !oldest || oldest->size <= ROAM_PMTU_BASE)
		return;
	p->high = p->size;
	p->size = ROAM_PMTU_BASE;
	p->probe = 0;
	p->fails = 0;
	p->next = jiffies + HZ;
}
