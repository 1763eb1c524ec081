// SPDX-License-Identifier: GPL-2.0
/*
 * Replay protection (docs/PROTOCOL.md section 6): a sliding window of
 * packet numbers after RFC 6479.  The bitmap is a ring of words; when
 * the largest number moves on, only the words it passes are cleared, so
 * a check costs the same however far the window slides.  The window
 * covers ROAM_REPLAY_WINDOW - BITS_PER_LONG numbers below the largest:
 * the word the largest is in is always whole.  Under the socket lock.
 */
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "replay.h"

void roam_replay_init(struct roam_replay *r)
{
	memset(r, 0, sizeof(*r));
}

/*
 * Is @pn new?  Then it is recorded and true is returned; a number seen
 * before, or too old to tell, gives false.
 */
bool roam_replay_check(struct roam_replay *r, u64 pn)
{
	u64 word = pn / BITS_PER_LONG;

	if (pn + (ROAM_REPLAY_WINDOW - BITS_PER_LONG) < r->next)
		return false;
	if (pn >= r->next) {
		if (r->next) {
			u64 top = (r->next - 1) / BITS_PER_LONG, i;
			u64 n = min_t(u64, word - top, ROAM_REPLAY_WORDS);

			for (i = 1; i <= n; i++)
				r->bits[(top + i) % ROAM_REPLAY_WORDS] = 0;
		}
		r->next = pn + 1;
	}
	return !__test_and_set_bit(pn % BITS_PER_LONG,
				   &r->bits[word % ROAM_REPLAY_WORDS]);
}
