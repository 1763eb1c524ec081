/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_PSK_H
#define _ROAM_PSK_H

#include <linux/types.h>
#include <linux/uidgid.h>

#include "protocol.h"

struct roam_net;
struct roam_psk;

/* Who names a key: its uid, and whether it had CAP_NET_ADMIN. */
struct roam_psk_user {
	kuid_t uid;
	bool admin;
};

int roam_psk_add(struct roam_net *rn, u32 id, const u8 *secret, kuid_t owner);
int roam_psk_del(struct roam_net *rn, u32 id);
int roam_psk_check(struct roam_net *rn, u32 id, const struct roam_psk_user *u);
int roam_psk_copy(struct roam_net *rn, u32 id, const struct roam_psk_user *u,
		  u8 out[ROAM_KEY_LEN_BYTES]);
kuid_t roam_psk_owner(const struct roam_psk *psk);
u32 roam_psk_users(struct roam_net *rn, u32 id);

void roam_psk_net_init(struct roam_net *rn);
void roam_psk_net_exit(struct roam_net *rn);

#endif /* _ROAM_PSK_H */
