// SPDX-License-Identifier: GPL-2.0
/*
 * Binding and listener demultiplexing (docs/PROTOCOL.md section 4).
 *
 * Every address a socket is bound to is an entry of rn->binds, keyed by
 * (address, port).  There are two wildcards, as in Linux: in6addr_any
 * takes both families, or IPv6 alone with IPV6_V6ONLY, and ::ffff:0.0.0.0
 * takes IPv4 alone.  Conflicts are decided here, under rn->bind_mutex.  A
 * new-connection packet finds its listener with at most three lookups:
 * its own (address, port), then for IPv4 (::ffff:0.0.0.0, port), then
 * (any, port).
 */
#include <linux/reciprocal_div.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "addr.h"
#include "bind.h"
#include "netns.h"
#include "port.h"
#include "sock.h"

static const struct in6_addr roam_in6addr_any4 = {
	.s6_addr = { [10] = 0xff, [11] = 0xff },
};

static const struct rhashtable_params roam_bind_params = {
	.key_len = sizeof(struct roam_bkey),
	.key_offset = offsetof(struct roam_baddr, key),
	.head_offset = offsetof(struct roam_baddr, node),
	.automatic_shrinking = true,
};

static struct roam_bind *roam_bind_get(struct roam_sock *rs)
{
	return rcu_dereference_protected(rs->bind,
					 lockdep_is_held(&roam_net(sock_net(&rs->sk))->bind_mutex));
}

/* The families (ROAM_BIND_V4, _V6) a bound address @a takes connections in. */
static unsigned int roam_addr_families(const struct in6_addr *a, bool v6only)
{
	if (roam_addr_any(a))
		return v6only ? ROAM_BIND_V6 : ROAM_BIND_V4 | ROAM_BIND_V6;
	return roam_addr_v4(a) ? ROAM_BIND_V4 : ROAM_BIND_V6;
}

/*
 * The families a binding takes connections in.  Any context that holds
 * the binding; a bound socket's IPV6_V6ONLY no longer changes (tcpopt.c).
 */
unsigned int roam_bind_families(const struct roam_bind *b)
{
	bool v6only = b->addrs[0].rs->sk.sk_ipv6only;
	unsigned int i, fams = 0;

	for (i = 0; i < b->n; i++)
		fams |= roam_addr_families(&b->addrs[i].key.addr, v6only);
	return fams;
}

/* Is @a configured here, or may the socket bind it anyway? */
static int roam_addr_usable(struct roam_sock *rs, const struct sockaddr_roam *sa)
{
	struct net *net = sock_net(&rs->sk);
	const struct in6_addr *a = &sa->sroam_addr;
	bool free = test_bit(ROAM_F_FREEBIND, &rs->flags);

	if (ipv6_addr_v4mapped(a)) {
		__be32 a4 = a->s6_addr32[3];

		if (ipv4_is_multicast(a4) || ipv4_is_lbcast(a4))
			return -EADDRNOTAVAIL;
		free |= READ_ONCE(net->ipv4.sysctl_ip_nonlocal_bind);
	} else {
		if (ipv6_addr_is_multicast(a))
			return -EADDRNOTAVAIL;
		free |= READ_ONCE(net->ipv6.sysctl.ip_nonlocal_bind);
	}
	if (free || roam_addr_local(net, a, sa->sroam_scope_id, false))
		return 0;
	return -EADDRNOTAVAIL;
}

static bool roam_bind_same_set(const struct roam_bind *b, const struct in6_addr *set,
			       unsigned int n)
{
	unsigned int i, j;

	if (b->n != n)
		return false;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			if (ipv6_addr_equal(&set[i], &b->addrs[j].key.addr))
				break;
		if (j == n)
			return false;
	}
	return true;
}

/*
 * Would @rs, bound to @set, conflict with @o, which shares an address of
 * it on the port?  The rules of TCP, except that the wildcard only
 * overlaps the wildcard, so a specific socket shadows a wildcard one.
 */
