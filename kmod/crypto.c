// SPDX-License-Identifier: GPL-2.0
/*
 * Keys and tags.  Keys come from HKDF (RFC 5869) over HMAC-SHA256, through
 * the crypto API; packets are protected with ChaCha20-Poly1305 from the
 * kernel's crypto library, as WireGuard does.  Default mode
 * authenticates the whole packet and encrypts nothing; PSK mode encrypts
 * the frames.  docs/PROTOCOL.md section 6.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/hash.h>

#include "compat.h"
#include "crypto.h"

/*
 * One HMAC transform per CPU.  Users run with bottom halves off, so the
 * softirq receive path and process context never share one at a time.
 */
static struct crypto_shash * __percpu *roam_hmac_tfm;

int roam_hmac(const u8 *key, unsigned int key_len, const void *data,
	      unsigned int len, u8 out[SHA256_DIGEST_SIZE])
{
	struct crypto_shash *tfm;
	int err;

	local_bh_disable();
	tfm = *this_cpu_ptr(roam_hmac_tfm);
	err = crypto_shash_setkey(tfm, key, key_len);
	if (!err)
		err = crypto_shash_tfm_digest(tfm, data, len, out);
	local_bh_enable();
	return err;
}

/* HKDF-Expand for one block: T(1) = HMAC(prk, info || 0x01). */
static int roam_hkdf_expand(const u8 prk[SHA256_DIGEST_SIZE], const char *label,
			    u64 ccid, u64 scid, u8 out[ROAM_KEY_LEN_BYTES])
{
	u8 info[16 + 2 * sizeof(__be64) + 1];
	u8 t[SHA256_DIGEST_SIZE];
	size_t n = strlen(label);
	__be64 c = cpu_to_be64(ccid), s = cpu_to_be64(scid);
	int err;

	BUILD_BUG_ON(ROAM_KEY_LEN_BYTES > SHA256_DIGEST_SIZE);
	if (WARN_ON_ONCE(n > 16))
		return -EINVAL;
	memcpy(info, label, n);
	memcpy(info + n, &c, sizeof(c));
	memcpy(info + n + sizeof(c), &s, sizeof(s));
	info[n + 2 * sizeof(c)] = 1;
	err = roam_hmac(prk, SHA256_DIGEST_SIZE, info, n + 2 * sizeof(c) + 1, t);
	memcpy(out, t, ROAM_KEY_LEN_BYTES);
	memzero_explicit(t, sizeof(t));
	return err;
}

struct roam_keys *roam_keys_derive(const struct roam_hs_secrets *hs,
				   bool client, gfp_t gfp)
{
	u8 salt[sizeof(ROAM_HKDF_SALT) - 1 + 2 * ROAM_NONCE_LEN];
	static const u8 zero_ikm[ROAM_KEY_LEN_BYTES];
	u8 prk[SHA256_DIGEST_SIZE];
	u8 c2s[ROAM_KEY_LEN_BYTES], s2c[ROAM_KEY_LEN_BYTES];
	struct roam_keys *keys;
	u8 *p = salt;
	int err;

	keys = kzalloc(sizeof(*keys), gfp);
	if (!keys)
		return NULL;

	memcpy(p, ROAM_HKDF_SALT, sizeof(ROAM_HKDF_SALT) - 1);
	p += sizeof(ROAM_HKDF_SALT) - 1;
	memcpy(p, hs->cnonce, ROAM_NONCE_LEN);
	memcpy(p + ROAM_NONCE_LEN, hs->snonce, ROAM_NONCE_LEN);

	/* HKDF-Extract: prk = HMAC(salt, ikm). */
	err = roam_hmac(salt, sizeof(salt), hs->ikm ?: zero_ikm,
			ROAM_KEY_LEN_BYTES, prk);
	if (!err)
		err = roam_hkdf_expand(prk, ROAM_HKDF_C2S, hs->ccid, hs->scid, c2s);
	if (!err)
		err = roam_hkdf_expand(prk, ROAM_HKDF_S2C, hs->ccid, hs->scid, s2c);
	if (!err) {
		memcpy(keys->tx, client ? c2s : s2c, ROAM_KEY_LEN_BYTES);
		memcpy(keys->rx, client ? s2c : c2s, ROAM_KEY_LEN_BYTES);
		keys->encrypt = !!hs->ikm;
	}
	memzero_explicit(prk, sizeof(prk));
	memzero_explicit(c2s, sizeof(c2s));
	memzero_explicit(s2c, sizeof(s2c));
	if (err) {
		kfree_sensitive(keys);
		return NULL;
	}
	return keys;
}

void roam_keys_free(struct roam_keys *keys)
{
	kfree_sensitive(keys);
}

static void roam_keys_free_cb(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct roam_keys, rcu));
}

void roam_keys_free_rcu(struct roam_keys *keys)
{
	if (keys)
		call_rcu(&keys->rcu, roam_keys_free_cb);
}

void roam_seal(const struct roam_keys *keys, u64 pn, u8 *pkt,
	       unsigned int hdr_len, unsigned int len)
{
	if (keys->encrypt)
		chacha20poly1305_encrypt(pkt + hdr_len, pkt + hdr_len, len,
					 pkt, hdr_len, pn, keys->tx);
	else
		chacha20poly1305_encrypt(pkt + hdr_len + len, NULL, 0,
					 pkt, hdr_len + len, pn, keys->tx);
}

bool roam_open(const struct roam_keys *keys, u64 pn, u8 *pkt,
	       unsigned int hdr_len, unsigned int len)
{
	if (keys->encrypt)
		return chacha20poly1305_decrypt(pkt + hdr_len, pkt + hdr_len,
						len + ROAM_TAG_LEN, pkt, hdr_len,
						pn, keys->rx);
	return chacha20poly1305_decrypt(pkt + hdr_len + len, pkt + hdr_len + len,
					ROAM_TAG_LEN, pkt, hdr_len + len,
					pn, keys->rx);
}

int __init roam_crypto_init(void)
{
	int cpu;

	roam_hmac_tfm = alloc_percpu(struct crypto_shash *);
	if (!roam_hmac_tfm)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct crypto_shash *tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);

		if (IS_ERR(tfm)) {
			roam_crypto_exit();
			return PTR_ERR(tfm);
		}
		*per_cpu_ptr(roam_hmac_tfm, cpu) = tfm;
	}
	return 0;
}

void roam_crypto_exit(void)
{
	int cpu;

	if (!roam_hmac_tfm)
		return;
	for_each_possible_cpu(cpu)
		crypto_free_shash(*per_cpu_ptr(roam_hmac_tfm, cpu));
	free_percpu(roam_hmac_tfm);
	roam_hmac_tfm = NULL;
}
