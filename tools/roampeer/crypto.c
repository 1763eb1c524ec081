// SPDX-License-Identifier: GPL-2.0
/*
 * The key schedule (HKDF-SHA256 with roam's salt and labels),
 * the ChaCha20-Poly1305 tags of every authenticated packet, the cookie
 * MAC of a roampeer server, random bytes, and SHA-256 for the transfer
 * summaries.  Every primitive is OpenSSL's; this file only arranges the
 * bytes the way PROTOCOL.md section 6 says.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

#define SALT_LABEL	"roam1"
#define SALT_LEN	(5 + 2 * NONCE_LEN)
#define INFO_LEN	(8 + 8 + 8 + 1)

/* HMAC-SHA256 of @len bytes with a key: 0, or -1 if OpenSSL fails. */
static int hmac_sha256(const u8 *key, size_t key_len, const u8 *data,
		       size_t len, u8 *out)
{
	unsigned int out_len = 32;

	if (!HMAC(EVP_sha256(), key, key_len, data, len, out, &out_len))
		return -1;
	return out_len == 32 ? 0 : -1;
}

/* HKDF-Expand for one block: HMAC(prk, label || C || S || 0x01). */
static int expand(const u8 *prk, const char *label, u64 ccid, u64 scid,
		  u8 *out)
{
	u8 info[INFO_LEN];

	memcpy(info, label, 8);
	put_be64(info + 8, ccid);
	put_be64(info + 16, scid);
	info[24] = 0x01;
	return hmac_sha256(prk, KEY_LEN, info, sizeof(info), out);
}

/*
 * Derives prk and both directions' keys from the nonces, the CIDs and
 * the PSK (NULL: default mode, 32 zero bytes).
 */
int keys_derive(struct keys *k, const u8 *psk, const u8 *nc, const u8 *ns,
		u64 ccid, u64 scid)
{
	static const u8 zero[KEY_LEN];
	u8 salt[SALT_LEN];

	memcpy(salt, SALT_LABEL, 5);
	memcpy(salt + 5, nc, NONCE_LEN);
	memcpy(salt + 5 + NONCE_LEN, ns, NONCE_LEN);
	if (hmac_sha256(salt, sizeof(salt), psk ? psk : zero, KEY_LEN, k->prk))
		return -1;
	if (expand(k->prk, "roam c2s", ccid, scid, k->c2s) ||
	    expand(k->prk, "roam s2c", ccid, scid, k->s2c))
		return -1;
	return 0;
}

/* The 12-byte AEAD nonce: four zero bytes, then pn little-endian. */
static void aead_nonce(u64 pn, u8 *iv)
{
	int i;

	memset(iv, 0, 4);
	for (i = 0; i < 8; i++)
		iv[4 + i] = pn >> (8 * i);
}

/*
 * Runs ChaCha20-Poly1305 over a packet: @hdr_len bytes of header, then
 * @body_len bytes of frames, then the tag.  With @encrypt the frames
 * are the plaintext and the header the aad (PSK mode); without, the
 * header and frames are all aad and nothing is encrypted.  Sealing
 * writes the tag, opening (@seal false) checks it: 0 or -1.
 */
static int aead_run(const u8 *key, u64 pn, bool encrypt, u8 *pkt,
		    size_t hdr_len, size_t body_len, bool seal)
{
	size_t aad_len = encrypt ? hdr_len : hdr_len + body_len;
	u8 *tag = pkt + hdr_len + body_len;
	EVP_CIPHER_CTX *ctx;
	u8 iv[12], rest[16];
	int n, ret = -1;

	aead_nonce(pn, iv);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	if (!EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, NULL, NULL,
			       seal) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, sizeof(iv), NULL) ||
	    !EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, seal))
		goto out;
	if (!seal &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, tag))
		goto out;
	if (!EVP_CipherUpdate(ctx, NULL, &n, pkt, aad_len))
		goto out;
	if (encrypt && body_len &&
	    !EVP_CipherUpdate(ctx, pkt + hdr_len, &n, pkt + hdr_len, body_len))
		goto out;
	if (EVP_CipherFinal_ex(ctx, rest, &n) <= 0)
		goto out;
	if (seal &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, tag))
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(iv, sizeof(iv));
	return ret;
}

/* Seals a packet in place: encrypts the frames if asked, appends the tag. */
int aead_seal(const u8 *key, u64 pn, bool encrypt, u8 *pkt, size_t hdr_len,
	      size_t body_len)
{
	return aead_run(key, pn, encrypt, pkt, hdr_len, body_len, true);
}

/*
 * Opens a sealed packet of @len bytes (tag included) in place: 0 if the
 * tag verifies (the frames are then plaintext), -1 if not.
 */
int aead_open(const u8 *key, u64 pn, bool encrypt, u8 *pkt, size_t hdr_len,
	      size_t len)
{
	if (len < hdr_len + TAG_LEN)
		return -1;
	return aead_run(key, pn, encrypt, pkt, hdr_len,
			len - hdr_len - TAG_LEN, false);
}

/*
 * The cookie MAC, as roam's implementation computes it: HMAC-SHA256 over
 * server address and port, client address and port, C, S, Nc, Ns, the
 * timestamp and the key id, truncated to 16 bytes.  Addresses are 16
 * bytes, IPv4 v4-mapped.
 */
int cookie_mac(const u8 *secret, const u8 *saddr, u16 sport, const u8 *caddr,
	       u16 cport, u64 ccid, u64 scid, const u8 *nc, const u8 *ns,
	       u32 ts, u32 key_id, u8 *mac)
{
	u8 in[16 + 2 + 16 + 2 + 8 + 8 + 16 + 16 + 4 + 4], *p = in;
	u8 full[32];

	memcpy(p, saddr, 16);
	put_be16(p + 16, sport);
	memcpy(p + 18, caddr, 16);
	put_be16(p + 34, cport);
	put_be64(p + 36, ccid);
	put_be64(p + 44, scid);
	memcpy(p + 52, nc, NONCE_LEN);
	memcpy(p + 68, ns, NONCE_LEN);
	put_be32(p + 84, ts);
	put_be32(p + 88, key_id);
	if (hmac_sha256(secret, KEY_LEN, in, sizeof(in), full))
		return -1;
	memcpy(mac, full, MAC_LEN);
	return 0;
}

/* Fills @buf from OpenSSL's CSPRNG; exits if it cannot. */
void random_bytes(void *buf, size_t len)
{
	if (RAND_bytes(buf, len) != 1) {
		msg("RAND_bytes failed");
		exit(1);
	}
}

/* Starts a SHA-256 digest: 0, or -1. */
int sha256_init(void **ctx)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	*ctx = md;
	return 0;
}

/* Adds bytes to a SHA-256 digest. */
void sha256_update(void *ctx, const void *buf, size_t len)
{
	EVP_DigestUpdate(ctx, buf, len);
}

/* Ends a digest and writes it as 64 hex digits and a NUL; frees @ctx. */
void sha256_hex(void *ctx, char *out)
{
	u8 md[32];
	unsigned int len = sizeof(md);

	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	hex_fmt(md, sizeof(md), out);
}
