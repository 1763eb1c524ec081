// SPDX-License-Identifier: GPL-2.0
/*
 * Advertised addresses (docs/PROTOCOL.md section 7): a server tells its
 * client the other addresses it can be reached at, in an ADDRESSES frame,
 * as QUIC's preferred_address and MPTCP's ADD_ADDR do; a client whose
 * path to the server is gone tries them.  A client moving from an
 * IPv4-only network to an IPv6-only one thus keeps its connection to a
 * dual-stack server.  A listener bound with bindx advertises its set, a
 * wildcard one the namespace's global addresses.  Everything here runs
 * under the socket lock.
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/sock.h>

#include "addrs.h"
#include "bind.h"
#include "compat.h"
#include "netns.h"
#include "output.h"
#include "protocol.h"
#include "recovery.h"
#include "sock.h"
#include "timers.h"

/* May the client send to @a, an address its server advertised? */
static bool roam_addrs_usable(const struct in6_addr *a)
{
	int type = ipv6_addr_type(a);

	if (type & IPV6_ADDR_MAPPED) {
		__be32 v4 = a->s6_addr32[3];

		return !ipv4_is_zeronet(v4) && !ipv4_is_loopback(v4) &&
		       !ipv4_is_multicast(v4) && !ipv4_is_lbcast(v4);
	}
	return (type & IPV6_ADDR_UNICAST) &&
	       !(type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_LINKLOCAL));
}

static void roam_addrs_add(struct roam_addrs *as, const struct in6_addr *a)
{
	unsigned int i;

	if (as->n == ROAM_ADDRS_MAX || !roam_addrs_usable(a))
		return;
	for (i = 0; i < as->n; i++)
		if (ipv6_addr_equal(&as->a[i], a))
			return;
	as->a[as->n++] = *a;
}

/* The namespace's global addresses, up to ROAM_ADDRS_MAX.  Under RCU. */
static void roam_addrs_local(struct net *net, struct roam_addrs *as)
{
	const struct inet6_ifaddr *ifp;
	const struct in_ifaddr *ifa;
	const struct in_device *in_dev;
	const struct inet6_dev *idev;
	struct net_device *dev;
	struct in6_addr a;

	for_each_netdev_rcu(net, dev) {
		if ((dev->flags & IFF_LOOPBACK) || !netif_running(dev))
			continue;
		in_dev = __in_dev_get_rcu(dev);
		if (in_dev) {
			in_dev_for_each_ifa_rcu(ifa, in_dev) {
				if (ifa->ifa_scope != RT_SCOPE_UNIVERSE)
					continue;
				ipv6_addr_set_v4mapped(ifa->ifa_local, &a);
				roam_addrs_add(as, &a);
			}
		}
		idev = __in6_dev_get(dev);
		if (!idev)
			continue;
		list_for_each_entry_rcu(ifp, &idev->addr_list, if_list) {
			if (ifp->scope || (ifp->flags & (IFA_F_TENTATIVE |
							 IFA_F_DEPRECATED)))
				continue;
			roam_addrs_add(as, &ifp->addr);
		}
	}
}

/*
 * What the server advertises now: its listener's bindx set, copied when
 * the connection was made, or the namespace's global addresses.
 */
static void roam_addrs_ours(struct roam_sock *rs, struct roam_addrs *as)
{
	unsigned int i;

	as->n = 0;
	if (rs->adv) {
		for (i = 0; i < rs->adv->n; i++)
			roam_addrs_add(as, &rs->adv->a[i]);
		return;
	}
	rcu_read_lock();
	roam_addrs_local(sock_net(&rs->sk), as);
	rcu_read_unlock();
}

/* Does @sk advertise?  The socket's ROAM_ADVERTISE, else the config. */
bool roam_addrs_advertising(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);

	if (test_bit(ROAM_F_ADV_SET, &rs->flags))
		return !test_bit(ROAM_F_ADV_OFF, &rs->flags);
	return ROAM_CFG(roam_net(sock_net(sk)), advertise);
}

