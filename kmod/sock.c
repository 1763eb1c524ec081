// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_ROAM socket layer: creation, the proto_ops the socket calls land
 * in, and the lifetime of a roam socket.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "ack.h"
#include "addr.h"
#include "addrs.h"
#include "bind.h"
#include "cid.h"
#include "compat.h"
#include "crypto.h"
#include "handshake.h"
#include "hop.h"
#include "netlink.h"
#include "netns.h"
#include "output.h"
#include "path.h"
#include "pmtu.h"
#include "port.h"
#include "psk.h"
#include "receive.h"
#include "recovery.h"
#include "send.h"
#include "sock.h"
#include "stream.h"
#include "tcpopt.h"
#include "timers.h"

static struct lock_class_key roam_slock_key;
static struct lock_class_key roam_lock_key;

static struct proto roam_proto;

enum roam_state roam_sock_state(const struct sock *sk)
{
	switch (READ_ONCE(sk->sk_state)) {
	case TCP_LISTEN:
		return ROAM_STATE_LISTEN;
	case TCP_SYN_SENT:
		return ROAM_STATE_CONNECTING;
	case TCP_ESTABLISHED:
		return ROAM_STATE_ESTABLISHED;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		return ROAM_STATE_FIN_WAIT;
	case TCP_CLOSE_WAIT:
		return ROAM_STATE_CLOSE_WAIT;
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return ROAM_STATE_CLOSING;
	case TCP_TIME_WAIT:
		return ROAM_STATE_DRAINING;
	default:
		return ROAM_STATE_CLOSED;
	}
}

/* ------------------------------------------------------------------ */
/* Lifetime */

static void roam_sock_destruct(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	/* SOCK_RCU_FREE: a grace period has passed since the last lookup. */
	roam_keys_free(rcu_dereference_protected(rs->keys, true));
	kfree(rs->hs);
	roam_rec_purge(sk);
	roam_stream_purge(sk);
	roam_ranges_purge(&rs->acks.pns);
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, true));
	roam_hop_release(sk);
	roam_burst_release(rs);
	roam_addrs_free(rs);
	if (rs->port)
		roam_port_put(rs->port);
	/* Walkers of rn->socks met it no later than its last owner left. */
	WARN_ON_ONCE(rs->id);
	skb_queue_purge(&sk->sk_error_queue);
	skb_queue_purge(&rs->rx_crypt);	/* empty: its work held a reference */
	sk_sockets_allocated_dec(sk);
}

/* A connection starts afresh: connect(), or a child of a listener. */
static void roam_conn_init(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	roam_rec_purge(sk);
	roam_stream_purge(sk);
	roam_ranges_purge(&rs->acks.pns);
	roam_stream_init(sk);
	roam_ack_init(sk);
	roam_rec_init(sk);
	roam_pmtu_init(sk);
	memset(&rs->cnt, 0, sizeof(rs->cnt));
	roam_replay_init(&rs->replay);
	memset(&rs->pv, 0, sizeof(rs->pv));
	rs->tx_pn = 1;		/* 0 is the handshake's */
	rs->rx_largest = 0;
	rs->fail = 0;
	rs->last_rx = jiffies;
	rs->eliciting_tx = 0;
	rs->last_tx = jiffies;
	clear_bit(ROAM_F_FIN_QUEUED, &rs->flags);
	clear_bit(ROAM_F_FIN_SENT, &rs->flags);
	clear_bit(ROAM_F_FIN_DELIVERED, &rs->flags);
	clear_bit(ROAM_F_FIN_ACKED, &rs->flags);
	clear_bit(ROAM_F_FIN_RESEND, &rs->flags);
	clear_bit(ROAM_F_PEER_FIN, &rs->flags);
	clear_bit(ROAM_F_RCV_FULL, &rs->flags);
	clear_bit(ROAM_F_VALIDATING, &rs->flags);
	clear_bit(ROAM_F_CHALLENGE, &rs->flags);
	clear_bit(ROAM_F_RESPONSE, &rs->flags);
	set_bit(ROAM_F_ECN, &rs->flags);
}

/* What every roam socket needs, created or accepted. */
static void roam_sock_setup(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	sock_lock_init_class_and_name(sk, "slock-AF_ROAM", &roam_slock_key,
				      "sk_lock-AF_ROAM", &roam_lock_key);
	sk->sk_type = SOCK_STREAM;
	sk->sk_protocol = 0;
	sk->sk_destruct = roam_sock_destruct;
	sk->sk_backlog_rcv = roam_sk_backlog_rcv;
	sk->sk_write_space = roam_stream_write_space;
	sock_set_flag(sk, SOCK_RCU_FREE);
	roam_sock_set_state(sk, TCP_CLOSE);
	spin_lock_init(&rs->acceptq_lock);
	INIT_LIST_HEAD(&rs->acceptq);
	INIT_LIST_HEAD(&rs->accept_node);
	/* The lists and queues exist before anything can free them. */
	INIT_LIST_HEAD(&rs->rec.sent);
	roam_ranges_init(&rs->rec.lost_pns);
	roam_stream_init(sk);
	roam_ack_init(sk);
	roam_timers_init(sk);
	roam_hop_init(sk);
	roam_rcv_init(sk);
	roam_conn_init(sk);
	if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK))
		WRITE_ONCE(sk->sk_sndbuf, ROAM_DEFAULT_BUF);
	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK))
		WRITE_ONCE(sk->sk_rcvbuf, ROAM_DEFAULT_BUF);
	sk_sockets_allocated_inc(sk);
}

/*
 * Lists @sk among its netns's sockets, where netlink dumps and the
 * reroute work find it and lock it.  A socket being created is listed at
 * once; an accepted connection only once it is whole, under its bh lock,
 * so that a walker's lock_sock() waits for softirq to let go.
 */
