/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_ACK_H
#define _ROAM_ACK_H

#include <linux/types.h>

struct roam_ack;
struct sock;

void roam_ack_init(struct sock *sk);
bool roam_ack_record(struct sock *sk, u64 pn, bool eliciting, u8 tos);
bool roam_ack_due(const struct sock *sk);
bool roam_ack_pending(const struct sock *sk);
int roam_ack_write(struct sock *sk, u8 *p, unsigned int room);
int roam_ack_parse(const u8 *p, const u8 *end, bool ecn, struct roam_ack *ack);

#endif /* _ROAM_ACK_H */
