/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_SEND_H
#define _ROAM_SEND_H

#include <linux/skbuff.h>

struct roam_port;
struct roam_sock;
struct sock;

struct sk_buff *roam_skb_alloc(unsigned int len, gfp_t gfp);
int roam_send(struct roam_sock *rs, struct sk_buff *skb);
int roam_route_check(struct roam_sock *rs);
int roam_reply(struct roam_port *port, const struct sk_buff *in,
	       struct sk_buff *skb);

struct sk_buff *roam_packet_new(struct roam_sock *rs, unsigned int frames,
				gfp_t gfp);
int roam_packet_send(struct roam_sock *rs, struct sk_buff *skb);
int roam_send_close(struct roam_sock *rs, u8 kind, u16 error);

#endif /* _ROAM_SEND_H */