int roam_sock_list(struct sock *sk, gfp_t gfp)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_net *rn = roam_net(sock_net(sk));
	int err;

	err = xa_alloc_cyclic_bh(&rn->socks, &rs->id, rs, xa_limit_32b,
				 &rn->next_sock_id, gfp);
	if (err < 0) {
		rs->id = 0;
		return err;
	}
	atomic_inc(&rn->socks_gen);
	/* The "sockets" column of /proc/net/protocols. */
	sock_prot_inuse_add(sock_net(sk), &roam_proto, 1);
	return 0;
}

/*
 * A connection accepted on listener @lsk, from softirq.  It inherits the
 * listener's options; the caller fills in the connection, then lists
 * it (roam_sock_list()).
 */
struct sock *roam_sock_child(struct sock *lsk, gfp_t gfp)
{
	struct roam_sock *lrs = roam_sk(lsk), *rs;
	struct sock *sk;

	sk = sk_alloc(sock_net(lsk), roam_family, gfp, &roam_proto, 0);
	if (!sk)
		return NULL;
	sock_init_data_uid(NULL, sk, lsk->sk_uid);
	rs = roam_sk(sk);
	/* First: a failure here leaves nothing to undo but the socket. */
	if (roam_addrs_child(rs, lrs, gfp)) {
		sk_free(sk);
		return NULL;
	}
	roam_sock_setup(sk);
	sk->sk_sndbuf = READ_ONCE(lsk->sk_sndbuf);
	sk->sk_rcvbuf = READ_ONCE(lsk->sk_rcvbuf);
	sk->sk_userlocks = lsk->sk_userlocks;
	sk->sk_mark = READ_ONCE(lsk->sk_mark);
	sk->sk_priority = READ_ONCE(lsk->sk_priority);
	sk->sk_bound_dev_if = READ_ONCE(lsk->sk_bound_dev_if);
	sk->sk_ipv6only = lsk->sk_ipv6only;	/* fixed: the listener is bound */
	sk->sk_rcvtimeo = READ_ONCE(lsk->sk_rcvtimeo);
	sk->sk_sndtimeo = READ_ONCE(lsk->sk_sndtimeo);
	sk->sk_lingertime = READ_ONCE(lsk->sk_lingertime);
	if (sock_flag(lsk, SOCK_LINGER))
		sock_set_flag(sk, SOCK_LINGER);
	if (sock_flag(lsk, SOCK_KEEPOPEN))
		sock_set_flag(sk, SOCK_KEEPOPEN);
	rs->psk_id = READ_ONCE(lrs->psk_id);
	rs->psk_user.uid = READ_ONCE(lrs->psk_user.uid);
	rs->psk_user.admin = READ_ONCE(lrs->psk_user.admin);
	rs->idle_timeout = READ_ONCE(lrs->idle_timeout);
	rs->keepalive = READ_ONCE(lrs->keepalive);
	rs->keepintvl = READ_ONCE(lrs->keepintvl);
	rs->keepcnt = READ_ONCE(lrs->keepcnt);
	rs->dscp = READ_ONCE(lrs->dscp);
	if (test_bit(ROAM_F_NODELAY, &lrs->flags))
		set_bit(ROAM_F_NODELAY, &rs->flags);
	set_bit(ROAM_F_SERVER, &rs->flags);
	return sk;
}

void roam_sock_established(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	u64 win = READ_ONCE(sk->sk_rcvbuf) / 2;

	kfree(rs->hs);
	rs->hs = NULL;
	roam_sock_set_state(sk, TCP_ESTABLISHED);
	roam_path_established(sk);
	roam_event_conn(sk, ROAM_EV_ESTABLISHED, NULL, &rs->path.peer, 0);
	roam_timers_packet_received(sk);
	/* Announce the real window at once; the peer assumed the initial one. */
	WRITE_ONCE(rs->stream.rcv_max, max_t(u64, ROAM_INITIAL_MAX_DATA, win));
	set_bit(ROAM_F_MAX_DATA, &rs->flags);
	/* A server tells its client where else it can be reached. */
	if (test_bit(ROAM_F_SERVER, &rs->flags) && roam_addrs_advertising(sk))
		set_bit(ROAM_F_ADDRS, &rs->flags);
	sk->sk_state_change(sk);
	roam_output(sk, ROAM_OUT_CONTROL);
	roam_timers_state_changed(sk);
}

/*
 * The socket leaves the namespace's table, as its owner (the file, or an
 * orphan's reference) lets go.  The table's walkers (dumps, notify.c,
 * psk.c) find sockets under RCU; a socket is freed a grace period after
 * its last reference, which is never before this, so a walker that found
 * it may still look at it.  Taking it out in sk_destruct instead would
 * be too late: that runs after the grace period, and frees at once.
 */
void roam_sock_unlist(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_net *rn = roam_net(sock_net(sk));

	if (!rs->id)
		return;
	xa_erase_bh(&rn->socks, rs->id);
	rs->id = 0;
	atomic_inc(&rn->socks_gen);
	sock_prot_inuse_add(sock_net(sk), &roam_proto, -1);
}

/* The connection is gone and nobody holds the socket: free it. */
static void roam_sock_destroy(struct sock *sk)
{
	roam_sock_unlist(sk);
	roam_sock_unport(sk);
	roam_stream_purge(sk);
	roam_rec_purge(sk);
	sock_put(sk);		/* the reference close() left to the orphan */
}

/*
 * The connection is over, for good or with @err (a positive errno, or 0).
 * The socket stays until its owner closes it.  Under the socket lock.
 */