/*
 * A connection accepted by @lrs: it advertises what @lrs is bound to, if
 * that is a set of addresses.  0, or -ENOMEM.
 */
int roam_addrs_child(struct roam_sock *rs, struct roam_sock *lrs, gfp_t gfp)
{
	const struct roam_bind *b;
	int err = 0;
	unsigned int i;

	if (test_bit(ROAM_F_ADV_SET, &lrs->flags))
		set_bit(ROAM_F_ADV_SET, &rs->flags);
	if (test_bit(ROAM_F_ADV_OFF, &lrs->flags))
		set_bit(ROAM_F_ADV_OFF, &rs->flags);
	rcu_read_lock();
	b = rcu_dereference(lrs->bind);
	if (b && !roam_bind_wildcard(b)) {
		rs->adv = kzalloc(sizeof(*rs->adv), gfp);
		if (rs->adv) {
			for (i = 0; i < b->n; i++)
				roam_addrs_add(rs->adv, &b->addrs[i].key.addr);
		} else {
			err = -ENOMEM;
		}
	}
	rcu_read_unlock();
	return err;
}

/*
 * A server says its addresses again: they may have changed (notify.c), or
 * the frame that said them was lost (recovery.c).
 */
void roam_addrs_again(struct sock *sk)
{
	if (test_bit(ROAM_F_SERVER, &roam_sk(sk)->flags) && roam_sock_connected(sk) &&
	    roam_addrs_advertising(sk))
		set_bit(ROAM_F_ADDRS, &roam_sk(sk)->flags);
}

/*
 * Writes the ADDRESSES frame at @p, with room for @room bytes; its
 * length, or 0 if it does not fit.  Each one gets a new sequence number.
 */
unsigned int roam_addrs_write(struct sock *sk, u8 *p, unsigned int room)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_addrs as;
	unsigned int len, i;

	roam_addrs_ours(rs, &as);
	len = ROAM_ADDRS_HDR_LEN + as.n * sizeof(struct in6_addr);
	if (len > room)
		return 0;
	p[0] = ROAM_FT_ADDRESSES;
	put_unaligned_be32(++rs->adv_seq, p + 1);
	p[5] = as.n;
	for (i = 0; i < as.n; i++)
		memcpy(p + ROAM_ADDRS_HDR_LEN + i * sizeof(struct in6_addr), &as.a[i],
		       sizeof(struct in6_addr));
	return len;
}

/*
 * The frame's length at @p, of which @avail bytes are there, or -EINVAL:
 * for the parser, before anything is done.
 */
int roam_addrs_parse(const u8 *p, unsigned int avail)
{
	unsigned int len;

	if (avail < ROAM_ADDRS_HDR_LEN - 1 || p[4] > ROAM_ADDRS_MAX)
		return -EINVAL;
	len = ROAM_ADDRS_HDR_LEN - 1 + p[4] * sizeof(struct in6_addr);
	return len <= avail ? len : -EINVAL;
}

/*
 * An authenticated ADDRESSES frame (@p after its type byte, checked by
 * roam_addrs_parse()).  A client keeps the newest; a server ignores it:
 * it follows its client wherever the client's packets come from.  The
 * list is replaced whole, so that a dump (netlink.c) reads one list.
 */
void roam_addrs_rcv(struct sock *sk, const u8 *p)
{
	struct roam_sock *rs = roam_sk(sk);
	u32 seq = get_unaligned_be32(p);
	struct roam_addrs *old, *as;
	struct in6_addr a;
	unsigned int i;

	if (test_bit(ROAM_F_SERVER, &rs->flags))
		return;
	old = rcu_dereference_protected(rs->peer_addrs, lockdep_sock_is_held(sk));
	if (old && (s32)(seq - old->seq) <= 0)
		return;			/* an older one, late */
	as = kzalloc(sizeof(*as), GFP_ATOMIC);
	if (!as)
		return;			/* the next one may fit */
	as->seq = seq;
	as->next = old ? old->next : 0;
	for (i = 0; i < p[4]; i++) {
		memcpy(&a, p + 5 + i * sizeof(a), sizeof(a));
		roam_addrs_add(as, &a);
	}
	rcu_assign_pointer(rs->peer_addrs, as);
	if (old)
		kfree_rcu(old, rcu);
}

