/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_PSK_H
#define _ROAM_PSK_H

#include <linux/types.h>

#include "protocol.h"

struct roam_net;

int roam_psk_add(struct roam_net *rn, u32 id, const u8 *secret);
int roam_psk_del(struct roam_net *rn, u32 id);
bool roam_psk_exists(struct roam_net *rn, u32 id);
int roam_psk_copy(struct roam_net *rn, u32 id, u8 out[ROAM_KEY_LEN_BYTES]);
u32 roam_psk_users(struct roam_net *rn, u32 id);

void roam_psk_net_init(struct roam_net *rn);
void roam_psk_net_exit(struct roam_net *rn);

#endif /* _ROAM_PSK_H */
