// SPDX-License-Identifier: GPL-2.0
/*
 * The one byte stream of a connection, both ways (PROTOCOL.md
 * section 5).  Sending: bytes come from a file descriptor, a generated
 * pattern or a script, stay buffered until acknowledged, and lost ranges
 * are sent again before new bytes; the FIN follows the last byte.
 * Receiving: bytes land in a ring of one window, are delivered in order,
 * MAX_DATA moves on when a quarter of the window is used, and data past
 * our MAX_DATA or a FIN that moves is a protocol violation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"

#define SNDBUF_MAX	(4U << 20)
#define READ_CHUNK	65536

/* The generated stream: byte i is i mod 251, so offsets show in the data. */
void pattern_fill(u64 off, size_t len, u8 *dst)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = (off + i) % 251;
}

/*
 * Sets up both streams: send from @in_fd (-1: the pattern, queued with
 * tx_queue()), deliver to @out_fd (-1: nowhere).  0, or -1.
 */
int stream_init(struct conn *c, int in_fd, int out_fd)
{
	c->tx.in_fd = in_fd;
	c->rx.out_fd = out_fd;
	c->rx.window = c->cfg.window;
	c->rx.limit = c->rx.window;
	c->rx.ring = malloc(c->rx.window);
	if (!c->rx.ring) {
		msg("out of memory for a %llu-byte window",
		    (unsigned long long)c->rx.window);
		return -1;
	}
	if (sha256_init(&c->tx.sha) || sha256_init(&c->rx.sha)) {
		msg("SHA-256 is not available");
		return -1;
	}
	return 0;
}

/* Frees both streams' buffers; the digests are finished if still open. */
void stream_free(struct conn *c)
{
	if (c->tx.sha)
		sha256_hex(c->tx.sha, c->tx.sha_hex);
	if (c->rx.sha)
		sha256_hex(c->rx.sha, c->rx.sha_hex);
	c->tx.sha = NULL;
	c->rx.sha = NULL;
	free(c->tx.buf);
	free(c->rx.ring);
	c->tx.buf = NULL;
	c->rx.ring = NULL;
	ranges_free(&c->tx.acked);
	ranges_free(&c->tx.retx);
	ranges_free(&c->rx.got);
}

/* Makes room for @n more bytes in the send buffer.  0, or -1. */
static int tx_reserve(struct tx_stream *t, size_t n)
{
	size_t used = t->end - t->base, cap;
	u8 *buf;

	if (t->cap - used >= n)
		return 0;
	cap = MAX(2 * t->cap, used + n);
	buf = realloc(t->buf, cap);
	if (!buf)
		return -1;
	t->buf = buf;
	t->cap = cap;
	return 0;
}

/* Buffers pattern bytes still queued, up to the send buffer's size. */
static void tx_fill_pattern(struct conn *c)
{
	struct tx_stream *t = &c->tx;
	size_t n;

	while (t->pattern && t->end - t->base < SNDBUF_MAX) {
		n = MIN(t->pattern, (u64)READ_CHUNK);
		if (tx_reserve(t, n)) {
			conn_close_with(c, END_ERROR, 1, CLOSE_INTERNAL_ERROR,
					"out of memory");
			return;
		}
		pattern_fill(t->end, n, t->buf + (t->end - t->base));
		t->end += n;
		t->pattern -= n;
	}
}

/* Queues @n more pattern bytes. */
void tx_queue(struct conn *c, u64 n)
{
	c->tx.pattern += n;
	tx_fill_pattern(c);
}

/* Queues bytes given: 0, or -1 if memory runs out. */
int tx_append(struct conn *c, const u8 *data, size_t len)
{
	struct tx_stream *t = &c->tx;

	if (tx_reserve(t, len))
		return -1;
	memcpy(t->buf + (t->end - t->base), data, len);
	t->end += len;
	return 0;
}

/* Whether every byte queued has been sent and acknowledged. */
bool tx_acked_all(const struct conn *c)
{
	return !c->tx.pattern && c->tx.una >= c->tx.end;
}

/* No more bytes: a FIN goes after the last one queued. */
void tx_finish(struct conn *c)
{
	if (c->tx.eof)
		return;
	c->tx.eof = true;
	c->tx.fin_need = true;
}

/* Whether the send buffer takes input from the descriptor now. */
bool tx_wants_input(const struct conn *c)
{
	return c->tx.in_fd >= 0 && !c->tx.eof &&
	       c->tx.end - c->tx.base < SNDBUF_MAX;
}

/* Reads what the input descriptor has into the send buffer. */
void tx_read(struct conn *c)
{
	struct tx_stream *t = &c->tx;
	ssize_t n;

	if (!tx_wants_input(c))
		return;
	if (tx_reserve(t, READ_CHUNK)) {
		conn_close_with(c, END_ERROR, 1, CLOSE_INTERNAL_ERROR,
				"out of memory");
		return;
	}
	n = read(t->in_fd, t->buf + (t->end - t->base),
		 t->cap - (t->end - t->base));
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		msg("read: %s", strerror(errno));
		conn_close_with(c, END_ERROR, 1, CLOSE_INTERNAL_ERROR,
				"reading the input failed");
		return;
	}
	if (!n)
		tx_finish(c);
	t->end += n;
}

/*
 * The next stream chunk to send in @room bytes: lost bytes first, then
 * new ones below the peer's MAX_DATA, then a lone FIN.  Whether there
 * is one; nothing is consumed until tx_sent().
 */
