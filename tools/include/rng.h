/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzers' generator, xorshift64*: selftests/roamfuzz.c and
 * tools/roampeer/fuzz.c draw every input from a seed with it, so that a
 * seed replays its inputs.  Fast and small, and not for anything secret.
 * The state must not be 0.
 */
#ifndef ROAM_TOOLS_RNG_H
#define ROAM_TOOLS_RNG_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* A number below @n (n > 0). */
static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

static inline void rng_fill(uint64_t *s, void *p, size_t n)
{
	unsigned char *b = p;

	while (n--)
		*b++ = rng_next(s);
}

#endif
