/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_SOCK_H
#define _ROAM_SOCK_H

#include <linux/rhashtable-types.h>
#include <linux/timer.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <uapi/linux/roam.h>

#include "protocol.h"

struct roam_bind;
struct roam_keys;
struct roam_port;

extern int roam_family;
extern struct workqueue_struct *roam_wq;

/* Where a connection sends to and from. */
struct roam_path {
	struct sockaddr_roam peer;
	struct in6_addr local;		/* any: routing picks the source */
	struct in6_addr src;		/* the source routing picked last */
	int ifindex;			/* the interface the peer reached us on */
};

/* A client's handshake, from connect() until DONE. */
struct roam_handshake {
	u8 cnonce[ROAM_NONCE_LEN];
	struct roam_cookie cookie;
	bool have_cookie;
	unsigned int retries;		/* retransmissions so far */
	int soft_err;			/* an ICMP error we could not verify */
};

enum roam_sock_flags {
	ROAM_F_FREEBIND,
	ROAM_F_SERVER,			/* accepted, not connected */
	ROAM_F_QUEUED,			/* on its listener's accept queue */
};

struct roam_sock {
	struct sock sk;			/* must be first */
	u32 id;				/* in rn->socks, for dumps */
	unsigned long flags;		/* ROAM_F_* */

	struct roam_bind __rcu *bind;	/* explicit binding, or NULL */
	struct roam_port *port;		/* the UDP port it sends from */
	u32 psk_id;

	/* Listener */
	spinlock_t acceptq_lock;	/* children are queued from softirq */
	struct list_head acceptq;
	u64 overflows;

	/* Accepted connection, until accept() takes it */
	struct list_head accept_node;

	/* Connection */
	u64 local_cid;
	u64 remote_cid;
	struct rhash_head cid_node;	/* rn->cids, keyed by local_cid */
	struct roam_keys __rcu *keys;
	struct roam_path path;
	struct roam_handshake *hs;
	struct timer_list rtx_timer;	/* handshake retransmission */
	u64 tx_pn;			/* next packet number */
	u64 rx_largest;			/* largest authenticated packet number */
};

static inline struct roam_sock *roam_sk(const struct sock *sk)
{
	return (struct roam_sock *)sk;
}

static inline struct sock *roam_sock_sk(struct roam_sock *rs)
{
	return &rs->sk;
}

/* sk_state holds TCP_* values, as for SCTP and MPTCP. */
static inline void roam_sock_set_state(struct sock *sk, int state)
{
	/* Pairs with the smp_load_acquire of lockless readers (poll). */
	smp_store_release(&sk->sk_state, state);
}

enum roam_state roam_sock_state(const struct sock *sk);

void roam_sock_established(struct sock *sk);
void roam_sock_done(struct sock *sk, int err);
void roam_sock_unport(struct sock *sk);
struct sock *roam_sock_child(struct sock *lsk, gfp_t gfp);

int roam_sock_init(void);
void roam_sock_exit(void);

#endif /* _ROAM_SOCK_H */
