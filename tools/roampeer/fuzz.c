// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzing commands of roampeer's scripts (script.c).
 *
 *   fuzz SEED COUNT    COUNT packets of random and mutated frames, each
 *                      with a valid tag: what a random packet never gets
 *                      past the tag check with.  Every frame type, field
 *                      edges, ACK ranges huge, overlapping, descending
 *                      or for packets never sent, stream offsets past
 *                      the window and near 2^62, a MAX_DATA that shrinks,
 *                      every PATH_* frame, CLOSE with any code, PADDING
 *                      floods, frames after a CLOSE, unknown types.
 *   garble SEED COUNT  COUNT packets without a valid tag, at the peer's
 *                      port: random and mutated long and short headers,
 *                      truncations, INITIAL and COOKIE_ECHO with bad
 *                      fields, sealed packets with a bit flipped.
 *
 * Both draw from SEED alone (xorshift64*), so that a seed replays its
 * inputs; both stop early when the connection ends, and say after how
 * many inputs and why.  The peer's answers are read as they come.  An
 * odd SEED fuzzes gently: what breaks the protocol, and so ends the
 * connection, comes one time in 64, so that the rest reaches deep into
 * the connection's state (the window, reassembly, ACK processing).
 */
#include <string.h>

#include "fuzz.h"
#include "rng.h"
#include "seal.h"

#define PUMP_EVERY	8	/* inputs between reads of the peer's answers */
#define PUMP_US		2000
#define FRAME_ROOM	(PKT_MAX - SHORT_MIN_LEN)

struct rng {
	u64 s;
	bool gentle;	/* inputs that break the protocol: seldom */
};

/* A number below @n (n > 0). */
static u64 below(struct rng *r, u64 n)
{
	return rng_below(&r->s, n);
}

/* True one time in @n. */
static bool one_in(struct rng *r, u64 n)
{
	return !below(r, n);
}

/*
 * Whether to draw an input that breaks the protocol, which ends the
 * connection: always allowed, or one time in 64 on a gentle connection,
 * so that those go deep into its state.
 */
static bool harsh(struct rng *r)
{
	return !r->gentle || one_in(r, 64);
}

/* A value near the edges of fixed-width fields, or any value. */
static u64 edge64(struct rng *r)
{
	static const u64 edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		(1ULL << 62) - 1, 1ULL << 62, (1ULL << 62) + 1, 1ULL << 63,
		UINT64_MAX - 1, UINT64_MAX,
	};

	if (one_in(r, 4))
		return rng_next(&r->s);
	return edges[below(r, ARRAY_SIZE(edges))];
}

/* @base moved by a little, either way, or an edge. */
static u64 near(struct rng *r, u64 base)
{
	switch (below(r, 4)) {
	case 0:
		return base;
	case 1:
		return base + below(r, 4);
	case 2:
		return base - below(r, 4);
	}
	return edge64(r);
}

/* An ACK frame of packet numbers the peer sent, never sent, or impossible. */
static size_t gen_ack(struct rng *r, const struct conn *c, u8 *b, size_t room)
{
	struct ack_frame a = { .ecn = one_in(r, 4) };
	u64 top = c->rx_largest;
	size_t need;
	int i;

	if (!harsh(r)) {	/* what the peer sent, in ranges above 0 */
		if (room < 16)
			return 0;
		a.ecn = false;
		a.largest = top - below(r, MIN(top, 3) + 1);
		a.delay = below(r, 64);
		a.first = below(r, MIN(a.largest, 4) + 1);
		return put_ack(b, &a);
	}
	a.largest = one_in(r, 2) ? near(r, top) : edge64(r);
	a.delay = one_in(r, 2) ? below(r, 64) : edge64(r);
	a.first = one_in(r, 2) ? below(r, 8) : edge64(r);
	a.count = one_in(r, 2) ? below(r, 4) : below(r, ACK_MAX_RANGES + 1);
	for (i = 0; i < a.count; i++) {
		a.r[i].gap = one_in(r, 2) ? below(r, 4) : edge64(r);
		a.r[i].len = one_in(r, 2) ? below(r, 4) : edge64(r);
	}
	a.ect0 = edge64(r);
	a.ect1 = edge64(r);
	a.ce = edge64(r);
	need = 16 + 8 * a.count + (a.ecn ? 24 : 0);
	if (need > room)
		return 0;
	need = put_ack(b, &a);
	/* Sometimes a range count the frame does not carry. */
	if (one_in(r, 8))
		b[15] = rng_next(&r->s);
	return need;
}

