// SPDX-License-Identifier: GPL-2.0
/*
 * The byte stream (docs/PROTOCOL.md section 5): what the application
 * writes waits in sk_write_queue until the peer acknowledges it; what
 * arrives in order goes to sk_receive_queue, the rest to an out-of-order
 * queue, an rbtree by offset as TCP's.  Memory is charged to the socket
 * and the protocol, as TCP's; the receive buffer bounds in-order and
 * out-of-order data together.  Everything here runs under the socket
 * lock.
 */
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "compat.h"
#include "output.h"
#include "ranges.h"
#include "recovery.h"
#include "sock.h"
#include "stream.h"

/* A send queue buffer goes: its memory returns to the socket. */
static void roam_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/*
 * Room in the send buffer again: wake the writers, by the measure that
 * roam_poll() and sendmsg use (sk_stream_write_space(), which is not
 * exported).  Called only once a writer found no room (SOCK_NOSPACE).
 */
void roam_stream_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

void roam_stream_init(struct sock *sk)
{
	struct roam_stream *st = &roam_sk(sk)->stream;

	memset(st, 0, sizeof(*st));
	roam_ranges_init(&st->acked);
	roam_ranges_init(&st->lost);
	st->ooo = RB_ROOT;
	st->peer_max = ROAM_INITIAL_MAX_DATA;
	st->rcv_max = ROAM_INITIAL_MAX_DATA;
	st->space = ROAM_INITIAL_MAX_DATA;
}

/* skb_rbtree_purge(), which is not exported. */
static void roam_stream_ooo_purge(struct roam_stream *st)
{
	struct sk_buff *skb;

	while ((skb = skb_rb_first(&st->ooo))) {
		rb_erase(&skb->rbnode, &st->ooo);
		kfree_skb(skb);
	}
}

void roam_stream_purge(struct sock *sk)
{
	struct roam_stream *st = &roam_sk(sk)->stream;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		roam_wmem_free_skb(sk, skb);
	__skb_queue_purge(&sk->sk_receive_queue);
	roam_stream_ooo_purge(st);
	roam_ranges_purge(&st->acked);
	roam_ranges_purge(&st->lost);
	sk_mem_reclaim(sk);
}

u32 roam_stream_inq(const struct sock *sk)
{
	const struct roam_stream *st = &roam_sk(sk)->stream;

	return READ_ONCE(st->rcv_nxt) - READ_ONCE(st->copied);
}

u32 roam_stream_outq(const struct sock *sk)
{
	const struct roam_stream *st = &roam_sk(sk)->stream;

	return READ_ONCE(st->write_seq) - READ_ONCE(st->snd_una);
}

u32 roam_stream_unsentq(const struct sock *sk)
{
	const struct roam_stream *st = &roam_sk(sk)->stream;

	return READ_ONCE(st->write_seq) - READ_ONCE(st->snd_nxt);
}

/* ------------------------------------------------------------------ */
/* Sending */

static struct sk_buff *roam_stream_skb_new(struct sock *sk)
{
	struct sk_buff *skb = alloc_skb(0, sk->sk_allocation);

	if (!skb)
		return NULL;
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		__kfree_skb(skb);
		return NULL;
	}
	/*
	 * Its bytes are only ever copied into packets, whose UDP checksum
	 * covers the sealed packet (roam_port_send()).  CHECKSUM_NONE would
	 * have every write summed as it is copied in, for nothing
	 * (skb_copy_to_page_nocache()); TCP's send queue is not either.
	 */
	skb->ip_summed = CHECKSUM_PARTIAL;
	ROAM_STREAM_CB(skb)->seq = roam_sk(sk)->stream.write_seq;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	return skb;
}

