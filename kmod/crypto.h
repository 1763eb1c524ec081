/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_CRYPTO_H
#define _ROAM_CRYPTO_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <crypto/sha2.h>

#include "protocol.h"

/* One connection's packet keys, one per direction.  Zeroed when freed. */
struct roam_keys {
	u8 tx[ROAM_KEY_LEN_BYTES];
	u8 rx[ROAM_KEY_LEN_BYTES];
	bool encrypt;			/* PSK mode: AEAD over the frames */
	struct rcu_head rcu;
};

struct roam_hs_secrets {
	const u8 *ikm;			/* the PSK (and AEAD), or NULL: default mode */
	const u8 *cnonce;
	const u8 *snonce;
	u64 ccid;			/* client's CID */
	u64 scid;			/* server's CID */
};

int roam_crypto_init(void);
void roam_crypto_exit(void);

int roam_hmac(const u8 *key, unsigned int key_len, const void *data,
	      unsigned int len, u8 out[SHA256_DIGEST_SIZE]);

struct roam_keys *roam_keys_derive(const struct roam_hs_secrets *hs,
				   bool client, gfp_t gfp);
void roam_keys_free(struct roam_keys *keys);
void roam_keys_free_rcu(struct roam_keys *keys);

/*
 * A protected packet is @hdr_len bytes of header, @len bytes of frames and
 * room for the tag.  Seal writes the tag (and encrypts the frames in PSK
 * mode); open checks it (and decrypts), and returns false if it fails.
 */
void roam_seal(const struct roam_keys *keys, u64 pn, u8 *pkt,
	       unsigned int hdr_len, unsigned int len);
bool roam_open(const struct roam_keys *keys, u64 pn, u8 *pkt,
	       unsigned int hdr_len, unsigned int len);

#endif /* _ROAM_CRYPTO_H */
