// SPDX-License-Identifier: GPL-2.0
/*
 * The options of TCP's levels, in their TCP meaning (tcp(7), ip(7),
 * ipv6(7)), so that code written for TCP, and roamize's preload, need no
 * translation.  At IPPROTO_TCP:
 *
 *   TCP_NODELAY, TCP_CORK   ROAM_NODELAY, ROAM_CORK
 *   TCP_KEEPIDLE            ROAM_KEEPALIVE_INTVL, in seconds: with
 *                           SO_KEEPALIVE, a PING after that long idle
 *   TCP_KEEPINTVL           s; roam probes a silent peer on its own
 *   TCP_KEEPCNT             schedule (PROTOCOL.md section 6), so these
 *                           two only say when it is dead: with
 *                           SO_KEEPALIVE and TCP_KEEPCNT set, after
 *                           TCP_KEEPIDLE + TCP_KEEPCNT * TCP_KEEPINTVL of
 *                           silence, if no idle timeout is set
 *   TCP_USER_TIMEOUT        ROAM_IDLE_TIMEOUT, ms; raised to roam's
 *                           shortest timer, cut to its longest
 *   TCP_INFO                read only: ROAM_INFO's snapshot as struct
 *                           tcp_info, where the fields map
 *   TCP_MAXSEG              read only: the stream bytes a packet carries
 *
 * At IPPROTO_IP and IPPROTO_IPV6, where a connection may move from one
 * family to the other:
 *
 *   IP_TOS, IPV6_TCLASS     one DSCP for both families, on every packet;
 *                           the ECN bits stay roam's, as TCP's stay TCP's
 *   IP_FREEBIND,            ROAM_FREEBIND
 *   IPV6_FREEBIND
 *   IPV6_V6ONLY             1: the socket binds, accepts and connects in
 *                           IPv6 alone, as TCP's; 0 (the default): both
 *                           families.  EINVAL once the socket has a port
 *
 * Any other gets ENOPROTOOPT, as an unknown option does.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <net/inet_ecn.h>
#include <net/tcp.h>

#include "output.h"
#include "pmtu.h"
#include "protocol.h"
#include "sock.h"
#include "tcpopt.h"
#include "timers.h"

/* IPPROTO_IP and IPPROTO_IPV6.  Process context, socket unlocked. */
static int roam_ipopt_set(struct sock *sk, int level, int optname, int val)
{
	struct roam_sock *rs = roam_sk(sk);

	if ((level == SOL_IP && optname == IP_TOS) ||
	    (level == SOL_IPV6 && optname == IPV6_TCLASS)) {
		if (val < -1 || val > 0xff)
			return -EINVAL;
		WRITE_ONCE(rs->dscp, val < 0 ? 0 : val & ~INET_ECN_MASK);
		return 0;
	}
	if ((level == SOL_IP && optname == IP_FREEBIND) ||
	    (level == SOL_IPV6 && optname == IPV6_FREEBIND))
		return roam_setsockopt_int(sk, ROAM_FREEBIND, val);
	if (level == SOL_IPV6 && optname == IPV6_V6ONLY) {
		int err = 0;

		/* Binding reads it, and it stays as it was bound. */
		lock_sock(sk);
		if (rcu_access_pointer(rs->bind) || rs->port)
			err = -EINVAL;
		else
			sk->sk_ipv6only = !!val;
		release_sock(sk);
		return err;
	}
	return -ENOPROTOOPT;
}

/* Process context, socket unlocked. */
int roam_tcpopt_set(struct sock *sk, int level, int optname, sockptr_t optval,
		    unsigned int optlen)
{
	struct roam_sock *rs = roam_sk(sk);
	int val;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (level != SOL_TCP)
		return roam_ipopt_set(sk, level, optname, val);
	switch (optname) {
	case TCP_NODELAY:
		return roam_setsockopt_int(sk, ROAM_NODELAY, val);
	case TCP_CORK:
		return roam_setsockopt_int(sk, ROAM_CORK, val);
	case TCP_KEEPIDLE:
		if (val < 1 || val > MAX_TCP_KEEPIDLE)
			return -EINVAL;
		return roam_setsockopt_int(sk, ROAM_KEEPALIVE_INTVL, val * MSEC_PER_SEC);
	case TCP_KEEPINTVL:
		if (val < 1 || val > MAX_TCP_KEEPINTVL)
			return -EINVAL;
		lock_sock(sk);
		WRITE_ONCE(rs->keepintvl, val);
		roam_timers_state_changed(sk);
		release_sock(sk);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > MAX_TCP_KEEPCNT)
			return -EINVAL;
		lock_sock(sk);
		WRITE_ONCE(rs->keepcnt, val);
		roam_timers_state_changed(sk);
		release_sock(sk);
		return 0;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			return -EINVAL;
		if (val)
			val = clamp(val, ROAM_MIN_TIMER, ROAM_MAX_IDLE_TIMEOUT);
		return roam_setsockopt_int(sk, ROAM_IDLE_TIMEOUT, val);
	}
	return -ENOPROTOOPT;
}