/* Appends what @msg holds to the send queue, in page fragments. */
static int roam_stream_append(struct sock *sk, struct msghdr *msg, int *copied)
{
	struct roam_stream *st = &roam_sk(sk)->stream;
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	struct page_frag *pfrag = sk_page_frag(sk);
	bool merge;
	int copy, i, err;

	i = skb ? skb_shinfo(skb)->nr_frags : 0;
	if (!skb || skb->len >= ROAM_SKB_DATA_MAX ||
	    ROAM_STREAM_CB(skb)->seq + skb->len != st->write_seq) {
		if (!sk_stream_memory_free(sk))
			return -EAGAIN;
		skb = roam_stream_skb_new(sk);
		if (!skb)
			return -EAGAIN;
		i = 0;
	}
	if (!sk_page_frag_refill(sk, pfrag))
		return -EAGAIN;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= MAX_SKB_FRAGS) {
		skb = roam_stream_skb_new(sk);
		if (!skb)
			return -EAGAIN;
		i = 0;
		merge = false;
	}
	copy = min_t(size_t, msg_data_left(msg), pfrag->size - pfrag->offset);
	copy = min_t(int, copy, ROAM_SKB_DATA_MAX - skb->len);
	if (!sk_wmem_schedule(sk, copy))
		return -EAGAIN;
	err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
				       pfrag->offset, copy);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		page_ref_inc(pfrag->page);
	}
	pfrag->offset += copy;
	WRITE_ONCE(st->write_seq, st->write_seq + copy);
	*copied += copy;
	return 0;
}

static int roam_sendmsg_locked(struct sock *sk, struct msghdr *msg)
{
	int flags = msg->msg_flags, copied = 0, err;
	long timeo;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}

	while (msg_data_left(msg)) {
		err = -EPIPE;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto do_error;
		err = roam_stream_append(sk, msg, &copied);
		if (!err)
			continue;
		if (err != -EAGAIN)
			goto do_error;
		/* No room: send what there is, then wait for acknowledgements. */
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		if (copied)
			roam_output(sk, ROAM_OUT_PUSH);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
out:
	if (copied) {
		assign_bit(ROAM_F_MORE, &roam_sk(sk)->flags, flags & MSG_MORE);
		roam_output(sk, ROAM_OUT_DATA);
	}
	return copied;

do_error:
	if (copied)
		goto out;
out_err:
	/* EPIPE raises SIGPIPE here, unless MSG_NOSIGNAL. */
	return sk_stream_error(sk, flags, err);
}

int roam_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	int ret;

	lock_sock(sk);
	ret = roam_sendmsg_locked(sk, msg);
	release_sock(sk);
	return ret;
}

/*
 * The next piece to send, at most @max bytes: lost bytes first, then new
 * ones within the peer's flow control limit, and the FIN after the last.
 */
bool roam_stream_next(struct sock *sk, u32 max, struct roam_chunk *c)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	struct roam_range *r = roam_ranges_first(&st->lost);
	u64 flow;

	if (r) {
		c->off = r->start;
		c->len = min_t(u64, r->end - r->start, max);
		c->again = true;
		c->fin = test_bit(ROAM_F_FIN_RESEND, &rs->flags) &&
			 c->off + c->len == st->write_seq;
		return c->len;
	}
	if (test_bit(ROAM_F_FIN_RESEND, &rs->flags)) {
		c->off = st->write_seq;
		c->len = 0;
		c->again = true;
		c->fin = true;
		return true;
	}
	flow = st->peer_max > st->snd_nxt ? st->peer_max - st->snd_nxt : 0;
	c->off = st->snd_nxt;
	c->len = min3(st->write_seq - st->snd_nxt, (u64)max, flow);
	c->again = false;
	c->fin = test_bit(ROAM_F_FIN_QUEUED, &rs->flags) &&
		 !test_bit(ROAM_F_FIN_SENT, &rs->flags) &&
		 c->off + c->len == st->write_seq;
	return c->len || c->fin;
}

/*
 * Bytes ready for packets now, flow control permitting: lost ones first,
 * then new ones, counted up to @cap.  A FIN alone counts as one.
 */
u32 roam_stream_unsent(const struct sock *sk, u32 cap)
{
	const struct roam_sock *rs = roam_sk(sk);
	const struct roam_stream *st = &rs->stream;
	const struct roam_range *r;
	u64 n = 0;

	list_for_each_entry(r, &st->lost.list, node) {
		n += r->end - r->start;
		if (n >= cap)
			return cap;
	}
	if (st->snd_nxt < st->write_seq && st->snd_nxt < st->peer_max)
		n += min(st->write_seq, st->peer_max) - st->snd_nxt;
	if (!n && (test_bit(ROAM_F_FIN_RESEND, &rs->flags) ||
		   (test_bit(ROAM_F_FIN_QUEUED, &rs->flags) &&
		    !test_bit(ROAM_F_FIN_SENT, &rs->flags) &&
		    st->snd_nxt == st->write_seq)))
		n = 1;		/* a FIN alone */
	return min_t(u64, n, cap);
}

