// SPDX-License-Identifier: GPL-2.0
/*
 * Roam packets as bytes (PROTOCOL.md sections 2, 3 and 6).  A
 * short-header packet is its header, its frames and a ChaCha20-Poly1305
 * tag under the sender's key and the packet number; the handshake
 * packets are fixed layouts, COOKIE_ECHO and DONE with a tag of packet
 * number 0 over their first 94 and 36 bytes.  These functions keep no
 * state, so the vectors check runs exactly the code the connection does.
 */
#include <string.h>
#include <openssl/crypto.h>

#include "pn.h"
#include "seal.h"

/*
 * Builds a sealed short-header packet with @len bytes of frames (which
 * may already sit at pkt + 13): its size, or 0 if sealing failed.
 */
size_t short_seal(u8 *pkt, const u8 *key, bool encrypt, u64 dcid, u64 pn,
		  const u8 *frames, size_t len)
{
	size_t n = short_hdr_put(pkt, dcid, pn);

	if (frames != pkt + n)
		memmove(pkt + n, frames, len);
	if (aead_seal(key, pn, encrypt, pkt, n, len))
		return 0;
	return n + len + TAG_LEN;
}

/*
 * Opens a short-header packet in place, its number reconstructed from
 * @largest: 0 with *@pn set, or -1 if it is too short or the tag fails.
 */
int short_open(u8 *pkt, size_t len, const u8 *key, bool encrypt, u64 largest,
	       u64 *pn)
{
	if (len < SHORT_MIN_LEN)
		return -1;
	*pn = pn_decode(largest, get_be32(pkt + 9));
	return aead_open(key, *pn, encrypt, pkt, SHORT_HDR_LEN, len);
}

/* INITIAL: the header, the key id, zero bytes to 1200. */
void hs_initial(u8 *pkt, u64 ccid, const u8 *nc, u32 key_id)
{
	memset(pkt, 0, INITIAL_LEN);
	long_hdr_put(pkt, PT_INITIAL, 0, 0, ccid, nc);
	put_be32(pkt + LONG_HDR_LEN, key_id);
}

/* The MAC of the cookie at @ck, for the endpoints and CIDs given. */
static int cookie_mac_of(const u8 *ck, const u8 *secret,
			 const union sockaddr_any *server,
			 const union sockaddr_any *client, u64 ccid, u64 scid,
			 const u8 *nc, u8 *mac)
{
	u8 saddr[16], caddr[16];

	addr_mapped(server, saddr);
	addr_mapped(client, caddr);
	return cookie_mac(secret, saddr, addr_port(server), caddr,
			  addr_port(client), ccid, scid, nc, ck + CK_NS,
			  get_be32(ck + CK_TS), get_be32(ck + CK_KEY_ID), mac);
}

/* COOKIE (94 bytes): the cookie of section 2 with roampeer's MAC.  0/-1. */
int hs_cookie(u8 *pkt, const u8 *secret, const union sockaddr_any *server,
	      const union sockaddr_any *client, u64 ccid, u64 scid,
	      const u8 *nc, const u8 *ns, u32 ts, u32 key_id, u16 flags)
{
	u8 *ck = pkt + LONG_HDR_LEN;

	long_hdr_put(pkt, PT_COOKIE, flags, ccid, scid, nc);
	memcpy(ck + CK_NS, ns, NONCE_LEN);
	put_be32(ck + CK_TS, ts);
	put_be32(ck + CK_KEY_ID, key_id);
	addr_mapped(client, ck + CK_ADDR);
	put_be16(ck + CK_PORT, addr_port(client));
	return cookie_mac_of(ck, secret, server, client, ccid, scid, nc,
			     ck + CK_MAC);
}

/*
 * Whether the cookie in a COOKIE_ECHO (dcid S, scid C) is one this
 * secret made, for the client address it comes from.
 */
bool hs_cookie_ok(const u8 *pkt, const u8 *secret,
		  const union sockaddr_any *server,
		  const union sockaddr_any *client)
{
	const u8 *ck = pkt + LONG_HDR_LEN;
	u8 caddr[16], mac[MAC_LEN];

	addr_mapped(client, caddr);
	if (memcmp(ck + CK_ADDR, caddr, 16) ||
	    get_be16(ck + CK_PORT) != addr_port(client))
		return false;
	if (cookie_mac_of(ck, secret, server, client, get_be64(pkt + 12),
			  get_be64(pkt + 4), pkt + 20, mac))
		return false;
	return !CRYPTO_memcmp(mac, ck + CK_MAC, MAC_LEN);
}

/* COOKIE_ECHO (110 bytes): the cookie echoed, a tag over bytes 0-93. */
void hs_echo(u8 *pkt, const u8 *cookie, u64 scid, u64 ccid, const u8 *nc,
	     const u8 *k_c2s)
{
	long_hdr_put(pkt, PT_COOKIE_ECHO, 0, scid, ccid, nc);
	memcpy(pkt + LONG_HDR_LEN, cookie, COOKIE_LEN);
	aead_seal(k_c2s, 0, false, pkt, COOKIE_PKT_LEN, 0);
}

/* DONE (52 bytes): zero nonce, a tag over bytes 0-35. */
void hs_done(u8 *pkt, u64 ccid, u64 scid, const u8 *k_s2c)
{
	long_hdr_put(pkt, PT_DONE, 0, ccid, scid, NULL);
	aead_seal(k_s2c, 0, false, pkt, LONG_HDR_LEN, 0);
}

/* Whether the tag ending a @len-byte COOKIE_ECHO or DONE verifies. */
bool hs_tag_ok(const u8 *pkt, size_t len, const u8 *key)
{
	u8 tmp[ECHO_PKT_LEN];

	if (len > sizeof(tmp) || len < TAG_LEN)
		return false;
	memcpy(tmp, pkt, len);
	return !aead_open(key, 0, false, tmp, len - TAG_LEN, len);
}

/* REJECT (37 bytes) to the CID and nonce of the packet it answers. */
void hs_reject(u8 *pkt, u64 dcid, const u8 *nonce, u8 reason)
{
	long_hdr_put(pkt, PT_REJECT, 0, dcid, 0, nonce);
	pkt[LONG_HDR_LEN] = reason;
}
