// SPDX-License-Identifier: GPL-2.0
/*
 * The connection-ID table: every packet after the handshake names its
 * connection by the receiver's CID alone, whatever address it comes
 * from.  One hash table per namespace, looked up under RCU.
 */
#include <linux/random.h>
#include <linux/rhashtable.h>

#include "cid.h"
#include "netns.h"
#include "sock.h"

static const struct rhashtable_params roam_cid_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct roam_sock, local_cid),
	.head_offset = offsetof(struct roam_sock, cid_node),
	.automatic_shrinking = true,
};

/*
 * Gives @rs the CID @cid, or a fresh random one if @cid is 0.  Returns
 * -EEXIST if @cid is taken.  Any context.
 */
int roam_cid_add(struct roam_net *rn, struct roam_sock *rs, u64 cid)
{
	int err = -EEXIST, tries = 8;

	do {
		rs->local_cid = cid ?: get_random_u64();
		if (!rs->local_cid)
			continue;
		err = rhashtable_lookup_insert_fast(&rn->cids, &rs->cid_node,
						    roam_cid_params);
	} while (!cid && err == -EEXIST && --tries);
	if (err)
		rs->local_cid = 0;
	return err;
}

void roam_cid_del(struct roam_net *rn, struct roam_sock *rs)
{
	if (!rs->local_cid)
		return;
	rhashtable_remove_fast(&rn->cids, &rs->cid_node, roam_cid_params);
	rs->local_cid = 0;
}

/* Returns the socket with a reference, or NULL.  Under rcu_read_lock. */
struct roam_sock *roam_cid_lookup(struct roam_net *rn, u64 cid)
{
	struct roam_sock *rs;

	rs = rhashtable_lookup(&rn->cids, &cid, roam_cid_params);
	if (rs && !refcount_inc_not_zero(&rs->sk.sk_refcnt))
		rs = NULL;
	return rs;
}

int roam_cid_net_init(struct roam_net *rn)
{
	return rhashtable_init(&rn->cids, &roam_cid_params);
}

void roam_cid_net_exit(struct roam_net *rn)
{
	rhashtable_destroy(&rn->cids);
}
