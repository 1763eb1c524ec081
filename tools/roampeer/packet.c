// SPDX-License-Identifier: GPL-2.0
/*
 * Encoders and decoders for roam's headers and frames, with
 * the rules of PROTOCOL.md section 2 that need nothing but the bytes:
 * sizes, the version, frame layouts, at most one ACK and one STREAM frame
 * per packet, ACK ranges that stay above 0.  No state, no crypto.
 */
#include <string.h>

#include "packet.h"

/* The least size of a long-header packet of @type, or 0 if unknown. */
size_t long_pkt_len(u8 type)
{
	switch (type) {
	case PT_INITIAL:
		return INITIAL_LEN;
	case PT_COOKIE:
		return COOKIE_PKT_LEN;
	case PT_COOKIE_ECHO:
		return ECHO_PKT_LEN;
	case PT_DONE:
		return DONE_PKT_LEN;
	case PT_REJECT:
		return REJECT_PKT_LEN;
	}
	return 0;
}

/* Writes a long header (36 bytes); a NULL @nonce is 16 zero bytes. */
size_t long_hdr_put(u8 *b, u8 type, u16 flags, u64 dcid, u64 scid,
		    const u8 *nonce)
{
	b[0] = 0x80 | type;
	b[1] = ROAM_VERSION;
	put_be16(b + 2, flags);
	put_be64(b + 4, dcid);
	put_be64(b + 12, scid);
	if (nonce)
		memcpy(b + 20, nonce, 16);
	else
		memset(b + 20, 0, 16);
	return LONG_HDR_LEN;
}

/*
 * Reads a long header and checks what the header alone decides: the
 * version, a known type and the packet's least size.  0, or -1 and why.
 */
int long_hdr_get(const u8 *b, size_t len, struct long_hdr *h,
		 const char **why)
{
	if (len < LONG_HDR_LEN || !(b[0] & 0x80)) {
		*why = "short long header";
		return -1;
	}
	if (b[1] != ROAM_VERSION) {
		*why = "version is not 1";
		return -1;
	}
	h->type = b[0] & 0x7f;
	if (!long_pkt_len(h->type)) {
		*why = "unknown long header type";
		return -1;
	}
	if (len < long_pkt_len(h->type)) {
		*why = "shorter than its type's size";
		return -1;
	}
	h->flags = get_be16(b + 2);
	h->dcid = get_be64(b + 4);
	h->scid = get_be64(b + 12);
	memcpy(h->nonce, b + 20, 16);
	return 0;
}

/* Writes a short header: 0x40, the destination CID, pn's low 32 bits. */
size_t short_hdr_put(u8 *b, u64 dcid, u64 pn)
{
	b[0] = 0x40;
	put_be64(b + 1, dcid);
	put_be32(b + 9, (u32)pn);
	return SHORT_HDR_LEN;
}

/* Writes @n PADDING frames. */
size_t put_padding(u8 *b, size_t n)
{
	memset(b, FT_PADDING, n);
	return n;
}

/* Writes a PING frame. */
size_t put_ping(u8 *b)
{
	b[0] = FT_PING;
	return 1;
}

/* Writes an ACK (or, with a->ecn, ACK_ECN) frame. */
size_t put_ack(u8 *b, const struct ack_frame *a)
{
	size_t n = 16;
	int i;

	b[0] = a->ecn ? FT_ACK_ECN : FT_ACK;
	put_be64(b + 1, a->largest);
	put_be16(b + 9, a->delay);
	put_be32(b + 11, a->first);
	b[15] = a->count;
	for (i = 0; i < a->count; i++, n += 8) {
		put_be32(b + n, a->r[i].gap);
		put_be32(b + n + 4, a->r[i].len);
	}
	if (a->ecn) {
		put_be64(b + n, a->ect0);
		put_be64(b + n + 8, a->ect1);
		put_be64(b + n + 16, a->ce);
		n += 24;
	}
	return n;
}

