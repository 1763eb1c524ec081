/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_NETLINK_H
#define _ROAM_NETLINK_H

#include <linux/types.h>
#include <uapi/linux/roam.h>

struct net;
struct sock;

/* One event of the "events" group; addresses as ROAM_A_EV_* say. */
struct roam_event {
	u8 type;				/* enum roam_event_type */
	u64 local_cid;				/* 0: not a connection */
	u64 remote_cid;
	struct sockaddr_roam local;
	const struct sockaddr_roam *old;	/* NULL: none */
	const struct sockaddr_roam *new;
	int err;				/* positive errno, 0: none */
};

void roam_event_send(struct net *net, const struct roam_event *ev);
void roam_event_conn(struct sock *sk, u8 type, const struct sockaddr_roam *old,
		     const struct sockaddr_roam *new, int err);

int roam_genl_init(void);
void roam_genl_exit(void);

#endif /* _ROAM_NETLINK_H */
