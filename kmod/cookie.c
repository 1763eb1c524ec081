// SPDX-License-Identifier: GPL-2.0
/*
 * Stateless handshake cookies (docs/PROTOCOL.md section 3).  A cookie is
 * a MAC, keyed with a per-netns secret, over everything the server needs
 * to build the connection later.  The secret rotates every cookie
 * lifetime and the previous one is kept, so a cookie stays verifiable
 * for at least one lifetime.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <crypto/algapi.h>
#include <net/ipv6.h>

#include "compat.h"
#include "cookie.h"
#include "crypto.h"
#include "netns.h"

struct roam_cookie_secret {
	u8 cur[ROAM_SECRET_LEN];
	u8 prev[ROAM_SECRET_LEN];
	unsigned long born;		/* jiffies when cur was made */
	struct rcu_head rcu;
};

static u32 roam_now_ms(void)
{
	return jiffies_to_msecs(jiffies);
}

static void roam_cookie_secret_free(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct roam_cookie_secret, rcu));
}

/* Rotate when the current secret is older than a cookie lifetime. */
static void roam_cookie_rotate(struct roam_net *rn, u32 lifetime_ms)
{
	struct roam_cookie_secret *old, *new;

	old = rcu_dereference(rn->cookie_secret);
	if (time_before(jiffies, old->born + msecs_to_jiffies(lifetime_ms)))
		return;
	new = kmalloc(sizeof(*new), GFP_ATOMIC);
	if (!new)
		return;		/* keep the old secret a little longer */
	spin_lock_bh(&rn->cookie_lock);
	old = rcu_dereference_protected(rn->cookie_secret,
					lockdep_is_held(&rn->cookie_lock));
	if (time_before(jiffies, old->born + msecs_to_jiffies(lifetime_ms))) {
		spin_unlock_bh(&rn->cookie_lock);
		kfree(new);
		return;
	}
	get_random_bytes(new->cur, sizeof(new->cur));
	memcpy(new->prev, old->cur, sizeof(new->prev));
	new->born = jiffies;
	rcu_assign_pointer(rn->cookie_secret, new);
	spin_unlock_bh(&rn->cookie_lock);
	call_rcu(&old->rcu, roam_cookie_secret_free);
}

static void roam_cookie_mac(const u8 *secret, const struct roam_cookie_ctx *ctx,
			    const struct roam_cookie *c, u8 mac[ROAM_COOKIE_MAC_LEN])
{
	struct {
		struct in6_addr saddr;
		__be16 sport;
		struct in6_addr caddr;
		__be16 cport;
		__be64 ccid;
		__be64 scid;
		u8 cnonce[ROAM_NONCE_LEN];
		u8 snonce[ROAM_NONCE_LEN];
		__be32 ts;
		__be32 key_id;
	} __packed in = {
		.saddr = ctx->saddr,
		.sport = ctx->sport,
		.caddr = ctx->caddr,
		.cport = ctx->cport,
		.ccid = cpu_to_be64(ctx->ccid),
		.scid = cpu_to_be64(ctx->scid),
		.ts = c->ts,
		.key_id = c->key_id,
	};
	u8 out[SHA256_DIGEST_SIZE];

	memcpy(in.cnonce, ctx->cnonce, ROAM_NONCE_LEN);
	memcpy(in.snonce, c->snonce, ROAM_NONCE_LEN);
	if (roam_hmac(secret, ROAM_SECRET_LEN, &in, sizeof(in), out))
		memset(out, 0, sizeof(out));	/* verifies nothing */
	memcpy(mac, out, ROAM_COOKIE_MAC_LEN);
	memzero_explicit(out, sizeof(out));
}

void roam_cookie_make(struct roam_net *rn, const struct roam_cookie_ctx *ctx,
		      u32 key_id, struct roam_cookie *c)
{
	struct roam_cookie_secret *sec;
	u32 lifetime;

	get_random_bytes(c->snonce, sizeof(c->snonce));
	c->ts = cpu_to_be32(roam_now_ms());
	c->key_id = cpu_to_be32(key_id);
	c->caddr = ctx->caddr;
	c->cport = ctx->cport;

	rcu_read_lock();
	lifetime = rcu_dereference(rn->cfg)->cookie_lifetime;
	roam_cookie_rotate(rn, lifetime);
	sec = rcu_dereference(rn->cookie_secret);
	roam_cookie_mac(sec->cur, ctx, c, c->mac);
	rcu_read_unlock();
}

enum roam_cookie_verdict roam_cookie_check(struct roam_net *rn,
					   const struct roam_cookie_ctx *ctx,
					   const struct roam_cookie *c)
{
	enum roam_cookie_verdict v = ROAM_COOKIE_BAD;
	u8 mac[ROAM_COOKIE_MAC_LEN];
	struct roam_cookie_secret *sec;
	u32 age, lifetime;

	if (!ipv6_addr_equal(&c->caddr, &ctx->caddr) || c->cport != ctx->cport)
		return ROAM_COOKIE_WRONG_ADDR;

	rcu_read_lock();
	sec = rcu_dereference(rn->cookie_secret);
	roam_cookie_mac(sec->cur, ctx, c, mac);
	if (crypto_memneq(mac, c->mac, sizeof(mac)))
		roam_cookie_mac(sec->prev, ctx, c, mac);
	if (!crypto_memneq(mac, c->mac, sizeof(mac))) {
		lifetime = rcu_dereference(rn->cfg)->cookie_lifetime;
		age = roam_now_ms() - be32_to_cpu(c->ts);
		v = age <= lifetime ? ROAM_COOKIE_OK : ROAM_COOKIE_EXPIRED;
	}
	rcu_read_unlock();
	memzero_explicit(mac, sizeof(mac));
	return v;
}

int roam_cookie_net_init(struct roam_net *rn)
{
	struct roam_cookie_secret *sec;

	spin_lock_init(&rn->cookie_lock);
	sec = kmalloc(sizeof(*sec), GFP_KERNEL);
	if (!sec)
		return -ENOMEM;
	get_random_bytes(sec->cur, sizeof(sec->cur));
	get_random_bytes(sec->prev, sizeof(sec->prev));
	sec->born = jiffies;
	RCU_INIT_POINTER(rn->cookie_secret, sec);
	return 0;
}

void roam_cookie_net_exit(struct roam_net *rn)
{
	kfree_sensitive(rcu_dereference_protected(rn->cookie_secret, true));
}