/* Writes a STREAM frame's type, offset and (if @with_len) length. */
size_t put_stream_hdr(u8 *b, u64 off, size_t len, bool fin, bool with_len)
{
	b[0] = FT_STREAM | (fin ? STREAM_FIN : 0) | (with_len ? STREAM_LEN : 0);
	put_be64(b + 1, off);
	if (!with_len)
		return 9;
	put_be16(b + 9, len);
	return 11;
}

/* Writes a MAX_DATA frame. */
size_t put_max_data(u8 *b, u64 limit)
{
	b[0] = FT_MAX_DATA;
	put_be64(b + 1, limit);
	return 9;
}

/* Writes a PATH_CHALLENGE or PATH_RESPONSE frame. */
size_t put_path(u8 *b, u8 type, const u8 *data)
{
	b[0] = type;
	memcpy(b + 1, data, PATH_DATA_LEN);
	return 1 + PATH_DATA_LEN;
}

/* Writes a CLOSE frame. */
size_t put_close(u8 *b, u8 kind, u16 code)
{
	b[0] = FT_CLOSE;
	b[1] = kind;
	put_be16(b + 2, code);
	return 4;
}

/*
 * Fills an ACK frame from a set of received packet numbers: the highest
 * range first, then up to 32 more, newest first.
 */
void ack_build(struct ack_frame *a, const struct ranges *pns, u16 delay)
{
	const struct range *r = &pns->r[pns->n - 1];
	u64 smallest = r->lo;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->largest = r->hi - 1;
	a->delay = delay;
	a->first = MIN(r->hi - 1 - r->lo, UINT32_MAX);
	for (i = pns->n - 1; i > 0 && a->count < ACK_MAX_RANGES; i--) {
		r = &pns->r[i - 1];
		a->r[a->count].gap = MIN(smallest - (r->hi - 1) - 2, UINT32_MAX);
		a->r[a->count].len = MIN(r->hi - 1 - r->lo, UINT32_MAX);
		a->count++;
		smallest = r->lo;
	}
}

/*
 * The packet numbers an ACK frame acknowledges, as half-open ranges,
 * newest first: how many, or -1 if a range reaches below 0.
 */
int ack_ranges(const struct ack_frame *a, struct range *out)
{
	u64 hi = a->largest, lo;
	int i;

	if (a->first > hi)
		return -1;
	lo = hi - a->first;
	out[0].lo = lo;
	out[0].hi = hi + 1;
	for (i = 0; i < a->count; i++) {
		if (lo < (u64)a->r[i].gap + 2)
			return -1;
		hi = lo - a->r[i].gap - 2;
		if (a->r[i].len > hi)
			return -1;
		lo = hi - a->r[i].len;
		out[i + 1].lo = lo;
		out[i + 1].hi = hi + 1;
	}
	return a->count + 1;
}

/* Parses the ranges of an ACK or ACK_ECN frame at @b: its size, or 0. */
static size_t parse_ack(const u8 *b, size_t len, struct ack_frame *a,
			const char **why)
{
	struct range tmp[ACK_MAX_RANGES + 1];
	size_t n = 16;
	int i;

	if (len < 16)
		goto short_frame;
	a->ecn = b[0] == FT_ACK_ECN;
	a->largest = get_be64(b + 1);
	a->delay = get_be16(b + 9);
	a->first = get_be32(b + 11);
	a->count = b[15];
	if (a->count > ACK_MAX_RANGES) {
		*why = "ACK with more than 32 ranges";
		return 0;
	}
	if (len < n + 8 * a->count + (a->ecn ? 24 : 0))
		goto short_frame;
	for (i = 0; i < a->count; i++, n += 8) {
		a->r[i].gap = get_be32(b + n);
		a->r[i].len = get_be32(b + n + 4);
	}
	if (a->ecn) {
		a->ect0 = get_be64(b + n);
		a->ect1 = get_be64(b + n + 8);
		a->ce = get_be64(b + n + 16);
		n += 24;
	}
	if (ack_ranges(a, tmp) < 0) {
		*why = "ACK range below 0";
		return 0;
	}
	return n;
short_frame:
	*why = "ACK runs past the tag";
	return 0;
}