static bool roam_bind_conflict(struct roam_sock *rs, const struct in6_addr *set,
			       unsigned int n, struct roam_sock *o)
{
	struct sock *sk = &rs->sk, *osk = &o->sk;

	if (sk->sk_bound_dev_if && osk->sk_bound_dev_if &&
	    sk->sk_bound_dev_if != osk->sk_bound_dev_if)
		return false;
	if (sk->sk_reuseport && osk->sk_reuseport &&
	    uid_eq(sock_i_uid(sk), sock_i_uid(osk)) &&
	    sk->sk_ipv6only == osk->sk_ipv6only &&
	    roam_bind_same_set(roam_bind_get(o), set, n))
		return false;
	if (sk->sk_reuse && osk->sk_reuse && osk->sk_state != TCP_LISTEN)
		return false;
	return true;
}

/*
 * May @spec, bound to specific addresses, and @wild, bound to the
 * wildcard on the same port, coexist?  The specific socket takes the
 * connections to its addresses that the wildcard one would get: allowed
 * within one user, or to a binder with CAP_NET_BIND_SERVICE (ROAM_F_SHADOW),
 * whichever bound first.  Sockets on different devices take nothing
 * from each other.
 */
static bool roam_bind_may_shadow(struct roam_sock *spec, struct roam_sock *wild)
{
	int d1 = READ_ONCE(spec->sk.sk_bound_dev_if), d2 = READ_ONCE(wild->sk.sk_bound_dev_if);

	if (d1 && d2 && d1 != d2)
		return true;
	return uid_eq(sock_i_uid(&spec->sk), sock_i_uid(&wild->sk)) ||
	       test_bit(ROAM_F_SHADOW, &spec->flags);
}

/*
 * Is another socket's entry at (@at, @port) in the way of @rs, bound to
 * @set, in one of @fams?  Under rcu_read_lock.
 */
static int roam_bind_check_key(struct roam_sock *rs, const struct in6_addr *set,
			       unsigned int n, const struct in6_addr *at,
			       __be16 port, unsigned int fams)
{
	struct roam_bkey key = { .addr = *at, .port = port };
	struct rhlist_head *list, *pos;
	struct roam_baddr *e;

	list = rhltable_lookup(&roam_net(sock_net(&rs->sk))->binds, &key,
			       roam_bind_params);
	rhl_for_each_entry_rcu(e, pos, list, node) {
		if (e->rs != rs &&
		    (roam_addr_families(&e->key.addr, e->rs->sk.sk_ipv6only) & fams) &&
		    roam_bind_conflict(rs, set, n, e->rs))
			return -EADDRINUSE;
	}
	return 0;
}

static int roam_bind_check(struct roam_sock *rs, struct roam_port *port,
			   const struct in6_addr *set, unsigned int n)
{
	struct roam_net *rn = roam_net(sock_net(&rs->sk));
	bool wild = n == 1 && roam_addr_wild(&set[0]);
	bool v6only = rs->sk.sk_ipv6only;
	__be16 pnum = htons(port->num);
	unsigned int i, fams = 0;
	struct roam_bind *b;
	int err = 0;

	lockdep_assert_held(&rn->bind_mutex);
	rcu_read_lock();
	for (i = 0; i < n && !err; i++) {
		unsigned int f = roam_addr_families(&set[i], v6only);

		fams |= f;
		err = roam_bind_check_key(rs, set, n, &set[i], pnum, f);
	}
	/* Both wildcards that take IPv4 take the same connections. */
	if (!err && wild && (fams & ROAM_BIND_V4))
		err = roam_bind_check_key(rs, set, n,
					  roam_addr_any(&set[0]) ? &roam_in6addr_any4 :
					  &in6addr_any, pnum, ROAM_BIND_V4);
	rcu_read_unlock();
	if (err)
		return err;
	/* A specific binding and a wildcard one of another user (above). */
	list_for_each_entry(b, &port->binds, port_node) {
		struct roam_sock *o = b->addrs[0].rs;

		if (o == rs || roam_bind_wildcard(b) == wild ||
		    !(roam_bind_families(b) & fams))
			continue;
		if (!(wild ? roam_bind_may_shadow(o, rs) : roam_bind_may_shadow(rs, o)))
			return -EADDRINUSE;
	}
	return 0;
}

static void roam_bind_unhash(struct roam_net *rn, struct roam_bind *b,
			     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rhltable_remove(&rn->binds, &b->addrs[i].node, roam_bind_params);
}

/*
 * Makes @set on @port the binding of @rs, replacing the old one.  The new
 * entries go in before the old ones come out, so a packet for an address
 * in both never finds it missing.  Takes over the caller's port reference.
 */
