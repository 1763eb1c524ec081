/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_SOCK_H
#define _ROAM_SOCK_H

#include <linux/rhashtable-types.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <uapi/linux/roam.h>

#include "protocol.h"
#include "psk.h"
#include "ranges.h"
#include "recovery.h"
#include "replay.h"

struct roam_addrs;
struct roam_bind;
struct roam_keys;
struct roam_port;

extern int roam_family;
extern struct workqueue_struct *roam_wq;
extern struct workqueue_struct *roam_crypt_wq;

/* Where a connection sends to and from. */
struct roam_path {
	struct sockaddr_roam peer;
	struct in6_addr local;		/* any: routing picks the source */
	struct in6_addr src;		/* the source routing picked last */
	u16 mtu;			/* UDP payload the route takes, 0: unknown */
	u32 dst_cookie;			/* IPv6 route validity, with sk_dst_cache */
	int ifindex;			/* the interface the peer reached us on */
};

/* A PATH_CHALLENGE we sent, and the path it went to. */
struct roam_challenge {
	struct roam_path path;
	u8 data[ROAM_PATH_DATA_LEN];
};

/* Packetization-layer path MTU discovery (RFC 8899). */
struct roam_pmtu {
	u16 size;			/* UDP payload of a full packet */
	u16 probe;			/* size being probed, 0: none */
	u16 high;			/* smallest size known not to fit */
	u8 fails;			/* probes of this size lost */
	u64 probe_pn;
	unsigned long next;		/* jiffies: next probe */
};

/* What the connection learned of a path it may come back to. */
struct roam_path_learned {
	struct roam_rec_state rec;
	struct roam_pmtu pmtu;
	bool valid;
};

/*
 * After the peer moved: the new path is challenged, and until it answers
 * at most ROAM_AMPLIFICATION times what came from it goes to it.  The
 * challenges of the last few paths stay answerable, so a peer that
 * switches between two working paths gets both validated.  An answer
 * counts only if it comes from the path the challenge went to; ours
 * goes back along the path the peer's challenge came by (RFC 9000 8.2).
 */
struct roam_validation {
	struct roam_path prev;		/* the last validated path */
	struct roam_path_learned prev_learned;	/* ... and what we knew of it */
	struct roam_challenge sent[ROAM_PATH_CHALLENGES];	/* oldest first */
	unsigned int nsent;
	u8 response[ROAM_PATH_DATA_LEN];	/* our answer to the current path's challenge */
	u64 rx_bytes;			/* received from the new path */
	u64 tx_bytes;			/* sent to it */
	unsigned long again;		/* jiffies: the new path is challenged again */
	unsigned long interval;		/* jiffies: till then, doubled each time */
	unsigned long deadline;		/* jiffies: the new path fails */
};

/*
 * Port hopping (client): the ports hopped away from still receive for a
 * while, oldest first.
 */
struct roam_hop {
	struct roam_port *old[ROAM_HOP_PORTS_MAX - 1];
	unsigned long expires[ROAM_HOP_PORTS_MAX - 1];	/* jiffies */
	unsigned int nold;
	unsigned long waiting;		/* jiffies: unanswered since; 0: not waiting */
	unsigned long heard;		/* jiffies: the last ack-eliciting packet came */
	struct work_struct work;	/* a hop the timer asked for */
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
	ROAM_F_SHADOW,			/* bound with CAP_NET_BIND_SERVICE */
	ROAM_F_SERVER,			/* accepted, not connected */
	ROAM_F_QUEUED,			/* on its listener's accept queue */
	ROAM_F_NODELAY,			/* ROAM_NODELAY */
	ROAM_F_CORK,			/* ROAM_CORK */
	ROAM_F_MORE,			/* the last write had MSG_MORE */
	ROAM_F_FIN_QUEUED,		/* our FIN follows the data written */
	ROAM_F_FIN_SENT,
	ROAM_F_FIN_DELIVERED,		/* the packet with our FIN was acknowledged */
	ROAM_F_FIN_ACKED,		/* ... and every byte before it */
	ROAM_F_FIN_RESEND,		/* the packet with our FIN was lost */
	ROAM_F_PEER_FIN,		/* the peer's FIN offset is known */
	ROAM_F_MAX_DATA,		/* a MAX_DATA frame is due */
	ROAM_F_RCV_FULL,		/* the bytes at rcv_nxt found no room */
	ROAM_F_ECN,			/* mark ECT(0); cleared if the path bleaches */
	ROAM_F_VALIDATING,		/* the path is not validated yet */
	ROAM_F_CHALLENGE,		/* a PATH_CHALLENGE is due */
	ROAM_F_RESPONSE,		/* a PATH_RESPONSE is due */
	ROAM_F_GONE,			/* a PATH_GONE is due */
	ROAM_F_ADDRS,			/* an ADDRESSES frame is due */
	ROAM_F_ADV_SET,			/* ROAM_ADVERTISE was set ... */
	ROAM_F_ADV_OFF,			/* ... to 0 */
};

