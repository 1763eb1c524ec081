// SPDX-License-Identifier: GPL-2.0
/*
 * Sets of numbers as sorted half-open ranges.  The sets stay
 * small (ACK ranges, holes in a stream), so a sorted array scanned
 * linearly is enough.
 */
#include <stdlib.h>
#include <string.h>

#include "ranges.h"

/* Makes room for one more range; exits if memory runs out. */
static void ranges_grow(struct ranges *s)
{
	size_t cap = s->cap ? 2 * s->cap : 8;
	struct range *r;

	if (s->n < s->cap)
		return;
	r = realloc(s->r, cap * sizeof(*r));
	if (!r) {
		msg("out of memory");
		exit(1);
	}
	s->r = r;
	s->cap = cap;
}

/* Adds [lo, hi): how many of its numbers were not in the set before. */
u64 ranges_add(struct ranges *s, u64 lo, u64 hi)
{
	u64 covered = 0, a, b;
	size_t i, j;

	if (lo >= hi)
		return 0;
	for (i = 0; i < s->n && s->r[i].hi < lo; i++)
		;
	for (j = i; j < s->n && s->r[j].lo <= hi; j++) {
		a = MAX(lo, s->r[j].lo);
		b = MIN(hi, s->r[j].hi);
		if (b > a)
			covered += b - a;
	}
	if (i == j) {
		ranges_grow(s);
		memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*s->r));
		s->r[i].lo = lo;
		s->r[i].hi = hi;
		s->n++;
		return hi - lo;
	}
	s->r[i].lo = MIN(lo, s->r[i].lo);
	s->r[i].hi = MAX(hi, s->r[j - 1].hi);
	memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof(*s->r));
	s->n -= j - i - 1;
	return hi - lo - covered;
}

/* Removes [lo, hi) from the set. */
void ranges_del(struct ranges *s, u64 lo, u64 hi)
{
	size_t i = 0;

	while (i < s->n && lo < hi) {
		struct range *r = &s->r[i];

		if (r->hi <= lo) {
			i++;
			continue;
		}
		if (r->lo >= hi)
			break;
		if (r->lo < lo && r->hi > hi) {
			ranges_grow(s);
			r = &s->r[i];
			memmove(r + 1, r, (s->n - i) * sizeof(*r));
			s->n++;
			r->hi = lo;
			r[1].lo = hi;
			break;
		}
		if (r->lo < lo) {
			r->hi = lo;
			i++;
			continue;
		}
		if (r->hi > hi) {
			r->lo = hi;
			break;
		}
		memmove(r, r + 1, (s->n - i - 1) * sizeof(*r));
		s->n--;
	}
}

/* The end of the range holding @v, or @v itself if no range does. */
u64 ranges_end_from(const struct ranges *s, u64 v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (v >= s->r[i].lo && v < s->r[i].hi)
			return s->r[i].hi;
	return v;
}

/* Forgets all but the @keep highest ranges. */
void ranges_keep_top(struct ranges *s, size_t keep)
{
	size_t drop;

	if (s->n <= keep)
		return;
	drop = s->n - keep;
	memmove(s->r, s->r + drop, keep * sizeof(*s->r));
	s->n = keep;
}

/* Frees the set's memory and empties it. */
void ranges_free(struct ranges *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}