/* A STREAM frame anywhere: in the window, past it, near 2^62 or 2^64. */
static size_t gen_stream(struct rng *r, const struct conn *c, u8 *b,
			 size_t room)
{
	bool gentle = !harsh(r);
	bool with_len = gentle || !one_in(r, 4), fin = !gentle && one_in(r, 8);
	size_t hdr = with_len ? 11 : 9, len;
	u64 off, win;

	if (room < hdr)
		return 0;
	len = below(r, 4) ? below(r, 64) : below(r, room - hdr + 1);
	len = MIN(len, room - hdr);
	if (gentle) {		/* anywhere in the window */
		win = c->tx.limit > c->tx.next ? c->tx.limit - c->tx.next : 0;
		len = MIN(len, win);
		put_stream_hdr(b, c->tx.next + below(r, win - len + 1), len, false, true);
		rng_fill(&r->s, b + hdr, len);
		return hdr + len;
	}
	switch (below(r, 6)) {
	case 0:
		off = near(r, c->tx.next);
		break;
	case 1:
		off = near(r, c->tx.limit);
		break;
	case 2:
		off = (1ULL << 62) - below(r, 2 * len + 2);
		break;
	case 3:
		off = UINT64_MAX - below(r, 2 * len + 2);
		break;
	default:
		off = edge64(r);
	}
	put_stream_hdr(b, off, len, fin, with_len);
	rng_fill(&r->s, b + hdr, len);
	if (!with_len)		/* it runs to the end of the packet */
		return room;
	/* Sometimes a length the packet does not hold. */
	if (one_in(r, 8))
		put_be16(b + 9, rng_next(&r->s));
	return hdr + len;
}

/* One frame of any type, or of none; its length, 0 if it does not fit. */
static size_t gen_frame(struct rng *r, const struct conn *c, u8 *b,
			size_t room)
{
	u8 data[PATH_DATA_LEN];
	size_t n;

	if (!room)
		return 0;
	switch (below(r, 13)) {
	case 0:			/* a PADDING run, up to the whole packet */
		return put_padding(b, one_in(r, 4) ? room : 1 + below(r, room));
	case 1:
		return put_ping(b);
	case 2:
	case 3:
		return gen_ack(r, c, b, room);
	case 4:
	case 5:
		return gen_stream(r, c, b, room);
	case 6:			/* MAX_DATA: shrinking, equal, growing, edges */
		return room < 9 ? 0 : put_max_data(b, near(r, c->rx.limit));
	case 7:
		rng_fill(&r->s, data, sizeof(data));
		return room < 9 ? 0 : put_path(b, FT_PATH_CHALLENGE, data);
	case 8:
		rng_fill(&r->s, data, sizeof(data));
		if (one_in(r, 2))	/* the answer to our own challenge */
			memcpy(data, c->chal, sizeof(data));
		return room < 9 ? 0 : put_path(b, FT_PATH_RESPONSE, data);
	case 9:
		b[0] = FT_PATH_GONE;
		return 1;
	case 10:		/* ADDRESSES: a server's, from the client */
		n = below(r, ADDRS_MAX + (harsh(r) ? 2 : 1));
		if (room < 6 + 16 * n)
			return 0;
		b[0] = FT_ADDRESSES;
		put_be32(b + 1, edge64(r));
		b[5] = n;
		rng_fill(&r->s, b + 6, 16 * n);
		return 6 + 16 * n;
	case 11:		/* CLOSE, seldom: it ends the connection */
		if (room < 4 || !one_in(r, 16) || !harsh(r))
			return 0;
		return put_close(b, rng_next(&r->s), edge64(r));
	}
	if (!harsh(r))
		return put_ping(b);
	/* A type no frame has, and what may follow it. */
	do {
		b[0] = rng_next(&r->s);
	} while (b[0] <= FT_CLOSE);
	n = 1 + below(r, 16);
	n = MIN(room, n);
	rng_fill(&r->s, b + 1, n - 1);
	return n;
}

/* Bits flipped, bytes set to edges, or the end cut off. */
static size_t mutate(struct rng *r, u8 *b, size_t n, size_t room)
{
	int k = 1 + below(r, 3);

	while (k-- && n) {
		switch (below(r, 4)) {
		case 0:
			b[below(r, n)] ^= 1 << below(r, 8);
			break;
		case 1:
			b[below(r, n)] = one_in(r, 2) ? 0xff : 0;
			break;
		case 2:
			n = below(r, n + 1);
			break;
		default:	/* a stretch repeated, as far as room allows */
			if (n < room) {
				size_t from = below(r, n);
				size_t len = MIN(n - from, room - n);

				memmove(b + from + len, b + from, n - from);
				n += len;
			}
		}
	}
	return n;
}