static int roam_bind_install(struct roam_sock *rs, struct roam_port *port,
			     const struct in6_addr *set, unsigned int n)
{
	struct roam_net *rn = roam_net(sock_net(&rs->sk));
	struct roam_bind *ob = roam_bind_get(rs), *nb;
	__be16 pnum = htons(port->num);
	unsigned int i;
	int err;

	err = roam_bind_check(rs, port, set, n);
	if (err)
		return err;
	nb = kzalloc(struct_size(nb, addrs, n), GFP_KERNEL);
	if (!nb)
		return -ENOMEM;
	nb->port = port;
	nb->group = ob ? ob->group : 0;
	nb->n = n;
	for (i = 0; i < n; i++) {
		nb->addrs[i].key.addr = set[i];
		nb->addrs[i].key.port = pnum;
		nb->addrs[i].rs = rs;
		err = rhltable_insert(&rn->binds, &nb->addrs[i].node,
				      roam_bind_params);
		if (err) {
			/* Readers may be in the entries already in. */
			roam_bind_unhash(rn, nb, i);
			kfree_rcu(nb, rcu);
			return err;
		}
	}
	if (ob) {
		roam_bind_unhash(rn, ob, ob->n);
		list_del(&ob->port_node);
		kfree_rcu(ob, rcu);
	}
	list_add(&nb->port_node, &port->binds);
	rcu_assign_pointer(rs->bind, nb);
	return 0;
}

/*
 * Checks @addrs: one port, usable addresses, a wildcard only alone, and
 * no IPv4 address on an IPV6_V6ONLY socket (EINVAL, as TCP).
 */
static int roam_bind_collect(struct roam_sock *rs, const struct sockaddr_roam *addrs,
			     unsigned int n, __be16 port, struct in6_addr *set,
			     unsigned int *nset)
{
	unsigned int i, j, k = *nset;
	bool any = false;
	int err;

	for (i = 0; i < n; i++) {
		const struct sockaddr_roam *sa = &addrs[i];

		if (sa->sroam_port != port)
			return -EINVAL;
		if (rs->sk.sk_ipv6only && roam_addr_v4(&sa->sroam_addr))
			return -EINVAL;
		if (roam_addr_wild(&sa->sroam_addr)) {
			any = true;
		} else {
			err = roam_addr_usable(rs, sa);
			if (err)
				return err;
		}
		for (j = 0; j < k; j++)
			if (ipv6_addr_equal(&set[j], &sa->sroam_addr))
				break;
		if (j < k)
			continue;	/* the same address twice */
		if (k == ROAM_MAX_BIND_ADDRS)
			return -ENOBUFS;
		set[k++] = sa->sroam_addr;
	}
	if (any && k > 1)
		return -EINVAL;
	*nset = k;
	return 0;
}

static bool roam_port_privileged(struct net *net, u16 num)
{
	return num && num < READ_ONCE(net->ipv4.sysctl_ip_prot_sock) &&
	       !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE);
}

/* May the binder take other users' connections (roam_bind_may_shadow())? */
static void roam_bind_privilege(struct roam_sock *rs)
{
	struct net *net = sock_net(&rs->sk);

	assign_bit(ROAM_F_SHADOW, &rs->flags,
		   ns_capable_noaudit(net->user_ns, CAP_NET_BIND_SERVICE));
}

/*
 * bind(), or ROAM_BINDX_ADD on an unbound socket: all @addrs share one
 * port, 0 for a free port of the client range.  Under lock_sock.
 */
