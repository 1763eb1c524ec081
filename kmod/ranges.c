// SPDX-License-Identifier: GPL-2.0
/*
 * Sets of ranges.  Called under the socket lock, from any context, so
 * allocations are atomic; a failed allocation is -ENOMEM and leaves the
 * set as it was.
 */
#include <linux/slab.h>

#include "ranges.h"

static struct kmem_cache *roam_range_cache __ro_after_init;

static struct roam_range *roam_range_new(u64 start, u64 end)
{
	struct roam_range *n = kmem_cache_alloc(roam_range_cache, GFP_ATOMIC);

	if (n) {
		n->start = start;
		n->end = end;
	}
	return n;
}

static void roam_range_del(struct roam_ranges *r, struct roam_range *n)
{
	list_del(&n->node);
	r->count--;
	kmem_cache_free(roam_range_cache, n);
}

/* Adds [start, end), merging with what it touches or overlaps. */
int roam_ranges_add(struct roam_ranges *r, u64 start, u64 end)
{
	struct roam_range *n, *tmp, *at = NULL;

	if (start >= end)
		return 0;
	/* Walk from the end: most additions extend the newest range. */
	list_for_each_entry_reverse(n, &r->list, node) {
		if (n->end < start)
			break;
		at = n;
	}
	if (!at || at->start > end) {
		/* Touches nothing: a new range before @at (or at the end). */
		n = roam_range_new(start, end);
		if (!n)
			return -ENOMEM;
		list_add_tail(&n->node, at ? &at->node : &r->list);
		r->count++;
		return 0;
	}
	at->start = min(at->start, start);
	at->end = max(at->end, end);
	/* Swallow the ranges the grown one now reaches. */
	n = list_next_entry(at, node);
	list_for_each_entry_safe_from(n, tmp, &r->list, node) {
		if (n->start > at->end)
			break;
		at->end = max(at->end, n->end);
		roam_range_del(r, n);
	}
	return 0;
}

/* Removes [start, end); splitting a range needs one allocation. */
int roam_ranges_remove(struct roam_ranges *r, u64 start, u64 end)
{
	struct roam_range *n, *tmp, *split;

	list_for_each_entry_safe(n, tmp, &r->list, node) {
		if (n->end <= start)
			continue;
		if (n->start >= end)
			break;
		if (n->start < start && n->end > end) {
			split = roam_range_new(end, n->end);
			if (!split)
				return -ENOMEM;
			n->end = start;
			list_add(&split->node, &n->node);
			r->count++;
			break;
		}
		if (n->start < start)
			n->end = start;
		else if (n->end > end)
			n->start = end;
		else
			roam_range_del(r, n);
	}
	return 0;
}

void roam_ranges_drop_first(struct roam_ranges *r)
{
	struct roam_range *n = roam_ranges_first(r);

	if (n)
		roam_range_del(r, n);
}

/* Is all of [start, end) in the set? */
bool roam_ranges_contains(const struct roam_ranges *r, u64 start, u64 end)
{
	struct roam_range *n;

	list_for_each_entry(n, &r->list, node) {
		if (n->start > start)
			return false;
		if (n->end >= end)
			return true;
		if (n->end > start)
			return false;
	}
	return false;
}

void roam_ranges_purge(struct roam_ranges *r)
{
	struct roam_range *n, *tmp;

	list_for_each_entry_safe(n, tmp, &r->list, node)
		roam_range_del(r, n);
}

int __init roam_ranges_init_module(void)
{
	roam_range_cache = KMEM_CACHE(roam_range, 0);
	return roam_range_cache ? 0 : -ENOMEM;
}

void roam_ranges_exit_module(void)
{
	kmem_cache_destroy(roam_range_cache);
}
