// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake (docs/PROTOCOL.md section 3).  The server side is
 * stateless until a COOKIE_ECHO proves the client's address; the client
 * side lives on the connecting socket.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <crypto/algapi.h>

#include "addr.h"
#include "bind.h"
#include "cid.h"
#include "compat.h"
#include "cookie.h"
#include "crypto.h"
#include "handshake.h"
#include "netlink.h"
#include "netns.h"
#include "output.h"
#include "path.h"
#include "port.h"
#include "psk.h"
#include "receive.h"
#include "send.h"
#include "sock.h"

static void roam_long_hdr_init(struct roam_long_hdr *h, u8 type, u64 dcid,
			       u64 scid, const u8 *cnonce)
{
	h->type = ROAM_HDR_LONG | type;
	h->version = ROAM_VERSION;
	h->flags = 0;
	h->dcid = cpu_to_be64(dcid);
	h->scid = cpu_to_be64(scid);
	memcpy(h->cnonce, cnonce, ROAM_NONCE_LEN);
}

/*
 * The salt of roam_hs_hash(), drawn at load (roam_hs_init()), not by
 * net_get_random_once(): that turns its static key off from a work item
 * after the first handshake, patching this code while another CPU may
 * run it; under emulation a 6.12 guest died of the stale int3.
 */
static u32 roam_hs_salt __ro_after_init;

/* Which member of a reuseport group a client lands on. */
static u32 roam_hs_hash(const struct in6_addr *caddr, __be16 cport, u64 ccid)
{
	return jhash2(caddr->s6_addr32, 4,
		      jhash_3words((__force u32)cport, lower_32_bits(ccid),
				   upper_32_bits(ccid), roam_hs_salt));
}

/*
 * The session keys for @hs, with the namespace's key @key_id (0: none),
 * as @u may use it.  ERR_PTR(-ENOKEY) if that key is not in the table,
 * ERR_PTR(-EACCES) if @u may not use it.
 */
static struct roam_keys *roam_hs_keys(struct roam_net *rn, u32 key_id,
				      const struct roam_psk_user *u,
				      struct roam_hs_secrets *hs, bool client)
{
	u8 psk[ROAM_KEY_LEN_BYTES];
	struct roam_keys *keys;
	int err;

	hs->ikm = NULL;
	if (key_id) {
		err = roam_psk_copy(rn, key_id, u, psk);
		if (err)
			return ERR_PTR(err);
		hs->ikm = psk;
	}
	keys = roam_keys_derive(hs, client, GFP_ATOMIC);
	hs->ikm = NULL;
	memzero_explicit(psk, sizeof(psk));
	return keys ?: ERR_PTR(-ENOMEM);
}

static void roam_hs_send_reject(struct roam_port *port, const struct sk_buff *in,
				const struct roam_long_hdr *ih, u8 reason)
{
	struct roam_reject *r;
	struct sk_buff *skb;

	skb = roam_skb_alloc(sizeof(*r), GFP_ATOMIC);
	if (!skb)
		return;
	r = skb_put(skb, sizeof(*r));
	roam_long_hdr_init(&r->h, ROAM_PT_REJECT, be64_to_cpu(ih->scid), 0,
			   ih->cnonce);
	r->reason = reason;
	roam_reply(port, in, skb);
}

static void roam_cookie_ctx_init(struct roam_cookie_ctx *ctx, struct roam_port *port,
				 const struct sk_buff *skb, u64 ccid, u64 scid,
				 const u8 *cnonce)
{
	roam_skb_daddr(skb, &ctx->saddr);
	ctx->sport = htons(port->num);
	roam_skb_saddr(skb, &ctx->caddr);
	ctx->cport = ROAM_CB(skb)->sport;
	ctx->ccid = ccid;
	ctx->scid = scid;
	ctx->cnonce = cnonce;
}

/*
 * A COOKIE for the client that sent @in: a fresh server CID and nonce.
 * @refresh marks one that replaces a cookie the client echoed (expired,
 * from another address): only such a COOKIE may replace the client's.
 */
