// SPDX-License-Identifier: GPL-2.0
/*
 * Where the peer is (docs/PROTOCOL.md section 7).  The peer's address
 * moves only on a packet that authenticated, is no replay and has the
 * largest packet number so far; a late packet from an old path is taken
 * but moves nothing.  A new path is challenged, again after each probe
 * timeout, doubled, and until it answers at most ROAM_AMPLIFICATION
 * times the bytes it sent us go to it (RFC 9000 8 and 9).  One that does
 * not answer in ROAM_VALIDATION_PTOS probe timeouts gives way to the last
 * validated path.  A server stops sending to a client silent for the
 * association timeout.  Under the socket lock.
 */
#include <linux/random.h>
#include <crypto/algapi.h>
#include <net/ipv6.h>

#include "addrs.h"
#include "compat.h"
#include "netlink.h"
#include "netns.h"
#include "output.h"
#include "path.h"
#include "pmtu.h"
#include "receive.h"
#include "recovery.h"
#include "send.h"
#include "sock.h"
#include "timers.h"

static bool roam_path_is(const struct roam_path *path, const struct in6_addr *addr,
			 __be16 port)
{
	return path->peer.sroam_port == port &&
	       ipv6_addr_equal(&path->peer.sroam_addr, addr);
}

/* The probe timeout a new path gets at least: the initial RTT's. */
static unsigned long roam_path_deadline(const struct sock *sk)
{
	u32 initial = ROAM_INITIAL_RTT_US * 3 + ROAM_MAX_ACK_DELAY_US;
	u32 pto = max(roam_rec_pto_us(sk), initial);

	return jiffies + usecs_to_jiffies(pto) * ROAM_VALIDATION_PTOS;
}

/* What the connection knows of the current path, to come back to it. */
static void roam_path_learn(struct sock *sk, struct roam_path_learned *l)
{
	roam_rec_save(sk, &l->rec);
	roam_pmtu_save(sk, &l->pmtu);
	l->valid = true;
}

/*
 * Sends from now on along @path, and tells the events group (@event).
 * Another port of the same host (a NAT rebinding) is the same path to
 * congestion control and PLPMTUD, and keeps all they learned.  Another
 * host brings back what @learned holds of it, if anything, or starts
 * afresh (RFC 9000 9.4).
 */
static void roam_path_set(struct sock *sk, const struct roam_path *path, u8 event,
			  const struct roam_path_learned *learned)
{
	struct roam_sock *rs = roam_sk(sk);
	struct sockaddr_roam old = rs->path.peer;
	bool same_host = ipv6_addr_equal(&old.sroam_addr, &path->peer.sroam_addr);

	rs->path = *path;
	roam_event_conn(sk, event, &old, &path->peer, 0);
	roam_path_reset_route(rs);
	if (same_host) {
		roam_rec_path_changed(sk, NULL, true);
	} else if (learned && learned->valid) {
		roam_rec_path_changed(sk, &learned->rec, false);
		roam_pmtu_path_changed(sk, &learned->pmtu);
	} else {
		roam_rec_path_changed(sk, NULL, false);
		roam_pmtu_path_changed(sk, NULL);
	}
}

/*
 * The path a packet came by: its source, and the address and link it
 * reached.  Any context: it reads @skb alone.
 */
void roam_path_of(const struct sk_buff *skb, struct roam_path *path)
{
	memset(path, 0, sizeof(*path));
	path->peer.sroam_family = roam_family;
	roam_skb_saddr(skb, &path->peer.sroam_addr);
	path->peer.sroam_port = ROAM_CB(skb)->sport;
	roam_skb_daddr(skb, &path->local);
	path->ifindex = ROAM_CB(skb)->ifindex;
	if (ipv6_addr_type(&path->peer.sroam_addr) & IPV6_ADDR_LINKLOCAL)
		path->peer.sroam_scope_id = path->ifindex;
}

/* The index of the challenge sent to @addr:@port lately, or -1. */
static int roam_path_challenge_find(const struct roam_validation *pv,
				    const struct in6_addr *addr, __be16 port)
{
	unsigned int i;

	for (i = 0; i < pv->nsent; i++)
		if (roam_path_is(&pv->sent[i].path, addr, port))
			return i;
	return -1;
}

