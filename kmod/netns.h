/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_NETNS_H
#define _ROAM_NETNS_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/roam.h>

/* The per-netns config.  Readers use rcu_dereference; a change replaces
 * the whole structure, so a reader never sees half of an update.
 */
struct roam_config {
	u32 port_min;
	u32 port_max;
	u32 backlog_max;
	u32 hs_timeout;		/* ms */
	u32 hs_retries;
	u32 idle_timeout;	/* ms */
	u32 keepalive;		/* ms */
	u32 assoc_timeout;	/* ms */
	u32 hop_interval;	/* ms */
	u32 cookie_lifetime;	/* ms */
	u32 probe_max;		/* ms: the probe timeout's backoff stops there */
	u32 advertise;		/* 0 or 1: servers send ADDRESSES */
	struct rcu_head rcu;
};

/* One row per config field: its netlink attribute, name and bounds. */
struct roam_cfg_field {
	const char *name;
	u16 attr;
	u16 nla_type;
	size_t offset;
	u32 min;
	u32 max;
	u32 def;
	const char *range_msg;	/* extack text naming the field */
};

extern const struct roam_cfg_field roam_cfg_fields[];
extern const unsigned int roam_cfg_nfields;

static inline u32 roam_cfg_read(const struct roam_config *cfg,
				const struct roam_cfg_field *f)
{
	return *(const u32 *)((const u8 *)cfg + f->offset);
}

static inline void roam_cfg_write(struct roam_config *cfg,
				  const struct roam_cfg_field *f, u32 val)
{
	*(u32 *)((u8 *)cfg + f->offset) = val;
}

/* Counters are indexed by their netlink attribute, ROAM_A_STAT_*. */
#define ROAM_STAT_NUM		(ROAM_A_STAT_MAX + 1)

struct roam_stats {
	unsigned long cnt[ROAM_STAT_NUM];
};

#define ROAM_PORT_HASH_BITS	8

struct roam_cookie_secret;

struct roam_net {
	struct net *net;
	struct roam_config __rcu *cfg;
	struct mutex cfg_lock;		/* serialises config and key writers */
	struct roam_stats __percpu *stats;

	/* Pre-shared keys by id (psk.c), written under cfg_lock */
	struct xarray psks;
	unsigned int psk_count;

	/* UDP ports (port.c) */
	struct mutex port_mutex;
	wait_queue_head_t port_wq;	/* a closing port has gone */
	atomic_t ports_closed;		/* ... and how many have */
	struct hlist_head ports[1 << ROAM_PORT_HASH_BITS];

	/* Bound addresses and listeners (bind.c), under bind_mutex */
	struct mutex bind_mutex;
	struct rhltable binds;
	u32 last_group;

	/* Connections by CID (cid.c) */
	struct rhashtable cids;

	/* Every roam socket, by id, for the netlink dumps */
	struct xarray socks;
	u32 next_sock_id;
	atomic_t socks_gen;		/* changes when a socket comes or goes */

	/* Local addresses and links changed: routes looked up again (notify.c) */
	struct work_struct reroute_work;
	spinlock_t reroute_lock;	/* queueing it, and stopping that */
	bool reroute_stop;		/* the namespace goes */

	/* Handshake cookies (cookie.c) */
	struct roam_cookie_secret __rcu *cookie_secret;
	spinlock_t cookie_lock;		/* serialises rotation */
	struct rhashtable spent;	/* cookies that built a connection */
	atomic_t nspent;
	unsigned long spent_full;	/* bit 0: full, the secrets replaced, not pruned yet */
	struct work_struct spent_gc;	/* forgets those no secret verifies */
};

extern unsigned int roam_net_id;

static inline struct roam_net *roam_net(const struct net *net)
{
	return net_generic(net, roam_net_id);
}

static inline void roam_stat_inc(struct roam_net *rn, unsigned int stat)
{
	this_cpu_inc(rn->stats->cnt[stat]);
}

u64 roam_stat_read(struct roam_net *rn, unsigned int stat);

/* One config field, e.g. ROAM_CFG(rn, hs_timeout).  Any context. */
#define ROAM_CFG(rn, field) ({					\
	u32 __v;						\
	rcu_read_lock();					\
	__v = rcu_dereference((rn)->cfg)->field;		\
	rcu_read_unlock();					\
	__v;							\
})

/* A consistent copy of the config, for code that reads several fields. */
void roam_config_get(struct roam_net *rn, struct roam_config *out);
int roam_config_set_locked(struct roam_net *rn, const struct roam_config *cfg);

int roam_netns_init(void);
void roam_netns_exit(void);

#endif /* _ROAM_NETNS_H */
