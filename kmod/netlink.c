// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "roam": per-netns config, counters,
 * listener and connection dumps, keys and events.  Every error carries an
 * extack message; changes need CAP_NET_ADMIN in the namespace's user
 * namespace (GENL_UNS_ADMIN_PERM).
 */
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "addr.h"
#include "addrs.h"
#include "bind.h"
#include "cid.h"
#include "hop.h"
#include "compat.h"
#include "netlink.h"
#include "netns.h"
#include "port.h"
#include "psk.h"
#include "sock.h"

static const struct nla_policy roam_cfg_policy[ROAM_A_CFG_MAX + 1] = {
	[ROAM_A_CFG_FAMILY] = {
		.type = NLA_REJECT,
		.reject_message = "family is read-only: it is the module parameter",
	},
	[ROAM_A_CFG_PORT_MIN]		= { .type = NLA_U16 },
	[ROAM_A_CFG_PORT_MAX]		= { .type = NLA_U16 },
	[ROAM_A_CFG_BACKLOG_MAX]	= { .type = NLA_U32 },
	[ROAM_A_CFG_HS_TIMEOUT]		= { .type = NLA_U32 },
	[ROAM_A_CFG_HS_RETRIES]		= { .type = NLA_U32 },
	[ROAM_A_CFG_IDLE_TIMEOUT]	= { .type = NLA_U32 },
	[ROAM_A_CFG_KEEPALIVE]		= { .type = NLA_U32 },
	[ROAM_A_CFG_ASSOC_TIMEOUT]	= { .type = NLA_U32 },
	[ROAM_A_CFG_HOP_INTERVAL]	= { .type = NLA_U32 },
	[ROAM_A_CFG_COOKIE_LIFETIME]	= { .type = NLA_U32 },
	[ROAM_A_CFG_PROBE_MAX]		= { .type = NLA_U32 },
	[ROAM_A_CFG_ADVERTISE]		= { .type = NLA_U32 },
};

static const struct nla_policy roam_conn_policy[ROAM_A_CONN_MAX + 1] = {
	[ROAM_A_CONN_LOCAL_ID]		= { .type = NLA_U64 },
};

static const struct nla_policy roam_key_policy[ROAM_A_KEY_MAX + 1] = {
	[ROAM_A_KEY_ID]			= NLA_POLICY_MIN(NLA_U32, 1),
	[ROAM_A_KEY_SECRET]		= NLA_POLICY_EXACT_LEN(ROAM_KEY_LEN),
	[ROAM_A_KEY_OWNER]		= { .type = NLA_U32 },
};

static const struct nla_policy roam_policy[ROAM_A_MAX + 1] = {
	[ROAM_A_CONFIG] = NLA_POLICY_NESTED(roam_cfg_policy),
	[ROAM_A_CONN] = NLA_POLICY_NESTED(roam_conn_policy),
	[ROAM_A_KEY] = NLA_POLICY_NESTED(roam_key_policy),
};

static struct genl_family roam_genl_family;

/* NL_SET_ERR_MSG_ATTR takes literals only; these messages live in tables. */
static void roam_extack_attr(struct netlink_ext_ack *extack,
			     const struct nlattr *attr, const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = attr;
	}
}

static void *roam_genl_put(struct sk_buff *skb, struct genl_info *info, u8 cmd)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq,
			   &roam_genl_family, 0, cmd);
}

static int roam_fill_config(struct sk_buff *skb, const struct roam_config *cfg)
{
	struct nlattr *nest;
	unsigned int i;
	int err = 0;

	nest = nla_nest_start(skb, ROAM_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, ROAM_A_CFG_FAMILY, roam_family))
		goto err;
	for (i = 0; i < roam_cfg_nfields; i++) {
		const struct roam_cfg_field *f = &roam_cfg_fields[i];
		u32 val = roam_cfg_read(cfg, f);

		if (f->nla_type == NLA_U16)
			err = nla_put_u16(skb, f->attr, val);
		else
			err = nla_put_u32(skb, f->attr, val);
		if (err)
			goto err;
	}
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int roam_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct roam_config cfg;
	struct sk_buff *msg;
	void *hdr;

	roam_config_get(rn, &cfg);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = roam_genl_put(msg, info, ROAM_CMD_CONFIG_GET);
	if (!hdr || roam_fill_config(msg, &cfg)) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "config does not fit a message");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Parses the request's nest @type into @tb with @policy (@max its last
 * attribute), and checks that the nest holds @need.
 */
