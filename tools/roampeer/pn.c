// SPDX-License-Identifier: GPL-2.0
/*
 * What a receiver does with a packet number.  The header carries
 * 32 bits; the full 62-bit number is the one nearest to the largest
 * authenticated so far (RFC 9000 appendix A.3).  After the tag verifies,
 * a sliding window of 4096 bits in RFC 6479's layout drops numbers seen
 * before and numbers more than 4032 below the largest.
 */
#include "pn.h"

/* The full packet number nearest to @largest + 1 with these low 32 bits. */
u64 pn_decode(u64 largest, u32 truncated)
{
	const u64 win = 1ULL << 32, hwin = win / 2, mask = win - 1;
	u64 expected = largest + 1;
	u64 candidate = (expected & ~mask) | truncated;

	if (candidate + hwin <= expected && candidate < (1ULL << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

/*
 * Accepts @pn once: true and marks it if it is new and within the
 * window, false for a replay or a number too old to tell.
 */
bool replay_check(struct replay *r, u64 pn)
{
	u64 word = pn / 64, top_word = r->top / 64, i, n;
	u64 bit = 1ULL << (pn % 64);

	if (pn + REPLAY_WINDOW < r->top)
		return false;
	if (pn > r->top) {
		n = MIN(word - top_word, (u64)REPLAY_WORDS);
		for (i = 1; i <= n; i++)
			r->bits[(top_word + i) % REPLAY_WORDS] = 0;
		r->top = pn;
	}
	if (r->bits[word % REPLAY_WORDS] & bit)
		return false;
	r->bits[word % REPLAY_WORDS] |= bit;
	return true;
}
