// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace's pre-shared keys (docs/PROTOCOL.md section 6): a table
 * from key id to 32 secret bytes.  Writers hold cfg_lock; a handshake
 * copies the key it needs under RCU and wipes the copy after deriving
 * its session keys.  Keys are zeroed when freed.  Deleting a key stops
 * new handshakes with it; connections keep the session keys they have.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "netns.h"
#include "psk.h"
#include "sock.h"

struct roam_psk {
	u8 secret[ROAM_KEY_LEN_BYTES];
	struct rcu_head rcu;
};

static void roam_psk_free_cb(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct roam_psk, rcu));
}

/* -EEXIST if @id has a key, -ENOSPC if the table is full.  Under cfg_lock. */
int roam_psk_add(struct roam_net *rn, u32 id, const u8 *secret)
{
	struct roam_psk *psk;
	int err;

	lockdep_assert_held(&rn->cfg_lock);
	if (rn->psk_count >= ROAM_MAX_KEYS)
		return -ENOSPC;
	psk = kmalloc(sizeof(*psk), GFP_KERNEL);
	if (!psk)
		return -ENOMEM;
	memcpy(psk->secret, secret, sizeof(psk->secret));
	err = xa_insert(&rn->psks, id, psk, GFP_KERNEL);
	if (err) {
		kfree_sensitive(psk);
		return err == -EBUSY ? -EEXIST : err;
	}
	rn->psk_count++;
	return 0;
}

/* -ENOENT if @id has no key.  Under cfg_lock. */
int roam_psk_del(struct roam_net *rn, u32 id)
{
	struct roam_psk *psk;

	lockdep_assert_held(&rn->cfg_lock);
	psk = xa_erase(&rn->psks, id);
	if (!psk)
		return -ENOENT;
	rn->psk_count--;
	call_rcu(&psk->rcu, roam_psk_free_cb);
	return 0;
}

bool roam_psk_exists(struct roam_net *rn, u32 id)
{
	return xa_load(&rn->psks, id);
}

/* Copies the key of @id into @out, or returns -ENOKEY.  Any context. */
int roam_psk_copy(struct roam_net *rn, u32 id, u8 out[ROAM_KEY_LEN_BYTES])
{
	struct roam_psk *psk;
	int err = -ENOKEY;

	rcu_read_lock();
	psk = xa_load(&rn->psks, id);
	if (psk) {
		memcpy(out, psk->secret, ROAM_KEY_LEN_BYTES);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

/*
 * How many sockets name @id: listeners and connections.  A walk of all
 * of them, for the key dump only.
 */
u32 roam_psk_users(struct roam_net *rn, u32 id)
{
	struct roam_sock *rs;
	unsigned long i;
	u32 n = 0;

	rcu_read_lock();
	xa_for_each(&rn->socks, i, rs)
		if (READ_ONCE(rs->psk_id) == id)
			n++;
	rcu_read_unlock();
	return n;
}

void roam_psk_net_init(struct roam_net *rn)
{
	xa_init(&rn->psks);
	rn->psk_count = 0;
}

/* No socket is left, so no handshake can be reading a key. */
void roam_psk_net_exit(struct roam_net *rn)
{
	struct roam_psk *psk;
	unsigned long id;

	xa_for_each(&rn->psks, id, psk)
		kfree_sensitive(psk);
	xa_destroy(&rn->psks);
}