void roam_sock_done(struct sock *sk, int err)
{
	struct roam_sock *rs = roam_sk(sk);
	int old = sk->sk_state;

	if (old == TCP_CLOSE)
		return;
	pr_debug("conn %016llx done in state %d, error %d%s\n", rs->local_cid, old,
		 err, sock_flag(sk, SOCK_DEAD) ? ", orphan" : "");
	if (old != TCP_SYN_SENT && old != TCP_LISTEN)
		roam_event_conn(sk, ROAM_EV_CLOSED, NULL, NULL, err);
	roam_cid_del(roam_net(sock_net(sk)), rs);
	roam_timers_stop(sk);
	roam_hop_release(sk);
	kfree(rs->hs);
	rs->hs = NULL;
	roam_rec_purge(sk);
	sk_dst_reset(sk);
	roam_sock_set_state(sk, TCP_CLOSE);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (err) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	}
	if (sock_flag(sk, SOCK_DEAD)) {
		if (old != TCP_SYN_SENT && !test_bit(ROAM_F_QUEUED, &rs->flags))
			roam_sock_destroy(sk);
		return;
	}
	sk->sk_state_change(sk);
}

/* Abort: tell the peer (it gets ECONNRESET), then end with @err. */
void roam_sock_abort(struct sock *sk, int err)
{
	u16 code = err == ENOMEM ? ROAM_ERR_INTERNAL :
		   err == EPROTO ? ROAM_ERR_PROTOCOL : ROAM_ERR_NONE;

	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_SYN_SENT &&
	    sk->sk_state != TCP_LISTEN)
		roam_output_close(sk, ROAM_CLOSE_ABORT, code);
	roam_sock_done(sk, err);
}

/*
 * The connection cannot go on (@err, a positive errno), found while its
 * own state was being walked: it ends once the walk is over, in
 * roam_sock_fail_pending(), never in the middle of it.  The first error
 * counts.
 */
void roam_sock_fail(struct sock *sk, int err)
{
	struct roam_sock *rs = roam_sk(sk);

	if (!rs->fail)
		rs->fail = err;
}

/*
 * Ends the connection roam_sock_fail() condemned: at the end of packet
 * processing and of roam_output(), where no walk is under way.
 */
void roam_sock_fail_pending(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	int err = rs->fail;

	if (!err)
		return;
	rs->fail = 0;
	roam_sock_abort(sk, err);
}

/*
 * Both ends are done; the side that got the last FIN keeps its CID for
 * three probe timeouts, to acknowledge that FIN again if our ACK is lost.
 */
static void roam_sock_drain(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	u32 pto = roam_rec_pto_us(sk) * ROAM_DRAIN_PTOS;

	roam_sock_set_state(sk, TCP_TIME_WAIT);
	roam_rec_purge(sk);
	sk_stop_timer(sk, &rs->rtx_timer);
	rs->drain_end = jiffies + usecs_to_jiffies(pto);
	sk->sk_state_change(sk);
	roam_timers_state_changed(sk);
}

/* Our FIN is acknowledged. */
void roam_sock_fin_acked(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		roam_sock_set_state(sk, TCP_FIN_WAIT2);
		roam_sk(sk)->progress = jiffies;
		sk->sk_state_change(sk);
		roam_timers_state_changed(sk);
		break;
	case TCP_CLOSING:
		roam_sock_drain(sk);
		break;
	case TCP_LAST_ACK:
		roam_sock_done(sk, 0);
		break;
	}
}

/* Every byte up to the peer's FIN has arrived: its stream has ended. */
void roam_sock_peer_fin(struct sock *sk)
{
	sock_set_flag(sk, SOCK_DONE);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	roam_sk(sk)->acks.immediate = true;
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		roam_sock_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		roam_sock_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		roam_sock_drain(sk);
		break;
	}
	sk->sk_state_change(sk);
	sk->sk_data_ready(sk);
}

/* shutdown(SHUT_WR), close(): our FIN goes after what was written. */
static void roam_sock_close_write(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		roam_sock_set_state(sk, TCP_FIN_WAIT1);
		break;
	case TCP_CLOSE_WAIT:
		roam_sock_set_state(sk, TCP_LAST_ACK);
		break;
	default:
		return;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
	roam_stream_shutdown(sk);
}

/*
 * Where a connection sends from: the address it keeps, or the one
 * routing picked last, and its port.  Lockless readers (dumps, under
 * RCU) may see a port hop half done, never a freed port.
 */
void roam_sock_local(const struct roam_sock *rs, struct sockaddr_roam *sa)
{
	const struct roam_port *port = READ_ONCE(rs->port);

	roam_addr_fill(sa, ipv6_addr_any(&rs->path.local) ? &rs->path.src :
		       &rs->path.local, port ? htons(port->num) : 0, 0);
}

/* The connection no longer needs its port: as TCP frees a port at close. */
void roam_sock_unport(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_port *port = rs->port;

	if (port) {
		WRITE_ONCE(rs->port, NULL);
		roam_port_put(port);
	}
}

/* ------------------------------------------------------------------ */
/* Listening and accepting */

static struct roam_sock *roam_acceptq_pop(struct roam_sock *lrs)
{
	struct roam_sock *rs = NULL;

	spin_lock_bh(&lrs->acceptq_lock);
	if (!list_empty(&lrs->acceptq)) {
		rs = list_first_entry(&lrs->acceptq, struct roam_sock, accept_node);
		list_del_init(&rs->accept_node);
		sk_acceptq_removed(&lrs->sk);
	}
	spin_unlock_bh(&lrs->acceptq_lock);
	return rs;
}

/*
 * Stop listening: no connection is queued any more, and the queued ones
 * are aborted, as TCP resets them.
 */