static int roam_nest_parse(struct genl_info *info, int type, struct nlattr **tb,
			   int max, const struct nla_policy *policy, int need)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, type))
		return -EINVAL;
	err = nla_parse_nested(tb, max, info->attrs[type], policy, info->extack);
	if (err)
		return err;
	if (need && NL_REQ_ATTR_CHECK(info->extack, info->attrs[type], tb, need))
		return -EINVAL;
	return 0;
}

static int roam_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct nlattr *tb[ROAM_A_CFG_MAX + 1];
	struct roam_config cfg;
	unsigned int i;
	int err;

	err = roam_nest_parse(info, ROAM_A_CONFIG, tb, ROAM_A_CFG_MAX,
			      roam_cfg_policy, 0);
	if (err)
		return err;

	/* Validate everything against one snapshot, then install it whole. */
	mutex_lock(&rn->cfg_lock);
	cfg = *rcu_dereference_protected(rn->cfg, lockdep_is_held(&rn->cfg_lock));
	for (i = 0; i < roam_cfg_nfields; i++) {
		const struct roam_cfg_field *f = &roam_cfg_fields[i];
		struct nlattr *a = tb[f->attr];
		u32 val;

		if (!a)
			continue;
		val = f->nla_type == NLA_U16 ? nla_get_u16(a) : nla_get_u32(a);
		if (val < f->min || val > f->max) {
			roam_extack_attr(info->extack, a, f->range_msg);
			err = -ERANGE;
			goto out;
		}
		roam_cfg_write(&cfg, f, val);
	}
	if (cfg.port_min > cfg.port_max) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[ROAM_A_CFG_PORT_MIN] ?: tb[ROAM_A_CFG_PORT_MAX],
				    "port_min must not be above port_max");
		err = -EINVAL;
		goto out;
	}
	err = roam_config_set_locked(rn, &cfg);
	if (err)
		NL_SET_ERR_MSG(info->extack, "out of memory");
out:
	mutex_unlock(&rn->cfg_lock);
	return err;
}

static int roam_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct nlattr *nest;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = roam_genl_put(msg, info, ROAM_CMD_STATS_GET);
	if (!hdr)
		goto err;
	nest = nla_nest_start(msg, ROAM_A_STATS);
	if (!nest)
		goto err;
	for (i = ROAM_A_STAT_PAD + 1; i < ROAM_STAT_NUM; i++)
		if (nla_put_u64_64bit(msg, i, roam_stat_read(rn, i), ROAM_A_STAT_PAD))
			goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	NL_SET_ERR_MSG(info->extack, "counters do not fit a message");
	return -EMSGSIZE;
}

/*
 * Who asks for a dump: the netlink socket's owner, and whether its opener
 * has CAP_NET_ADMIN.  Connection IDs, which a forger needs first as a TCP
 * forger needs sequence numbers, and key ids go only to CAP_NET_ADMIN and
 * to the owner of the socket they belong to.
 */
struct roam_viewer {
	kuid_t uid;
	bool admin;
};

static bool roam_viewer_full(const struct roam_viewer *v, struct sock *sk)
{
	/* sk_uid: an orphan, or a connection not yet accepted, has no inode. */
	return v->admin || uid_eq(READ_ONCE(sk->sk_uid), v->uid);
}

