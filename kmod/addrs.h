/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_ADDRS_H
#define _ROAM_ADDRS_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "protocol.h"

struct roam_sock;
struct sock;

/* Addresses a server advertised, or will: ADDRESSES frames (section 7). */
struct roam_addrs {
	struct rcu_head rcu;		/* a client's list is replaced whole */
	u32 seq;			/* the newest frame's */
	u8 n;
	u8 next;			/* the client's next one to try */
	struct in6_addr a[ROAM_ADDRS_MAX];
};

bool roam_addrs_advertising(const struct sock *sk);
int roam_addrs_child(struct roam_sock *rs, struct roam_sock *lrs, gfp_t gfp);
void roam_addrs_again(struct sock *sk);
unsigned int roam_addrs_write(struct sock *sk, u8 *p, unsigned int room);
int roam_addrs_parse(const u8 *p, unsigned int avail);
void roam_addrs_rcv(struct sock *sk, const u8 *p);
void roam_addrs_unreachable(struct sock *sk, bool now);
void roam_addrs_unanswered(struct sock *sk);
void roam_addrs_reachable(struct sock *sk);
unsigned long roam_addrs_retry_due(const struct sock *sk);
void roam_addrs_free(struct roam_sock *rs);

#endif /* _ROAM_ADDRS_H */