static void roam_hs_send_cookie(struct roam_port *port, const struct sk_buff *in,
				const struct roam_long_hdr *ih, u32 key_id, bool refresh)
{
	struct roam_cookie_ctx ctx;
	struct roam_cookie_pkt *c;
	struct sk_buff *skb;
	u64 scid;

	do {
		scid = get_random_u64();
	} while (!scid);
	skb = roam_skb_alloc(sizeof(*c), GFP_ATOMIC);
	if (!skb)
		return;
	c = skb_put(skb, sizeof(*c));
	roam_long_hdr_init(&c->h, ROAM_PT_COOKIE, be64_to_cpu(ih->scid), scid,
			   ih->cnonce);
	if (refresh)
		c->h.flags = cpu_to_be16(ROAM_HF_REFRESH);
	roam_cookie_ctx_init(&ctx, port, in, be64_to_cpu(ih->scid), scid, ih->cnonce);
	roam_cookie_make(port->rn, &ctx, key_id, &c->c);
	if (!roam_reply(port, in, skb))
		roam_stat_inc(port->rn, ROAM_A_STAT_COOKIES_SENT);
}

/* The listener for @skb, or NULL after answering REJECT. */
static struct roam_sock *roam_hs_listener(struct roam_port *port, struct sk_buff *skb,
					  const struct roam_long_hdr *h, u32 key_id)
{
	struct roam_net *rn = port->rn;
	struct in6_addr saddr, daddr;
	struct roam_sock *lrs;

	roam_skb_saddr(skb, &saddr);
	roam_skb_daddr(skb, &daddr);
	lrs = roam_listener_lookup(rn, &daddr, htons(port->num), ROAM_CB(skb)->ifindex,
				   roam_hs_hash(&saddr, ROAM_CB(skb)->sport,
						be64_to_cpu(h->scid)));
	if (!lrs) {
		roam_stat_inc(rn, ROAM_A_STAT_REFUSED);
		roam_hs_send_reject(port, skb, h, ROAM_REJECT_NO_LISTENER);
		return NULL;
	}
	if (READ_ONCE(lrs->psk_id) != key_id) {
		roam_stat_inc(rn, ROAM_A_STAT_KEY_REJECTS);
		roam_hs_send_reject(port, skb, h, ROAM_REJECT_BAD_KEY);
		sock_put(&lrs->sk);
		return NULL;
	}
	return lrs;
}

void roam_hs_initial(struct roam_port *port, struct sk_buff *skb)
{
	const struct roam_initial *in = (const struct roam_initial *)skb->data;
	struct roam_net *rn = port->rn;
	struct roam_sock *lrs;

	/* Padded, so that no answer is larger than the question. */
	if (skb->len < ROAM_MIN_PACKET || !in->h.scid) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		return;
	}
	roam_stat_inc(rn, ROAM_A_STAT_NEWCONN);
	lrs = roam_hs_listener(port, skb, &in->h, be32_to_cpu(in->key_id));
	if (!lrs)
		return;
	sock_put(&lrs->sk);
	roam_hs_send_cookie(port, skb, &in->h, be32_to_cpu(in->key_id), false);
}

/* DONE, along @path, or along the connection's own if NULL. */
static void roam_hs_send_done(struct roam_sock *rs, const struct roam_path *path)
{
	static const u8 no_nonce[ROAM_NONCE_LEN];
	struct roam_keys *keys = rcu_dereference_protected(rs->keys,
							    lockdep_sock_is_held(&rs->sk));
	struct roam_done *d;
	struct sk_buff *skb;

	skb = roam_skb_alloc(sizeof(*d), GFP_ATOMIC);
	if (!skb)
		return;
	d = skb_put(skb, sizeof(*d));
	roam_long_hdr_init(&d->h, ROAM_PT_DONE, rs->remote_cid, rs->local_cid,
			   no_nonce);
	roam_seal(keys, ROAM_PN_HANDSHAKE, (u8 *)d, offsetof(struct roam_done, tag), 0);
	if (path)
		roam_send_path(rs, skb, path);
	else
		roam_send(rs, skb);
}

/*
 * Reserves a place for a connection on @lrs's accept queue, before the
 * connection exists.  False, having counted an overflow, if the queue is
 * full or the listener has gone.
 */