static int roam_fill_listener(struct sk_buff *skb, struct roam_sock *rs,
			      const struct roam_viewer *v)
{
	struct sock *sk = &rs->sk;
	struct nlattr *nest, *addrs;
	struct roam_bind *b;
	unsigned int i;

	b = rcu_dereference(rs->bind);
	if (!b)
		return 0;	/* stopped listening under us */
	nest = nla_nest_start(skb, ROAM_A_LISTENER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, ROAM_A_LSN_PORT, ntohs(b->addrs[0].key.port)))
		goto err;
	/* The wildcard of one family alone is said: ::ffff:0.0.0.0 or ::. */
	if (roam_bind_families(b) != (ROAM_BIND_V4 | ROAM_BIND_V6) ||
	    !roam_bind_wildcard(b)) {
		addrs = nla_nest_start(skb, ROAM_A_LSN_ADDRS);
		if (!addrs)
			goto err;
		for (i = 0; i < b->n; i++)
			if (nla_put_in6_addr(skb, ROAM_A_LSN_ADDR, &b->addrs[i].key.addr))
				goto err;
		nla_nest_end(skb, addrs);
	}
	if (nla_put_u32(skb, ROAM_A_LSN_BACKLOG, READ_ONCE(sk->sk_max_ack_backlog)) ||
	    nla_put_u32(skb, ROAM_A_LSN_QLEN, READ_ONCE(sk->sk_ack_backlog)) ||
	    nla_put_u64_64bit(skb, ROAM_A_LSN_OVERFLOWS, READ_ONCE(rs->overflows),
			      ROAM_A_LSN_PAD) ||
	    nla_put_u32(skb, ROAM_A_LSN_GROUP, READ_ONCE(b->group)) ||
	    nla_put_u32(skb, ROAM_A_LSN_UID,
			from_kuid_munged(current_user_ns(), sock_i_uid(sk))) ||
	    nla_put_u64_64bit(skb, ROAM_A_LSN_INODE, sock_i_ino(sk), ROAM_A_LSN_PAD) ||
	    nla_put_u32(skb, ROAM_A_LSN_IFINDEX, READ_ONCE(sk->sk_bound_dev_if)))
		goto err;
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* The addresses a client's server advertised: one list, under RCU. */
static int roam_fill_peer_addrs(struct sk_buff *skb, const struct roam_sock *rs)
{
	const struct roam_addrs *as;
	struct nlattr *nest;
	int err = 0;
	unsigned int i;

	rcu_read_lock();
	as = rcu_dereference(rs->peer_addrs);
	if (!as || !as->n)
		goto out;
	err = -EMSGSIZE;
	nest = nla_nest_start(skb, ROAM_A_CONN_PEER_ADDRS);
	if (!nest)
		goto out;
	for (i = 0; i < as->n; i++)
		if (nla_put_in6_addr(skb, ROAM_A_CONN_PEER_ADDR, &as->a[i]))
			goto out;	/* the caller cancels the whole nest */
	nla_nest_end(skb, nest);
	err = 0;
out:
	rcu_read_unlock();
	return err;
}