void roam_stream_copy(struct sock *sk, u64 off, u32 len, u8 *to)
{
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		u64 seq = ROAM_STREAM_CB(skb)->seq;
		u32 n;

		if (!len)
			return;
		if (off >= seq + skb->len)
			continue;
		n = min_t(u64, len, seq + skb->len - off);
		if (WARN_ON_ONCE(skb_copy_bits(skb, off - seq, to, n)))
			return;
		off += n;
		to += n;
		len -= n;
	}
	WARN_ON_ONCE(len);
}

void roam_stream_sent(struct sock *sk, const struct roam_chunk *c)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;

	if (c->again) {
		roam_ranges_remove(&st->lost, c->off, c->off + c->len);
		rs->cnt.bytes_retrans += c->len;
		if (c->fin)
			clear_bit(ROAM_F_FIN_RESEND, &rs->flags);
		return;
	}
	WRITE_ONCE(st->snd_nxt, st->snd_nxt + c->len);
	rs->cnt.bytes_sent += c->len;
	if (c->fin)
		set_bit(ROAM_F_FIN_SENT, &rs->flags);
}

/*
 * Send-buffer autotuning, as TCP's tcp_sndbuf_expand(): room for four
 * congestion windows (what is in flight, as much again to refill it, and
 * the buffers' overhead), up to wmem[2], unless the application set
 * SO_SNDBUF or the protocol's memory is under pressure.
 */
static void roam_stream_sndbuf_expand(struct sock *sk)
{
	u64 want = 4ULL * roam_sk(sk)->rec.cwnd;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) || sk_under_memory_pressure(sk))
		return;
	want = min_t(u64, want, READ_ONCE(sk->sk_prot->sysctl_wmem[2]));
	if (want > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, want);
}

/*
 * The peer has bytes [off, off + len) (and the FIN).  Bytes acknowledged
 * in order leave the send queue; the others are remembered until the
 * hole before them closes.  Returns true when this acknowledges the FIN,
 * which the caller acts on once it is done with its own state.
 */
bool roam_stream_acked(struct sock *sk, u64 off, u32 len, bool fin)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	struct roam_range *r;
	struct sk_buff *skb;
	bool freed = false;

	if (len && off + len > st->snd_una) {
		if (roam_ranges_add(&st->acked, max(off, st->snd_una), off + len) ||
		    roam_ranges_remove(&st->lost, off, off + len)) {
			roam_sock_fail(sk, ENOMEM);
			return false;
		}
		while ((r = roam_ranges_first(&st->acked)) && r->start <= st->snd_una) {
			if (r->end > st->snd_una) {
				rs->cnt.bytes_acked += r->end - st->snd_una;
				rs->progress = jiffies;
				WRITE_ONCE(st->snd_una, r->end);
			}
			roam_ranges_drop_first(&st->acked);
		}
		while ((skb = skb_peek(&sk->sk_write_queue)) &&
		       ROAM_STREAM_CB(skb)->seq + skb->len <= st->snd_una &&
		       ROAM_STREAM_CB(skb)->seq + skb->len < st->write_seq) {
			__skb_unlink(skb, &sk->sk_write_queue);
			roam_wmem_free_skb(sk, skb);
			freed = true;
		}
		/* The last buffer goes too once all of it is acknowledged. */
		skb = skb_peek(&sk->sk_write_queue);
		if (skb && st->snd_una == st->write_seq &&
		    ROAM_STREAM_CB(skb)->seq + skb->len == st->write_seq) {
			__skb_unlink(skb, &sk->sk_write_queue);
			roam_wmem_free_skb(sk, skb);
			freed = true;
		}
	}
	if (freed) {
		sk_mem_reclaim(sk);
		roam_stream_sndbuf_expand(sk);
		/*
		 * Wake writers only if one ran out of room, as TCP does, not
		 * on every ACK.  Pairs with the barrier in roam_poll().
		 */
		smp_mb();
		if (sk->sk_socket && test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
			sk->sk_write_space(sk);
	}
	/*
	 * Our FIN counts as acknowledged once the packet that carried it is,
	 * and every byte before it too: a FIN is a flag, not a byte, so the
	 * one does not imply the other.
	 */
	if (fin)
		set_bit(ROAM_F_FIN_DELIVERED, &rs->flags);
	if (test_bit(ROAM_F_FIN_DELIVERED, &rs->flags) && st->snd_una == st->write_seq &&
	    !test_and_set_bit(ROAM_F_FIN_ACKED, &rs->flags)) {
		clear_bit(ROAM_F_FIN_RESEND, &rs->flags);
		return true;
	}
	return false;
}

