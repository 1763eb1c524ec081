// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the config and the counters.  Everything
 * roam keeps lives here, so deleting a namespace frees all of it.
 */
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/stringify.h>
#include <net/netlink.h>

#include "bind.h"
#include "cid.h"
#include "cookie.h"
#include "netns.h"
#include "notify.h"
#include "port.h"
#include "protocol.h"
#include "psk.h"

unsigned int roam_net_id __read_mostly;

#define CFG(_name, _attr, _type, _min, _max, _def) {			\
	.name = #_name, .attr = _attr, .nla_type = _type,		\
	.offset = offsetof(struct roam_config, _name),			\
	.min = _min, .max = _max, .def = _def,				\
	.range_msg = #_name " must be between " __stringify(_min)	\
		     " and " __stringify(_max) }

const struct roam_cfg_field roam_cfg_fields[] = {
	CFG(port_min, ROAM_A_CFG_PORT_MIN, NLA_U16,
	    ROAM_MIN_PORT, ROAM_MAX_PORT, ROAM_DEF_PORT_MIN),
	CFG(port_max, ROAM_A_CFG_PORT_MAX, NLA_U16,
	    ROAM_MIN_PORT, ROAM_MAX_PORT, ROAM_DEF_PORT_MAX),
	CFG(backlog_max, ROAM_A_CFG_BACKLOG_MAX, NLA_U32,
	    ROAM_MIN_BACKLOG, ROAM_MAX_BACKLOG, ROAM_DEF_BACKLOG_MAX),
	CFG(hs_timeout, ROAM_A_CFG_HS_TIMEOUT, NLA_U32,
	    ROAM_MIN_HS_TIMEOUT, ROAM_MAX_HS_TIMEOUT, ROAM_DEF_HS_TIMEOUT),
	CFG(hs_retries, ROAM_A_CFG_HS_RETRIES, NLA_U32,
	    ROAM_MIN_HS_RETRIES, ROAM_MAX_HS_RETRIES, ROAM_DEF_HS_RETRIES),
	CFG(idle_timeout, ROAM_A_CFG_IDLE_TIMEOUT, NLA_U32,
	    ROAM_MIN_TIMER, ROAM_MAX_IDLE_TIMEOUT, ROAM_DEF_IDLE_TIMEOUT),
	CFG(keepalive, ROAM_A_CFG_KEEPALIVE, NLA_U32,
	    ROAM_MIN_TIMER, ROAM_MAX_TIMER, ROAM_DEF_KEEPALIVE),
	CFG(assoc_timeout, ROAM_A_CFG_ASSOC_TIMEOUT, NLA_U32,
	    ROAM_MIN_TIMER, ROAM_MAX_TIMER, ROAM_DEF_ASSOC_TIMEOUT),
	CFG(hop_interval, ROAM_A_CFG_HOP_INTERVAL, NLA_U32,
	    ROAM_MIN_TIMER, ROAM_MAX_TIMER, ROAM_DEF_HOP_INTERVAL),
	CFG(cookie_lifetime, ROAM_A_CFG_COOKIE_LIFETIME, NLA_U32,
	    ROAM_MIN_COOKIE_LIFETIME, ROAM_MAX_COOKIE_LIFETIME,
	    ROAM_DEF_COOKIE_LIFETIME),
	CFG(probe_max, ROAM_A_CFG_PROBE_MAX, NLA_U32,
	    ROAM_MIN_TIMER, ROAM_MAX_TIMER, ROAM_DEF_PROBE_MAX),
	CFG(advertise, ROAM_A_CFG_ADVERTISE, NLA_U32, 0, 1, ROAM_DEF_ADVERTISE),
};

const unsigned int roam_cfg_nfields = ARRAY_SIZE(roam_cfg_fields);

void roam_config_get(struct roam_net *rn, struct roam_config *out)
{
	rcu_read_lock();
	*out = *rcu_dereference(rn->cfg);
	rcu_read_unlock();
}

/* Installs a copy of @cfg, which the caller has validated under cfg_lock. */
int roam_config_set_locked(struct roam_net *rn, const struct roam_config *cfg)
{
	struct roam_config *new, *old;

	lockdep_assert_held(&rn->cfg_lock);
	new = kmemdup(cfg, sizeof(*cfg), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	old = rcu_replace_pointer(rn->cfg, new, lockdep_is_held(&rn->cfg_lock));
	kfree_rcu(old, rcu);
	return 0;
}

u64 roam_stat_read(struct roam_net *rn, unsigned int stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(rn->stats, cpu)->cnt[stat]);
	return sum;
}

static int __net_init roam_net_init(struct net *net)
{
	struct roam_net *rn = roam_net(net);
	struct roam_config *cfg;
	unsigned int i;

	rn->net = net;
	mutex_init(&rn->cfg_lock);

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		goto err;
	for (i = 0; i < roam_cfg_nfields; i++)
		roam_cfg_write(cfg, &roam_cfg_fields[i], roam_cfg_fields[i].def);
	RCU_INIT_POINTER(rn->cfg, cfg);

	rn->stats = alloc_percpu(struct roam_stats);
	if (!rn->stats)
		goto err_cfg;
	xa_init_flags(&rn->socks, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	roam_notify_net_init(rn);
	roam_psk_net_init(rn);
	if (roam_port_net_init(rn))
		goto err_stats;
	if (roam_bind_net_init(rn))
		goto err_port;
	if (roam_cid_net_init(rn))
		goto err_bind;
	if (roam_cookie_net_init(rn))
		goto err_cid;
	return 0;

err_cid:
	roam_cid_net_exit(rn);
err_bind:
	roam_bind_net_exit(rn);
err_port:
	roam_port_net_exit(rn);
err_stats:
	roam_psk_net_exit(rn);
	free_percpu(rn->stats);
err_cfg:
	kfree(cfg);
err:
	return -ENOMEM;
}

static void __net_exit roam_net_exit(struct net *net)
{
	struct roam_net *rn = roam_net(net);

	/* Every socket of the namespace is gone: it held a reference. */
	roam_notify_net_exit(rn);
	roam_cid_net_exit(rn);
	roam_bind_net_exit(rn);
	roam_port_net_exit(rn);
	roam_cookie_net_exit(rn);
	WARN_ON_ONCE(!xa_empty(&rn->socks));
	xa_destroy(&rn->socks);
	roam_psk_net_exit(rn);
	free_percpu(rn->stats);
	/* No reader is left: the namespace is going away. */
	kfree(rcu_dereference_protected(rn->cfg, true));
}

static struct pernet_operations roam_net_ops = {
	.init = roam_net_init,
	.exit = roam_net_exit,
	.id = &roam_net_id,
	.size = sizeof(struct roam_net),
};

int __init roam_netns_init(void)
{
	return register_pernet_subsys(&roam_net_ops);
}

void roam_netns_exit(void)
{
	unregister_pernet_subsys(&roam_net_ops);
}
