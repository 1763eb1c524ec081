/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_RANGES_H
#define _ROAM_RANGES_H

#include <linux/list.h>
#include <linux/types.h>

/*
 * A set of disjoint half-open ranges [start, end) of u64, kept sorted:
 * received packet numbers, acknowledged and lost stream bytes.  Sets stay
 * small (one range per hole), so a list is enough.
 */
struct roam_range {
	struct list_head node;
	u64 start;
	u64 end;
};

struct roam_ranges {
	struct list_head list;
	unsigned int count;
};

static inline void roam_ranges_init(struct roam_ranges *r)
{
	INIT_LIST_HEAD(&r->list);
	r->count = 0;
}

static inline bool roam_ranges_empty(const struct roam_ranges *r)
{
	return list_empty(&r->list);
}

static inline struct roam_range *roam_ranges_first(struct roam_ranges *r)
{
	return list_first_entry_or_null(&r->list, struct roam_range, node);
}

static inline struct roam_range *roam_ranges_last(struct roam_ranges *r)
{
	return list_empty(&r->list) ? NULL :
	       list_last_entry(&r->list, struct roam_range, node);
}

int roam_ranges_add(struct roam_ranges *r, u64 start, u64 end);
int roam_ranges_remove(struct roam_ranges *r, u64 start, u64 end);
void roam_ranges_drop_first(struct roam_ranges *r);
bool roam_ranges_contains(const struct roam_ranges *r, u64 start, u64 end);
void roam_ranges_purge(struct roam_ranges *r);

int roam_ranges_init_module(void);
void roam_ranges_exit_module(void);

#endif /* _ROAM_RANGES_H */