/* A packet with bytes [off, off + len) is lost: send what is not acknowledged. */
void roam_stream_lost(struct sock *sk, u64 off, u32 len, bool fin)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	u64 start = max(off, st->snd_una), end = off + len;
	struct roam_range *r;
	int err = 0;

	if (start < end) {
		err = roam_ranges_add(&st->lost, start, end);
		list_for_each_entry(r, &st->acked.list, node) {
			if (err)
				break;
			if (r->start < end && r->end > start)
				err = roam_ranges_remove(&st->lost, r->start, r->end);
		}
	}
	if (err) {
		roam_sock_fail(sk, ENOMEM);
		return;
	}
	if (fin && !test_bit(ROAM_F_FIN_DELIVERED, &rs->flags))
		set_bit(ROAM_F_FIN_RESEND, &rs->flags);
}

/* ------------------------------------------------------------------ */
/* Receiving */

/* Takes @skb's truesize from the socket, for a buffer already counted. */
static void roam_stream_rmem_charge(struct sock *sk, int delta)
{
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
}

/* Links @skb into the out-of-order queue by its offset. */
static void roam_stream_ooo_link(struct roam_stream *st, struct sk_buff *skb)
{
	struct rb_node **p = &st->ooo.rb_node, *parent = NULL;
	u64 seq = ROAM_STREAM_CB(skb)->seq;

	while (*p) {
		parent = *p;
		p = seq < ROAM_STREAM_CB(rb_to_skb(parent))->seq ? &parent->rb_left :
								   &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &st->ooo);
}

/* The buffer after @skb: in the queue @list, or in the rbtree if NULL. */
static struct sk_buff *roam_stream_rcv_next(struct sk_buff *skb, struct sk_buff_head *list)
{
	if (list)
		return skb_queue_is_last(list, skb) ? NULL : skb->next;
	return skb_rb_next(skb);
}

/*
 * Copies the bytes [@start, @end) of the run of buffers that begins with
 * @skb (in @list, or in the out-of-order rbtree if NULL) into @fresh, in
 * buffers of up to a page.  False if memory runs out, @fresh then purged.
 */
static bool roam_stream_rcv_copy(struct sk_buff_head *list, struct sk_buff *skb,
				 u64 start, u64 end, struct sk_buff_head *fresh)
{
	unsigned int chunk = SKB_WITH_OVERHEAD(PAGE_SIZE);
	struct sk_buff *nskb;

	while (start < end) {
		unsigned int len = min_t(u64, end - start, chunk), done = 0;

		nskb = alloc_skb(len, GFP_ATOMIC | __GFP_NOWARN);
		if (!nskb) {
			__skb_queue_purge(fresh);
			return false;
		}
		ROAM_STREAM_CB(nskb)->seq = start;
		while (done < len) {
			u64 at = start + done, seq;
			unsigned int n;

			/* No gaps in a run, and no buffer inside another. */
			while (ROAM_STREAM_CB(skb)->seq + skb->len <= at)
				skb = roam_stream_rcv_next(skb, list);
			seq = ROAM_STREAM_CB(skb)->seq;
			n = min_t(u64, len - done, seq + skb->len - at);
			WARN_ON_ONCE(skb_copy_bits(skb, at - seq, skb_put(nskb, n), n));
			done += n;
		}
		__skb_queue_tail(fresh, nskb);
		start += len;
	}
	return true;
}

/*
 * A buffer worth copying: one that costs more than twice the bytes it
 * holds, as a small packet received whole does.  (Against the least a
 * buffer of its length can cost, a one-byte packet would never count:
 * its cost is nearly all the fixed part.)
 */
static bool roam_stream_loose(const struct sk_buff *skb)
{
	return skb->truesize > 2 * skb->len;
}

/*
 * A buffer that may join a run the packing copies: a loose one, or one
 * short of a page, as the last of an earlier run is, so that runs packed
 * at different times become one.
 */
static bool roam_stream_packable(const struct sk_buff *skb)
{
	return roam_stream_loose(skb) || skb->len < SKB_WITH_OVERHEAD(PAGE_SIZE);
}

/* @skb leaves @list, or the out-of-order rbtree if NULL. */
static void roam_stream_rcv_unlink(struct sock *sk, struct sk_buff_head *list,
				   struct sk_buff *skb)
{
	if (list)
		__skb_unlink(skb, list);
	else
		rb_erase(&skb->rbnode, &roam_sk(sk)->stream.ooo);
}

