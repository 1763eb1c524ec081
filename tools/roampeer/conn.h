/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One roam connection as roampeer keeps it: the handshake of
 * either role, the keys, the sockets and the peer's address, received
 * packet numbers, loss recovery and the stream in both directions.
 */
#ifndef ROAMPEER_CONN_H
#define ROAMPEER_CONN_H

#include "crypto.h"
#include "net.h"
#include "packet.h"
#include "pn.h"
#include "ranges.h"

#define MAX_SOCKS		10	/* the current one and those left */
#define MAX_ACK_DELAY_US	25000
#define INITIAL_RTT_US		333000
#define MSS			PKT_MAX

enum role {
	ROLE_CLIENT,
	ROLE_SERVER,
};

enum conn_state {
	ST_LISTEN,		/* server: no connection yet */
	ST_INITIAL,		/* client: INITIAL sent, no cookie taken */
	ST_ECHOED,		/* client: cookie taken, waiting for DONE */
	ST_OPEN,		/* established */
	ST_DRAINING,		/* both FINs done: ACKs only, for a while */
	ST_CLOSED,		/* over: see conn->end */
};

enum conn_end {
	END_NONE,
	END_DONE,		/* both FINs acknowledged and drained */
	END_PEER_CLOSE,		/* the peer's CLOSE, kind 0 */
	END_PEER_ABORT,		/* the peer's CLOSE, kind 1 */
	END_ABORTED,		/* our CLOSE, kind 1 */
	END_REFUSED,		/* REJECT(no listener) or CLOSE while connecting */
	END_KEY_REJECTED,	/* REJECT(bad key) */
	END_HS_TIMEOUT,		/* handshake retries used up */
	END_IDLE,		/* nothing from the peer for the idle timeout */
	END_VIOLATION,		/* the peer broke the protocol; we aborted */
	END_ERROR,		/* a local failure; we aborted */
};

struct conn_cfg {
	enum role role;
	u32 hs_timeout_ms;
	u32 hs_retries;
	u32 idle_ms;
	u32 cookie_life_ms;
	u32 echo_delay_ms;
	bool echo_rebind;
	u64 window;
	bool psk_mode;
	u32 psk_id;
	u8 psk[KEY_LEN];
	bool keep_history;
	bool refresh_same_keys;	/* server: a forged REFRESH, as an attacker's */
};

struct sock {
	int fd;
	union sockaddr_any local;
};

/* A packet of ours that loss recovery tracks until it is acked or lost. */
struct sent_pkt {
	u64 pn;
	u64 time;
	u32 size;
	bool ack_eliciting;
	bool in_flight;
	bool stream;		/* carried [off, off + len), and FIN if fin */
	bool fin;
	u64 off;
	u32 len;
	bool max_data;		/* carried our current MAX_DATA */
	bool challenge;		/* carried our PATH_CHALLENGE */
};

struct sentq {
	struct sent_pkt *p;
	size_t head, tail, cap;
};

/* Our stream: what we send. */
struct tx_stream {
	int in_fd;		/* data source, or -1 */
	u64 pattern;		/* pattern bytes still to be queued */
	bool eof;		/* no more input: FIN goes at the end */
	u8 *buf;		/* bytes [base, end), unacknowledged */
	size_t cap;
	u64 base;
	u64 end;		/* bytes buffered */
	u64 next;		/* lowest offset never sent */
	u64 una;		/* every byte below is acknowledged */
	u64 limit;		/* the peer's MAX_DATA */
	bool limit_known;
	struct ranges acked;
	struct ranges retx;	/* sent, lost, not acked: send again */
	bool fin_need;		/* a FIN is to be sent (again) */
	bool fin_pkt_acked;	/* a packet with our FIN was acknowledged */
	bool fin_acked;		/* ... and every byte before it */
	void *sha;
	char sha_hex[65];
};

/* The peer's stream: what we receive. */
struct rx_stream {
	int out_fd;		/* -1: count and hash only */
	u8 *ring;		/* window bytes, offset modulo window */
	u64 window;
	u64 next;		/* delivered below this */
	u64 limit;		/* the MAX_DATA we announced */
	bool limit_need;	/* MAX_DATA to be sent */
	struct ranges got;	/* received above next */
	u64 highest;		/* end of the highest byte received */
	bool fin;
	u64 final;
	bool done;		/* FIN and every byte before it delivered */
	void *sha;
	char sha_hex[65];
};

struct conn_stats {
	u64 rx_packets, tx_packets;
	u64 auth_fail, replays, malformed, unknown_cid;
	u64 lost, ptos, moves;
};

struct conn {
	struct conn_cfg cfg;
	enum conn_state state;
	enum conn_end end;
	char end_why[160];

	/* Identities and keys. */
	u64 ccid, scid;			/* C and S */
	u8 nc[NONCE_LEN], ns[NONCE_LEN];
	bool have_keys;
	struct keys keys;
	const u8 *key_tx, *key_rx;

	/* Client handshake. */
	u8 echo[ECHO_PKT_LEN];
	bool echoed;
	u32 hs_tries;
	u64 hs_interval, hs_deadline, hs_sent_at;