static bool roam_hs_reserve(struct roam_sock *lrs)
{
	struct sock *lsk = &lrs->sk;
	bool ok;

	spin_lock(&lrs->acceptq_lock);
	ok = READ_ONCE(lsk->sk_state) == TCP_LISTEN && !sk_acceptq_is_full(lsk);
	if (ok)
		sk_acceptq_added(lsk);
	else if (READ_ONCE(lsk->sk_state) == TCP_LISTEN)
		WRITE_ONCE(lrs->overflows, lrs->overflows + 1);
	spin_unlock(&lrs->acceptq_lock);
	return ok;
}

/* Gives back a place roam_hs_reserve() took and no connection will use. */
static void roam_hs_unreserve(struct roam_sock *lrs)
{
	spin_lock(&lrs->acceptq_lock);
	sk_acceptq_removed(&lrs->sk);
	spin_unlock(&lrs->acceptq_lock);
}

/*
 * Queues @child in the place it reserved.  False, the place given back,
 * if @lrs stopped listening since.
 */
static bool roam_hs_enqueue(struct roam_sock *lrs, struct roam_sock *child)
{
	struct sock *lsk = &lrs->sk;
	bool ok;

	spin_lock(&lrs->acceptq_lock);
	ok = READ_ONCE(lsk->sk_state) == TCP_LISTEN;
	if (ok) {
		set_bit(ROAM_F_QUEUED, &child->flags);
		list_add_tail(&child->accept_node, &lrs->acceptq);
	} else {
		sk_acceptq_removed(lsk);
	}
	spin_unlock(&lrs->acceptq_lock);
	return ok;
}

/*
 * A listen-overflow event, at most one per listener and second: a flood
 * must not flood the monitor too.  The listener dump counts them all.
 */
static void roam_hs_overflow_event(struct roam_sock *lrs,
				   const struct roam_cookie_ctx *ctx)
{
	unsigned long last = READ_ONCE(lrs->overflow_event);
	struct roam_event ev = { .type = ROAM_EV_LISTEN_OVERFLOW };

	if (last && time_before(jiffies, last + HZ))
		return;
	WRITE_ONCE(lrs->overflow_event, jiffies ?: 1);
	roam_addr_fill(&ev.local, &ctx->saddr, ctx->sport, 0);
	roam_event_send(sock_net(&lrs->sk), &ev);
}

/*
 * A connection that will not be: never established, never queued, so
 * nothing but its CID leads to it.  Unlocks it.
 */
static void roam_hs_child_drop(struct roam_sock *rs)
{
	struct sock *child = &rs->sk;

	roam_cid_del(roam_net(sock_net(child)), rs);
	roam_sock_unlist(child);
	bh_unlock_sock(child);
	sock_put(child);
}

/*
 * The connection a COOKIE_ECHO asks for, with @keys, on @port, in the
 * client's CID @ctx->ccid and the server's @ctx->scid; returned locked
 * (bh_lock_sock), or NULL.  It takes over @keys either way.  Softirq.
 */
static struct roam_sock *roam_hs_child(struct roam_sock *lrs, struct roam_port *port,
				       const struct sk_buff *skb,
				       const struct roam_cookie_ctx *ctx,
				       struct roam_keys *keys)
{
	struct roam_net *rn = port->rn;
	struct roam_sock *rs;
	struct sock *child;

	child = roam_sock_child(&lrs->sk, GFP_ATOMIC);
	if (!child) {
		roam_keys_free(keys);
		return NULL;
	}
	rs = roam_sk(child);
	bh_lock_sock(child);
	rcu_assign_pointer(rs->keys, keys);
	rs->remote_cid = ctx->ccid;
	rs->path.peer.sroam_family = roam_family;
	rs->path.peer.sroam_addr = ctx->caddr;
	rs->path.peer.sroam_port = ctx->cport;
	rs->path.local = ctx->saddr;
	rs->path.ifindex = ROAM_CB(skb)->ifindex;
	if (ipv6_addr_type(&ctx->caddr) & IPV6_ADDR_LINKLOCAL)
		rs->path.peer.sroam_scope_id = ROAM_CB(skb)->ifindex;
	/* The port may be closing: its UDP socket still delivers. */
	if (refcount_inc_not_zero(&port->refcnt)) {
		rs->port = port;
		if (!roam_sock_list(child, GFP_ATOMIC) && !roam_cid_add(rn, rs, ctx->scid))
			return rs;
	}
	roam_hs_child_drop(rs);
	return NULL;
}