static void roam_listen_stop(struct sock *sk)
{
	struct roam_sock *lrs = roam_sk(sk), *rs;
	struct sock *child;

	spin_lock_bh(&lrs->acceptq_lock);
	roam_sock_set_state(sk, TCP_CLOSE);
	spin_unlock_bh(&lrs->acceptq_lock);

	while ((rs = roam_acceptq_pop(lrs))) {
		child = &rs->sk;
		/* Destroying the child drops its last reference but ours. */
		sock_hold(child);
		lock_sock_nested(child, SINGLE_DEPTH_NESTING);
		clear_bit(ROAM_F_QUEUED, &rs->flags);
		sock_orphan(child);
		if (child->sk_state == TCP_CLOSE) {
			roam_sock_destroy(child);
		} else {
			/* As TCP resets what a closing listener never handed out. */
			roam_sock_abort(child, 0);
		}
		release_sock(child);
		sock_put(child);
	}
	sk->sk_state_change(sk);
}

static int roam_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct roam_sock *rs = roam_sk(sk);
	u32 max = ROAM_CFG(roam_net(sock_net(sk)), backlog_max);
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED)
		goto out;
	if (sk->sk_state != TCP_LISTEN) {
		if (sk->sk_state != TCP_CLOSE || rs->local_cid)
			goto out;
		if (!rcu_access_pointer(rs->bind)) {
			/* As TCP: an unbound listener takes a free port. */
			struct sockaddr_roam any;

			roam_addr_fill(&any, &in6addr_any, 0, 0);
			err = roam_bind(rs, &any, 1);
			if (err)
				goto out;
		}
		err = roam_bind_listen(rs);
		if (err)
			goto out;
	}
	WRITE_ONCE(sk->sk_max_ack_backlog, clamp_t(int, backlog, 0, max));
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int roam_wait_accept(struct sock *sk, long *timeo)
{
	struct roam_sock *rs = roam_sk(sk);
	DEFINE_WAIT(wait);
	int err;

	for (;;) {
		/* Exclusive: one waiter is woken per connection. */
		prepare_to_wait_exclusive(sk_sleep(sk), &wait, TASK_INTERRUPTIBLE);
		release_sock(sk);
		if (list_empty_careful(&rs->acceptq))
			*timeo = schedule_timeout(*timeo);
		sched_annotate_sleep();
		lock_sock(sk);
		err = 0;
		if (!list_empty_careful(&rs->acceptq))
			break;
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = sock_intr_errno(*timeo);
		if (signal_pending(current))
			break;
		err = -EAGAIN;
		if (!*timeo)
			break;
	}
	finish_wait(sk_sleep(sk), &wait);
	return err;
}

int roam_accept_flags(struct socket *sock, struct socket *newsock, int flags)
{
	struct sock *sk = sock->sk, *child;
	struct roam_sock *rs;
	long timeo;
	int err;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	for (;;) {
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			goto out;
		rs = roam_acceptq_pop(roam_sk(sk));
		if (rs)
			break;
		err = -EAGAIN;
		if (!timeo)
			goto out;
		err = roam_wait_accept(sk, &timeo);
		if (err)
			goto out;
	}
	release_sock(sk);

	/* A connection whose peer has gone is returned all the same. */
	child = &rs->sk;
	lock_sock(child);
	clear_bit(ROAM_F_QUEUED, &rs->flags);
	roam_custom_sol_socket(newsock);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(child);
	return 0;
out:
	release_sock(sk);
	return err;
}

/* ------------------------------------------------------------------ */
/* Connecting */

static int roam_connect_start(struct sock *sk, struct sockaddr_roam *sa)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_net *rn = roam_net(sock_net(sk));
	struct roam_bind *b;
	struct in6_addr src = in6addr_any;
	unsigned int i, fam;
	int err = 0;

	if (roam_addr_wild(&sa->sroam_addr)) {	/* as TCP: this host */
		if (sk->sk_ipv6only && roam_addr_any(&sa->sroam_addr))
			sa->sroam_addr = in6addr_loopback;
		else
			ipv6_addr_set_v4mapped(htonl(INADDR_LOOPBACK), &sa->sroam_addr);
	}
	if (ipv6_addr_is_multicast(&sa->sroam_addr) ||
	    (ipv6_addr_v4mapped(&sa->sroam_addr) &&
	     (ipv4_is_multicast(sa->sroam_addr.s6_addr32[3]) ||
	      ipv4_is_lbcast(sa->sroam_addr.s6_addr32[3]))))
		return -ENETUNREACH;
	/* IPV6_V6ONLY: IPv6 peers alone, as TCP. */
	if (sk->sk_ipv6only && roam_addr_v4(&sa->sroam_addr))
		return -ENETUNREACH;

	/*
	 * A socket bound to addresses, or to the IPv4 wildcard, connects in
	 * their family, and sends from one of the addresses.
	 */
	fam = roam_addr_v4(&sa->sroam_addr) ? ROAM_BIND_V4 : ROAM_BIND_V6;
	rcu_read_lock();
	b = rcu_dereference(rs->bind);
	if (b && !(roam_bind_families(b) & fam)) {
		err = -EAFNOSUPPORT;
	} else if (b && !roam_bind_wildcard(b)) {
		for (i = 0; i < b->n; i++)
			if (ipv6_addr_v4mapped(&b->addrs[i].key.addr) ==
			    ipv6_addr_v4mapped(&sa->sroam_addr))
				break;
		src = b->addrs[i].key.addr;
	}
	rcu_read_unlock();
	if (err)
		return err;

	if (!rs->port) {
		err = roam_port_pick(rn, false, &rs->port);
		if (err)
			return err == -EADDRINUSE ? -EADDRNOTAVAIL : err;
	}
	rs->path.peer = *sa;
	rs->path.local = src;
	rs->path.ifindex = 0;
	err = roam_route_check(rs);
	if (err)
		return err;

	WRITE_ONCE(sk->sk_shutdown, 0);
	WRITE_ONCE(sk->sk_err, 0);
	sock_reset_flag(sk, SOCK_DONE);
	roam_conn_init(sk);
	rs->remote_cid = 0;
	err = roam_cid_add(rn, rs, 0);
	if (err)
		return err;
	err = roam_hs_connect(sk);
	if (err)
		roam_cid_del(rn, rs);
	return err;
}