/*
 * Copies the runs of buffers that touch or overlap in @list (or in the
 * out-of-order rbtree if NULL), from @skb on, into buffers of up to a
 * page, as TCP's tcp_collapse() and tcp_collapse_ofo_queue() do.  A run
 * is made of packable buffers and holds a loose one or more than one
 * buffer; full pages are left alone.  Bytes below @held are read, or
 * held by the buffers before, and are not copied.  The receive queue's
 * bytes follow one another, so there a run goes on to the next full page;
 * a buffer drained from the out-of-order queue may start below the end
 * of the one before it.
 */
static void roam_stream_pack_queue(struct sock *sk, struct sk_buff_head *list,
				   struct sk_buff *skb, u64 held)
{
	struct sk_buff *next, *o;
	struct sk_buff_head fresh;

	__skb_queue_head_init(&fresh);
	while (skb) {
		u64 start = max(ROAM_STREAM_CB(skb)->seq, held);
		u64 end = ROAM_STREAM_CB(skb)->seq + skb->len;

		next = roam_stream_rcv_next(skb, list);
		if (!roam_stream_packable(skb))
			goto skip;
		/* A run, each buffer starting before the last ends. */
		while (next && roam_stream_packable(next) && ROAM_STREAM_CB(next)->seq <= end) {
			end = max(end, ROAM_STREAM_CB(next)->seq + next->len);
			next = roam_stream_rcv_next(next, list);
		}
		/* One buffer that costs what it holds is packed already. */
		if (next == roam_stream_rcv_next(skb, list) && !roam_stream_loose(skb))
			goto skip;
		/* What the buffer after it holds already stays there. */
		if (next)
			end = min(end, ROAM_STREAM_CB(next)->seq);
		if (start < end && !roam_stream_rcv_copy(list, skb, start, end, &fresh))
			return;
		/* Charged before the old ones go, as tcp_collapse() does. */
		skb_queue_walk(&fresh, o)
			skb_set_owner_r(o, sk);
		while (skb != next) {
			o = skb;
			skb = roam_stream_rcv_next(skb, list);
			roam_stream_rcv_unlink(sk, list, o);
			kfree_skb(o);
		}
		while ((o = __skb_dequeue(&fresh))) {
			if (!list)
				roam_stream_ooo_link(&roam_sk(sk)->stream, o);
			else if (next)
				__skb_queue_before(list, next, o);
			else
				__skb_queue_tail(list, o);
		}
		held = max(held, end);
		continue;
skip:
		held = max(held, end);
		skb = next;
	}
}

/*
 * Many small packets held as whole receive buffers cost many times their
 * bytes: both queues are packed once an eighth of the receive buffer came
 * in loose buffers since they last were, so that the cost stays bounded
 * per byte received, whatever the peer sends.  Acknowledged bytes are
 * never dropped: an ACK in roam, as in QUIC, cannot be taken back, so the
 * receive buffer's bound is kept before a packet is acknowledged instead
 * (roam_stream_rcv_room()).
 */
static void roam_stream_pack(struct sock *sk)
{
	struct roam_stream *st = &roam_sk(sk)->stream;

	if (st->loose < READ_ONCE(sk->sk_rcvbuf) / 8)
		return;
	st->loose = 0;
	roam_stream_pack_queue(sk, &sk->sk_receive_queue, skb_peek(&sk->sk_receive_queue),
			       st->copied);
	roam_stream_pack_queue(sk, NULL, skb_rb_first(&st->ooo), st->rcv_nxt);
}

/*
 * Room for @skb, with stream bytes [@off, @off + @len), in the receive
 * buffer?  Checked before it is acknowledged.  The buffer bounds in-order
 * and out-of-order data together, as TCP's does, so that a peer that
 * never sends the byte the reader waits for cannot hold more than it; the
 * bytes the reader waits for get in whatever is out of order, once it
 * has read all that came in order, so a full out-of-order queue never
 * stalls the stream.  When those bytes find no room, the reader is
 * woken, and may read what came before them whatever SO_RCVLOWAT says
 * (roam_stream_readable()), as TCP's tcp_data_queue() wakes it.
 */
