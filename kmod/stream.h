/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_STREAM_H
#define _ROAM_STREAM_H

#include <linux/skbuff.h>
#include <linux/types.h>

struct msghdr;
struct sock;
struct socket;

/* Where a buffer of stream bytes starts, in send and receive queues. */
struct roam_stream_cb {
	u64 seq;
};

#define ROAM_STREAM_CB(skb) ((struct roam_stream_cb *)(skb)->cb)

/* A piece of the stream for one packet. */
struct roam_chunk {
	u64 off;
	u32 len;
	bool fin;
	bool again;			/* a retransmission */
};

int roam_sendmsg(struct socket *sock, struct msghdr *msg, size_t size);
int roam_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags);

bool roam_stream_next(struct sock *sk, u32 max, struct roam_chunk *c);
void roam_stream_copy(struct sock *sk, u64 off, u32 len, u8 *to);
void roam_stream_sent(struct sock *sk, const struct roam_chunk *c);
bool roam_stream_acked(struct sock *sk, u64 off, u32 len, bool fin);
void roam_stream_lost(struct sock *sk, u64 off, u32 len, bool fin);
u32 roam_stream_unsent(const struct sock *sk, u32 cap);

int roam_stream_rcv(struct sock *sk, struct sk_buff *skb, unsigned int data,
		    u64 off, u32 len, bool fin);
bool roam_stream_rcv_room(struct sock *sk, struct sk_buff *skb, u64 off, u32 len);
void roam_stream_window(struct sock *sk);
bool roam_stream_readable(const struct sock *sk);
int roam_stream_set_rcvlowat(struct sock *sk, int val);
void roam_stream_shutdown(struct sock *sk);
void roam_stream_init(struct sock *sk);
void roam_stream_write_space(struct sock *sk);
void roam_stream_purge(struct sock *sk);

u32 roam_stream_inq(const struct sock *sk);
u32 roam_stream_outq(const struct sock *sk);
u32 roam_stream_unsentq(const struct sock *sk);

#endif /* _ROAM_STREAM_H */