/*
 * A COOKIE_ECHO for no connection that exists.  The cookie is checked,
 * then the tag with the keys it yields, and only then is it spent: from
 * there it builds this one connection or none.  A place on the accept
 * queue is reserved before the connection exists, and the connection
 * speaks (MAX_DATA, DONE) only once it is queued; if the listener went in
 * between, it says CLOSE(REFUSED) instead, and the client's connect()
 * fails.  Softirq.
 */
void roam_hs_cookie_echo(struct roam_port *port, struct sk_buff *skb)
{
	const struct roam_cookie_echo *e = (const struct roam_cookie_echo *)skb->data;
	struct roam_sock *lrs = NULL, *rs;
	struct roam_net *rn = port->rn;
	struct roam_psk_user user;
	struct roam_hs_secrets hs;
	struct roam_cookie_ctx ctx;
	struct roam_keys *keys;
	u64 ccid, scid;
	u32 gen;
	int err;

	if (skb->len < sizeof(*e) || !e->h.scid || !e->h.dcid) {
		roam_stat_inc(rn, ROAM_A_STAT_RX_MALFORMED);
		return;
	}
	roam_stat_inc(rn, ROAM_A_STAT_NEWCONN);
	ccid = be64_to_cpu(e->h.scid);
	scid = be64_to_cpu(e->h.dcid);

	roam_cookie_ctx_init(&ctx, port, skb, ccid, scid, e->h.cnonce);
	switch (roam_cookie_check(rn, &ctx, &e->c, &gen)) {
	case ROAM_COOKIE_OK:
		break;
	case ROAM_COOKIE_BAD:
		roam_stat_inc(rn, ROAM_A_STAT_COOKIES_BAD);
		goto refresh;
	case ROAM_COOKIE_EXPIRED:
		roam_stat_inc(rn, ROAM_A_STAT_COOKIES_EXPIRED);
		goto refresh;
	case ROAM_COOKIE_WRONG_ADDR:
		roam_stat_inc(rn, ROAM_A_STAT_COOKIES_WRONG_ADDR);
		goto refresh;
	}

	lrs = roam_hs_listener(port, skb, &e->h, be32_to_cpu(e->c.key_id));
	if (!lrs)
		return;

	/* Cheap check first: a full queue costs no key derivation. */
	if (sk_acceptq_is_full(&lrs->sk)) {
		WRITE_ONCE(lrs->overflows, lrs->overflows + 1);
		goto overflow;
	}

	hs.cnonce = e->h.cnonce;
	hs.snonce = e->c.snonce;
	hs.ccid = ccid;
	hs.scid = scid;
	user.uid = READ_ONCE(lrs->psk_user.uid);
	user.admin = READ_ONCE(lrs->psk_user.admin);
	keys = roam_hs_keys(rn, be32_to_cpu(e->c.key_id), &user, &hs, false);
	/* Deleted since the INITIAL, or another user's now. */
	if (PTR_ERR_OR_ZERO(keys) == -ENOKEY || PTR_ERR_OR_ZERO(keys) == -EACCES)
		goto bad_key;
	if (IS_ERR(keys))
		goto out;
	/* A client with another key for this id fails here. */
	if (!roam_open(keys, ROAM_PN_HANDSHAKE, skb->data,
		       offsetof(struct roam_cookie_echo, tag), 0)) {
		roam_keys_free(keys);
		goto bad_key;
	}

	err = roam_cookie_spend(rn, scid, gen);
	if (err) {
		roam_keys_free(keys);
		if (err == -EEXIST)	/* a replay, or a copy that lost the race */
			roam_stat_inc(rn, ROAM_A_STAT_COOKIES_SPENT);
		if (err == -ENOSPC)	/* the secrets were replaced: a fresh one */
			goto refresh;
		goto out;
	}
	if (!roam_hs_reserve(lrs)) {
		roam_keys_free(keys);
		roam_cookie_unspend(rn, scid);
		if (READ_ONCE(lrs->sk.sk_state) != TCP_LISTEN)
			goto out;	/* gone: the retransmission gets REJECT */
		goto overflow;
	}
	rs = roam_hs_child(lrs, port, skb, &ctx, keys);
	if (!rs) {
		roam_hs_unreserve(lrs);
		roam_cookie_unspend(rn, scid);
		goto out;
	}
	if (!roam_hs_enqueue(lrs, rs)) {
		roam_output_close(&rs->sk, ROAM_CLOSE_ABORT, ROAM_ERR_REFUSED);
		roam_hs_child_drop(rs);
		goto out;
	}
	roam_sock_established(&rs->sk);
	roam_hs_send_done(rs, NULL);
	bh_unlock_sock(&rs->sk);
	roam_stat_inc(rn, ROAM_A_STAT_ESTABLISHED);
	lrs->sk.sk_data_ready(&lrs->sk);
	goto out;

bad_key:
	roam_stat_inc(rn, ROAM_A_STAT_KEY_REJECTS);
	roam_hs_send_reject(port, skb, &e->h, ROAM_REJECT_BAD_KEY);
	goto out;
overflow:
	/* Dropped without a word: the client's retransmission comes back. */
	roam_stat_inc(rn, ROAM_A_STAT_LISTEN_OVERFLOWS);
	roam_hs_overflow_event(lrs, &ctx);
	goto out;
refresh:
	/* Answer as an INITIAL: the client gets a fresh cookie. */
	if (!lrs)
		lrs = roam_hs_listener(port, skb, &e->h, be32_to_cpu(e->c.key_id));
	if (lrs)
		roam_hs_send_cookie(port, skb, &e->h, be32_to_cpu(e->c.key_id), true);
out:
	if (lrs)
		sock_put(&lrs->sk);
}

