/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every protocol constant of roam, in one place: wire format, defaults,
 * limits and timers.  docs/PROTOCOL.md explains them.
 */
#ifndef _ROAM_PROTOCOL_H
#define _ROAM_PROTOCOL_H

#include <linux/in6.h>
#include <linux/sizes.h>
#include <linux/types.h>

/*
 * Config defaults and ranges.  Times are milliseconds.  The ranges are
 * plain numbers because the netlink error messages quote them.
 */
#define ROAM_DEF_PORT_MIN		60001	/* mosh's range */
#define ROAM_DEF_PORT_MAX		60999
#define ROAM_DEF_BACKLOG_MAX		4096	/* as somaxconn */
#define ROAM_DEF_HS_TIMEOUT		1000
#define ROAM_DEF_HS_RETRIES		6
#define ROAM_DEF_IDLE_TIMEOUT		300000
#define ROAM_DEF_KEEPALIVE		25000
#define ROAM_DEF_ASSOC_TIMEOUT		40000	/* mosh's SERVER_ASSOCIATION_TIMEOUT */
#define ROAM_DEF_HOP_INTERVAL		10000	/* mosh's PORT_HOP_INTERVAL */
#define ROAM_DEF_COOKIE_LIFETIME	30000
#define ROAM_DEF_PROBE_MAX		500	/* section 5: first byte within 1 s of a return */
#define ROAM_DEF_ADVERTISE		1	/* servers send ADDRESSES (section 7) */

#define ROAM_MIN_PORT			1
#define ROAM_MAX_PORT			65535
#define ROAM_MIN_BACKLOG		1
#define ROAM_MAX_BACKLOG		65535
#define ROAM_MIN_HS_TIMEOUT		10
#define ROAM_MAX_HS_TIMEOUT		60000
#define ROAM_MIN_HS_RETRIES		0
#define ROAM_MAX_HS_RETRIES		20
#define ROAM_MIN_TIMER			100
#define ROAM_MAX_TIMER			86400000	/* a day */
#define ROAM_MAX_IDLE_TIMEOUT		604800000	/* a week */
#define ROAM_MIN_COOKIE_LIFETIME	1000
#define ROAM_MAX_COOKIE_LIFETIME	600000
#define ROAM_MAX_KEYS			1024	/* pre-shared keys per namespace */
#define ROAM_COOKIES_SPENT_MAX		65536	/* recorded per namespace (cookie.c) */
#define ROAM_RX_CRYPT_INLINE		600	/* smaller ones may be opened at once */

/* ---------------------------------------------------------------- */
/* Wire format (docs/PROTOCOL.md section 2).  Big-endian throughout. */

#define ROAM_VERSION			1
#define ROAM_HDR_LONG			0x80	/* first byte: handshake packet */
#define ROAM_HDR_SHORT			0x40	/* first byte: protected packet */
#define ROAM_HDR_KEY_PHASE		0x20
#define ROAM_HDR_TYPE_MASK		0x0f

enum roam_packet_type {
	ROAM_PT_INITIAL = 1,
	ROAM_PT_COOKIE = 2,
	ROAM_PT_COOKIE_ECHO = 3,
	ROAM_PT_DONE = 4,
	ROAM_PT_REJECT = 5,
};

/* Long header flags. */
#define ROAM_HF_REFRESH			0x0001	/* COOKIE: replaces the one echoed */

enum roam_reject_reason {
	ROAM_REJECT_NO_LISTENER = 1,
	ROAM_REJECT_BAD_KEY = 2,
};

#define ROAM_NONCE_LEN			16
#define ROAM_TAG_LEN			16	/* Poly1305 */
#define ROAM_KEY_LEN_BYTES		32	/* ChaCha20 */
#define ROAM_COOKIE_MAC_LEN		16	/* HMAC-SHA256, truncated */
#define ROAM_SECRET_LEN			32

/* Every long header starts like this; the client nonce is at byte 20. */
struct roam_long_hdr {
	u8 type;			/* ROAM_HDR_LONG | ROAM_PT_* */
	u8 version;
	__be16 flags;
	__be64 dcid;
	__be64 scid;
	u8 cnonce[ROAM_NONCE_LEN];
} __packed;

