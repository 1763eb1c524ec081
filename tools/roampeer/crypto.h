/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Roam's cryptography (PROTOCOL.md section 6 and the cookie of
 * section 3), all of it through OpenSSL's libcrypto.
 */
#ifndef ROAMPEER_CRYPTO_H
#define ROAMPEER_CRYPTO_H

#include "util.h"

#define KEY_LEN		32
#define TAG_LEN		16
#define NONCE_LEN	16
#define MAC_LEN		16

struct keys {
	u8 prk[KEY_LEN];
	u8 c2s[KEY_LEN];
	u8 s2c[KEY_LEN];
};

int keys_derive(struct keys *k, const u8 *psk, const u8 *nc, const u8 *ns,
		u64 ccid, u64 scid);
int aead_seal(const u8 *key, u64 pn, bool encrypt, u8 *pkt, size_t hdr_len,
	      size_t body_len);
int aead_open(const u8 *key, u64 pn, bool encrypt, u8 *pkt, size_t hdr_len,
	      size_t len);
int cookie_mac(const u8 *secret, const u8 *saddr, u16 sport, const u8 *caddr,
	       u16 cport, u64 ccid, u64 scid, const u8 *nc, const u8 *ns,
	       u32 ts, u32 key_id, u8 *mac);
void random_bytes(void *buf, size_t len);
int sha256_init(void **ctx);
void sha256_update(void *ctx, const void *buf, size_t len);
void sha256_hex(void *ctx, char *out);

#endif /* ROAMPEER_CRYPTO_H */
