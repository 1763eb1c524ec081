/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_TIMERS_H
#define _ROAM_TIMERS_H

#include <linux/timer.h>
#include <linux/types.h>

struct sock;

void roam_timers_init(struct sock *sk);
void roam_timers_stop(struct sock *sk);
void roam_timer_at(struct sock *sk, struct timer_list *t, u64 when_ns);

/* Event hooks: call these when the event happens. */
void roam_timer_ack(struct sock *sk);
void roam_timers_ack_sent(struct sock *sk);
void roam_timers_corked(struct sock *sk, bool held);
void roam_timers_packet_sent(struct sock *sk, bool eliciting);
void roam_timers_packet_received(struct sock *sk);
void roam_timers_no_route(struct sock *sk);
void roam_timers_round_trip(struct sock *sk);
void roam_timers_eliciting_received(struct sock *sk);
void roam_timers_state_changed(struct sock *sk);

void roam_release_cb(struct sock *sk);
void roam_keepalive_set(struct sock *sk, int on);

u32 roam_idle_timeout_ms(const struct sock *sk);
u32 roam_keepalive_ms(const struct sock *sk);
bool roam_idle_expired(const struct sock *sk);
bool roam_peer_silent(const struct sock *sk, u32 ms);

#endif /* _ROAM_TIMERS_H */
