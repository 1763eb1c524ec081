/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_HOP_H
#define _ROAM_HOP_H

struct netlink_ext_ack;
struct sock;

void roam_hop_init(struct sock *sk);
int roam_hop(struct sock *sk, struct netlink_ext_ack *extack);
unsigned long roam_hop_next(const struct sock *sk);
void roam_hop_timeout(struct sock *sk);
void roam_hop_release(struct sock *sk);

#endif /* _ROAM_HOP_H */