static void roam_path_challenge_drop(struct roam_validation *pv, unsigned int i)
{
	pv->nsent--;
	memmove(&pv->sent[i], &pv->sent[i + 1], (pv->nsent - i) * sizeof(pv->sent[0]));
}

/*
 * Challenges the current path.  A path challenged lately gets the same
 * bytes again, so that an answer already under way still counts: a peer
 * switching between two paths does not starve both.  The current path's
 * challenge is always the newest.
 */
static void roam_path_challenge(struct roam_sock *rs)
{
	struct roam_validation *pv = &rs->pv;
	struct roam_challenge c;
	int i;

	i = roam_path_challenge_find(pv, &rs->path.peer.sroam_addr,
				     rs->path.peer.sroam_port);
	if (i >= 0) {
		memcpy(c.data, pv->sent[i].data, sizeof(c.data));
		roam_path_challenge_drop(pv, i);
	} else {
		get_random_bytes(c.data, sizeof(c.data));
		if (pv->nsent == ARRAY_SIZE(pv->sent))
			roam_path_challenge_drop(pv, 0);
	}
	c.path = rs->path;
	pv->sent[pv->nsent++] = c;
	set_bit(ROAM_F_CHALLENGE, &rs->flags);
}

/*
 * Challenges @left, the validated path the connection just moved away
 * from, in a packet of its own along it (RFC 9000 9.3.3): a peer still
 * there answers at once, and its answer, newer than any copy a
 * man-on-the-side raced from elsewhere, brings the connection back.
 * Before the new path's own challenge, which must be the newest.
 */
static void roam_path_challenge_left(struct sock *sk, const struct roam_path *left)
{
	struct roam_validation *pv = &roam_sk(sk)->pv;
	struct roam_challenge c;
	int i;

	i = roam_path_challenge_find(pv, &left->peer.sroam_addr, left->peer.sroam_port);
	if (i >= 0) {
		memcpy(c.data, pv->sent[i].data, sizeof(c.data));
		roam_path_challenge_drop(pv, i);
	} else {
		get_random_bytes(c.data, sizeof(c.data));
		if (pv->nsent == ARRAY_SIZE(pv->sent))
			roam_path_challenge_drop(pv, 0);
	}
	c.path = *left;
	pv->sent[pv->nsent++] = c;
	roam_output_challenge(sk, left, c.data);
}

/* The bytes of the current path's challenge, while it is validated. */
const u8 *roam_path_challenge_data(const struct sock *sk)
{
	const struct roam_validation *pv = &roam_sk(sk)->pv;

	return pv->sent[pv->nsent - 1].data;
}

/*
 * The connection is established: the handshake's path counts as
 * validated (section 7), and is the way back until the first move.  The
 * all-zero path would be no way back: a packet from :: port 0, which a
 * host on our link can send, would otherwise "come back" to it with no
 * challenge and no budget.  Under the socket lock (a new child's, held
 * by bh_lock_sock()).
 */
void roam_path_established(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	rs->pv.prev = rs->path;
}