/* ---------------------------------------------------------------- */
/* Client side */

static unsigned long roam_hs_interval(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	u32 ms = ROAM_CFG(roam_net(sock_net(sk)), hs_timeout);
	u64 t = (u64)ms << min(rs->hs->retries, 16U);

	return msecs_to_jiffies(min_t(u64, t, ROAM_MAX_HS_TIMEOUT));
}

static void roam_hs_send_initial(struct roam_sock *rs)
{
	struct roam_initial *in;
	struct sk_buff *skb;

	skb = roam_skb_alloc(ROAM_MIN_PACKET, GFP_ATOMIC);
	if (!skb)
		return;
	in = skb_put_zero(skb, ROAM_MIN_PACKET);
	roam_long_hdr_init(&in->h, ROAM_PT_INITIAL, 0, rs->local_cid, rs->hs->cnonce);
	in->key_id = cpu_to_be32(rs->psk_id);
	roam_send(rs, skb);
}

static void roam_hs_send_echo(struct roam_sock *rs)
{
	struct roam_keys *keys = rcu_dereference_protected(rs->keys,
							    lockdep_sock_is_held(&rs->sk));
	struct roam_cookie_echo *e;
	struct sk_buff *skb;

	skb = roam_skb_alloc(sizeof(*e), GFP_ATOMIC);
	if (!skb)
		return;
	e = skb_put(skb, sizeof(*e));
	roam_long_hdr_init(&e->h, ROAM_PT_COOKIE_ECHO, rs->remote_cid,
			   rs->local_cid, rs->hs->cnonce);
	e->c = rs->hs->cookie;
	roam_seal(keys, ROAM_PN_HANDSHAKE, (u8 *)e,
		  offsetof(struct roam_cookie_echo, tag), 0);
	roam_send(rs, skb);
}

static void roam_hs_send(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (rs->hs->have_cookie)
		roam_hs_send_echo(rs);
	else
		roam_hs_send_initial(rs);
	sk_reset_timer(sk, &rs->rtx_timer, jiffies + roam_hs_interval(sk));
}

/* connect(): the socket has a port, a path and a CID. */
int roam_hs_connect(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	int err;

	if (rs->psk_id) {
		err = roam_psk_check(roam_net(sock_net(sk)), rs->psk_id, &rs->psk_user);
		if (err)
			return err;
	}
	rs->hs = kzalloc(sizeof(*rs->hs), GFP_KERNEL);
	if (!rs->hs)
		return -ENOMEM;
	get_random_bytes(rs->hs->cnonce, sizeof(rs->hs->cnonce));
	WRITE_ONCE(sk->sk_err_soft, 0);
	roam_sock_set_state(sk, TCP_SYN_SENT);
	roam_hs_send(sk);
	return 0;
}