static int roam_fill_conn(struct sk_buff *skb, struct roam_sock *rs,
			  const struct roam_viewer *v)
{
	struct sock *sk = &rs->sk;
	bool full = roam_viewer_full(v, sk);
	struct sockaddr_roam local;
	struct nlattr *nest;

	roam_sock_local(rs, &local);
	nest = nla_nest_start(skb, ROAM_A_CONN);
	if (!nest)
		return -EMSGSIZE;
	if ((full &&
	     (nla_put_u64_64bit(skb, ROAM_A_CONN_LOCAL_ID, READ_ONCE(rs->local_cid),
				ROAM_A_CONN_PAD) ||
	      nla_put_u64_64bit(skb, ROAM_A_CONN_REMOTE_ID, READ_ONCE(rs->remote_cid),
				ROAM_A_CONN_PAD) ||
	      nla_put_u32(skb, ROAM_A_CONN_PSK, READ_ONCE(rs->psk_id)))) ||
	    nla_put_u8(skb, ROAM_A_CONN_STATE, roam_sock_state(sk)) ||
	    nla_put(skb, ROAM_A_CONN_LOCAL, sizeof(local), &local) ||
	    nla_put(skb, ROAM_A_CONN_REMOTE, sizeof(rs->path.peer), &rs->path.peer) ||
	    nla_put_u32(skb, ROAM_A_CONN_UID,
			from_kuid_munged(current_user_ns(), sock_i_uid(sk))) ||
	    nla_put_u64_64bit(skb, ROAM_A_CONN_INODE, sock_i_ino(sk), ROAM_A_CONN_PAD) ||
	    nla_put_u32(skb, ROAM_A_CONN_PATH_MOVES, READ_ONCE(rs->cnt.path_moves)) ||
	    nla_put_u32(skb, ROAM_A_CONN_PORT_HOPS, READ_ONCE(rs->cnt.port_hops)) ||
	    nla_put_u32(skb, ROAM_A_CONN_RMEM, atomic_read(&sk->sk_rmem_alloc)) ||
	    nla_put_u32(skb, ROAM_A_CONN_RCVBUF, READ_ONCE(sk->sk_rcvbuf)) ||
	    nla_put_u32(skb, ROAM_A_CONN_UNACKED, READ_ONCE(rs->rec.unacked)) ||
	    roam_fill_peer_addrs(skb, rs) ||
	    (test_bit(ROAM_F_SERVER, &rs->flags) &&
	     nla_put_flag(skb, ROAM_A_CONN_SERVER)))
		goto err;
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * Dumps walk the namespace's sockets by id; cb->args[0] is where the
 * next message starts.  A socket that comes or goes during the dump sets
 * NLM_F_DUMP_INTR on the messages after it.
 */
static int roam_dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		     bool (*want)(struct roam_sock *rs),
		     int (*fill)(struct sk_buff *skb, struct roam_sock *rs,
				 const struct roam_viewer *v))
{
	struct roam_net *rn = roam_net(sock_net(skb->sk));
	struct roam_viewer v = {
		.uid = sock_i_uid(NETLINK_CB(cb->skb).sk),
		.admin = netlink_net_capable(cb->skb, CAP_NET_ADMIN),
	};
	unsigned long id;
	struct roam_sock *rs;
	int err = 0;
	void *hdr;

	cb->seq = atomic_read(&rn->socks_gen);
	rcu_read_lock();
	xa_for_each_start(&rn->socks, id, rs, cb->args[0]) {
		if (!refcount_inc_not_zero(&rs->sk.sk_refcnt))
			continue;
		if (!want(rs)) {
			sock_put(&rs->sk);
			continue;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &roam_genl_family, NLM_F_MULTI, cmd);
		if (hdr) {
			genl_dump_check_consistent(cb, hdr);
			err = fill(skb, rs, &v);
			if (err)
				genlmsg_cancel(skb, hdr);
			else
				genlmsg_end(skb, hdr);
		} else {
			err = -EMSGSIZE;
		}
		sock_put(&rs->sk);
		if (err) {
			cb->args[0] = id;
			break;
		}
	}
	rcu_read_unlock();
	if (!err)
		cb->args[0] = ULONG_MAX;
	return skb->len;
}

static bool roam_is_listener(struct roam_sock *rs)
{
	return READ_ONCE(rs->sk.sk_state) == TCP_LISTEN;
}

static bool roam_is_conn(struct roam_sock *rs)
{
	return READ_ONCE(rs->local_cid) && READ_ONCE(rs->sk.sk_state) != TCP_LISTEN;
}

static int roam_listener_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return roam_dump(skb, cb, ROAM_CMD_LISTENER_GET, roam_is_listener,
			 roam_fill_listener);
}

static int roam_conn_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return roam_dump(skb, cb, ROAM_CMD_CONN_GET, roam_is_conn, roam_fill_conn);
}

/* CONN_MIGRATE: the connection with local ID ROAM_A_CONN_LOCAL_ID hops. */
static int roam_conn_migrate_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct nlattr *tb[ROAM_A_CONN_MAX + 1];
	struct roam_sock *rs;
	int err;

	err = roam_nest_parse(info, ROAM_A_CONN, tb, ROAM_A_CONN_MAX,
			      roam_conn_policy, ROAM_A_CONN_LOCAL_ID);
	if (err)
		return err;
	rcu_read_lock();
	rs = roam_cid_lookup(rn, nla_get_u64(tb[ROAM_A_CONN_LOCAL_ID]));
	rcu_read_unlock();
	if (!rs) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ROAM_A_CONN_LOCAL_ID],
				    "no connection has this ID");
		return -ENOENT;
	}
	lock_sock(&rs->sk);
	err = roam_hop(&rs->sk, info->extack);
	release_sock(&rs->sk);
	sock_put(&rs->sk);
	return err;
}