	/* Server: the cookie secrets and the address cookies are bound to. */
	u8 secret[2][KEY_LEN];
	u64 secret_time;
	union sockaddr_any listen_addr;
	/* --refresh-same-keys: the COOKIE_ECHO its forged REFRESH answered. */
	u8 first_echo[ECHO_PKT_LEN];
	bool forged_refresh;

	/* Sockets and the path. */
	struct sock socks[MAX_SOCKS];
	int nsocks, cur;
	union sockaddr_any peer, validated;
	u8 chal[PATH_DATA_LEN];
	bool chal_out, chal_need;
	u64 chal_again, chal_gap;	/* us: asked again then, the gap doubling */
	u8 resp[PATH_DATA_LEN];
	bool resp_need;
	union sockaddr_any resp_to;
	bool answer_challenges;
	bool silent;			/* send nothing at all */

	/* Packet numbers. */
	u64 tx_pn;			/* the next one we send */
	u64 rx_largest;			/* the largest authenticated */
	struct replay replay;
	u64 last_rx;			/* last authenticated packet */

	/* Acknowledging the peer. */
	struct ranges rx_pns;
	u64 rx_largest_time;
	u32 ack_eliciting;		/* ack-eliciting since our last ACK */
	bool ack_new;			/* anything since our last ACK */
	bool ack_now;
	u64 ack_deadline;

	/* Loss recovery and congestion control. */
	struct sentq sent;
	u64 largest_acked;
	bool any_acked;
	u64 srtt, rttvar, min_rtt, latest_rtt;
	bool rtt_valid;
	u32 pto_count;
	u64 last_eliciting;
	u64 loss_time;
	u64 cwnd, ssthresh, in_flight, recovery_start;
	int probes;

	/* Streams. */
	struct tx_stream tx;
	struct rx_stream rx;

	/* Draining ends at this time. */
	u64 drain_end;

	/* Scripts: what we sent, and acks of packets they watch. */
	struct {
		u8 *data;
		u16 len;
	} *hist;
	size_t nhist;
	u64 watch_lo, watch_hi;
	struct ranges watch_acked;
	u64 peer_packets;		/* authenticated packets from the peer */
	u64 peer_responses;		/* PATH_RESPONSE frames in them */
	u32 round;			/* which of --repeat's connections, from 0:
					 * scripts' seeds count up with it */

	struct conn_stats stats;
};

typedef bool (*conn_pred)(struct conn *c, void *arg);

void conn_init(struct conn *c, const struct conn_cfg *cfg);
void conn_free(struct conn *c);
int conn_add_sock(struct conn *c, const union sockaddr_any *local);
int conn_client_start(struct conn *c, const union sockaddr_any *server,
		      const union sockaddr_any *local);
int conn_server_start(struct conn *c, const union sockaddr_any *addr);
int conn_run(struct conn *c, conn_pred done, void *arg, u64 deadline);
void conn_close_with(struct conn *c, enum conn_end end, u8 kind, u16 code,
		     const char *why);
void conn_set_end(struct conn *c, enum conn_end end, const char *why);
const char *conn_end_str(const struct conn *c);
u64 conn_pto(const struct conn *c);

/* send.c */
void send_flush(struct conn *c);
u64 send_packet(struct conn *c, const u8 *frames, size_t len,
		const union sockaddr_any *to, struct sent_pkt *track);
void send_raw(struct conn *c, const u8 *pkt, size_t len);
void history_add(struct conn *c, u64 pn, const u8 *pkt, size_t len);

/* recovery.c */
void recovery_init(struct conn *c);
void recovery_sent(struct conn *c, const struct sent_pkt *p);
void recovery_on_ack(struct conn *c, const struct ack_frame *a, u64 now);
void recovery_all_lost(struct conn *c);
void recovery_timer(struct conn *c, u64 now);
u64 recovery_deadline(const struct conn *c);
bool recovery_cwnd_room(const struct conn *c);
void recovery_rtt_seed(struct conn *c, u64 rtt);
bool recovery_outstanding(const struct conn *c);
void recovery_free(struct conn *c);

/* stream.c */
int stream_init(struct conn *c, int in_fd, int out_fd);
void stream_free(struct conn *c);
void tx_queue(struct conn *c, u64 n);
int tx_append(struct conn *c, const u8 *data, size_t len);
bool tx_acked_all(const struct conn *c);
void tx_finish(struct conn *c);
void tx_read(struct conn *c);
bool tx_wants_input(const struct conn *c);
bool tx_chunk(struct conn *c, size_t room, u64 *off, size_t *len, bool *fin);
void tx_sent(struct conn *c, u64 off, size_t len, bool fin, u8 *dst);
void tx_acked(struct conn *c, u64 off, size_t len, bool fin);
void tx_lost(struct conn *c, u64 off, size_t len, bool fin);
int rx_data(struct conn *c, const struct frames *f);
void pattern_fill(u64 off, size_t len, u8 *dst);

#endif /* ROAMPEER_CONN_H */
