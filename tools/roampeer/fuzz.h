/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzzing from a live connection (fuzz.c): authenticated frames, and
 * packets without a valid tag, drawn from a seed.
 */
#ifndef ROAMPEER_FUZZ_H
#define ROAMPEER_FUZZ_H

#include <stdio.h>

#include "conn.h"

void fuzz_frames(struct conn *c, u64 seed, u64 count, FILE *out);
void fuzz_garble(struct conn *c, u64 seed, u64 count, FILE *out);

#endif /* ROAMPEER_FUZZ_H */