int roam_bind(struct roam_sock *rs, const struct sockaddr_roam *addrs,
	      unsigned int n)
{
	struct net *net = sock_net(&rs->sk);
	struct roam_net *rn = roam_net(net);
	struct in6_addr *set;
	struct roam_port *port;
	unsigned int nset = 0;
	u16 num = ntohs(addrs[0].sroam_port);
	int err;

	if (rs->sk.sk_state != TCP_CLOSE || rcu_access_pointer(rs->bind) || rs->port)
		return -EINVAL;
	if (roam_port_privileged(net, num))
		return -EACCES;
	roam_bind_privilege(rs);
	set = kcalloc(ROAM_MAX_BIND_ADDRS, sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	err = roam_bind_collect(rs, addrs, n, addrs[0].sroam_port, set, &nset);
	if (err)
		goto out;

	if (num)
		err = roam_port_get(rn, num, true, &port);
	else
		err = roam_port_pick(rn, true, &port);
	if (err)
		goto out;

	mutex_lock(&rn->bind_mutex);
	err = roam_bind_install(rs, port, set, nset);
	mutex_unlock(&rn->bind_mutex);
	if (err) {
		roam_port_unbind(port);
		roam_port_put(port);
		goto out;
	}
	rs->port = roam_port_hold(port);
out:
	kfree(set);
	return err;
}

/* ROAM_BINDX_ADD and ROAM_BINDX_REM on a bound socket.  Under lock_sock. */
static int roam_bind_change(struct roam_sock *rs, const struct sockaddr_roam *addrs,
			    unsigned int n, bool add)
{
	struct roam_net *rn = roam_net(sock_net(&rs->sk));
	struct in6_addr *set, *rem = NULL;
	unsigned int i, j, nset = 0, nrem = 0;
	struct roam_bind *b;
	int err;

	set = kcalloc(ROAM_MAX_BIND_ADDRS, sizeof(*set), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	roam_bind_privilege(rs);
	mutex_lock(&rn->bind_mutex);
	b = roam_bind_get(rs);
	err = -EINVAL;
	if (!b || roam_bind_wildcard(b))
		goto out;
	for (i = 0; i < b->n; i++)
		set[nset++] = b->addrs[i].key.addr;

	if (add) {
		err = roam_bind_collect(rs, addrs, n, htons(b->port->num), set, &nset);
		if (err)
			goto out;
	} else {
		rem = kcalloc(ROAM_MAX_BIND_ADDRS, sizeof(*rem), GFP_KERNEL);
		err = -ENOMEM;
		if (!rem)
			goto out;
		err = -EINVAL;
		for (i = 0; i < n; i++) {
			if (addrs[i].sroam_port != htons(b->port->num))
				goto out;
			if (nrem < ROAM_MAX_BIND_ADDRS)
				rem[nrem++] = addrs[i].sroam_addr;
		}
		for (i = 0; i < nrem; i++) {
			for (j = 0; j < nset; j++)
				if (ipv6_addr_equal(&set[j], &rem[i]))
					break;
			if (j == nset)		/* not bound to it */
				goto out;
			set[j] = set[--nset];
		}
		if (!nset)		/* the last address stays */
			goto out;
	}
	/* The port reference moves to the new binding. */
	err = roam_bind_install(rs, b->port, set, nset);
out:
	mutex_unlock(&rn->bind_mutex);
	kfree(rem);
	kfree(set);
	return err;
}

int roam_bind_add(struct roam_sock *rs, const struct sockaddr_roam *addrs,
		  unsigned int n)
{
	if (!rcu_access_pointer(rs->bind))
		return roam_bind(rs, addrs, n);
	return roam_bind_change(rs, addrs, n, true);
}

int roam_bind_rem(struct roam_sock *rs, const struct sockaddr_roam *addrs,
		  unsigned int n)
{
	return roam_bind_change(rs, addrs, n, false);
}

/*
 * listen(): check the conflicts again, now that other sockets may listen,
 * and enter LISTEN in the same critical section.  A reuseport socket
 * joins the group of an identical listener, or starts one.
 */
int roam_bind_listen(struct roam_sock *rs)
{
	struct roam_net *rn = roam_net(sock_net(&rs->sk));
	struct rhlist_head *list, *pos;
	struct roam_bind *b;
	struct roam_baddr *e;
	struct in6_addr *set;
	unsigned int i;
	u32 group = 0;
	int err;

	mutex_lock(&rn->bind_mutex);
	b = roam_bind_get(rs);
	err = -EINVAL;
	if (!b)
		goto out;
	set = kcalloc(b->n, sizeof(*set), GFP_KERNEL);
	err = -ENOMEM;
	if (!set)
		goto out;
	for (i = 0; i < b->n; i++)
		set[i] = b->addrs[i].key.addr;
	err = roam_bind_check(rs, b->port, set, b->n);
	kfree(set);
	if (err)
		goto out;

	if (rs->sk.sk_reuseport) {
		rcu_read_lock();
		list = rhltable_lookup(&rn->binds, &b->addrs[0].key, roam_bind_params);
		rhl_for_each_entry_rcu(e, pos, list, node) {
			struct roam_bind *ob = roam_bind_get(e->rs);

			if (e->rs != rs && e->rs->sk.sk_state == TCP_LISTEN && ob->group &&
			    e->rs->sk.sk_bound_dev_if == rs->sk.sk_bound_dev_if &&
			    e->rs->sk.sk_ipv6only == rs->sk.sk_ipv6only) {
				group = ob->group;
				break;
			}
		}
		rcu_read_unlock();
		if (!group)
			group = ++rn->last_group ?: ++rn->last_group;
	}
	b->group = group;
	roam_sock_set_state(&rs->sk, TCP_LISTEN);
out:
	mutex_unlock(&rn->bind_mutex);
	return err;
}

/* close(): the socket's addresses are free again. */
void roam_bind_release(struct roam_sock *rs)
{
	struct roam_net *rn = roam_net(sock_net(&rs->sk));
	struct roam_bind *b;

	mutex_lock(&rn->bind_mutex);
	b = roam_bind_get(rs);
	if (b) {
		roam_bind_unhash(rn, b, b->n);
		list_del(&b->port_node);
		RCU_INIT_POINTER(rs->bind, NULL);
	}
	mutex_unlock(&rn->bind_mutex);
	if (b) {
		roam_port_unbind(b->port);
		roam_port_put(b->port);
		kfree_rcu(b, rcu);
	}
}

/* 0 if @rs takes no new connection in @v4's family on @ifindex. */
static int roam_listener_score(struct roam_sock *rs, int ifindex, bool v4)
{
	int dev;

	if (READ_ONCE(rs->sk.sk_state) != TCP_LISTEN || (v4 && rs->sk.sk_ipv6only))
		return 0;
	dev = READ_ONCE(rs->sk.sk_bound_dev_if);
	if (!dev)
		return 1;
	return dev == ifindex ? 2 : 0;
}

/*
 * The best listeners at one (address, port) for a connection in @v4's
 * family; @hash picks one of a group.
 */
static struct roam_sock *roam_listener_at(struct roam_net *rn,
					  const struct in6_addr *addr,
					  __be16 port, int ifindex, bool v4, u32 hash)
{
	struct roam_bkey key = { .addr = *addr, .port = port };
	struct roam_sock *rs = NULL;
	struct rhlist_head *list, *pos;
	struct roam_baddr *e;
	int best = 0, score;
	u32 n = 0, pick;

	list = rhltable_lookup(&rn->binds, &key, roam_bind_params);
	rhl_for_each_entry_rcu(e, pos, list, node) {
		score = roam_listener_score(e->rs, ifindex, v4);
		if (score > best) {
			best = score;
			n = 0;
		}
		if (score && score == best)
			n++;
	}
	if (!n)
		return NULL;
	pick = reciprocal_scale(hash, n);
	rhl_for_each_entry_rcu(e, pos, list, node) {
		if (roam_listener_score(e->rs, ifindex, v4) != best)
			continue;
		rs = e->rs;
		if (!pick--)
			break;
	}
	if (rs && !refcount_inc_not_zero(&rs->sk.sk_refcnt))
		rs = NULL;
	return rs;
}

/*
 * The listener for a new connection to (@daddr, @dport): the specific one
 * if there is one, else for IPv4 the IPv4 wildcard one, else the wildcard
 * one, as TCP prefers an AF_INET listener to a dual-stack one.  Under
 * rcu_read_lock; returns the socket with a reference.
 */
struct roam_sock *roam_listener_lookup(struct roam_net *rn,
				       const struct in6_addr *daddr,
				       __be16 dport, int ifindex, u32 hash)
{
	bool v4 = roam_addr_v4(daddr);
	struct roam_sock *rs;

	rs = roam_listener_at(rn, daddr, dport, ifindex, v4, hash);
	if (!rs && v4)
		rs = roam_listener_at(rn, &roam_in6addr_any4, dport, ifindex, v4, hash);
	if (!rs)
		rs = roam_listener_at(rn, &in6addr_any, dport, ifindex, v4, hash);
	return rs;
}

int roam_bind_net_init(struct roam_net *rn)
{
	mutex_init(&rn->bind_mutex);
	return rhltable_init(&rn->binds, &roam_bind_params);
}

void roam_bind_net_exit(struct roam_net *rn)
{
	rhltable_destroy(&rn->binds);
}