bool roam_stream_rcv_room(struct sock *sk, struct sk_buff *skb, u64 off, u32 len)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	unsigned int limit = READ_ONCE(sk->sk_rcvbuf);
	bool next = off <= st->rcv_nxt && off + len > st->rcv_nxt;

	if (next && skb_queue_empty(&sk->sk_receive_queue))
		return sk_rmem_schedule(sk, skb, skb->truesize);
	if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize > limit) {
		roam_stream_pack(sk);
		if (atomic_read(&sk->sk_rmem_alloc) + skb->truesize > limit)
			goto full;
	}
	if (sk_rmem_schedule(sk, skb, skb->truesize))
		return true;
full:
	if (next && !test_and_set_bit(ROAM_F_RCV_FULL, &rs->flags))
		sk->sk_data_ready(sk);
	return false;
}

/*
 * Moves what the out-of-order queue holds at rcv_nxt to the receive
 * queue.  A buffer that starts below rcv_nxt keeps its bytes, and its
 * offset: the reader skips what it read already (recvmsg finds its place
 * by offset), as TCP's tcp_ofo_queue() leaves it.  Pulling instead would
 * not do for a buffer an append made non-linear.
 */
static void roam_stream_ooo_drain(struct sock *sk)
{
	struct roam_stream *st = &roam_sk(sk)->stream;
	struct sk_buff *skb;

	while ((skb = skb_rb_first(&st->ooo)) && ROAM_STREAM_CB(skb)->seq <= st->rcv_nxt) {
		u64 end = ROAM_STREAM_CB(skb)->seq + skb->len;

		rb_erase(&skb->rbnode, &st->ooo);
		skb->dev = NULL;	/* the rbtree node overlaid it */
		if (end <= st->rcv_nxt) {
			kfree_skb(skb);
			continue;
		}
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		WRITE_ONCE(st->rcv_nxt, end);
	}
}

/*
 * @skb, not yet charged to the socket, goes into the out-of-order queue
 * in offset order: dropped if the queue has all its bytes, replacing the
 * buffers whose bytes it has all, and appended to the buffer before it
 * if it continues that one.  O(log n), as TCP's tcp_data_queue_ofo().
 */
static void roam_stream_ooo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct roam_stream *st = &roam_sk(sk)->stream;
	u64 seq = ROAM_STREAM_CB(skb)->seq, end = seq + skb->len;
	struct rb_node **p = &st->ooo.rb_node, *parent = NULL;
	struct sk_buff *o, *prev;
	bool stolen;
	int delta;

	while (*p) {
		u64 os, oe;

		parent = *p;
		o = rb_to_skb(parent);
		os = ROAM_STREAM_CB(o)->seq;
		oe = os + o->len;
		if (seq < os) {
			p = &parent->rb_left;
			continue;
		}
		if (seq < oe && end <= oe) {
			kfree_skb(skb);		/* nothing new */
			return;
		}
		if (seq == os) {
			/* It has all of @o: take its place. */
			rb_replace_node(&o->rbnode, &skb->rbnode, &st->ooo);
			kfree_skb(o);
			goto placed;
		}
		p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &st->ooo);
placed:
	/* Drop what follows and has nothing @skb lacks. */
	while ((o = skb_rb_next(skb)) && ROAM_STREAM_CB(o)->seq + o->len <= end) {
		rb_erase(&o->rbnode, &st->ooo);
		kfree_skb(o);
	}
	prev = skb_rb_prev(skb);
	if (prev && ROAM_STREAM_CB(prev)->seq + prev->len == seq &&
	    skb_try_coalesce(prev, skb, &stolen, &delta)) {
		roam_stream_rmem_charge(sk, delta);
		rb_erase(&skb->rbnode, &st->ooo);
		kfree_skb_partial(skb, stolen);
		return;
	}
	skb_set_owner_r(skb, sk);
	if (roam_stream_loose(skb))
		st->loose += skb->truesize;
}

/*
 * Stream bytes [off, off + len), at @data in @skb, which this consumes.
 * Returns 0, or -EPROTO if the peer broke flow control or moved its FIN
 * (QUIC's FINAL_SIZE_ERROR).
 */
