/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet numbers on receipt: the full number from its low 32 bits,
 * and the replay window (PROTOCOL.md sections 2 and 6).
 */
#ifndef ROAMPEER_PN_H
#define ROAMPEER_PN_H

#include "util.h"

#define REPLAY_WORDS		64			/* 4096 bits */
#define REPLAY_WINDOW		(64 * (REPLAY_WORDS - 1))	/* 4032 */

struct replay {
	u64 top;			/* the largest number accepted */
	u64 bits[REPLAY_WORDS];
};

u64 pn_decode(u64 largest, u32 truncated);
bool replay_check(struct replay *r, u64 pn);

#endif /* ROAMPEER_PN_H */
