/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_HANDSHAKE_H
#define _ROAM_HANDSHAKE_H

#include <linux/skbuff.h>

struct roam_port;
struct roam_sock;
struct sock;

/* Server side: stateless, from the receive path. */
void roam_hs_initial(struct roam_port *port, struct sk_buff *skb);
/* A COOKIE_ECHO whose server CID no connection holds. */
void roam_hs_cookie_echo(struct roam_port *port, struct sk_buff *skb);
/* Whether the connection named takes a long-header packet: under RCU. */
bool roam_hs_takes(struct roam_sock *rs, const struct sk_buff *skb);

/* Under the socket lock: the client side, and a server's repeated DONE. */
int roam_hs_connect(struct sock *sk);
void roam_hs_rcv(struct sock *sk, struct sk_buff *skb);
void roam_hs_confirmed(struct sock *sk);
void roam_hs_timeout(struct sock *sk);
void roam_hs_icmp(struct sock *sk, int err, const u8 *cnonce);

/* Module load. */
void roam_hs_init(void);

#endif /* _ROAM_HANDSHAKE_H */