/* ------------------------------------------------------------------ */
/* Pre-shared keys: written, never read back */

static int roam_key_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct nlattr *tb[ROAM_A_KEY_MAX + 1];
	kuid_t owner = current_fsuid();
	int err;

	err = roam_nest_parse(info, ROAM_A_KEY, tb, ROAM_A_KEY_MAX,
			      roam_key_policy, ROAM_A_KEY_ID);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[ROAM_A_KEY], tb,
			      ROAM_A_KEY_SECRET))
		return -EINVAL;
	/* The key serves its owner: the caller, unless it names another. */
	if (tb[ROAM_A_KEY_OWNER]) {
		owner = make_kuid(current_user_ns(), nla_get_u32(tb[ROAM_A_KEY_OWNER]));
		if (!uid_valid(owner)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[ROAM_A_KEY_OWNER],
					    "the owner is no user of this namespace");
			memzero_explicit(nla_data(tb[ROAM_A_KEY_SECRET]), ROAM_KEY_LEN);
			return -EINVAL;
		}
	}
	mutex_lock(&rn->cfg_lock);
	err = roam_psk_add(rn, nla_get_u32(tb[ROAM_A_KEY_ID]),
			   nla_data(tb[ROAM_A_KEY_SECRET]), owner);
	mutex_unlock(&rn->cfg_lock);
	/* The table has its own copy; the request keeps none. */
	memzero_explicit(nla_data(tb[ROAM_A_KEY_SECRET]), ROAM_KEY_LEN);
	if (err == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ROAM_A_KEY_ID],
				    "a key has this id: delete it first");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "the namespace has "
			       __stringify(ROAM_MAX_KEYS) " keys, the most it may have");
	return err;
}

static int roam_key_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct nlattr *tb[ROAM_A_KEY_MAX + 1];
	int err;

	err = roam_nest_parse(info, ROAM_A_KEY, tb, ROAM_A_KEY_MAX,
			      roam_key_policy, ROAM_A_KEY_ID);
	if (err)
		return err;
	mutex_lock(&rn->cfg_lock);
	err = roam_psk_del(rn, nla_get_u32(tb[ROAM_A_KEY_ID]));
	mutex_unlock(&rn->cfg_lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[ROAM_A_KEY_ID],
				    "no key has this id");
	return err;
}