void roam_hs_timeout(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	u32 retries = ROAM_CFG(roam_net(sock_net(sk)), hs_retries);

	if (sk->sk_state != TCP_SYN_SENT || !rs->hs)
		return;
	if (rs->hs->retries >= retries) {
		roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_HS_TIMEOUTS);
		roam_sock_done(sk, READ_ONCE(sk->sk_err_soft) ?: ETIMEDOUT);
		return;
	}
	rs->hs->retries++;
	roam_hs_send(sk);
}

static bool roam_hs_nonce_ok(struct roam_sock *rs, const struct roam_long_hdr *h)
{
	return rs->hs && !crypto_memneq(h->cnonce, rs->hs->cnonce, ROAM_NONCE_LEN);
}

static void roam_hs_rcv_cookie(struct sock *sk, struct sk_buff *skb)
{
	const struct roam_cookie_pkt *c = (const struct roam_cookie_pkt *)skb->data;
	struct roam_sock *rs = roam_sk(sk);
	struct roam_hs_secrets hs;
	struct roam_keys *keys, *old;

	if (skb->len < sizeof(*c) || !c->h.scid || !roam_hs_nonce_ok(rs, &c->h))
		return;
	/*
	 * Once we echo a cookie we keep it: a second COOKIE, answering a
	 * retransmitted INITIAL, would make the server build a second
	 * connection.  Only a refresh, the answer to our echo, replaces it.
	 */
	if (rs->hs->have_cookie && !(be16_to_cpu(c->h.flags) & ROAM_HF_REFRESH))
		return;
	/*
	 * A server's refresh has a fresh CID and nonce.  One with the S or
	 * Ns we echoed is forged, by someone who saw our nonce: it would
	 * give the same keys, and a second COOKIE_ECHO, other bytes, under
	 * them and packet number 0.  No key and nonce is used twice.
	 */
	if (rs->hs->have_cookie &&
	    (be64_to_cpu(c->h.scid) == rs->remote_cid ||
	     !crypto_memneq(c->c.snonce, rs->hs->cookie.snonce, ROAM_NONCE_LEN)))
		return;
	hs.cnonce = rs->hs->cnonce;
	hs.snonce = c->c.snonce;
	hs.ccid = rs->local_cid;
	hs.scid = be64_to_cpu(c->h.scid);
	keys = roam_hs_keys(roam_net(sock_net(sk)), rs->psk_id, &rs->psk_user, &hs, true);
	/* Deleted since connect(), or another user's now. */
	if (PTR_ERR_OR_ZERO(keys) == -ENOKEY || PTR_ERR_OR_ZERO(keys) == -EACCES) {
		roam_sock_done(sk, -PTR_ERR(keys));
		return;
	}
	if (IS_ERR(keys))
		return;
	old = rcu_replace_pointer(rs->keys, keys, lockdep_sock_is_held(sk));
	roam_keys_free_rcu(old);
	rs->remote_cid = hs.scid;
	rs->hs->cookie = c->c;
	rs->hs->have_cookie = true;
	roam_hs_send_echo(rs);
}

static void roam_hs_rcv_done(struct sock *sk, struct sk_buff *skb)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_keys *keys = rcu_dereference_protected(rs->keys,
							    lockdep_sock_is_held(sk));
	const struct roam_done *d = (const struct roam_done *)skb->data;

	if (skb->len < sizeof(*d) || !keys || !rs->hs || !rs->hs->have_cookie ||
	    be64_to_cpu(d->h.scid) != rs->remote_cid)
		return;
	if (!roam_open(keys, ROAM_PN_HANDSHAKE, skb->data,
		       offsetof(struct roam_done, tag), 0)) {
		roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_AUTH_FAILURES);
		return;
	}
	roam_hs_confirmed(sk);
}

/* The server has the connection: DONE, or a protected packet instead. */
void roam_hs_confirmed(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (sk->sk_state != TCP_SYN_SENT || !rs->hs || !rs->hs->have_cookie)
		return;
	sk_stop_timer(sk, &rs->rtx_timer);
	roam_sock_established(sk);
}

