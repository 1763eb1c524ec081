/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_REPLAY_H
#define _ROAM_REPLAY_H

#include <linux/types.h>

#include "protocol.h"

#define ROAM_REPLAY_WORDS	(ROAM_REPLAY_WINDOW / BITS_PER_LONG)

/* The packet numbers seen lately, RFC 6479 style: a ring of words. */
struct roam_replay {
	u64 next;			/* one above the largest seen; 0: none */
	unsigned long bits[ROAM_REPLAY_WORDS];
};

void roam_replay_init(struct roam_replay *r);
bool roam_replay_check(struct roam_replay *r, u64 pn);

#endif /* _ROAM_REPLAY_H */