/* The peer's packet @skb came from elsewhere: go there, and challenge it. */
static void roam_path_move(struct sock *sk, const struct sk_buff *skb)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_validation *pv = &rs->pv;
	struct roam_path path;

	roam_path_of(skb, &path);
	roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_PATH_MOVES);
	rs->cnt.path_moves++;
	if (roam_path_is(&pv->prev, &path.peer.sroam_addr, path.peer.sroam_port)) {
		/* Back to a validated path: no challenge, and what it knew. */
		struct roam_path left = rs->path;
		struct roam_path_learned learned = { .valid = false };
		bool left_valid = !test_bit(ROAM_F_VALIDATING, &rs->flags);

		pr_debug("conn %016llx back on a validated path\n", rs->local_cid);
		if (left_valid)
			roam_path_learn(sk, &learned);
		roam_path_set(sk, &pv->prev, ROAM_EV_PATH_CHANGED, &pv->prev_learned);
		if (left_valid) {
			/* Validated too: the way back. */
			pv->prev = left;
			pv->prev_learned = learned;
		}
		clear_bit(ROAM_F_VALIDATING, &rs->flags);
		clear_bit(ROAM_F_CHALLENGE, &rs->flags);
		return;
	}
	if (!test_and_set_bit(ROAM_F_VALIDATING, &rs->flags)) {
		pv->prev = rs->path;
		roam_path_learn(sk, &pv->prev_learned);
		roam_path_challenge_left(sk, &pv->prev);
	}
	pr_debug("conn %016llx moves to %pI6c port %u\n", rs->local_cid,
		 &path.peer.sroam_addr, ntohs(path.peer.sroam_port));
	roam_path_set(sk, &path, ROAM_EV_PATH_CHANGED, NULL);
	roam_path_challenge(rs);
	pv->rx_bytes = 0;
	pv->tx_bytes = 0;
	pv->interval = usecs_to_jiffies(roam_rec_pto_us(sk)) ?: 1;
	pv->again = jiffies + pv->interval;
	pv->deadline = roam_path_deadline(sk);
	roam_timers_state_changed(sk);
}

/*
 * An authenticated packet that is no replay arrived; @moves: it has the
 * largest packet number yet, and is no probing packet.  Moves the path,
 * or credits the one being validated with its bytes.
 */
void roam_path_rcv(struct sock *sk, const struct sk_buff *skb, bool moves)
{
	struct roam_sock *rs = roam_sk(sk);
	struct in6_addr from;

	roam_skb_saddr(skb, &from);
	if (!roam_path_is(&rs->path, &from, ROAM_CB(skb)->sport)) {
		if (!moves)
			return;		/* late, from an old path: moves nothing */
		roam_path_move(sk, skb);
	}
	if (test_bit(ROAM_F_VALIDATING, &rs->flags))
		rs->pv.rx_bytes += skb->len + ROAM_TAG_LEN;
}

/*
 * The peer challenges the path that @skb came by: answer with the same
 * bytes, along that path (RFC 9000 8.2.2).  On the current path the
 * answer rides the next packet; on another one it goes alone, now
 * (roam_output_response()).
 */
void roam_path_challenged(struct sock *sk, const struct sk_buff *skb, const u8 *data)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_path path;

	roam_path_of(skb, &path);
	if (!roam_path_is(&rs->path, &path.peer.sroam_addr, path.peer.sroam_port)) {
		roam_output_response(sk, &path, data);
		return;
	}
	memcpy(rs->pv.response, data, ROAM_PATH_DATA_LEN);
	set_bit(ROAM_F_RESPONSE, &rs->flags);
}

/*
 * The peer answered one of our challenges, in @skb: that path works, if
 * the answer came from the very path the challenge went to.  An answer
 * that comes by another path proves nothing of it: a man-on-the-side
 * can pass a challenge on to the peer, which answers along its own path.
 * If it is the current path, it is validated; if not, it is where to go
 * back to.
 */
void roam_path_response(struct sock *sk, const struct sk_buff *skb, const u8 *data)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_validation *pv = &rs->pv;
	struct roam_path path;
	struct in6_addr from;
	unsigned int i;

	roam_skb_saddr(skb, &from);
	for (i = 0; i < pv->nsent; i++)
		if (!crypto_memneq(data, pv->sent[i].data, ROAM_PATH_DATA_LEN))
			break;
	if (i == pv->nsent || !roam_path_is(&pv->sent[i].path, &from, ROAM_CB(skb)->sport))
		return;
	path = pv->sent[i].path;
	roam_path_challenge_drop(pv, i);
	roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_PATH_VALIDATIONS);
	rs->cnt.path_validations++;
	if (!roam_path_is(&rs->path, &path.peer.sroam_addr, path.peer.sroam_port)) {
		pr_debug("conn %016llx: another path validated\n", rs->local_cid);
		if (!roam_path_is(&pv->prev, &path.peer.sroam_addr, path.peer.sroam_port))
			pv->prev_learned.valid = false;
		pv->prev = path;
		return;
	}
	pr_debug("conn %016llx: path validated\n", rs->local_cid);
	clear_bit(ROAM_F_VALIDATING, &rs->flags);
	clear_bit(ROAM_F_CHALLENGE, &rs->flags);
}