static int roam_wait_connect(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	while (sk->sk_state == TCP_SYN_SENT) {
		if (!*timeo) {
			err = -EINPROGRESS;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk_wait_event(sk, timeo, sk->sk_state != TCP_SYN_SENT, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static int roam_connect(struct socket *sock, struct sockaddr *uaddr, int len,
			int flags)
{
	struct sock *sk = sock->sk;
	struct sockaddr_roam sa;
	long timeo;
	int err;

	err = roam_addr_check(sock_net(sk), uaddr, len, &sa);
	if (err)
		return err;

	lock_sock(sk);
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	default:
		err = -EISCONN;
		if (sk->sk_state != TCP_CLOSE)
			goto out;
		err = roam_connect_start(sk, &sa);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (sk->sk_state == TCP_SYN_SENT) {
		if (!timeo)
			goto out;
		err = roam_wait_connect(sk, &timeo);
		if (err)
			goto out;
	}
	if (sk->sk_state == TCP_CLOSE) {
		err = sock_error(sk) ?: -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

/* ------------------------------------------------------------------ */
/* The other calls */

static int roam_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct roam_sock *rs;
	bool orphan = false;

	if (!sk)
		return 0;
	rs = roam_sk(sk);
	/*
	 * As tcp_close(): an orphan may end while we still hold its lock,
	 * in the backlog or in roam_release_cb(); this reference keeps it
	 * until release_sock() is done with it.
	 */
	sock_hold(sk);
	lock_sock(sk);
	switch (sk->sk_state) {
	case TCP_LISTEN:
		roam_listen_stop(sk);
		break;
	case TCP_CLOSE:
		break;
	case TCP_SYN_SENT:
		roam_sock_done(sk, 0);
		break;
	default:
		/*
		 * As TCP: unread data, or SO_LINGER with a zero timeout,
		 * abort; otherwise the FIN follows the data written, and
		 * the connection finishes without the application.
		 */
		if (!skb_queue_empty(&sk->sk_receive_queue) ||
		    (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
			roam_sock_abort(sk, 0);
			break;
		}
		roam_sock_close_write(sk);
		if (sock_flag(sk, SOCK_LINGER) && sk->sk_lingertime)
			sk_stream_wait_close(sk, sk->sk_lingertime);
		orphan = sk->sk_state != TCP_CLOSE;
		break;
	}
	roam_bind_release(rs);
	sock_orphan(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (orphan) {
		rs->progress = jiffies;
		roam_timers_state_changed(sk);
	}
	if (!orphan) {
		roam_sock_unlist(sk);
		roam_sock_unport(sk);
	}
	/* An orphan keeps close()'s reference until it is done with. */
	release_sock(sk);
	sock->sk = NULL;
	if (!orphan)
		sock_put(sk);
	sock_put(sk);
	return 0;
}

static int roam_bind_op(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sock *sk = sock->sk;
	struct sockaddr_roam sa;
	int err;

	err = roam_addr_check(sock_net(sk), uaddr, len, &sa);
	if (err)
		return err;
	lock_sock(sk);
	err = roam_bind(roam_sk(sk), &sa, 1);
	release_sock(sk);
	return err;
}

static int roam_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sock *sk = sock->sk;
	struct roam_sock *rs = roam_sk(sk);
	struct sockaddr_roam *sa = (struct sockaddr_roam *)uaddr;
	struct roam_bind *b;
	int err = sizeof(*sa);

	lock_sock(sk);
	if (peer) {
		/* accept() asks with 2: a connection it returns has a peer. */
		if (sk->sk_state == TCP_LISTEN || sk->sk_state == TCP_SYN_SENT ||
		    (sk->sk_state == TCP_CLOSE && peer == 1))
			err = -ENOTCONN;
		else
			*sa = rs->path.peer;
		goto out;
	}
	b = rcu_dereference_protected(rs->bind, lockdep_sock_is_held(sk));
	if (rs->local_cid && rs->port)		/* a connection: its path */
		roam_sock_local(rs, sa);
	else if (b)
		roam_addr_fill(sa, &b->addrs[0].key.addr, b->addrs[0].key.port, 0);
	else if (rs->port)
		roam_addr_fill(sa, &in6addr_any, htons(rs->port->num), 0);
	else
		roam_addr_fill(sa, &in6addr_any, 0, 0);
	if (ipv6_addr_type(&sa->sroam_addr) & IPV6_ADDR_LINKLOCAL)
		sa->sroam_scope_id = rs->path.ifindex ?: sk->sk_bound_dev_if;
out:
	release_sock(sk);
	return err;
}

static __poll_t roam_poll(struct file *file, struct socket *sock,
			  struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	struct roam_sock *rs = roam_sk(sk);
	__poll_t mask = 0;
	int state, shutdown;

	sock_poll_wait(file, sock, wait);
	/* Pairs with roam_sock_set_state(): see what came before the state. */
	state = smp_load_acquire(&sk->sk_state);
	if (state == TCP_LISTEN)
		return list_empty_careful(&rs->acceptq) ? 0 : EPOLLIN | EPOLLRDNORM;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT) {
		if (roam_stream_readable(sk))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (__sk_stream_is_writeable(sk, 1)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Memory may have been freed since: look again. */
				smp_mb__after_atomic();
				if (__sk_stream_is_writeable(sk, 1))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err) || !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

static int roam_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;		/* SHUT_RD 0 -> RCV_SHUTDOWN 1, and so on */
	if (how < RCV_SHUTDOWN || how > SHUTDOWN_MASK)
		return -EINVAL;
	lock_sock(sk);
	switch (sk->sk_state) {
	case TCP_LISTEN:
		if (how & RCV_SHUTDOWN)
			roam_listen_stop(sk);
		break;
	case TCP_CLOSE:
	case TCP_SYN_SENT:
		err = -ENOTCONN;
		break;
	default:
		if (how & RCV_SHUTDOWN)
			WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
		if (how & SEND_SHUTDOWN)
			roam_sock_close_write(sk);
		sk->sk_state_change(sk);
		break;
	}
	release_sock(sk);
	return err;
}

static int roam_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = roam_stream_inq(sk);
		release_sock(sk);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = roam_stream_outq(sk);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = roam_stream_unsentq(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

/* ROAM_BINDX_ADD / ROAM_BINDX_REM: an array of struct sockaddr_roam. */
static int roam_setsockopt_bindx(struct sock *sk, int optname, sockptr_t optval,
				 unsigned int optlen)
{
	struct sockaddr_roam *addrs;
	unsigned int n, i;
	int err;

	if (!optlen || optlen % sizeof(*addrs) ||
	    optlen / sizeof(*addrs) > ROAM_MAX_BIND_ADDRS)
		return -EINVAL;
	n = optlen / sizeof(*addrs);
	addrs = memdup_sockptr(optval, optlen);
	if (IS_ERR(addrs))
		return PTR_ERR(addrs);
	for (i = 0; i < n; i++) {
		err = roam_addr_check(sock_net(sk), (struct sockaddr *)&addrs[i],
				      sizeof(addrs[i]), &addrs[i]);
		if (err)
			goto out;
	}
	lock_sock(sk);
	if (optname == ROAM_BINDX_ADD)
		err = roam_bind_add(roam_sk(sk), addrs, n);
	else
		err = roam_bind_rem(roam_sk(sk), addrs, n);
	release_sock(sk);
out:
	kfree(addrs);
	return err;
}

/*
 * ROAM_PSK: a key id of the namespace's table, or 0 for none.  Before
 * connect() or on a listener, where it applies to handshakes to come.
 * The caller must be the key's owner, or have CAP_NET_ADMIN; who it was
 * is kept, for the handshakes to check again (psk.c).
 */
static int roam_setsockopt_psk(struct sock *sk, u32 id)
{
	struct net *net = sock_net(sk);
	struct roam_psk_user u = {
		.uid = current_fsuid(),
		.admin = ns_capable_noaudit(net->user_ns, CAP_NET_ADMIN),
	};
	struct roam_sock *rs = roam_sk(sk);
	int err = 0;

	if (id) {
		err = roam_psk_check(roam_net(net), id, &u);
		if (err)
			return err;
	}
	lock_sock(sk);
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN) {
		err = -EISCONN;
	} else {
		WRITE_ONCE(rs->psk_id, id);
		WRITE_ONCE(rs->psk_user.uid, u.uid);
		WRITE_ONCE(rs->psk_user.admin, u.admin);
	}
	release_sock(sk);
	return err;
}

/*
 * An int option at SOL_ROAM, @val already copied in; tcpopt.c sets the
 * TCP names of some through here.  Process context, socket unlocked.
 */
int roam_setsockopt_int(struct sock *sk, int optname, int val)
{
	struct roam_sock *rs = roam_sk(sk);

	switch (optname) {
	case ROAM_REUSEPORT:
		/* Binding reads it: take the socket lock as bind() does. */
		lock_sock(sk);
		sk->sk_reuseport = !!val;
		release_sock(sk);
		return 0;
	case ROAM_FREEBIND:
		assign_bit(ROAM_F_FREEBIND, &rs->flags, val);
		return 0;
	case ROAM_ADVERTISE:
		assign_bit(ROAM_F_ADV_OFF, &rs->flags, !val);
		set_bit(ROAM_F_ADV_SET, &rs->flags);
		return 0;
	case ROAM_NODELAY:
		lock_sock(sk);
		assign_bit(ROAM_F_NODELAY, &rs->flags, val);
		if (val)
			roam_output(sk, ROAM_OUT_PUSH);
		release_sock(sk);
		return 0;
	case ROAM_CORK:
		lock_sock(sk);
		assign_bit(ROAM_F_CORK, &rs->flags, val);
		if (!val)	/* uncorked: what waited goes now */
			roam_output(sk, ROAM_OUT_PUSH);
		release_sock(sk);
		return 0;
	case ROAM_IDLE_TIMEOUT:
		if (val < 0 || (val && (val < ROAM_MIN_TIMER || val > ROAM_MAX_IDLE_TIMEOUT)))
			return -EINVAL;
		lock_sock(sk);
		WRITE_ONCE(rs->idle_timeout, val);
		roam_timers_state_changed(sk);
		release_sock(sk);
		return 0;
	case ROAM_KEEPALIVE_INTVL:
		if (val < 0 || (val && (val < ROAM_MIN_TIMER || val > ROAM_MAX_TIMER)))
			return -EINVAL;
		lock_sock(sk);
		WRITE_ONCE(rs->keepalive, val);
		roam_timers_state_changed(sk);
		release_sock(sk);
		return 0;
	case ROAM_MIGRATE:
		lock_sock(sk);
		val = roam_hop(sk, NULL);
		release_sock(sk);
		return val;
	case ROAM_PSK:
		return roam_setsockopt_psk(sk, val);
	default:
		return -ENOPROTOOPT;
	}
}

static int roam_setsockopt(struct socket *sock, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	if (level == SOL_SOCKET && optname != SO_REUSEPORT)
		return sock_setsockopt(sock, level, optname, optval, optlen);
	if (level == SOL_TCP || level == SOL_IP || level == SOL_IPV6)
		return roam_tcpopt_set(sk, level, optname, optval, optlen);
	if (level != SOL_ROAM && level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (optname) {
	case ROAM_BINDX_ADD:
	case ROAM_BINDX_REM:
		return roam_setsockopt_bindx(sk, optname, optval, optlen);
	}

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	return roam_setsockopt_int(sk, level == SOL_SOCKET ? ROAM_REUSEPORT : optname, val);
}

/* ROAM_INFO's snapshot, for it and TCP_INFO (tcpopt.c).  Process context. */
void roam_sock_info(struct sock *sk, struct roam_info *info)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_keys *keys;

	memset(info, 0, sizeof(*info));
	lock_sock(sk);
	info->ri_version = ROAM_INFO_VERSION;
	info->ri_state = roam_sock_state(sk);
	info->ri_srtt_us = rs->rec.srtt;
	info->ri_rttvar_us = rs->rec.rttvar;
	info->ri_rto_us = roam_rec_backoff_us(sk);
	info->ri_cwnd = rs->rec.cwnd;
	info->ri_bytes_in_flight = rs->rec.in_flight;
	info->ri_pmtu = roam_pmtu_size(sk);
	info->ri_bytes_sent = rs->cnt.bytes_sent;
	info->ri_bytes_acked = rs->cnt.bytes_acked;
	info->ri_bytes_received = rs->cnt.bytes_received;
	info->ri_packets_sent = rs->cnt.packets_sent;
	info->ri_packets_received = rs->cnt.packets_received;
	info->ri_packets_lost = rs->cnt.packets_lost;
	info->ri_retransmits = rs->cnt.bytes_retrans;
	info->ri_local_cid = rs->local_cid;
	info->ri_remote_cid = rs->remote_cid;
	roam_sock_local(rs, &info->ri_local);
	if (rs->local_cid)
		info->ri_remote = rs->path.peer;
	info->ri_ecn_ce = rs->cnt.ecn_ce;
	info->ri_reordering = rs->rec.reordering;
	info->ri_spurious = rs->cnt.spurious;
	info->ri_path_moves = rs->cnt.path_moves;
	info->ri_path_validations = rs->cnt.path_validations;
	info->ri_path_failures = rs->cnt.path_failures;
	info->ri_port_hops = rs->cnt.port_hops;
	if (test_bit(ROAM_F_ECN, &rs->flags))
		info->ri_flags |= ROAM_INFO_F_ECN;
	if (test_bit(ROAM_F_VALIDATING, &rs->flags))
		info->ri_flags |= ROAM_INFO_F_VALIDATING;
	keys = rcu_dereference_protected(rs->keys, lockdep_sock_is_held(sk));
	if (keys && keys->encrypt)
		info->ri_flags |= ROAM_INFO_F_PSK;
	release_sock(sk);
}

/* ROAM_INFO: as TCP_INFO, the caller gets at most what it asked for. */
static int roam_getsockopt_info(struct sock *sk, char __user *optval,
				int __user *optlen, int len)
{
	struct roam_info info;

	roam_sock_info(sk, &info);
	len = min_t(unsigned int, len, sizeof(info));
	if (put_user(len, optlen) || copy_to_user(optval, &info, len))
		return -EFAULT;
	return 0;
}

/* An int option at SOL_ROAM into *@val: 0 or -ENOPROTOOPT.  Any context. */
int roam_getsockopt_int(struct sock *sk, int optname, int *val)
{
	struct roam_sock *rs = roam_sk(sk);

	switch (optname) {
	case ROAM_NODELAY:
		*val = test_bit(ROAM_F_NODELAY, &rs->flags);
		return 0;
	case ROAM_CORK:
		*val = test_bit(ROAM_F_CORK, &rs->flags);
		return 0;
	case ROAM_IDLE_TIMEOUT:
		*val = roam_idle_timeout_ms(sk);
		return 0;
	case ROAM_KEEPALIVE_INTVL:
		*val = roam_keepalive_ms(sk);
		return 0;
	case ROAM_REUSEPORT:
		*val = sk->sk_reuseport;
		return 0;
	case ROAM_FREEBIND:
		*val = test_bit(ROAM_F_FREEBIND, &rs->flags);
		return 0;
	case ROAM_ADVERTISE:
		*val = roam_addrs_advertising(sk);
		return 0;
	case ROAM_PSK:
		*val = READ_ONCE(rs->psk_id);
		return 0;
	}
	return -ENOPROTOOPT;
}

/* getsockopt's copy out: @size bytes of @src, if the caller has room. */
static int roam_getsockopt_put(char __user *optval, int __user *optlen,
			       int len, const void *src, int size)
{
	if (len < size)
		return -EINVAL;
	if (put_user(size, optlen) || copy_to_user(optval, src, size))
		return -EFAULT;
	return 0;
}

static int roam_getsockopt(struct socket *sock, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct roam_sock *rs = roam_sk(sk);
	struct roam_conn_id id;
	int len, val, err;

	if (level != SOL_ROAM && level != SOL_TCP && level != SOL_IP && level != SOL_IPV6)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (level != SOL_ROAM)
		return roam_tcpopt_get(sk, level, optname, optval, optlen, len);

	if (optname == ROAM_INFO)
		return roam_getsockopt_info(sk, optval, optlen, len);
	if (optname == ROAM_CONN_ID) {
		lock_sock(sk);
		id.local = rs->local_cid;
		id.remote = rs->remote_cid;
		release_sock(sk);
		return roam_getsockopt_put(optval, optlen, len, &id, sizeof(id));
	}
	err = roam_getsockopt_int(sk, optname, &val);
	if (err)
		return err;
	return roam_getsockopt_put(optval, optlen, len, &val, sizeof(val));
}

static const struct proto_ops roam_stream_ops = {
	.family = PF_UNSPEC,	/* set at registration: the family is a parameter */
	.owner = THIS_MODULE,
	.release = roam_release,
	.bind = roam_bind_op,
	.connect = roam_connect,
	.socketpair = sock_no_socketpair,
	.accept = roam_accept,
	.getname = roam_getname,
	.poll = roam_poll,
	.ioctl = roam_ioctl,
	.listen = roam_listen,
	.shutdown = roam_shutdown,
	.setsockopt = roam_setsockopt,
	.getsockopt = roam_getsockopt,
	.sendmsg = roam_sendmsg,
	.recvmsg = roam_recvmsg,
	.mmap = sock_no_mmap,
	.set_rcvlowat = roam_stream_set_rcvlowat,
};

/* Memory accounting, as TCP's: per socket, and for the protocol. */
static DEFINE_PER_CPU(int, roam_memory_per_cpu_fw_alloc);
static atomic_long_t roam_memory_allocated;
static struct percpu_counter roam_sockets_allocated;
static unsigned long roam_memory_pressure;
static long roam_sysctl_mem[3];
static int roam_sysctl_wmem[3] = { 4096, ROAM_DEFAULT_BUF, 4 << 20 };
static int roam_sysctl_rmem[3] = { 4096, ROAM_DEFAULT_BUF, 6 << 20 };

static void roam_enter_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(roam_memory_pressure, 1);
}

static void roam_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(roam_memory_pressure, 0);
}

/*
 * Memory that no socket's forward allocation covers (packets waiting to
 * be opened, receive.c), charged to the protocol in whole pages.  False,
 * and nothing charged, over the protocol's hard limit; over the pressure
 * limit the protocol enters memory pressure, as for socket memory.
 */
bool roam_mem_charge(unsigned int pages)
{
	long allocated = atomic_long_add_return(pages, &roam_memory_allocated);

	if (allocated > READ_ONCE(roam_sysctl_mem[2])) {
		atomic_long_sub(pages, &roam_memory_allocated);
		return false;
	}
	if (allocated > READ_ONCE(roam_sysctl_mem[1]))
		roam_enter_memory_pressure(NULL);
	return true;
}

void roam_mem_uncharge(unsigned int pages)
{
	long allocated = atomic_long_sub_return(pages, &roam_memory_allocated);

	if (READ_ONCE(roam_memory_pressure) &&
	    allocated < READ_ONCE(roam_sysctl_mem[0]))
		roam_leave_memory_pressure(NULL);
}

static struct proto roam_proto = {
	.name = "ROAM",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct roam_sock),
	.backlog_rcv = roam_sk_backlog_rcv,
	.release_cb = roam_release_cb,
	.keepalive = roam_keepalive_set,
	.enter_memory_pressure = roam_enter_memory_pressure,
	.leave_memory_pressure = roam_leave_memory_pressure,
	.memory_allocated = &roam_memory_allocated,
	.per_cpu_fw_alloc = &roam_memory_per_cpu_fw_alloc,
	.sockets_allocated = &roam_sockets_allocated,
	.memory_pressure = &roam_memory_pressure,
	.sysctl_mem = roam_sysctl_mem,
	.sysctl_wmem = roam_sysctl_wmem,
	.sysctl_rmem = roam_sysctl_rmem,
	.max_header = LL_MAX_HEADER + 48 + 8,
};

static int roam_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct sock *sk;
	int err;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, roam_family, GFP_KERNEL, &roam_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock->ops = &roam_stream_ops;
	sock->state = SS_UNCONNECTED;
	roam_custom_sol_socket(sock);
	sock_init_data(sock, sk);
	roam_sock_setup(sk);
	err = roam_sock_list(sk, GFP_KERNEL);
	if (err) {
		sock->sk = NULL;
		sk_free(sk);
		return err;
	}
	return 0;
}

static struct net_proto_family roam_family_ops = {
	.create = roam_create,
	.owner = THIS_MODULE,
};

int __init roam_sock_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);
	int err;

	/* As tcp_init_mem(): pressure at 3/4 of the limit, hard at 3/2. */
	roam_sysctl_mem[0] = limit / 4 * 3;
	roam_sysctl_mem[1] = limit;
	roam_sysctl_mem[2] = roam_sysctl_mem[0] * 2;
	err = percpu_counter_init(&roam_sockets_allocated, 0, GFP_KERNEL);
	if (err)
		return err;
	err = proto_register(&roam_proto, 1);
	if (err) {
		percpu_counter_destroy(&roam_sockets_allocated);
		return err;
	}

	roam_family_ops.family = roam_family;
	err = sock_register(&roam_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("address family %d is taken: load roam with family=N, one of 18, 19, 22 or 25\n",
			       roam_family);
		else
			pr_err("cannot register address family %d: %d\n",
			       roam_family, err);
		proto_unregister(&roam_proto);
		percpu_counter_destroy(&roam_sockets_allocated);
		return err;
	}
	return 0;
}

void roam_sock_exit(void)
{
	sock_unregister(roam_family);
	/* Sockets are freed after a grace period (SOCK_RCU_FREE). */
	rcu_barrier();
	proto_unregister(&roam_proto);
	percpu_counter_destroy(&roam_sockets_allocated);
}