int roam_stream_rcv(struct sock *sk, struct sk_buff *skb, unsigned int data,
		    u64 off, u32 len, bool fin)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	u64 end = off + len;
	bool peer_fin = test_bit(ROAM_F_PEER_FIN, &rs->flags);

	/* Past the window, past the FIN, or a FIN below bytes already here. */
	if (end > st->rcv_max ||
	    (peer_fin && (end > st->peer_fin || (fin && end != st->peer_fin))) ||
	    (fin && end < st->rcv_highest)) {
		kfree_skb(skb);
		return -EPROTO;
	}
	st->rcv_highest = max(st->rcv_highest, end);
	if (fin && !peer_fin) {
		st->peer_fin = end;
		set_bit(ROAM_F_PEER_FIN, &rs->flags);
	}
	if (end <= st->rcv_nxt || !len) {
		kfree_skb(skb);
	} else {
		__skb_pull(skb, data);
		skb_trim(skb, len);
		if (off < st->rcv_nxt) {
			__skb_pull(skb, st->rcv_nxt - off);
			off = st->rcv_nxt;
		}
		ROAM_STREAM_CB(skb)->seq = off;
		skb_dst_drop(skb);
		if (off == st->rcv_nxt) {
			clear_bit(ROAM_F_RCV_FULL, &rs->flags);
			skb_set_owner_r(skb, sk);
			if (roam_stream_loose(skb))
				st->loose += skb->truesize;
			__skb_queue_tail(&sk->sk_receive_queue, skb);
			WRITE_ONCE(st->rcv_nxt, end);
			roam_stream_ooo_drain(sk);
			sk->sk_data_ready(sk);
		} else {
			roam_stream_ooo_insert(sk, skb);
			rs->acks.immediate = true;
		}
	}
	if (test_bit(ROAM_F_PEER_FIN, &rs->flags) && st->rcv_nxt == st->peer_fin &&
	    !sock_flag(sk, SOCK_DONE))
		roam_sock_peer_fin(sk);
	return 0;
}

/*
 * Receive-buffer autotuning, as TCP's dynamic right-sizing: once a round
 * trip, a reader that took more than ever before in one gets a buffer
 * whose window (half of it) is twice that, up to rmem[2], unless the
 * application set SO_RCVBUF.  The window then follows a fast reader on a
 * long path instead of capping it.
 */
static void roam_stream_rcv_space(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	u64 now = roam_now(), taken;

	if (now - st->space_time < (u64)max_t(u32, rs->rec.srtt, ROAM_GRANULARITY_US) *
				   NSEC_PER_USEC)
		return;
	taken = st->copied - st->space_seq;
	st->space_seq = st->copied;
	st->space_time = now;
	if (taken <= st->space || (sk->sk_userlocks & SOCK_RCVBUF_LOCK))
		return;
	st->space = min_t(u64, taken, U32_MAX);
	taken = min_t(u64, 4 * taken, READ_ONCE(sk->sk_prot->sysctl_rmem[2]));
	if (taken > READ_ONCE(sk->sk_rcvbuf))
		WRITE_ONCE(sk->sk_rcvbuf, taken);
}

/*
 * After the application read: announce a larger window once a quarter
 * of it has been freed.  The window is half the receive buffer; the rest
 * covers buffer overhead, as TCP's tcp_adv_win_scale.
 */
void roam_stream_window(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	u64 win = READ_ONCE(sk->sk_rcvbuf) / 2, max = st->copied + win;

	if (max >= st->rcv_max + win / 4) {
		WRITE_ONCE(st->rcv_max, max);
		set_bit(ROAM_F_MAX_DATA, &rs->flags);
	}
}

/*
 * The application freed room: tell the peer now if that makes a larger
 * window due, as TCP's tcp_cleanup_rbuf().  Under the socket lock.
 */
static void roam_stream_announce(struct sock *sk)
{
	roam_stream_window(sk);
	if (test_bit(ROAM_F_MAX_DATA, &roam_sk(sk)->flags))
		roam_output(sk, ROAM_OUT_CONTROL);
}

/*
 * Enough to read for a reader that waits for SO_RCVLOWAT bytes: what
 * roam_poll() reports as EPOLLIN.  As TCP's tcp_epollin_ready(), fewer
 * bytes do once the peer cannot send more until they are read: its
 * window is used up, the next bytes found no room in the buffer, or the
 * protocol's memory is under pressure.  Any context, lockless.
 */
bool roam_stream_readable(const struct sock *sk)
{
	const struct roam_sock *rs = roam_sk(sk);
	u64 nxt = READ_ONCE(rs->stream.rcv_nxt);
	u32 avail = nxt - READ_ONCE(rs->stream.copied);

	if (!avail)
		return false;
	return avail >= max(READ_ONCE(sk->sk_rcvlowat), 1) ||
	       nxt >= READ_ONCE(rs->stream.rcv_max) ||
	       test_bit(ROAM_F_RCV_FULL, &rs->flags) ||
	       sk_under_memory_pressure(sk);
}

