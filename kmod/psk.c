// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace's pre-shared keys (docs/PROTOCOL.md section 6): a table
 * from key id to 32 secret bytes.  Writers hold cfg_lock; a handshake
 * copies the key it needs under RCU and wipes the copy after deriving
 * its session keys.  Keys are zeroed when freed.  Deleting a key stops
 * new handshakes with it; connections keep the session keys they have.
 *
 * A key has an owner, a user: only the owner, or a socket named with
 * CAP_NET_ADMIN, may name it.  That is checked when ROAM_PSK names the
 * key, and again at each handshake, against whoever named it then: a key
 * deleted and added again for another user serves its new owner only.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "netns.h"
#include "psk.h"
#include "sock.h"

struct roam_psk {
	u8 secret[ROAM_KEY_LEN_BYTES];
	kuid_t owner;
	struct rcu_head rcu;
};

static void roam_psk_free_cb(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct roam_psk, rcu));
}

/*
 * Adds key @id, of @owner.  -EEXIST if @id has a key, -ENOSPC if the
 * table is full.  Under cfg_lock.
 */
int roam_psk_add(struct roam_net *rn, u32 id, const u8 *secret, kuid_t owner)
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
	psk->owner = owner;
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

static int roam_psk_allowed(const struct roam_psk *psk, const struct roam_psk_user *u)
{
	if (!psk)
		return -ENOKEY;
	return u->admin || uid_eq(psk->owner, u->uid) ? 0 : -EACCES;
}

/* May @u name key @id?  0, -ENOKEY or -EACCES.  Any context. */
int roam_psk_check(struct roam_net *rn, u32 id, const struct roam_psk_user *u)
{
	int err;

	rcu_read_lock();
	err = roam_psk_allowed(xa_load(&rn->psks, id), u);
	rcu_read_unlock();
	return err;
}

/*
 * Copies the key of @id into @out, if @u may use it: 0, -ENOKEY or
 * -EACCES.  Any context.
 */
int roam_psk_copy(struct roam_net *rn, u32 id, const struct roam_psk_user *u,
		  u8 out[ROAM_KEY_LEN_BYTES])
{
	struct roam_psk *psk;
	int err;

	rcu_read_lock();
	psk = xa_load(&rn->psks, id);
	err = roam_psk_allowed(psk, u);
	if (!err)
		memcpy(out, psk->secret, ROAM_KEY_LEN_BYTES);
	rcu_read_unlock();
	return err;
}

/* The owner of @psk, an entry of rn->psks, for the key dump.  Under RCU. */
kuid_t roam_psk_owner(const struct roam_psk *psk)
{
	return psk->owner;
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