/* Work a timer could not do because a task owned the socket. */
enum roam_deferred {
	ROAM_D_RTX,
	ROAM_D_ACK,
	ROAM_D_KEEPALIVE,
};

/* The byte stream, both ways.  Offsets are u64 and never wrap. */
struct roam_stream {
	/* Sending: sk_write_queue holds bytes [snd_una, write_seq). */
	u64 snd_una;			/* everything below is acknowledged */
	u64 snd_nxt;			/* next byte to send the first time */
	u64 write_seq;			/* end of what the application wrote */
	u64 peer_max;			/* flow control: the peer takes bytes below this */
	struct roam_ranges acked;	/* acknowledged bytes above snd_una */
	struct roam_ranges lost;	/* bytes to send again */
	/* Receiving: sk_receive_queue holds bytes [copied, rcv_nxt). */
	u64 rcv_nxt;			/* next byte expected in order */
	u64 copied;			/* next byte for the application */
	u64 rcv_max;			/* the flow control limit we announced */
	u64 peer_fin;			/* the peer's FIN offset (ROAM_F_PEER_FIN) */
	u64 rcv_highest;		/* the end of the highest bytes received */
	struct rb_root ooo;		/* out of order, by offset (stream.c) */
	u64 loose;			/* truesize queued in loose buffers since the last pack */
	/* Receive-buffer autotuning: what the reader took in a round trip. */
	u64 space_seq;			/* copied at the start of the round */
	u64 space_time;			/* ns, the start of the round */
	u32 space;			/* most taken in one round so far */
};

/* Acknowledging what we receive. */
struct roam_acks {
	struct roam_ranges pns;		/* packet numbers received */
	u64 largest_time;		/* ns, when the largest arrived */
	u16 unacked;			/* ack-eliciting packets not yet acknowledged */
	bool immediate;			/* out of order: acknowledge at once */
	bool held;			/* more packets follow: wait for the last */
	u64 ecn[3];			/* ECT(0), ECT(1), CE received */
};

/* Loss detection and congestion control (RFC 9002). */
struct roam_recovery {
	struct list_head sent;		/* unacknowledged roam_sent, by packet number */
	struct roam_sent *challenge;	/* the newest holding only a challenge, or NULL */
	u32 in_flight;			/* bytes */
	u32 unacked;			/* packets on the list, as tcpi_unacked */
	u32 cwnd;			/* bytes */
	u32 ssthresh;
	u32 ca_acked;			/* bytes acknowledged in congestion avoidance */
	u64 recovery_start;		/* ns: losses sent before are one event */
	u64 largest_acked;		/* U64_MAX: none yet */
	u64 loss_time;			/* ns, 0: no loss timer */
	u64 last_eliciting;		/* ns, last ack-eliciting packet sent */
	u64 last_probe;			/* ns, last probe timeout, sent or not */
	u32 srtt;			/* us */
	u32 rttvar;			/* us */
	u32 min_rtt;			/* us */
	u32 latest_rtt;			/* us */
	u8 pto_count;			/* probe timeouts since the last ACK */
	bool have_rtt;
	bool resend;			/* some roam_sent are ROAM_SENT_RESEND */
	u64 ecn_ce;			/* CE count the peer reported last */
	u32 gen;			/* the current path's generation */
	u32 next_gen;			/* the last one given out */
	/* Reordering: thresholds that grow when a loss proves spurious. */
	u32 reordering;			/* packet threshold */
	u8 time_num;			/* time threshold, in eighths of an RTT */
	struct roam_ranges lost_pns;	/* packet numbers declared lost, lately */
	u64 loss_largest;		/* largest acknowledged at the last loss */
	u32 episode_lost;		/* packets lost since the last reduction */
	u32 episode_spurious;		/* ... of them acknowledged after all */
	u32 prior_cwnd;			/* before the last reduction; 0: no undo */
	u32 prior_ssthresh;
};

/* What ROAM_INFO and the dumps report. */
struct roam_counters {
	u64 bytes_sent;
	u64 bytes_retrans;
	u64 bytes_acked;
	u64 bytes_received;
	u64 packets_sent;
	u64 packets_received;
	u64 packets_lost;
	u32 ecn_ce;
	u32 spurious;			/* of packets_lost, acknowledged after all */
	u32 path_moves;
	u32 path_validations;
	u32 path_failures;
	u32 port_hops;
};

