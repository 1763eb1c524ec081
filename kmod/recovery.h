/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_RECOVERY_H
#define _ROAM_RECOVERY_H

#include <linux/list.h>
#include <linux/types.h>

#include "protocol.h"

struct sock;
struct roam_chunk;

/*
 * An ack-eliciting packet sent and not yet acknowledged or lost: every
 * one but a lone PATH_RESPONSE, which is never sent again (output.c).
 */
struct roam_sent {
	struct list_head node;
	u64 pn;
	u64 time;			/* ns */
	u64 off;			/* the stream bytes it carried */
	u32 len;
	u32 gen;			/* the path it went along (rec->gen) */
	u16 size;			/* UDP payload bytes, counted in flight */
	u8 flags;			/* ROAM_SENT_* */
};

/*
 * What the connection learned of a path: its congestion window, RTT and
 * reordering, and which packets went along it (gen).  Kept for a
 * validated path the connection leaves, and brought back if it returns
 * (RFC 9000 9.3.3): a copy an attacker raced from elsewhere costs a
 * moment, not the window.
 */
struct roam_rec_state {
	u32 gen;
	u32 cwnd;
	u32 ssthresh;
	u32 ca_acked;
	u64 recovery_start;
	u32 srtt;
	u32 rttvar;
	u32 min_rtt;
	u32 reordering;
	u8 time_num;
	bool have_rtt;
	u64 loss_largest;
	u32 episode_lost;
	u32 episode_spurious;
	u32 prior_cwnd;
	u32 prior_ssthresh;
};

enum roam_sent_flags {
	ROAM_SENT_FIN = BIT(0),
	ROAM_SENT_MAX_DATA = BIT(1),
	ROAM_SENT_MTU_PROBE = BIT(2),
	ROAM_SENT_STREAM = BIT(3),
	ROAM_SENT_CHALLENGE = BIT(4),
	ROAM_SENT_RESEND = BIT(5),	/* goes again first: never left, or PATH_GONE */
	ROAM_SENT_ADDRS = BIT(6),
};

/* An ACK frame, decoded: ranges [start, end) ascending. */
struct roam_ack {
	u64 largest;
	u64 delay_us;
	unsigned int n;
	struct {
		u64 start;
		u64 end;
	} range[ROAM_ACK_RANGES_MAX + 1];
	bool ecn;
	u64 ect0, ect1, ce;
};

static inline u64 roam_now(void)
{
	return ktime_get_ns();
}

void roam_rec_init(struct sock *sk);
void roam_rec_purge(struct sock *sk);
void roam_rec_save(const struct sock *sk, struct roam_rec_state *st);
void roam_rec_path_changed(struct sock *sk, const struct roam_rec_state *st, bool keep);
int roam_rec_sent(struct sock *sk, u64 pn, u16 size, const struct roam_chunk *c,
		  u8 flags);
void roam_rec_on_ack(struct sock *sk, const struct roam_ack *ack);
void roam_rec_timeout(struct sock *sk);
u64 roam_rec_backoff_us(const struct sock *sk);
u64 roam_rec_backoff_max_us(const struct sock *sk);
void roam_rec_probe_now(struct sock *sk);
void roam_rec_set_timer(struct sock *sk);
void roam_rec_probe_oldest(struct sock *sk);
void roam_rec_unsent(struct sock *sk, u64 first_pn);
void roam_rec_path_gone(struct sock *sk);
void roam_rec_resend(struct sock *sk);
u32 roam_rec_pto_us(const struct sock *sk);
u64 roam_rec_oldest(const struct sock *sk);
u32 roam_rec_window(const struct sock *sk);
void roam_rec_rtt_sample(struct sock *sk, u64 sent_ns, u64 ack_delay_us);

int roam_recovery_init(void);
void roam_recovery_exit(void);

#endif /* _ROAM_RECOVERY_H */
