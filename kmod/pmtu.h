/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_PMTU_H
#define _ROAM_PMTU_H

#include <linux/types.h>

struct roam_pmtu;
struct sock;

void roam_pmtu_init(struct sock *sk);
void roam_pmtu_save(const struct sock *sk, struct roam_pmtu *out);
void roam_pmtu_path_changed(struct sock *sk, const struct roam_pmtu *restore);
u16 roam_pmtu_size(const struct sock *sk);
u16 roam_pmtu_probe_due(struct sock *sk);
void roam_pmtu_probe_sent(struct sock *sk, u64 pn, u16 size);
void roam_pmtu_probe_acked(struct sock *sk, u16 size);
void roam_pmtu_probe_lost(struct sock *sk, u16 size);
void roam_pmtu_pto(struct sock *sk);
void roam_pmtu_route(struct sock *sk, unsigned int limit);

#endif /* _ROAM_PMTU_H */