static void roam_hs_rcv_reject(struct sock *sk, struct sk_buff *skb)
{
	const struct roam_reject *r = (const struct roam_reject *)skb->data;
	struct roam_sock *rs = roam_sk(sk);

	if (skb->len < sizeof(*r) || !roam_hs_nonce_ok(rs, &r->h))
		return;
	roam_sock_done(sk, r->reason == ROAM_REJECT_BAD_KEY ? EKEYREJECTED : ECONNREFUSED);
}

/*
 * Can @rs take @skb, a long-header packet that names it, in softirq under
 * RCU?  Only a connecting client takes COOKIE, DONE or REJECT (and checks
 * them under its lock), and only an accepted connection takes a
 * COOKIE_ECHO again, once its tag verifies: anything else from the wire
 * would only wait in the socket's backlog for nothing.
 */
bool roam_hs_takes(struct roam_sock *rs, const struct sk_buff *skb)
{
	const struct roam_cookie_echo *e = (const struct roam_cookie_echo *)skb->data;
	struct sock *sk = &rs->sk;
	struct roam_keys *keys;

	if ((skb->data[0] & ROAM_HDR_TYPE_MASK) != ROAM_PT_COOKIE_ECHO)
		return READ_ONCE(sk->sk_state) == TCP_SYN_SENT;
	keys = rcu_dereference(rs->keys);
	return skb->len >= sizeof(*e) && keys && test_bit(ROAM_F_SERVER, &rs->flags) &&
	       be64_to_cpu(e->h.scid) == READ_ONCE(rs->remote_cid) &&
	       roam_open(keys, ROAM_PN_HANDSHAKE, skb->data,
			 offsetof(struct roam_cookie_echo, tag), 0);
}

/*
 * The client's COOKIE_ECHO again, for the connection it made: its DONE
 * was lost, or this is a copy.  Its tag verified on arrival
 * (roam_hs_takes()).  DONE again, under the socket lock, which a task
 * may own: now, or from the backlog.  It goes back the way the echo
 * came, not along the connection's path: a client whose NAT rebound
 * since its first echo is at another port now, and until it hears DONE
 * it sends nothing else that could move the connection.  The path stays
 * (only a short-header packet moves it, section 7), and DONE is smaller
 * than the echo that asks for it: nothing to amplify.
 */
static void roam_hs_rcv_echo(struct sock *sk, struct sk_buff *skb)
{
	struct roam_path path;

	if (!roam_sock_connected(sk))
		return;
	roam_path_of(skb, &path);
	roam_hs_send_done(roam_sk(sk), &path);
}

/*
 * COOKIE, DONE or REJECT for a connecting socket; COOKIE_ECHO for an
 * accepted one.
 */
void roam_hs_rcv(struct sock *sk, struct sk_buff *skb)
{
	u8 type = skb->data[0] & ROAM_HDR_TYPE_MASK;

	if (type == ROAM_PT_COOKIE_ECHO) {
		roam_hs_rcv_echo(sk, skb);
		return;
	}
	if (sk->sk_state != TCP_SYN_SENT)
		return;
	switch (type) {
	case ROAM_PT_COOKIE:
		roam_hs_rcv_cookie(sk, skb);
		break;
	case ROAM_PT_DONE:
		roam_hs_rcv_done(sk, skb);
		break;
	case ROAM_PT_REJECT:
		roam_hs_rcv_reject(sk, skb);
		break;
	}
}

/*
 * An ICMP error about our INITIAL or COOKIE_ECHO.  Believed only if it
 * quotes our nonce (@cnonce, NULL if the quote is too short); otherwise
 * it only explains a later timeout.
 */
void roam_hs_icmp(struct sock *sk, int err, const u8 *cnonce)
{
	struct roam_sock *rs = roam_sk(sk);

	if (sk->sk_state != TCP_SYN_SENT || !rs->hs || err == EMSGSIZE)
		return;
	if (cnonce && !crypto_memneq(cnonce, rs->hs->cnonce, ROAM_NONCE_LEN))
		roam_sock_done(sk, err);
	else
		WRITE_ONCE(sk->sk_err_soft, err);
}

/* Module load; process context. */
void __init roam_hs_init(void)
{
	roam_hs_salt = get_random_u32();
}