static u8 roam_tcpopt_state(u8 state)
{
	switch (state) {
	case ROAM_STATE_LISTEN:
		return TCP_LISTEN;
	case ROAM_STATE_CONNECTING:
		return TCP_SYN_SENT;
	case ROAM_STATE_ESTABLISHED:
		return TCP_ESTABLISHED;
	case ROAM_STATE_FIN_WAIT:
		return TCP_FIN_WAIT1;
	case ROAM_STATE_CLOSE_WAIT:
		return TCP_CLOSE_WAIT;
	case ROAM_STATE_CLOSING:
		return TCP_CLOSING;
	case ROAM_STATE_DRAINING:
		return TCP_TIME_WAIT;
	}
	return TCP_CLOSE;
}

/* TCP_INFO: the fields of struct tcp_info that roam has.  Process context. */
static void roam_tcpopt_info(struct sock *sk, struct tcp_info *ti)
{
	unsigned long quiet = jiffies - READ_ONCE(roam_sk(sk)->last_rx);
	struct roam_info ri;
	u32 mss;

	roam_sock_info(sk, &ri);
	mss = roam_output_mss(ri.ri_pmtu) ?: 1;
	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = roam_tcpopt_state(ri.ri_state);
	if (ri.ri_flags & ROAM_INFO_F_ECN)
		ti->tcpi_options |= TCPI_OPT_ECN;
	ti->tcpi_rto = ri.ri_rto_us;
	ti->tcpi_snd_mss = mss;
	ti->tcpi_rcv_mss = mss;
	ti->tcpi_unacked = DIV_ROUND_UP(ri.ri_bytes_in_flight, mss);
	ti->tcpi_last_data_recv = jiffies_to_msecs(quiet);
	ti->tcpi_last_ack_recv = ti->tcpi_last_data_recv;
	ti->tcpi_pmtu = ri.ri_pmtu;
	ti->tcpi_rtt = ri.ri_srtt_us;
	ti->tcpi_rttvar = ri.ri_rttvar_us;
	ti->tcpi_snd_cwnd = DIV_ROUND_UP(ri.ri_cwnd, mss);
	ti->tcpi_advmss = mss;
	ti->tcpi_reordering = ri.ri_reordering;
	ti->tcpi_total_retrans = min_t(u64, ri.ri_packets_lost, U32_MAX);
	ti->tcpi_bytes_acked = ri.ri_bytes_acked;
	ti->tcpi_bytes_received = ri.ri_bytes_received;
	ti->tcpi_segs_out = min_t(u64, ri.ri_packets_sent, U32_MAX);
	ti->tcpi_segs_in = min_t(u64, ri.ri_packets_received, U32_MAX);
	ti->tcpi_bytes_sent = ri.ri_bytes_sent;
	ti->tcpi_bytes_retrans = ri.ri_retransmits;
}

/* IPPROTO_IP and IPPROTO_IPV6 into *@val: 0 or -ENOPROTOOPT. */
static int roam_ipopt_get(struct sock *sk, int level, int optname, int *val)
{
	if ((level == SOL_IP && optname == IP_TOS) ||
	    (level == SOL_IPV6 && optname == IPV6_TCLASS)) {
		*val = READ_ONCE(roam_sk(sk)->dscp);
		return 0;
	}
	if ((level == SOL_IP && optname == IP_FREEBIND) ||
	    (level == SOL_IPV6 && optname == IPV6_FREEBIND))
		return roam_getsockopt_int(sk, ROAM_FREEBIND, val);
	if (level == SOL_IPV6 && optname == IPV6_V6ONLY) {
		*val = sk->sk_ipv6only;
		return 0;
	}
	return -ENOPROTOOPT;
}

/* Process context, socket unlocked; @len is the caller's, checked >= 0. */
int roam_tcpopt_get(struct sock *sk, int level, int optname, char __user *optval,
		    int __user *optlen, int len)
{
	struct roam_sock *rs = roam_sk(sk);
	int val, size = sizeof(val), err;
	const void *src = &val;
	struct tcp_info ti;

	if (level != SOL_TCP) {
		err = roam_ipopt_get(sk, level, optname, &val);
		if (err)
			return err;
		goto copy;
	}
	switch (optname) {
	case TCP_NODELAY:
		roam_getsockopt_int(sk, ROAM_NODELAY, &val);
		break;
	case TCP_CORK:
		roam_getsockopt_int(sk, ROAM_CORK, &val);
		break;
	case TCP_KEEPIDLE:
		val = DIV_ROUND_UP(roam_keepalive_ms(sk), MSEC_PER_SEC);
		break;
	case TCP_KEEPINTVL:
		val = READ_ONCE(rs->keepintvl) ?:
		      DIV_ROUND_UP(roam_keepalive_ms(sk), MSEC_PER_SEC);
		break;
	case TCP_KEEPCNT:
		val = READ_ONCE(rs->keepcnt);
		break;
	case TCP_USER_TIMEOUT:
		val = READ_ONCE(rs->idle_timeout);
		break;
	case TCP_MAXSEG:
		val = roam_output_mss(roam_pmtu_size(sk));
		break;
	case TCP_INFO:
		roam_tcpopt_info(sk, &ti);
		src = &ti;
		size = sizeof(ti);
		break;
	default:
		return -ENOPROTOOPT;
	}
copy:
	/* As TCP's: a shorter buffer gets what fits. */
	len = min(len, size);
	if (put_user(len, optlen) || copy_to_user(optval, src, len))
		return -EFAULT;
	return 0;
}
