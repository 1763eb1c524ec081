/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_SEND_H
#define _ROAM_SEND_H

#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>

struct roam_path;
struct roam_port;
struct roam_sock;

/* Room for the link, IP and UDP headers in front of a packet. */
#define ROAM_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(struct udphdr))
/*
 * The most one packet buffer holds.  A burst's buffer is one page
 * allocation, zeroed whole under init_on_alloc: it fills 64 KiB rather
 * than spill into 128.
 */
#define ROAM_SKB_LEN_MAX	(SKB_WITH_OVERHEAD(SZ_64K) - ROAM_HEADROOM)

struct sk_buff *roam_skb_alloc(unsigned int len, gfp_t gfp);
struct sk_buff *roam_burst_alloc(struct roam_sock *rs, unsigned int len);
void roam_burst_release(struct roam_sock *rs);
int roam_send(struct roam_sock *rs, struct sk_buff *skb);
int roam_send_gso(struct roam_sock *rs, struct sk_buff *skb, unsigned int gso_size);
int roam_send_path(struct roam_sock *rs, struct sk_buff *skb,
		   const struct roam_path *path);
int roam_route_check(struct roam_sock *rs);
void roam_path_reset_route(struct roam_sock *rs);
void roam_path_confirm_route(struct roam_sock *rs);
int roam_reply(struct roam_port *port, const struct sk_buff *in,
	       struct sk_buff *skb);

unsigned int roam_short_hdr_put(struct roam_sock *rs, u8 *p, u64 pn);
void roam_packet_seal(struct roam_sock *rs, u8 *p, unsigned int len, u64 pn);

#endif /* _ROAM_SEND_H */