/* Parses a STREAM frame at @b: its size, or 0. */
static size_t parse_stream(const u8 *b, size_t len, struct frames *f,
			   const char **why)
{
	size_t n = 9;

	if (len < 9 || ((b[0] & STREAM_LEN) && len < 11)) {
		*why = "STREAM runs past the tag";
		return 0;
	}
	f->off = get_be64(b + 1);
	f->fin = b[0] & STREAM_FIN;
	if (b[0] & STREAM_LEN) {
		f->len = get_be16(b + 9);
		n = 11;
		if (len - n < f->len) {
			*why = "STREAM runs past the tag";
			return 0;
		}
	} else {
		f->len = len - n;
	}
	if (f->off > UINT64_MAX - f->len) {
		*why = "STREAM passes 2^64 - 1";
		return 0;
	}
	f->data = b + n;
	f->has_stream = true;
	return n + f->len;
}

/*
 * Parses a packet's frames whole: 0, or -1 and why for a malformed
 * packet (unknown frame, a frame past the end, a second ACK or STREAM).
 */
int frames_parse(const u8 *b, size_t len, struct frames *f, const char **why)
{
	size_t i = 0, n;
	u8 type;

	memset(f, 0, sizeof(*f));
	f->probing = true;
	while (i < len) {
		type = b[i];
		n = 1;
		if (type != FT_PADDING && type != FT_PATH_CHALLENGE &&
		    type != FT_PATH_RESPONSE)
			f->probing = false;
		switch (type) {
		case FT_PADDING:
			break;
		case FT_PING:
			f->ping = true;
			f->ack_eliciting = true;
			break;
		case FT_ACK:
		case FT_ACK_ECN:
			if (f->has_ack) {
				*why = "second ACK";
				return -1;
			}
			n = parse_ack(b + i, len - i, &f->ack, why);
			if (!n)
				return -1;
			f->has_ack = true;
			break;
		case FT_STREAM ... FT_STREAM | STREAM_FIN | STREAM_LEN:
			if (f->has_stream) {
				*why = "second STREAM";
				return -1;
			}
			n = parse_stream(b + i, len - i, f, why);
			if (!n)
				return -1;
			f->ack_eliciting = true;
			break;
		case FT_MAX_DATA:
			if (len - i < 9)
				goto short_frame;
			f->max_data = MAX(f->max_data, get_be64(b + i + 1));
			f->has_max_data = true;
			f->ack_eliciting = true;
			n = 9;
			break;
		case FT_PATH_CHALLENGE:
		case FT_PATH_RESPONSE:
			if (len - i < 1 + PATH_DATA_LEN)
				goto short_frame;
			if (type == FT_PATH_CHALLENGE) {
				memcpy(f->challenge, b + i + 1, PATH_DATA_LEN);
				f->has_challenge = true;
			} else if (f->n_resp < MAX_RESPONSES) {
				memcpy(f->resp[f->n_resp++], b + i + 1,
				       PATH_DATA_LEN);
			}
			f->ack_eliciting = true;
			n = 1 + PATH_DATA_LEN;
			break;
		case FT_PATH_GONE:
			f->path_gone = true;
			f->ack_eliciting = true;
			break;
		case FT_ADDRESSES:
			if (len - i < 6 || b[i + 5] > ADDRS_MAX ||
			    len - i < 6 + 16 * (size_t)b[i + 5])
				goto short_frame;
			f->has_addrs = true;
			f->addrs_seq = get_be32(b + i + 1);
			f->n_addrs = b[i + 5];
			memcpy(f->addrs, b + i + 6, 16 * f->n_addrs);
			f->ack_eliciting = true;
			n = 6 + 16 * f->n_addrs;
			break;
		case FT_CLOSE:
			if (len - i < 4)
				goto short_frame;
			if (!f->has_close) {
				f->close_kind = b[i + 1];
				f->close_code = get_be16(b + i + 2);
			}
			f->has_close = true;
			n = 4;
			break;
		default:
			*why = "unknown frame type";
			return -1;
		}
		i += n;
	}
	return 0;
short_frame:
	*why = "frame runs past the tag";
	return -1;
}
