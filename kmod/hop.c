// SPDX-License-Identifier: GPL-2.0
/*
 * Port hopping (docs/PROTOCOL.md section 7), after mosh's hop_port and
 * prune_sockets.  A client whose packets have gone unanswered for the
 * hop interval sends from a new port of the client range (one that only
 * receives pings first, to have something awaiting an answer): a NAT or
 * a firewall that lost or blocks the old flow sees a new one, and the
 * server follows the newest packet as for any move.  The ports hopped
 * away from keep receiving late packets for ROAM_HOP_PORT_AGE_MS, at
 * most ROAM_HOP_PORTS_MAX open with the current one.  ROAM_MIGRATE and
 * `roamctl conn migrate` hop at once.
 *
 * Under the socket lock.  Opening a port sleeps, so a hop the timer
 * decides on is left to a work item, which holds a socket reference.
 */
#include <linux/jiffies.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "hop.h"
#include "netns.h"
#include "output.h"
#include "port.h"
#include "recovery.h"
#include "sock.h"
#include "timers.h"

/* Hopping is for a client's connection, on a port connect() chose. */
static int roam_hop_allowed(const struct sock *sk, struct netlink_ext_ack *extack)
{
	const struct roam_sock *rs = roam_sk(sk);

	if (!roam_sock_connected(sk)) {
		NL_SET_ERR_MSG(extack, "the connection is not established");
		return -ENOTCONN;
	}
	if (test_bit(ROAM_F_SERVER, &rs->flags) || rcu_access_pointer(rs->bind) ||
	    !rs->port) {
		NL_SET_ERR_MSG(extack,
			       "only a client connection on a port connect() chose hops");
		return -EINVAL;
	}
	return 0;
}

static void roam_hop_drop_oldest(struct roam_hop *hop)
{
	roam_port_put(hop->old[0]);
	hop->nold--;
	memmove(&hop->old[0], &hop->old[1], hop->nold * sizeof(hop->old[0]));
	memmove(&hop->expires[0], &hop->expires[1], hop->nold * sizeof(hop->expires[0]));
}

/* The ports whose time is up close; any context. */
static void roam_hop_prune(struct roam_hop *hop)
{
	while (hop->nold && !time_before(jiffies, hop->expires[0]))
		roam_hop_drop_oldest(hop);
}

/* Sends from a new port now.  Process context. */
int roam_hop(struct sock *sk, struct netlink_ext_ack *extack)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_hop *hop = &rs->hop;
	struct roam_port *port;
	int err;

	err = roam_hop_allowed(sk, extack);
	if (err)
		return err;
	err = roam_port_pick(roam_net(sock_net(sk)), false, &port);
	if (!err && port == rs->port) {
		roam_port_put(port);
		err = -EADDRINUSE;
	}
	if (err) {
		NL_SET_ERR_MSG(extack, "no other port of the client range is free");
		return err == -EADDRINUSE ? -EADDRNOTAVAIL : err;
	}
	roam_hop_prune(hop);
	if (hop->nold == ARRAY_SIZE(hop->old))
		roam_hop_drop_oldest(hop);
	hop->old[hop->nold] = rs->port;
	hop->expires[hop->nold++] = jiffies + msecs_to_jiffies(ROAM_HOP_PORT_AGE_MS);
	pr_debug("conn %016llx hops from port %u to %u\n", rs->local_cid,
		 rs->port->num, port->num);
	WRITE_ONCE(rs->port, port);

	roam_stat_inc(roam_net(sock_net(sk)), ROAM_A_STAT_PORT_HOPS);
	WRITE_ONCE(rs->cnt.port_hops, rs->cnt.port_hops + 1);
	if (hop->waiting)
		hop->waiting = jiffies ?: 1;	/* the new port gets its interval */
	/* Probes unanswered from the old port say nothing of this one. */
	roam_rec_path_changed(sk, NULL, true);
	roam_output(sk, ROAM_OUT_PING);
	roam_timers_state_changed(sk);
	return 0;
}

/* Hops without being asked to: a client, on a port of its own choosing. */
static bool roam_hop_auto(const struct sock *sk)
{
	return !roam_hop_allowed(sk, NULL);
}

static unsigned long roam_hop_interval(const struct sock *sk)
{
	return msecs_to_jiffies(ROAM_CFG(roam_net(sock_net(sk)), hop_interval));
}

static unsigned long roam_hop_due(const struct sock *sk)
{
	return roam_sk(sk)->hop.waiting + roam_hop_interval(sk);
}

/*
 * A client that only receives sends nothing that awaits an answer, so a
 * path that died under a download would go unnoticed.  Half a hop
 * interval after the last ack-eliciting packet, while the peer's stream
 * is still open and we sent nothing since, it pings once; an unanswered
 * ping then makes it hop.  When the ping is due, or 0.
 */
static unsigned long roam_hop_ping_due(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);
	unsigned long due = rs->hop.heard + roam_hop_interval(sk) / 2;

	if (rs->hop.waiting || !rs->hop.heard ||
	    test_bit(ROAM_F_PEER_FIN, &rs->flags) || time_after(rs->last_tx, due))
		return 0;
	return due;
}

static void roam_hop_work(struct work_struct *work)
{
	struct roam_sock *rs = container_of(work, struct roam_sock, hop.work);
	struct sock *sk = &rs->sk;

	lock_sock(sk);
	if (roam_hop_auto(sk))
		roam_hop(sk, NULL);
	release_sock(sk);
	sock_put(sk);
}

void roam_hop_init(struct sock *sk)
{
	INIT_WORK(&roam_sk(sk)->hop.work, roam_hop_work);
}

/* When roam_hop_timeout() has work next, 0 for never. */
unsigned long roam_hop_next(const struct sock *sk)
{
	const struct roam_hop *hop = &roam_sk(sk)->hop;
	unsigned long next = 0;

	if (roam_hop_auto(sk))
		next = hop->waiting ? roam_hop_due(sk) : roam_hop_ping_due(sk);
	if (hop->nold && (!next || time_before(hop->expires[0], next)))
		next = hop->expires[0];
	return next;
}

/* From sk_timer: old ports close, and a client waiting too long hops. */
void roam_hop_timeout(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_hop *hop = &rs->hop;
	unsigned long due;

	roam_hop_prune(hop);
	if (!roam_hop_auto(sk))
		return;
	if (!hop->waiting) {
		due = roam_hop_ping_due(sk);
		if (due && !time_before(jiffies, due))
			roam_output(sk, ROAM_OUT_PING);
		return;
	}
	if (time_before(jiffies, roam_hop_due(sk)))
		return;
	/* The next hop is an interval away, whether or not this one works. */
	hop->waiting = jiffies ?: 1;
	sock_hold(sk);
	if (!queue_work(roam_wq, &hop->work))
		sock_put(sk);
}

/* The connection is over: the old ports close. */
void roam_hop_release(struct sock *sk)
{
	struct roam_hop *hop = &roam_sk(sk)->hop;

	while (hop->nold)
		roam_hop_drop_oldest(hop);
	hop->waiting = 0;
	hop->heard = 0;
}