/* The packet with our challenge was lost: send it again, if still due. */
void roam_path_challenge_lost(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (test_bit(ROAM_F_VALIDATING, &rs->flags))
		set_bit(ROAM_F_CHALLENGE, &rs->flags);
}

/*
 * From sk_timer: a path that has not answered yet is challenged again,
 * after a probe timeout, then twice as long each time, as an Initial
 * would be sent again (RFC 9000 8.2.1): its answer may be lost, and a
 * PATH_RESPONSE is never sent again on its own.  One that did not
 * answer in time gives way.
 */
void roam_path_timeout(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_validation *pv = &rs->pv;

	if (!test_bit(ROAM_F_VALIDATING, &rs->flags))
		return;
	if (time_before(jiffies, pv->deadline)) {
		if (time_before(jiffies, pv->again))
			return;
		pr_debug("conn %016llx challenges the new path again\n", rs->local_cid);
		roam_path_challenge(rs);
		pv->interval *= 2;
		pv->again = jiffies + pv->interval;
		roam_output(sk, ROAM_OUT_CONTROL);
		return;
	}
	pr_debug("conn %016llx: path validation failed\n", rs->local_cid);
	roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_PATH_FAILURES);
	rs->cnt.path_failures++;
	clear_bit(ROAM_F_VALIDATING, &rs->flags);
	clear_bit(ROAM_F_CHALLENGE, &rs->flags);
	roam_path_set(sk, &rs->pv.prev, ROAM_EV_PATH_FAILED, &rs->pv.prev_learned);
	/* Whatever waited for the budget goes now; the peer answers. */
	roam_output(sk, ROAM_OUT_PING);
}

/*
 * A local address or link came or went (notify.c): the route is looked
 * up again, and a path whose source changed pings from the new one at
 * once, so the peer moves without waiting for a probe timeout.  If the
 * old source is gone, or its link is down, the lookup has set PATH_GONE
 * for the ping to carry.  A path that kept its source, with probes
 * unanswered, probes now: the link or route that was missing may be
 * back.
 */
void roam_path_reroute(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct in6_addr old = rs->path.src;

	if (!roam_sock_connected(sk) || !rs->port)
		return;
	roam_path_reset_route(rs);
	if (roam_route_check(rs)) {
		/* No way to the server's address: another of its own. */
		roam_addrs_unreachable(sk, true);
		return;
	}
	/* A link or an address back: probes waiting out a backoff go now. */
	if (ipv6_addr_equal(&old, &rs->path.src)) {
		roam_rec_probe_now(sk);
		return;
	}
	pr_debug("conn %016llx sends from %pI6c now\n", rs->local_cid, &rs->path.src);
	roam_rec_path_changed(sk, NULL, true);
	roam_output(sk, ROAM_OUT_PING);
}

/*
 * A server that has not heard from its client for the association
 * timeout stops sending to the stale address (mosh's rule); the client
 * heard again from anywhere lifts it.
 */
static bool roam_path_stale(const struct sock *sk)
{
	return test_bit(ROAM_F_SERVER, &roam_sk(sk)->flags) &&
	       roam_peer_silent(sk, ROAM_CFG(roam_net(sock_net(sk)), assoc_timeout));
}

/*
 * Bytes we may still send along the path: none to a stale address,
 * unlimited once validated.
 */
u64 roam_path_budget(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);
	u64 allowed = rs->pv.rx_bytes * ROAM_AMPLIFICATION;

	if (roam_path_stale(sk))
		return 0;
	if (!test_bit(ROAM_F_VALIDATING, &rs->flags))
		return U64_MAX;
	return allowed > rs->pv.tx_bytes ? allowed - rs->pv.tx_bytes : 0;
}

void roam_path_sent(struct sock *sk, unsigned int bytes)
{
	struct roam_sock *rs = roam_sk(sk);

	if (test_bit(ROAM_F_VALIDATING, &rs->flags))
		rs->pv.tx_bytes += bytes;
}