bool tx_chunk(struct conn *c, size_t room, u64 *off, size_t *len, bool *fin)
{
	struct tx_stream *t = &c->tx;
	u64 avail;

	tx_fill_pattern(c);
	avail = MIN(t->end, t->limit_known ? t->limit : 0);
	if (t->retx.n) {
		*off = t->retx.r[0].lo;
		*len = MIN(t->retx.r[0].hi - *off, room);
	} else if (t->next < avail && room) {
		*off = t->next;
		*len = MIN(avail - t->next, room);
	} else if (t->fin_need && t->eof && !t->pattern && t->next == t->end) {
		*off = t->end;
		*len = 0;
	} else {
		return false;
	}
	*fin = t->fin_need && t->eof && !t->pattern && *off + *len == t->end;
	return true;
}

/*
 * A chunk goes out: copies its bytes to @dst, and new bytes advance
 * next (and the digest).
 */
void tx_sent(struct conn *c, u64 off, size_t len, bool fin, u8 *dst)
{
	struct tx_stream *t = &c->tx;

	if (len)	/* a FIN alone may go out before any byte is buffered */
		memcpy(dst, t->buf + (off - t->base), len);
	if (off + len > t->next) {
		sha256_update(t->sha, dst + (t->next - off), off + len - t->next);
		t->next = off + len;
	}
	ranges_del(&t->retx, off, off + len);
	if (fin)
		t->fin_need = false;
}

/* Drops acknowledged bytes from the front of the send buffer. */
static void tx_trim(struct tx_stream *t)
{
	size_t drop = t->una - t->base;

	if (!drop || drop < t->cap / 2)
		return;
	memmove(t->buf, t->buf + drop, t->end - t->una);
	t->base = t->una;
}

/* Bytes [off, off + len), and the FIN with @fin, were acknowledged. */
void tx_acked(struct conn *c, u64 off, size_t len, bool fin)
{
	struct tx_stream *t = &c->tx;

	ranges_add(&t->acked, off, off + len);
	ranges_del(&t->retx, off, off + len);
	t->una = ranges_end_from(&t->acked, t->una);
	if (fin)
		t->fin_pkt_acked = true;
	if (t->fin_pkt_acked && t->eof && !t->pattern && t->una >= t->end)
		t->fin_acked = true;
	tx_trim(t);
}

/* Bytes [off, off + len) were lost: what is not acked goes again. */
void tx_lost(struct conn *c, u64 off, size_t len, bool fin)
{
	struct tx_stream *t = &c->tx;
	const struct range *r;
	size_t i;

	if (fin && !t->fin_pkt_acked)
		t->fin_need = true;
	if (!len)
		return;
	ranges_add(&t->retx, off, off + len);
	for (i = 0; i < t->acked.n; i++) {
		r = &t->acked.r[i];
		if (r->hi > off && r->lo < off + len)
			ranges_del(&t->retx, MAX(r->lo, off),
				   MIN(r->hi, off + len));
	}
}

/* Hands the bytes [next, hi) in the ring to the application. */
static int rx_deliver(struct conn *c, u64 hi)
{
	struct rx_stream *r = &c->rx;
	size_t at, n;

	while (r->next < hi) {
		at = r->next % r->window;
		n = MIN(hi - r->next, r->window - at);
		sha256_update(r->sha, r->ring + at, n);
		if (r->out_fd >= 0 && write_all(r->out_fd, r->ring + at, n)) {
			msg("write: %s", strerror(errno));
			conn_close_with(c, END_ERROR, 1, CLOSE_INTERNAL_ERROR,
					"writing the output failed");
			return -1;
		}
		r->next += n;
	}
	return 0;
}

/* Copies [off, off + len) of @data into the ring. */
static void rx_store(struct rx_stream *r, u64 off, const u8 *data, size_t len)
{
	size_t at, n;

	while (len) {
		at = off % r->window;
		n = MIN(len, r->window - at);
		memcpy(r->ring + at, data, n);
		off += n;
		data += n;
		len -= n;
	}
}

/*
 * A STREAM frame: checked against our MAX_DATA and the FIN, stored,
 * delivered in order.  0, or -1 once the connection has been aborted.
 */
int rx_data(struct conn *c, const struct frames *f)
{
	struct rx_stream *r = &c->rx;
	u64 end = f->off + f->len, lo;

	if (r->fin && (end > r->final || (f->fin && end != r->final))) {
		conn_close_with(c, END_VIOLATION, 1, CLOSE_PROTOCOL_VIOLATION,
				"the peer moved its FIN");
		return -1;
	}
	if (f->fin && !r->fin && end < r->highest) {
		conn_close_with(c, END_VIOLATION, 1, CLOSE_PROTOCOL_VIOLATION,
				"FIN below data already received");
		return -1;
	}
	if (end > r->limit) {
		conn_close_with(c, END_VIOLATION, 1, CLOSE_PROTOCOL_VIOLATION,
				"data beyond our MAX_DATA");
		return -1;
	}
	if (f->fin) {
		r->fin = true;
		r->final = end;
	}
	r->highest = MAX(r->highest, end);
	lo = MAX(f->off, r->next);
	if (lo < end) {
		rx_store(r, lo, f->data + (lo - f->off), end - lo);
		ranges_add(&r->got, lo, end);
	}
	if (r->got.n && r->got.r[0].lo == r->next) {
		u64 hi = r->got.r[0].hi;

		ranges_del(&r->got, r->next, hi);
		if (rx_deliver(c, hi))
			return -1;
	}
	if (r->fin && r->next == r->final && !r->done) {
		r->done = true;
		c->ack_now = true;
	}
	if (!r->fin && r->next + r->window - r->limit >= r->window / 4) {
		r->limit = r->next + r->window;
		r->limit_need = true;
	}
	return 0;
}
