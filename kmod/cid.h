/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_CID_H
#define _ROAM_CID_H

#include <linux/types.h>

struct roam_net;
struct roam_sock;

int roam_cid_add(struct roam_net *rn, struct roam_sock *rs, u64 cid);
void roam_cid_del(struct roam_net *rn, struct roam_sock *rs);
struct roam_sock *roam_cid_lookup(struct roam_net *rn, u64 cid);

int roam_cid_net_init(struct roam_net *rn);
void roam_cid_net_exit(struct roam_net *rn);

#endif /* _ROAM_CID_H */
