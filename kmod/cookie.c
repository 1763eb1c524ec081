// SPDX-License-Identifier: GPL-2.0
/*
 * Stateless handshake cookies (docs/PROTOCOL.md section 3).  A cookie is
 * a MAC, keyed with a per-netns secret, over everything the server needs
 * to build the connection later.  The secret rotates every cookie
 * lifetime and the previous one is kept, so a cookie stays verifiable
 * for at least one lifetime.
 *
 * A cookie builds one connection at most: the server CID an accepted
 * COOKIE_ECHO names is recorded as spent, with the generation of the
 * secret that verified it, and stays recorded until that secret is
 * gone, so a replay of the echo, at any time the cookie still verifies,
 * finds it.  The record is bounded; a full one is emptied by replacing
 * both secrets, after which none of the cookies it holds verifies.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <crypto/algapi.h>
#include <net/ipv6.h>

#include "compat.h"
#include "cookie.h"
#include "crypto.h"
#include "netns.h"
#include "sock.h"

struct roam_cookie_secret {
	u8 cur[ROAM_SECRET_LEN];
	u8 prev[ROAM_SECRET_LEN];
	u32 gen;			/* cur's generation; prev's is gen - 1 */
	unsigned long born;		/* jiffies when cur was made */
	struct rcu_head rcu;
};

/* A spent cookie, in rn->spent by its server CID. */
struct roam_spent {
	struct rhash_head node;
	u64 scid;
	u32 gen;			/* of the secret that verified it */
	struct rcu_head rcu;
};

static const struct rhashtable_params roam_spent_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct roam_spent, scid),
	.head_offset = offsetof(struct roam_spent, node),
	.automatic_shrinking = true,
};

static u32 roam_now_ms(void)
{
	return jiffies_to_msecs(jiffies);
}

static void roam_cookie_secret_free(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct roam_cookie_secret, rcu));
}

/*
 * Replaces the secrets under rn->cookie_lock: cur becomes prev, or with
 * @both, prev is new too.  Cookies of a generation no secret has any
 * more are spent no longer: the record is pruned of them.
 */