struct roam_sock {
	struct sock sk;			/* must be first */
	u32 id;				/* in rn->socks, for dumps */
	unsigned long flags;		/* ROAM_F_* */
	unsigned long deferred;		/* ROAM_D_* */

	struct roam_bind __rcu *bind;	/* explicit binding, or NULL */
	struct roam_port *port;		/* the UDP port it sends from */
	u32 psk_id;
	struct roam_psk_user psk_user;	/* who named psk_id (psk.c) */
	int fail;			/* roam_sock_fail(): end once the walk is over */
	/* Packets that wait to be opened on another CPU (receive.c) */
	struct sk_buff_head rx_crypt;
	struct work_struct rx_crypt_work;
	atomic_t rx_crypt_mem;		/* their truesize, until handed over */
	struct page_frag tx_page;	/* burst buffers are cut from it (send.c) */
	u32 idle_timeout;		/* ms, 0: the netns config */
	u32 keepalive;			/* ms, 0: the netns config */
	u16 keepintvl;			/* s, TCP_KEEPINTVL; 0: the keepalive's */
	u8 keepcnt;			/* TCP_KEEPCNT; 0: the idle timeout decides */
	u8 dscp;			/* IP_TOS, IPV6_TCLASS, without the ECN bits */

	/* Listener */
	spinlock_t acceptq_lock;	/* children are queued from softirq */
	struct list_head acceptq;
	u64 overflows;
	unsigned long overflow_event;	/* jiffies: the last listen-overflow event */

	/* Accepted connection, until accept() takes it */
	struct list_head accept_node;

	/* Connection */
	u64 local_cid;
	u64 remote_cid;
	struct rhash_head cid_node;	/* rn->cids, keyed by local_cid */
	struct roam_keys __rcu *keys;
	struct roam_path path;
	struct roam_validation pv;
	struct roam_replay replay;
	struct roam_hop hop;
	struct roam_handshake *hs;
	struct roam_addrs *adv;		/* server: its listener's bindx set, or NULL */
	struct roam_addrs __rcu *peer_addrs;	/* client: what the server advertised */
	unsigned long addrs_retry;	/* client: jiffies: its next try of them, or 0 */
	u32 adv_seq;			/* server: the last ADDRESSES frame's */
	u64 tx_pn;			/* next packet number */
	u64 rx_largest;			/* largest authenticated packet number */
	unsigned long last_rx;		/* jiffies: last authenticated packet */
	unsigned long eliciting_tx;	/* jiffies: first ack-eliciting one sent since, or 0 */
	unsigned long last_tx;		/* jiffies: last packet sent, or tried with no route */
	unsigned long drain_end;	/* jiffies: TIME_WAIT ends */
	unsigned long progress;		/* jiffies: bytes or our FIN last acked */
	unsigned long cork_since;	/* jiffies: a corked partial packet waits */

	struct roam_stream stream;
	struct roam_acks acks;
	struct roam_recovery rec;
	struct roam_pmtu pmtu;
	struct roam_counters cnt;

	struct timer_list rtx_timer;	/* handshake, loss detection, probes */
	struct timer_list ack_timer;	/* delayed acknowledgment */
	/* sk->sk_timer: keepalive, idle timeout, draining */
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

/* A connection that sends and receives: from established until it drains. */
static inline bool roam_sock_connected(const struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

enum roam_state roam_sock_state(const struct sock *sk);

void roam_sock_established(struct sock *sk);
void roam_sock_done(struct sock *sk, int err);
void roam_sock_abort(struct sock *sk, int err);
void roam_sock_fail(struct sock *sk, int err);
void roam_sock_fail_pending(struct sock *sk);
void roam_sock_fin_acked(struct sock *sk);
void roam_sock_peer_fin(struct sock *sk);
void roam_sock_unport(struct sock *sk);
void roam_sock_unlist(struct sock *sk);
void roam_sock_local(const struct roam_sock *rs, struct sockaddr_roam *sa);
struct sock *roam_sock_child(struct sock *lsk, gfp_t gfp);
int roam_sock_list(struct sock *sk, gfp_t gfp);
void roam_sock_info(struct sock *sk, struct roam_info *info);
int roam_setsockopt_int(struct sock *sk, int optname, int val);
int roam_getsockopt_int(struct sock *sk, int optname, int *val);

bool roam_mem_charge(unsigned int pages);
void roam_mem_uncharge(unsigned int pages);
int roam_sock_init(void);
void roam_sock_exit(void);

#endif /* _ROAM_SOCK_H */
