/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole packets as bytes: the handshake packets and sealed
 * short-header packets, built and checked by pure functions that the
 * connection and the vectors check share.
 */
#ifndef ROAMPEER_SEAL_H
#define ROAMPEER_SEAL_H

#include "crypto.h"
#include "net.h"
#include "packet.h"

size_t short_seal(u8 *pkt, const u8 *key, bool encrypt, u64 dcid, u64 pn,
		  const u8 *frames, size_t len);
int short_open(u8 *pkt, size_t len, const u8 *key, bool encrypt, u64 largest,
	       u64 *pn);
void hs_initial(u8 *pkt, u64 ccid, const u8 *nc, u32 key_id);
int hs_cookie(u8 *pkt, const u8 *secret, const union sockaddr_any *server,
	      const union sockaddr_any *client, u64 ccid, u64 scid,
	      const u8 *nc, const u8 *ns, u32 ts, u32 key_id, u16 flags);
bool hs_cookie_ok(const u8 *pkt, const u8 *secret,
		  const union sockaddr_any *server,
		  const union sockaddr_any *client);
void hs_echo(u8 *pkt, const u8 *cookie, u64 scid, u64 ccid, const u8 *nc,
	     const u8 *k_c2s);
void hs_done(u8 *pkt, u64 ccid, u64 scid, const u8 *k_s2c);
bool hs_tag_ok(const u8 *pkt, size_t len, const u8 *key);
void hs_reject(u8 *pkt, u64 dcid, const u8 *nonce, u8 reason);

#endif /* ROAMPEER_SEAL_H */
