// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "roam": per-netns config, counters,
 * listener and connection dumps, keys and events.  Every error carries an
 * extack message; changes need CAP_NET_ADMIN in the namespace's user
 * namespace (GENL_UNS_ADMIN_PERM).
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"
#include "netns.h"
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
};

static const struct nla_policy roam_policy[ROAM_A_MAX + 1] = {
	[ROAM_A_CONFIG] = NLA_POLICY_NESTED(roam_cfg_policy),
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

static int roam_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct roam_net *rn = roam_net(genl_info_net(info));
	struct nlattr *tb[ROAM_A_CFG_MAX + 1];
	struct roam_config cfg;
	unsigned int i;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, ROAM_A_CONFIG))
		return -EINVAL;
	err = nla_parse_nested(tb, ROAM_A_CFG_MAX, info->attrs[ROAM_A_CONFIG],
			       roam_cfg_policy, info->extack);
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