/* What the server needs back to build the connection, MACed. */
struct roam_cookie {
	u8 snonce[ROAM_NONCE_LEN];
	__be32 ts;			/* server clock, ms */
	__be32 key_id;
	struct in6_addr caddr;		/* the client as the server saw it */
	__be16 cport;
	u8 mac[ROAM_COOKIE_MAC_LEN];
} __packed;

struct roam_initial {
	struct roam_long_hdr h;
	__be32 key_id;
} __packed;

struct roam_cookie_pkt {
	struct roam_long_hdr h;
	struct roam_cookie c;
} __packed;

struct roam_cookie_echo {
	struct roam_long_hdr h;
	struct roam_cookie c;
	u8 tag[ROAM_TAG_LEN];
} __packed;

struct roam_done {
	struct roam_long_hdr h;
	u8 tag[ROAM_TAG_LEN];
} __packed;

struct roam_reject {
	struct roam_long_hdr h;
	u8 reason;
} __packed;

struct roam_short_hdr {
	u8 type;			/* ROAM_HDR_SHORT */
	__be64 dcid;
	__be32 pn;			/* low 32 bits of the packet number */
} __packed;

/*
 * An INITIAL is padded to this size so that no stateless answer is larger
 * than the packet that caused it.  It is also the first path MTU tried:
 * 1200 bytes of UDP payload fit every IPv6 path.
 */
#define ROAM_MIN_PACKET			1200

/* Packet number 0 authenticates COOKIE_ECHO and DONE; data starts at 1. */
#define ROAM_PN_HANDSHAKE		0

/* Frame types (section 2). */
enum roam_frame_type {
	ROAM_FT_PADDING = 0x00,
	ROAM_FT_PING = 0x01,
	ROAM_FT_ACK = 0x02,
	ROAM_FT_ACK_ECN = 0x03,
	ROAM_FT_STREAM = 0x08,		/* | ROAM_FT_STREAM_FIN | ROAM_FT_STREAM_LEN */
	ROAM_FT_MAX_DATA = 0x10,
	ROAM_FT_PATH_CHALLENGE = 0x20,
	ROAM_FT_PATH_RESPONSE = 0x21,
	ROAM_FT_PATH_GONE = 0x22,	/* the sender's last source address is gone */
	ROAM_FT_ADDRESSES = 0x23,	/* the server's addresses (addrs.c) */
	ROAM_FT_CLOSE = 0x30,
};

#define ROAM_FT_STREAM_FIN		0x01
#define ROAM_FT_STREAM_LEN		0x02

enum roam_close_kind {
	ROAM_CLOSE_GRACEFUL = 0,
	ROAM_CLOSE_ABORT = 1,
};

/* CLOSE error codes: why, for logs; a receiver treats them alike. */
enum roam_close_error {
	ROAM_ERR_NONE = 0,		/* the application aborted */
	ROAM_ERR_INTERNAL = 1,		/* the sender ran out of memory */
	ROAM_ERR_PROTOCOL = 2,		/* flow control broken, FIN moved */
	ROAM_ERR_REFUSED = 3,		/* the listener went before the queue */
};

/* Frame sizes on the wire, without data. */
#define ROAM_ACK_LEN			16	/* type, largest, delay, first range, count */
#define ROAM_ACK_RANGE_LEN		8	/* gap, length */
#define ROAM_ACK_ECN_LEN		24	/* three counts */
#define ROAM_STREAM_HDR_LEN		9	/* type, offset; no length field */
#define ROAM_STREAM_LEN_HDR_LEN		11	/* type, offset, length */
#define ROAM_MAX_DATA_LEN		9
#define ROAM_CLOSE_LEN			4
#define ROAM_PATH_LEN			9
#define ROAM_ADDRS_HDR_LEN		6	/* type, sequence (4), count; then 16 each */
#define ROAM_ADDRS_MAX			8	/* addresses in one ADDRESSES frame */
#define ROAM_PATH_DATA_LEN		8	/* PATH_CHALLENGE and PATH_RESPONSE data */
#define ROAM_SHORT_OVERHEAD		(sizeof(struct roam_short_hdr) + ROAM_TAG_LEN)

/* ---------------------------------------------------------------- */
/* Reliable stream (section 5).  Times are microseconds unless named. */