static int roam_key_fill(struct sk_buff *skb, struct netlink_callback *cb,
			 struct roam_net *rn, u32 id, const struct roam_psk *psk)
{
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &roam_genl_family, NLM_F_MULTI, ROAM_CMD_KEY_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, ROAM_A_KEY);
	if (!nest || nla_put_u32(skb, ROAM_A_KEY_ID, id) ||
	    nla_put_u32(skb, ROAM_A_KEY_USERS, roam_psk_users(rn, id)) ||
	    nla_put_u32(skb, ROAM_A_KEY_OWNER, from_kuid_munged(ns, roam_psk_owner(psk)))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/* Key ids and users, by id; cb->args[0] is the next id, args[1] "done". */
static int roam_key_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct roam_net *rn = roam_net(sock_net(skb->sk));
	struct roam_psk *psk;
	unsigned long id;

	if (cb->args[1])
		return 0;
	rcu_read_lock();
	xa_for_each_start(&rn->psks, id, psk, cb->args[0]) {
		if (roam_key_fill(skb, cb, rn, id, psk)) {
			cb->args[0] = id;
			goto out;
		}
	}
	cb->args[1] = 1;
out:
	rcu_read_unlock();
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* Events: the "events" group, what `roamctl monitor` prints */

enum { ROAM_MCGRP_EVENTS };

/* Events carry connection IDs: CAP_NET_ADMIN only (compat.h). */
static const struct genl_multicast_group roam_mcgrps[] = {
	[ROAM_MCGRP_EVENTS] = {
		.name = ROAM_GENL_MCGRP_EVENTS,
		.flags = ROAM_MCGRP_ADMIN,
	},
};

static int roam_event_fill(struct sk_buff *skb, const struct roam_event *ev)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, ROAM_A_EVENT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, ROAM_A_EV_TYPE, ev->type) ||
	    (ev->local_cid && ROAM_EVENTS_CIDS &&
	     (nla_put_u64_64bit(skb, ROAM_A_EV_LOCAL_ID, ev->local_cid, ROAM_A_EV_PAD) ||
	      nla_put_u64_64bit(skb, ROAM_A_EV_REMOTE_ID, ev->remote_cid, ROAM_A_EV_PAD))) ||
	    nla_put(skb, ROAM_A_EV_LOCAL, sizeof(ev->local), &ev->local) ||
	    (ev->old && nla_put(skb, ROAM_A_EV_OLD, sizeof(*ev->old), ev->old)) ||
	    (ev->new && nla_put(skb, ROAM_A_EV_NEW, sizeof(*ev->new), ev->new)) ||
	    (ev->err && nla_put_u32(skb, ROAM_A_EV_ERROR, ev->err)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Sends @ev to the group in @net, if anyone listens.  Any context. */
void roam_event_send(struct net *net, const struct roam_event *ev)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&roam_genl_family, net, ROAM_MCGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &roam_genl_family, 0, ROAM_CMD_EVENT);
	if (!hdr || roam_event_fill(skb, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&roam_genl_family, net, skb, 0, ROAM_MCGRP_EVENTS,
				GFP_ATOMIC);
}

/*
 * An event of connection @sk: established, closed (@err), path changed
 * or failed (@old and @new, the peer's addresses).  Under the socket lock.
 */
void roam_event_conn(struct sock *sk, u8 type, const struct sockaddr_roam *old,
		     const struct sockaddr_roam *new, int err)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_event ev = {
		.type = type,
		.local_cid = rs->local_cid,
		.remote_cid = rs->remote_cid,
		.old = old,
		.new = new,
		.err = err,
	};

	roam_sock_local(rs, &ev.local);
	roam_event_send(sock_net(sk), &ev);
}

static const struct genl_ops roam_genl_ops[] = {
	{
		.cmd = ROAM_CMD_CONFIG_GET,
		.doit = roam_config_get_doit,
	},
	{
		.cmd = ROAM_CMD_CONFIG_SET,
		.doit = roam_config_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = ROAM_CMD_STATS_GET,
		.doit = roam_stats_get_doit,
	},
	{
		.cmd = ROAM_CMD_LISTENER_GET,
		.dumpit = roam_listener_dumpit,
	},
	{
		.cmd = ROAM_CMD_CONN_GET,
		.dumpit = roam_conn_dumpit,
	},
	{
		.cmd = ROAM_CMD_CONN_MIGRATE,
		.doit = roam_conn_migrate_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = ROAM_CMD_KEY_ADD,
		.doit = roam_key_add_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = ROAM_CMD_KEY_DEL,
		.doit = roam_key_del_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = ROAM_CMD_KEY_GET,
		.dumpit = roam_key_dumpit,
	},
};

static struct genl_family roam_genl_family __ro_after_init = {
	.name = ROAM_GENL_NAME,
	.version = ROAM_GENL_VERSION,
	.maxattr = ROAM_A_MAX,
	.policy = roam_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = roam_genl_ops,
	.n_ops = ARRAY_SIZE(roam_genl_ops),
	.mcgrps = roam_mcgrps,
	.n_mcgrps = ARRAY_SIZE(roam_mcgrps),
	.resv_start_op = ROAM_CMD_CONFIG_GET,
};

int __init roam_genl_init(void)
{
	return genl_register_family(&roam_genl_family);
}

void roam_genl_exit(void)
{
	genl_unregister_family(&roam_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(ROAM_GENL_NAME);