/*
 * SO_RCVLOWAT, as TCP's tcp_set_rcvlowat(): a mark the peer can reach.
 * With SO_RCVBUF set it is at most the window, half the buffer;
 * otherwise at most half of rmem[2], and the buffer grows so that its
 * window holds the mark, which the peer learns at once.  A reader that
 * has enough already is woken.  Process context, under the socket lock
 * (sk_setsockopt() takes it).
 */
int roam_stream_set_rcvlowat(struct sock *sk, int val)
{
	bool locked = sk->sk_userlocks & SOCK_RCVBUF_LOCK;
	int cap = locked ? READ_ONCE(sk->sk_rcvbuf) / 2 :
			   READ_ONCE(sk->sk_prot->sysctl_rmem[2]) / 2;

	val = min(val, cap);
	WRITE_ONCE(sk->sk_rcvlowat, val ?: 1);
	if (!locked && val > READ_ONCE(sk->sk_rcvbuf) / 2) {
		WRITE_ONCE(sk->sk_rcvbuf, 2 * val);
		if (roam_sock_connected(sk))
			roam_stream_announce(sk);
	}
	if (roam_stream_readable(sk) || sock_flag(sk, SOCK_DONE))
		sk->sk_data_ready(sk);
	return 0;
}

/* Frees buffers the application has read; wakes nothing. */
static void roam_stream_eat(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_receive_queue);
	__kfree_skb(skb);
}

static int roam_recvmsg_locked(struct sock *sk, struct msghdr *msg, size_t len,
			       int flags)
{
	struct roam_sock *rs = roam_sk(sk);
	struct roam_stream *st = &rs->stream;
	u64 seq = st->copied;
	int copied = 0, target, err;
	struct sk_buff *skb, *last;
	long timeo;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);

	do {
		u32 offset, used;

		last = skb_peek_tail(&sk->sk_receive_queue);
		skb_queue_walk(&sk->sk_receive_queue, skb) {
			offset = seq - ROAM_STREAM_CB(skb)->seq;
			if (offset < skb->len)
				goto found;
		}
		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			/* The peer's FIN is EOF; a reset or timeout is an error. */
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		if (copied >= target) {
			/* Let the backlog in before going on. */
			release_sock(sk);
			lock_sock(sk);
		} else {
			/*
			 * A reader that wants more than the window gets it
			 * only once the peer learns of the room it freed.
			 */
			if (copied && !(flags & MSG_PEEK))
				roam_stream_announce(sk);
			sk_wait_data(sk, &timeo, last);
		}
		/*
		 * Another reader may have taken bytes while the lock was
		 * let go: go on from where it left off, as TCP's reader
		 * does; a peek that fell behind skips what is gone.
		 */
		if (!(flags & MSG_PEEK) || seq < st->copied)
			seq = st->copied;
		continue;

found:
		used = min_t(size_t, skb->len - offset, len);
		if (!(flags & MSG_TRUNC)) {
			err = skb_copy_datagram_msg(skb, offset, msg, used);
			if (err) {
				if (!copied)
					copied = -EFAULT;
				break;
			}
		}
		seq += used;
		copied += used;
		len -= used;
		if (!(flags & MSG_PEEK)) {
			WRITE_ONCE(st->copied, seq);
			if (offset + used == skb->len)
				roam_stream_eat(sk, skb);
		}
	} while (len > 0);

	if (!(flags & MSG_PEEK) && copied > 0) {
		roam_stream_rcv_space(sk);
		roam_stream_announce(sk);
	}
	return copied;
}

int roam_recvmsg(struct socket *sock, struct msghdr *msg, size_t len, int flags)
{
	struct sock *sk = sock->sk;
	int ret;

	if (flags & MSG_OOB)
		return -EINVAL;		/* as TCP without urgent data */
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	lock_sock(sk);
	ret = roam_recvmsg_locked(sk, msg, len, flags);
	release_sock(sk);
	return ret;
}

/* shutdown(SHUT_WR) and close(): a FIN after the bytes already written. */
void roam_stream_shutdown(struct sock *sk)
{
	struct roam_sock *rs = roam_sk(sk);

	if (test_and_set_bit(ROAM_F_FIN_QUEUED, &rs->flags))
		return;
	roam_output(sk, ROAM_OUT_PUSH);
}