/*
 * The client's path to its server is gone, or does not answer: a PING to
 * the next address the server advertised, if it has a route, so that the
 * server's answer from there moves the connection (section 7).  One
 * address a call, in turn.  False if the server advertised no other.
 */
static bool roam_addrs_try(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_addrs *as = rcu_dereference_protected(rs->peer_addrs,
							  lockdep_sock_is_held(sk));
	struct roam_path path = {};
	unsigned int tries;
	bool other = false;

	if (!as || !as->n || !roam_sock_connected(sk))
		return false;
	for (tries = 0; tries < as->n; tries++) {
		const struct in6_addr *a = &as->a[as->next++ % as->n];

		if (ipv6_addr_equal(a, &rs->path.peer.sroam_addr))
			continue;
		other = true;
		path.peer = rs->path.peer;
		path.peer.sroam_addr = *a;
		path.peer.sroam_scope_id = 0;
		if (!roam_output_path_ping(sk, &path))
			break;
	}
	return other;
}

/*
 * The client has no route to its server's address (output.c, and
 * notify.c's events, @now): it tries the server's other addresses now,
 * if @now or its last try is due, and again once a backed-off probe
 * timeout (probe_max) for as long as there is no route, from sk_timer
 * (timers.c), whether or not anything is in flight.  A client that only
 * downloads sends nothing else, and a server that gave up on its first
 * try, answered too late, would never hear from it again.  But sk_timer
 * stops trying once the idle timeout has passed (roam_idle_expired(),
 * roam_addrs_retry_due()): a server with anything to send has given up
 * by then, and an idle connection would send a PING (or look a route up)
 * twice a second for as long as it lasted.  Then only what sends (a
 * write, a keepalive) or a notifier tries again, still once a probe_max
 * at most.
 */
void roam_addrs_unreachable(struct sock *sk, bool now)
{
	struct roam_sock *rs = roam_sk(sk);

	if (!now && rs->addrs_retry && time_before(jiffies, rs->addrs_retry))
		return;
	rs->addrs_retry = 0;
	if (!roam_addrs_try(sk))
		return;
	rs->addrs_retry = (jiffies + usecs_to_jiffies(roam_rec_backoff_max_us(sk))) ?: 1;
	roam_timers_state_changed(sk);
}

/*
 * Two probe rounds went unanswered (recovery.c): the server may be
 * reachable elsewhere, and the next address is tried, once a probe
 * timeout.  Not while the tries above are at it: the client has no route,
 * its probes cannot leave, and they try once a probe_max already.
 */
void roam_addrs_unanswered(struct sock *sk)
{
	if (!roam_sk(sk)->addrs_retry)
		roam_addrs_try(sk);
}

/* A route to the server's address again: no more tries. */
void roam_addrs_reachable(struct sock *sk)
{
	roam_sk(sk)->addrs_retry = 0;
}

/* When sk_timer's next try is due (jiffies), or 0: none (above). */
unsigned long roam_addrs_retry_due(const struct sock *sk)
{
	if (roam_idle_expired(sk))
		return 0;
	return roam_sk(sk)->addrs_retry;
}

/* From the socket's destructor, a grace period after its last lookup. */
void roam_addrs_free(struct roam_sock *rs)
{
	kfree(rs->adv);
	rs->adv = NULL;
	kfree(rcu_dereference_protected(rs->peer_addrs, true));
	RCU_INIT_POINTER(rs->peer_addrs, NULL);
}
