/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Roam's wire format (PROTOCOL.md section 2): the long and
 * short headers and the frames, encoded and decoded.
 */
#ifndef ROAMPEER_PACKET_H
#define ROAMPEER_PACKET_H

#include "ranges.h"

#define PKT_MAX			1200	/* UDP payload: roam's minimum PMTU */
#define LONG_HDR_LEN		36
#define SHORT_HDR_LEN		13
#define SHORT_MIN_LEN		(SHORT_HDR_LEN + 16)
#define COOKIE_LEN		58
#define ROAM_VERSION		1

enum pkt_type {
	PT_INITIAL = 1,
	PT_COOKIE = 2,
	PT_COOKIE_ECHO = 3,
	PT_DONE = 4,
	PT_REJECT = 5,
};

#define INITIAL_LEN		1200
#define COOKIE_PKT_LEN		(LONG_HDR_LEN + COOKIE_LEN)		/* 94 */
#define ECHO_PKT_LEN		(COOKIE_PKT_LEN + 16)			/* 110 */
#define DONE_PKT_LEN		(LONG_HDR_LEN + 16)			/* 52 */
#define REJECT_PKT_LEN		(LONG_HDR_LEN + 1)			/* 37 */

#define HF_REFRESH		0x0001

/* Offsets in the cookie. */
#define CK_NS			0
#define CK_TS			16
#define CK_KEY_ID		20
#define CK_ADDR			24
#define CK_PORT			40
#define CK_MAC			42

enum reject_reason {
	REJECT_NO_LISTENER = 1,
	REJECT_BAD_KEY = 2,
};

enum frame_type {
	FT_PADDING = 0x00,
	FT_PING = 0x01,
	FT_ACK = 0x02,
	FT_ACK_ECN = 0x03,
	FT_STREAM = 0x08,		/* 0x08-0x0b */
	FT_MAX_DATA = 0x10,
	FT_PATH_CHALLENGE = 0x20,
	FT_PATH_RESPONSE = 0x21,
	FT_PATH_GONE = 0x22,
	FT_ADDRESSES = 0x23,
	FT_CLOSE = 0x30,
};

#define STREAM_FIN		0x01
#define STREAM_LEN		0x02
#define STREAM_HDR_MAX		11
#define PATH_DATA_LEN		8

enum close_code {
	CLOSE_NO_ERROR = 0,
	CLOSE_INTERNAL_ERROR = 1,
	CLOSE_PROTOCOL_VIOLATION = 2,
	CLOSE_REFUSED = 3,
};

#define ACK_MAX_RANGES		32
#define MAX_RESPONSES		8

struct long_hdr {
	u8 type;
	u16 flags;
	u64 dcid, scid;
	u8 nonce[16];
};

struct ack_frame {
	u64 largest;
	u16 delay;			/* units of 8 us */
	u32 first;
	u8 count;
	struct {
		u32 gap, len;
	} r[ACK_MAX_RANGES];
	bool ecn;
	u64 ect0, ect1, ce;
};

#define ADDRS_MAX	8	/* addresses in one ADDRESSES frame */

/* Everything one packet's frames say, parsed before any of it is used. */
struct frames {
	bool ack_eliciting;
	bool probing;		/* nothing but PATH_*, PADDING: moves nothing */
	bool has_ack;
	struct ack_frame ack;
	bool has_stream;
	u64 off;
	size_t len;
	const u8 *data;
	bool fin;
	bool has_max_data;
	u64 max_data;
	bool ping;
	bool path_gone;
	bool has_challenge;
	u8 challenge[PATH_DATA_LEN];	/* the last one in the packet */
	int n_resp;
	u8 resp[MAX_RESPONSES][PATH_DATA_LEN];
	bool has_close;
	u8 close_kind;
	u16 close_code;
	bool has_addrs;
	u32 addrs_seq;
	int n_addrs;
	u8 addrs[ADDRS_MAX][16];
};

size_t long_pkt_len(u8 type);
size_t long_hdr_put(u8 *b, u8 type, u16 flags, u64 dcid, u64 scid,
		    const u8 *nonce);
int long_hdr_get(const u8 *b, size_t len, struct long_hdr *h,
		 const char **why);
size_t short_hdr_put(u8 *b, u64 dcid, u64 pn);

size_t put_padding(u8 *b, size_t n);
size_t put_ping(u8 *b);
size_t put_ack(u8 *b, const struct ack_frame *a);
size_t put_stream_hdr(u8 *b, u64 off, size_t len, bool fin, bool with_len);
size_t put_max_data(u8 *b, u64 limit);
size_t put_path(u8 *b, u8 type, const u8 *data);
size_t put_close(u8 *b, u8 kind, u16 code);

void ack_build(struct ack_frame *a, const struct ranges *pns, u16 delay);
int ack_ranges(const struct ack_frame *a, struct range *out);
int frames_parse(const u8 *b, size_t len, struct frames *f,
		 const char **why);

#endif /* ROAMPEER_PACKET_H */
