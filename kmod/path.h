/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_PATH_H
#define _ROAM_PATH_H

#include <linux/types.h>

struct roam_path;
struct sk_buff;
struct sock;

void roam_path_of(const struct sk_buff *skb, struct roam_path *path);
void roam_path_established(struct sock *sk);
void roam_path_rcv(struct sock *sk, const struct sk_buff *skb, bool moves);
void roam_path_challenged(struct sock *sk, const struct sk_buff *skb, const u8 *data);
void roam_path_response(struct sock *sk, const struct sk_buff *skb, const u8 *data);
const u8 *roam_path_challenge_data(const struct sock *sk);
void roam_path_challenge_lost(struct sock *sk);
void roam_path_timeout(struct sock *sk);
void roam_path_reroute(struct sock *sk);
u64 roam_path_budget(const struct sock *sk);
void roam_path_sent(struct sock *sk, unsigned int bytes);

#endif /* _ROAM_PATH_H */