/* conn_run() predicate: never done; it reads until the deadline. */
static bool never(struct conn *c, void *arg)
{
	(void)c;
	(void)arg;
	return false;
}

/* Reads what the peer sent meanwhile; whether the connection is open. */
static bool pump(struct conn *c, u64 us)
{
	conn_run(c, never, NULL, now_us() + us);
	return c->state == ST_OPEN;
}

/* Prints the report line of a fuzzing command. */
static void report(struct conn *c, const char *what, u64 seed, u64 sent,
		   u64 count, u64 t0, FILE *out)
{
	double secs = (now_us() - t0) / 1e6;

	fprintf(out, "%s %llu: %llu of %llu inputs in %.2f s, %.0f/s", what,
		(unsigned long long)seed, (unsigned long long)sent,
		(unsigned long long)count, secs, secs > 0 ? sent / secs : 0.0);
	if (c->state == ST_CLOSED)
		fprintf(out, "; connection ended: %s", conn_end_str(c));
	else if (c->state != ST_OPEN)
		fputs("; the connection is draining", out);
	fputc('\n', out);
}

void fuzz_frames(struct conn *c, u64 seed, u64 count, FILE *out)
{
	struct rng r = { .s = seed * 2 + 1, .gentle = seed & 1 };
	u64 t0 = now_us(), sent;
	u8 f[FRAME_ROOM];

	for (sent = 0; sent < count && c->state == ST_OPEN; sent++) {
		size_t n = 0, k = 1 + below(&r, 4);

		while (k--)
			n += gen_frame(&r, c, f + n, sizeof(f) - n);
		if (harsh(&r) && one_in(&r, 4))
			n = mutate(&r, f, n, sizeof(f));
		send_packet(c, f, n, NULL, NULL);
		if (!((sent + 1) % PUMP_EVERY))
			pump(c, PUMP_US);
	}
	pump(c, PUMP_US);
	report(c, "fuzz", seed, sent, count, t0, out);
}

/* A long header packet: any type and version, real or random fields. */
static size_t gen_long(struct rng *r, const struct conn *c, u8 *b)
{
	u8 type = one_in(r, 2) ? 1 + below(r, PT_REJECT) : below(r, 128);
	size_t n = long_pkt_len(type);

	if (type == PT_COOKIE_ECHO && one_in(r, 2)) {
		memcpy(b, c->echo, ECHO_PKT_LEN);	/* ours, then mutated */
		n = ECHO_PKT_LEN;
	} else {
		long_hdr_put(b, type, edge64(r), one_in(r, 2) ? c->scid : edge64(r),
			     one_in(r, 2) ? c->ccid : edge64(r), NULL);
		rng_fill(&r->s, b + 20, 16);
		if (!n)
			n = LONG_HDR_LEN + below(r, PKT_MAX - LONG_HDR_LEN);
		rng_fill(&r->s, b + LONG_HDR_LEN, n - LONG_HDR_LEN);
	}
	if (one_in(r, 4))
		b[1] = rng_next(&r->s);			/* the version */
	return n;
}

void fuzz_garble(struct conn *c, u64 seed, u64 count, FILE *out)
{
	struct rng r = { .s = seed * 2 + 1 };
	u64 t0 = now_us(), sent;
	u8 b[PKT_MAX + TAG_LEN], f[FRAME_ROOM];
	size_t n;

	for (sent = 0; sent < count && c->state == ST_OPEN; sent++) {
		switch (below(&r, 4)) {
		case 0:
			n = gen_long(&r, c, b);
			break;
		case 1:		/* our connection's header, a random rest */
			n = short_hdr_put(b, c->scid, near(&r, c->tx_pn));
			n += below(&r, sizeof(b) - n);
			rng_fill(&r.s, b + SHORT_HDR_LEN, n - SHORT_HDR_LEN);
			break;
		case 2:		/* a packet of ours, sealed, then a bit flipped */
			n = gen_frame(&r, c, f, sizeof(f));
			/* A packet number of its own: a nonce is used once. */
			n = short_seal(b, c->key_tx, c->cfg.psk_mode, c->scid,
				       c->tx_pn++, f, n);
			if (!n)
				continue;
			b[below(&r, n)] ^= 1 << below(&r, 8);
			break;
		default:	/* anything at all */
			n = below(&r, sizeof(b) + 1);
			rng_fill(&r.s, b, n);
		}
		if (one_in(&r, 4))
			n = below(&r, n + 1);
		send_raw(c, b, n);
		if (!((sent + 1) % PUMP_EVERY))
			pump(c, PUMP_US);
	}
	pump(c, PUMP_US);
	report(c, "garble", seed, sent, count, t0, out);
}
