/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of 64-bit numbers kept as sorted, disjoint half-open
 * ranges.  roampeer keeps packet numbers it received, stream bytes it
 * received, and its own stream bytes acknowledged or to send again in them.
 */
#ifndef ROAMPEER_RANGES_H
#define ROAMPEER_RANGES_H

#include "util.h"

struct range {
	u64 lo, hi;			/* [lo, hi) */
};

struct ranges {
	struct range *r;		/* ascending, disjoint, not touching */
	size_t n, cap;
};

u64 ranges_add(struct ranges *s, u64 lo, u64 hi);
void ranges_del(struct ranges *s, u64 lo, u64 hi);
u64 ranges_end_from(const struct ranges *s, u64 v);
void ranges_keep_top(struct ranges *s, size_t keep);
void ranges_free(struct ranges *s);

#endif /* ROAMPEER_RANGES_H */