#define ROAM_ACK_RANGES_MAX		32	/* packet-number ranges remembered */
#define ROAM_ACK_EVERY			2	/* ack-eliciting packets per ACK */
#define ROAM_ACK_HELD_MAX		16	/* ... while more are being opened */
#define ROAM_MAX_ACK_DELAY_US		25000
#define ROAM_ACK_DELAY_SHIFT		3	/* ACK delay field unit: 8 us */
#define ROAM_INITIAL_RTT_US		333000	/* RFC 9002 6.2.2 */
#define ROAM_GRANULARITY_US		1000
#define ROAM_PACKET_THRESHOLD		3	/* RFC 9002 6.1.1 */
#define ROAM_TIME_THRESHOLD_NUM		9	/* RFC 9002 6.1.2: 9/8 RTT */
#define ROAM_TIME_THRESHOLD_DEN		8
#define ROAM_REORDERING_MAX		300	/* packets, as tcp_max_reordering */
#define ROAM_TIME_THRESHOLD_MAX_NUM	16	/* 2 RTT, after spurious losses */
#define ROAM_PERSISTENT_CONGESTION	3	/* PTOs, RFC 9002 7.6 */
#define ROAM_PTO_MAX_SHIFT		6	/* the PTO doubles at most this often */
/*
 * An orphan gives up after this many unanswered probe timeouts
 * (tcp_orphan_retries), and no sooner after its last acknowledged byte
 * than TCP's would after as many retries from its 200 ms minimum RTO:
 * (2^7 - 1) * 200 ms.
 */
#define ROAM_ORPHAN_PTOS		6
#define ROAM_ORPHAN_PROBE_MS		25400
#define ROAM_INITIAL_WINDOW_PACKETS	10	/* RFC 9002 7.2 */
#define ROAM_MIN_WINDOW_PACKETS		2
#define ROAM_INITIAL_MAX_DATA		65536	/* before the peer's first MAX_DATA */
#define ROAM_SKB_DATA_MAX		65536	/* bytes per send queue buffer */
#define ROAM_GSO_MAX_SEGS		64U	/* packets in one UDP GSO buffer */
#define ROAM_CORK_MS			200	/* a corked partial packet waits this long */
#define ROAM_DRAIN_PTOS			3	/* a closed connection keeps its CID */
#define ROAM_UNACKED_PTOS		3	/* an unacked packet waits at least this long */
#define ROAM_FIN_TIMEOUT_MS		60000	/* an orphan that makes no progress ends */
#define ROAM_REPLAY_WINDOW		4096	/* packet numbers remembered, RFC 6479 */
#define ROAM_AMPLIFICATION		3	/* bytes sent per byte received, unvalidated */
#define ROAM_VALIDATION_PTOS		3	/* a path not validated in this many PTOs fails */
#define ROAM_PATH_CHALLENGES		4	/* paths whose challenge stays answerable */
#define ROAM_HOP_PORTS_MAX		10	/* open per client, mosh's MAX_PORTS_OPEN */
#define ROAM_HOP_PORT_AGE_MS		60000	/* old ports receive, MAX_OLD_SOCKET_AGE */
#define ROAM_DEFAULT_BUF		SZ_1M		/* SO_SNDBUF and SO_RCVBUF */

/* Path MTU (RFC 8899): UDP payload sizes. */
#define ROAM_PMTU_BASE			ROAM_MIN_PACKET
#define ROAM_PMTU_MAX			9000
#define ROAM_PMTU_PROBE_TRIES		3
#define ROAM_PMTU_BLACK_HOLE_PTOS	3	/* in a row: fall back to the base */
#define ROAM_PMTU_RAISE_MS		600000	/* search upwards again */
#define ROAM_PMTU_STEP			32	/* stop searching when this close */

/* ECN codepoints in the IP TOS byte / traffic class. */
#define ROAM_ECN_MASK			0x03
#define ROAM_ECN_ECT1			0x01
#define ROAM_ECN_ECT0			0x02
#define ROAM_ECN_CE			0x03

/* HKDF labels (section 6). */
#define ROAM_HKDF_SALT			"roam1"
#define ROAM_HKDF_C2S			"roam c2s"
#define ROAM_HKDF_S2C			"roam s2c"

#endif /* _ROAM_PROTOCOL_H */