static void roam_cookie_replace(struct roam_net *rn, struct roam_cookie_secret *new,
				bool both)
{
	struct roam_cookie_secret *old;

	old = rcu_dereference_protected(rn->cookie_secret,
					lockdep_is_held(&rn->cookie_lock));
	get_random_bytes(new->cur, sizeof(new->cur));
	if (both)
		get_random_bytes(new->prev, sizeof(new->prev));
	else
		memcpy(new->prev, old->cur, sizeof(new->prev));
	new->gen = old->gen + (both ? 2 : 1);
	new->born = jiffies;
	rcu_assign_pointer(rn->cookie_secret, new);
	call_rcu(&old->rcu, roam_cookie_secret_free);
	queue_work(roam_wq, &rn->spent_gc);
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
	roam_cookie_replace(rn, new, false);
	spin_unlock_bh(&rn->cookie_lock);
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

/*
 * Checks @c, echoed from @ctx; on ROAM_COOKIE_OK, *@gen is the generation
 * of the secret that made it, for roam_cookie_spend().
 */
enum roam_cookie_verdict roam_cookie_check(struct roam_net *rn,
					   const struct roam_cookie_ctx *ctx,
					   const struct roam_cookie *c, u32 *gen)
{
	enum roam_cookie_verdict v = ROAM_COOKIE_BAD;
	u8 mac[ROAM_COOKIE_MAC_LEN];
	struct roam_cookie_secret *sec;
	u32 age, lifetime;

	if (!ipv6_addr_equal(&c->caddr, &ctx->caddr) || c->cport != ctx->cport)
		return ROAM_COOKIE_WRONG_ADDR;

	rcu_read_lock();
	sec = rcu_dereference(rn->cookie_secret);
	*gen = sec->gen;
	roam_cookie_mac(sec->cur, ctx, c, mac);
	if (crypto_memneq(mac, c->mac, sizeof(mac))) {
		roam_cookie_mac(sec->prev, ctx, c, mac);
		*gen = sec->gen - 1;
	}
	if (!crypto_memneq(mac, c->mac, sizeof(mac))) {
		lifetime = rcu_dereference(rn->cfg)->cookie_lifetime;
		age = roam_now_ms() - be32_to_cpu(c->ts);
		v = age <= lifetime ? ROAM_COOKIE_OK : ROAM_COOKIE_EXPIRED;
	}
	rcu_read_unlock();
	memzero_explicit(mac, sizeof(mac));
	return v;
}

/*
 * Records the cookie that named server CID @scid, verified by generation
 * @gen, as spent, before its connection is made.  -EEXIST if it was
 * spent before: a replay, or a copy of an echo in flight.  -ENOSPC if
 * the record is full: the secrets have been replaced, so the cookie is
 * no good any more and the client needs a fresh one.  -ENOMEM.  Softirq.
 */
int roam_cookie_spend(struct roam_net *rn, u64 scid, u32 gen)
{
	struct roam_cookie_secret *new;
	struct roam_spent *e;
	int err;

	if (atomic_inc_return(&rn->nspent) > ROAM_COOKIES_SPENT_MAX) {
		atomic_dec(&rn->nspent);
		/* Once: until the pruning has run, the record stays full. */
		if (test_and_set_bit(0, &rn->spent_full))
			return -ENOSPC;
		new = kmalloc(sizeof(*new), GFP_ATOMIC);
		if (!new) {
			clear_bit(0, &rn->spent_full);
			return -ENOMEM;
		}
		spin_lock_bh(&rn->cookie_lock);
		roam_cookie_replace(rn, new, true);
		spin_unlock_bh(&rn->cookie_lock);
		return -ENOSPC;
	}
	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	err = -ENOMEM;
	if (!e)
		goto err;
	e->scid = scid;
	e->gen = gen;
	err = rhashtable_lookup_insert_fast(&rn->spent, &e->node, roam_spent_params);
	if (!err)
		return 0;
	kfree(e);
err:
	atomic_dec(&rn->nspent);
	return err;
}

static void roam_spent_del(struct roam_net *rn, struct roam_spent *e)
{
	if (rhashtable_remove_fast(&rn->spent, &e->node, roam_spent_params))
		return;		/* another remover was first */
	atomic_dec(&rn->nspent);
	kfree_rcu(e, rcu);
}

/* The cookie of @scid built no connection after all: not spent.  Softirq. */
void roam_cookie_unspend(struct roam_net *rn, u64 scid)
{
	struct roam_spent *e;

	rcu_read_lock();
	e = rhashtable_lookup(&rn->spent, &scid, roam_spent_params);
	if (e)
		roam_spent_del(rn, e);
	rcu_read_unlock();
}

/* Forgets the cookies no secret verifies any more.  Process context. */
static void roam_spent_gc(struct work_struct *work)
{
	struct roam_net *rn = container_of(work, struct roam_net, spent_gc);
	struct rhashtable_iter it;
	struct roam_spent *e;
	u32 gen;

	rcu_read_lock();
	gen = rcu_dereference(rn->cookie_secret)->gen;
	rcu_read_unlock();
	rhashtable_walk_enter(&rn->spent, &it);
	rhashtable_walk_start(&it);
	while ((e = rhashtable_walk_next(&it))) {
		if (IS_ERR(e))
			continue;	/* -EAGAIN: a resize; the walk goes on */
		if ((s32)(gen - e->gen) >= 2)
			roam_spent_del(rn, e);
	}
	rhashtable_walk_stop(&it);
	rhashtable_walk_exit(&it);
	clear_bit(0, &rn->spent_full);
}

int roam_cookie_net_init(struct roam_net *rn)
{
	struct roam_cookie_secret *sec;
	int err;

	spin_lock_init(&rn->cookie_lock);
	atomic_set(&rn->nspent, 0);
	rn->spent_full = 0;
	INIT_WORK(&rn->spent_gc, roam_spent_gc);
	err = rhashtable_init(&rn->spent, &roam_spent_params);
	if (err)
		return err;
	sec = kmalloc(sizeof(*sec), GFP_KERNEL);
	if (!sec) {
		rhashtable_destroy(&rn->spent);
		return -ENOMEM;
	}
	get_random_bytes(sec->cur, sizeof(sec->cur));
	get_random_bytes(sec->prev, sizeof(sec->prev));
	sec->gen = 1;
	sec->born = jiffies;
	RCU_INIT_POINTER(rn->cookie_secret, sec);
	return 0;
}

static void roam_spent_free(void *ptr, void *arg)
{
	kfree(ptr);
}

void roam_cookie_net_exit(struct roam_net *rn)
{
	cancel_work_sync(&rn->spent_gc);
	rhashtable_free_and_destroy(&rn->spent, roam_spent_free, NULL);
	kfree_sensitive(rcu_dereference_protected(rn->cookie_secret, true));
}
