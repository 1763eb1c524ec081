// SPDX-License-Identifier: GPL-2.0
/*
 * A roam connection's life: the client's and the server's side
 * of the handshake (PROTOCOL.md section 3), the receive path of every
 * packet after it (tag, replay window, frames, section 6), the peer's
 * address and its validation (section 7), and the event loop that runs
 * it all over poll().  What goes out is built in send.c, loss recovery
 * is recovery.c, the bytes of the stream are stream.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "conn.h"
#include "seal.h"

/* The CID we receive on, and the one the peer receives on. */
static u64 local_cid(const struct conn *c)
{
	return c->cfg.role == ROLE_CLIENT ? c->ccid : c->scid;
}

/* The key id this side offers or accepts: the PSK id, 0 without one. */
static u32 our_key_id(const struct conn *c)
{
	return c->cfg.psk_mode ? c->cfg.psk_id : 0;
}

/* A fresh, non-zero CID. */
static u64 new_cid(void)
{
	u64 cid;

	do {
		random_bytes(&cid, sizeof(cid));
	} while (!cid);
	return cid;
}

/* The server's clock in milliseconds, as a cookie carries it. */
static u32 now_ms32(void)
{
	return (u32)(now_us() / USEC_PER_MSEC);
}

/* Sets up an empty connection; sockets and streams come after. */
void conn_init(struct conn *c, const struct conn_cfg *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->cur = -1;
	c->tx_pn = 1;
	c->answer_challenges = true;
	c->tx.in_fd = -1;
	c->rx.out_fd = -1;
	recovery_init(c);
}

/* Frees everything the connection holds and closes its sockets. */
void conn_free(struct conn *c)
{
	size_t i;
	int s;

	for (s = 0; s < c->nsocks; s++)
		close(c->socks[s].fd);
	for (i = 0; i < c->nhist; i++)
		free(c->hist[i].data);
	free(c->hist);
	ranges_free(&c->rx_pns);
	ranges_free(&c->watch_acked);
	recovery_free(c);
	stream_free(c);
	OPENSSL_cleanse(&c->keys, sizeof(c->keys));
	OPENSSL_cleanse(c->secret, sizeof(c->secret));
	OPENSSL_cleanse(c->cfg.psk, sizeof(c->cfg.psk));
}

/*
 * Opens a UDP socket bound to @local and sends from it from now on; the
 * sockets left behind stay open for late packets, the oldest closed when
 * there are too many.  0, or -1.
 */
int conn_add_sock(struct conn *c, const union sockaddr_any *local)
{
	union sockaddr_any bound;
	int fd = udp_open(local, &bound);

	if (fd < 0)
		return -1;
	if (c->nsocks == MAX_SOCKS) {
		close(c->socks[0].fd);
		memmove(&c->socks[0], &c->socks[1],
			(MAX_SOCKS - 1) * sizeof(c->socks[0]));
		c->nsocks--;
	}
	c->socks[c->nsocks].fd = fd;
	c->socks[c->nsocks].local = bound;
	c->cur = c->nsocks++;
	return 0;
}

/* Ends the connection for @end, unless it has ended already. */
void conn_set_end(struct conn *c, enum conn_end end, const char *why)
{
	if (c->state == ST_CLOSED)
		return;
	c->state = ST_CLOSED;
	c->end = end;
	snprintf(c->end_why, sizeof(c->end_why), "%s", why);
	dbg(1, "connection ended: %s", conn_end_str(c));
}

/* Sends CLOSE(@kind, @code) at once and ends the connection for @end. */
void conn_close_with(struct conn *c, enum conn_end end, u8 kind, u16 code,
		     const char *why)
{
	u8 f[8];

	if (c->state == ST_CLOSED)
		return;
	if (c->have_keys && !c->silent)
		send_packet(c, f, put_close(f, kind, code), NULL, NULL);
	conn_set_end(c, end, why);
}

/* What ended the connection, in words. */
const char *conn_end_str(const struct conn *c)
{
	static char buf[256];
	static const char *const names[] = {
		[END_NONE] = "not ended",
		[END_DONE] = "closed cleanly (both FINs acknowledged)",
		[END_PEER_CLOSE] = "peer sent CLOSE kind 0",
		[END_PEER_ABORT] = "peer sent CLOSE kind 1 (abort)",
		[END_ABORTED] = "we aborted (CLOSE kind 1)",
		[END_REFUSED] = "connection refused",
		[END_KEY_REJECTED] = "key rejected",
		[END_HS_TIMEOUT] = "handshake timed out",
		[END_IDLE] = "idle timeout",
		[END_VIOLATION] = "peer broke the protocol; we aborted",
		[END_ERROR] = "local error; we aborted",
	};

	snprintf(buf, sizeof(buf), "%s%s%s", names[c->end],
		 c->end_why[0] ? ": " : "", c->end_why);
	return buf;
}

/* Both sides: the handshake is over, the streams may flow. */
static void establish(struct conn *c)
{
	char buf[ADDR_STRLEN];

	c->state = ST_OPEN;
	c->last_rx = now_us();
	c->rx.limit_need = true;
	dbg(1, "established with %s, C %016llx S %016llx%s",
	    addr_fmt(&c->peer, buf), (unsigned long long)c->ccid,
	    (unsigned long long)c->scid, c->cfg.psk_mode ? ", psk" : "");
}

/* Client: sends INITIAL, padded to 1200 bytes. */
static void client_send_initial(struct conn *c)
{
	u8 pkt[INITIAL_LEN];

	hs_initial(pkt, c->ccid, c->nc, our_key_id(c));
	send_raw(c, pkt, sizeof(pkt));
	dbg(2, "sent INITIAL");
}

/*
 * Client, --echo-rebind: a NAT rebinding.  The socket we send from is
 * replaced, in place (a receive loop may be reading it), by a new one on
 * another port of the same address, and the old one is closed: nothing
 * sent to the old port reaches us any more.
 */
static void client_rebind(struct conn *c)
{
	union sockaddr_any local = c->socks[c->cur].local, bound;
	char from[ADDR_STRLEN], to[ADDR_STRLEN];
	int fd;

	addr_set_port(&local, 0);
	fd = udp_open(&local, &bound);	/* before the close: another port */
	if (fd < 0) {
		conn_set_end(c, END_ERROR, "no socket to rebind to");
		return;
	}
	dbg(1, "NAT rebinding: %s is now %s", addr_fmt(&c->socks[c->cur].local, from),
	    addr_fmt(&bound, to));
	close(c->socks[c->cur].fd);
	c->socks[c->cur].fd = fd;
	c->socks[c->cur].local = bound;
}

/*
 * Client: sends INITIAL or COOKIE_ECHO, whichever the state wants; with
 * --echo-rebind, the first COOKIE_ECHO is the last packet from our first
 * port.
 */
static void client_hs_send(struct conn *c, u64 now)
{
	if (c->state == ST_INITIAL) {
		client_send_initial(c);
	} else {
		send_raw(c, c->echo, sizeof(c->echo));
		dbg(2, "sent COOKIE_ECHO");
		if (!c->echoed && c->cfg.echo_rebind)
			client_rebind(c);
		c->echoed = true;
	}
	c->hs_sent_at = now;
}

/* Client: binds a socket, picks C and Nc and sends INITIAL.  0 or -1. */
int conn_client_start(struct conn *c, const union sockaddr_any *server,
		      const union sockaddr_any *local)
{
	union sockaddr_any any;
	u64 now = now_us();

	if (!local) {
		addr_any(server->sa.sa_family, &any);
		local = &any;
	}
	if (local->sa.sa_family != server->sa.sa_family) {
		msg("the local and the server address are not of one family");
		return -1;
	}
	if (conn_add_sock(c, local))
		return -1;
	c->peer = *server;
	c->validated = *server;
	c->ccid = new_cid();
	random_bytes(c->nc, sizeof(c->nc));
	c->state = ST_INITIAL;
	c->hs_interval = (u64)c->cfg.hs_timeout_ms * USEC_PER_MSEC;
	client_hs_send(c, now);
	c->hs_deadline = now + c->hs_interval;
	return 0;
}

/* Client: the handshake timer; resends with a doubled timeout, or fails. */
static void client_hs_timer(struct conn *c, u64 now)
{
	if ((c->state != ST_INITIAL && c->state != ST_ECHOED) ||
	    now < c->hs_deadline)
		return;
	if (c->state == ST_ECHOED && !c->echoed) {
		/* --echo-delay: the first COOKIE_ECHO was held back. */
		client_hs_send(c, now);
		c->hs_deadline = now + c->hs_interval;
		return;
	}
	if (c->hs_tries >= c->cfg.hs_retries) {
		conn_set_end(c, END_HS_TIMEOUT, c->state == ST_INITIAL ?
			     "no COOKIE" : "no DONE");
		return;
	}
	c->hs_tries++;
	c->hs_interval *= 2;
	client_hs_send(c, now);
	c->hs_deadline = now + c->hs_interval;
	dbg(1, "handshake: retransmission %u, next in %llu ms", c->hs_tries,
	    (unsigned long long)(c->hs_interval / USEC_PER_MSEC));
}

/* Client: a COOKIE, taken if it answers our INITIAL (section 3). */
static void client_cookie(struct conn *c, const struct long_hdr *h,
			  const u8 *pkt)
{
	const u8 *ck = pkt + LONG_HDR_LEN;
	u32 key_id = get_be32(ck + CK_KEY_ID);
	u64 now = now_us();

	if (c->state != ST_INITIAL && c->state != ST_ECHOED)
		return;
	if (h->dcid != c->ccid || memcmp(h->nonce, c->nc, NONCE_LEN)) {
		dbg(1, "COOKIE without our CID and nonce: dropped");
		return;
	}
	if (c->echoed && !(h->flags & HF_REFRESH)) {
		dbg(1, "COOKIE after our COOKIE_ECHO, not a refresh: dropped");
		return;
	}
	if (!h->scid || key_id != our_key_id(c)) {
		dbg(1, "COOKIE with S 0 or key id %u: dropped", key_id);
		return;
	}
	/* A real refresh has a fresh S and Ns: the same keys, a forgery. */
	if (c->state == ST_ECHOED && (h->scid == c->scid ||
				      !memcmp(ck + CK_NS, c->ns, NONCE_LEN))) {
		dbg(1, "refresh with our S or Ns: dropped");
		return;
	}
	c->scid = h->scid;
	memcpy(c->ns, ck + CK_NS, NONCE_LEN);
	if (keys_derive(&c->keys, c->cfg.psk_mode ? c->cfg.psk : NULL, c->nc,
			c->ns, c->ccid, c->scid)) {
		conn_set_end(c, END_ERROR, "key derivation failed");
		return;
	}
	c->key_tx = c->keys.c2s;
	c->key_rx = c->keys.s2c;
	c->have_keys = true;
	hs_echo(c->echo, ck, c->scid, c->ccid, c->nc, c->key_tx);
	history_add(c, 0, c->echo, sizeof(c->echo));
	dbg(1, "COOKIE%s: S %016llx", h->flags & HF_REFRESH ? " (refresh)" : "",
	    (unsigned long long)c->scid);
	c->state = ST_ECHOED;
	c->hs_tries = 0;
	c->hs_interval = (u64)c->cfg.hs_timeout_ms * USEC_PER_MSEC;
	if (c->cfg.echo_delay_ms && !c->echoed) {
		c->hs_deadline = now + (u64)c->cfg.echo_delay_ms * USEC_PER_MSEC;
		return;
	}
	client_hs_send(c, now);
	c->hs_deadline = now + c->hs_interval;
}

/* Client: DONE, if its tag verifies, confirms the connection. */
static void client_done(struct conn *c, const struct long_hdr *h,
			const u8 *pkt)
{
	u64 now = now_us();

	if (c->state != ST_ECHOED || !c->echoed)
		return;
	if (h->dcid != c->ccid || h->scid != c->scid) {
		dbg(1, "DONE for other CIDs: dropped");
		return;
	}
	if (!hs_tag_ok(pkt, DONE_PKT_LEN, c->key_rx)) {
		c->stats.auth_fail++;
		dbg(1, "DONE with a bad tag: dropped");
		return;
	}
	if (!c->hs_tries)
		recovery_rtt_seed(c, now - c->hs_sent_at);
	establish(c);
}

/* Client: REJECT, believed only if it echoes our CID and nonce. */
static void client_reject(struct conn *c, const struct long_hdr *h,
			  const u8 *pkt)
{
	u8 reason = pkt[LONG_HDR_LEN];
	char why[64];

	if (c->state != ST_INITIAL && c->state != ST_ECHOED)
		return;
	if (h->dcid != c->ccid || memcmp(h->nonce, c->nc, NONCE_LEN)) {
		dbg(1, "REJECT without our nonce: ignored");
		return;
	}
	snprintf(why, sizeof(why), "REJECT reason %u", reason);
	conn_set_end(c, reason == REJECT_BAD_KEY ? END_KEY_REJECTED :
		     END_REFUSED, why);
}

/* Server: sends REJECT(@reason) answering the packet with header @h. */
static void server_reject(struct conn *c, int sock,
			  const union sockaddr_any *to,
			  const struct long_hdr *h, u8 reason)
{
	u8 pkt[REJECT_PKT_LEN];

	hs_reject(pkt, h->scid, h->nonce, reason);
	udp_send(c->socks[sock].fd, to, pkt, sizeof(pkt));
	dbg(1, "sent REJECT(%u)", reason);
}

/* Server: a new secret every cookie lifetime, the previous one kept. */
static void server_rotate(struct conn *c, u64 now)
{
	u64 life = (u64)c->cfg.cookie_life_ms * USEC_PER_MSEC;

	if (now - c->secret_time < life)
		return;
	if (now - c->secret_time >= 2 * life)
		random_bytes(c->secret[1], KEY_LEN);
	else
		memcpy(c->secret[1], c->secret[0], KEY_LEN);
	random_bytes(c->secret[0], KEY_LEN);
	c->secret_time = now;
}

/* Server: sends a COOKIE with a fresh S and Ns, and no state kept. */
static void server_cookie(struct conn *c, int sock,
			  const union sockaddr_any *from, u64 ccid,
			  const u8 *nc, u32 key_id, u16 flags)
{
	u8 pkt[COOKIE_PKT_LEN], ns[NONCE_LEN];
	u64 scid = new_cid();

	server_rotate(c, now_us());
	random_bytes(ns, sizeof(ns));
	if (hs_cookie(pkt, c->secret[0], &c->listen_addr, from, ccid, scid, nc,
		      ns, now_ms32(), key_id, flags))
		return;
	udp_send(c->socks[sock].fd, from, pkt, sizeof(pkt));
	dbg(1, "sent COOKIE%s, S %016llx", flags ? " (refresh)" : "",
	    (unsigned long long)scid);
}

/* Server: an INITIAL, answered with a COOKIE or a REJECT. */
static void server_initial(struct conn *c, int sock,
			   const union sockaddr_any *from,
			   const struct long_hdr *h, const u8 *pkt)
{
	u32 key_id = get_be32(pkt + LONG_HDR_LEN);

	if (c->state != ST_LISTEN) {
		/* One connection only: others find no listener. */
		if (h->scid != c->ccid)
			server_reject(c, sock, from, h, REJECT_NO_LISTENER);
		return;
	}
	if (!h->scid) {
		c->stats.malformed++;
		return;
	}
	if (key_id != our_key_id(c)) {
		server_reject(c, sock, from, h, REJECT_BAD_KEY);
		return;
	}
	server_cookie(c, sock, from, h->scid, h->nonce, key_id, 0);
}

/* Server: whether a COOKIE_ECHO's cookie is one of ours, from its address. */
static bool server_cookie_ok(struct conn *c, const union sockaddr_any *from,
			     const u8 *pkt)
{
	return hs_cookie_ok(pkt, c->secret[0], &c->listen_addr, from) ||
	       hs_cookie_ok(pkt, c->secret[1], &c->listen_addr, from);
}

/* Server: sends DONE, a tag over the header with k_s2c and number 0. */
static void server_done(struct conn *c, int sock,
			const union sockaddr_any *to)
{
	u8 pkt[DONE_PKT_LEN];

	hs_done(pkt, c->ccid, c->scid, c->keys.s2c);
	udp_send(c->socks[sock].fd, to, pkt, sizeof(pkt));
	dbg(1, "sent DONE");
}

/*
 * Server, --refresh-same-keys: what an on-path attacker who saw the
 * client's COOKIE_ECHO can send.  A COOKIE with the REFRESH flag that
 * keeps the echoed S and Ns, so the keys the client derives do not
 * change, but another timestamp, so the cookie does.
 */
static void server_forge_refresh(struct conn *c, int sock,
				 const union sockaddr_any *from,
				 const struct long_hdr *h, const u8 *pkt)
{
	const u8 *ck = pkt + LONG_HDR_LEN;
	u8 out[COOKIE_PKT_LEN];

	memcpy(c->first_echo, pkt, ECHO_PKT_LEN);
	c->forged_refresh = true;
	if (hs_cookie(out, c->secret[0], &c->listen_addr, from, h->scid,
		      h->dcid, h->nonce, ck + CK_NS, get_be32(ck + CK_TS) - 1,
		      get_be32(ck + CK_KEY_ID), HF_REFRESH))
		return;
	udp_send(c->socks[sock].fd, from, out, sizeof(out));
	msg("sent a forged COOKIE (refresh) with the same S %016llx and Ns",
	    (unsigned long long)h->dcid);
}

/*
 * Server, --refresh-same-keys: whether this COOKIE_ECHO is another one
 * under the keys of the first (same S, C, Nc and Ns) with other bytes:
 * two tags of packet number 0 under one key.  Then the connection ends.
 */
static bool server_echo_reused(struct conn *c, const struct long_hdr *h,
			       const u8 *pkt)
{
	const u8 *first = c->first_echo;
	struct keys k;
	bool both;

	if (!c->forged_refresh || get_be64(first + 4) != h->dcid ||
	    get_be64(first + 12) != h->scid ||
	    memcmp(first + 20, h->nonce, NONCE_LEN) ||
	    memcmp(first + LONG_HDR_LEN + CK_NS, pkt + LONG_HDR_LEN + CK_NS,
		   NONCE_LEN))
		return false;
	if (!memcmp(first, pkt, ECHO_PKT_LEN)) {
		msg("COOKIE_ECHO again, the same bytes: the forged refresh was ignored");
		return false;
	}
	if (keys_derive(&k, c->cfg.psk_mode ? c->cfg.psk : NULL, h->nonce,
			pkt + LONG_HDR_LEN + CK_NS, h->scid, h->dcid))
		return false;
	both = hs_tag_ok(first, ECHO_PKT_LEN, k.c2s) &&
	       hs_tag_ok(pkt, ECHO_PKT_LEN, k.c2s);
	msg("KEY AND NONCE REUSED: a second COOKIE_ECHO, other bytes, same S %016llx, C %016llx, Nc, Ns and packet number 0%s",
	    (unsigned long long)h->dcid, (unsigned long long)h->scid,
	    both ? "; both tags verify under one key" : "");
	conn_set_end(c, END_VIOLATION, "the client sealed two COOKIE_ECHOs under one key and nonce");
	return true;
}

/*
 * Server: a COOKIE_ECHO.  A cookie of ours, fresh, from its address,
 * with a tag that verifies, makes the connection; an expired one gets a
 * refreshed COOKIE, a bad tag REJECT(bad key), a repeat DONE again.
 */
static void server_echo(struct conn *c, int sock,
			const union sockaddr_any *from,
			const struct long_hdr *h, const u8 *pkt)
{
	const u8 *ck = pkt + LONG_HDR_LEN;
	u32 age = now_ms32() - get_be32(ck + CK_TS);
	struct keys k;

	if (c->state != ST_LISTEN) {
		/* The first echo's copy may have made the connection. */
		if (server_echo_reused(c, h, pkt))
			return;
		if (h->dcid == c->scid && h->scid == c->ccid &&
		    !memcmp(h->nonce, c->nc, NONCE_LEN))
			server_done(c, sock, from);
		return;
	}
	server_rotate(c, now_us());
	if (!server_cookie_ok(c, from, pkt)) {
		c->stats.malformed++;
		dbg(1, "COOKIE_ECHO with a cookie that is not ours: dropped");
		return;
	}
	if (age > c->cfg.cookie_life_ms) {
		dbg(1, "cookie expired %u ms ago: refresh",
		    age - c->cfg.cookie_life_ms);
		server_cookie(c, sock, from, h->scid, h->nonce,
			      get_be32(ck + CK_KEY_ID), HF_REFRESH);
		return;
	}
	if (server_echo_reused(c, h, pkt))
		return;
	if (c->cfg.refresh_same_keys && !c->forged_refresh) {
		server_forge_refresh(c, sock, from, h, pkt);
		return;
	}
	if (keys_derive(&k, c->cfg.psk_mode ? c->cfg.psk : NULL, h->nonce,
			ck + CK_NS, h->scid, h->dcid))
		return;
	if (!hs_tag_ok(pkt, ECHO_PKT_LEN, k.c2s)) {
		c->stats.auth_fail++;
		server_reject(c, sock, from, h, REJECT_BAD_KEY);
		return;
	}
	c->keys = k;
	c->key_tx = c->keys.s2c;
	c->key_rx = c->keys.c2s;
	c->have_keys = true;
	c->ccid = h->scid;
	c->scid = h->dcid;
	memcpy(c->nc, h->nonce, NONCE_LEN);
	memcpy(c->ns, ck + CK_NS, NONCE_LEN);
	c->peer = *from;
	c->validated = *from;
	c->cur = sock;
	server_done(c, sock, from);
	recovery_rtt_seed(c, MAX((u64)age * USEC_PER_MSEC, 1000));
	establish(c);
}

/* Server: listens on @addr for one connection.  0 or -1. */
int conn_server_start(struct conn *c, const union sockaddr_any *addr)
{
	if (conn_add_sock(c, addr))
		return -1;
	c->listen_addr = c->socks[0].local;
	random_bytes(c->secret, sizeof(c->secret));
	c->secret_time = now_us();
	c->state = ST_LISTEN;
	return 0;
}

/* A long-header packet: the handshake, either role. */
static void long_input(struct conn *c, int sock,
		       const union sockaddr_any *from, const u8 *pkt,
		       size_t len)
{
	const char *why;
	struct long_hdr h;

	if (long_hdr_get(pkt, len, &h, &why)) {
		c->stats.malformed++;
		dbg(1, "long header dropped: %s", why);
		return;
	}
	dbg(2, "received long header type %u, %zu bytes", h.type, len);
	if (c->cfg.role == ROLE_CLIENT) {
		if (h.type == PT_COOKIE)
			client_cookie(c, &h, pkt);
		else if (h.type == PT_DONE)
			client_done(c, &h, pkt);
		else if (h.type == PT_REJECT)
			client_reject(c, &h, pkt);
		return;
	}
	if (h.type == PT_INITIAL)
		server_initial(c, sock, from, &h, pkt);
	else if (h.type == PT_COOKIE_ECHO)
		server_echo(c, sock, from, &h, pkt);
}

/*
 * The peer's address moved (section 7): send there from now on and
 * challenge it, unless it is the address validated last; again after a
 * probe timeout while it has not answered, the wait doubling each time.
 */
static void path_move(struct conn *c, const union sockaddr_any *from)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	dbg(1, "peer moved from %s to %s", addr_fmt(&c->peer, a),
	    addr_fmt(from, b));
	c->stats.moves++;
	c->peer = *from;
	if (addr_eq(from, &c->validated)) {
		c->chal_out = false;
		c->chal_need = false;
		return;
	}
	random_bytes(c->chal, sizeof(c->chal));
	c->chal_out = true;
	c->chal_need = true;
	c->chal_gap = conn_pto(c);
	c->chal_again = now_us() + c->chal_gap;
}

/* Applies a parsed packet's frames, ACK first, CLOSE last. */
static void apply_frames(struct conn *c, const union sockaddr_any *from,
			 const struct frames *f, bool was_connecting)
{
	char why[64];
	int i;

	if (f->has_ack)
		recovery_on_ack(c, &f->ack, now_us());
	if (f->has_max_data && (!c->tx.limit_known ||
				f->max_data > c->tx.limit)) {
		c->tx.limit = f->max_data;
		c->tx.limit_known = true;
	}
	if (f->has_stream && rx_data(c, f))
		return;
	if (f->has_challenge) {
		if (c->answer_challenges) {
			memcpy(c->resp, f->challenge, PATH_DATA_LEN);
			c->resp_to = *from;
			c->resp_need = true;
		} else {
			dbg(1, "PATH_CHALLENGE ignored");
		}
	}
	c->peer_responses += f->n_resp;
	for (i = 0; i < f->n_resp; i++) {
		if (c->chal_out && !memcmp(f->resp[i], c->chal, PATH_DATA_LEN)) {
			c->chal_out = false;
			c->chal_need = false;
			c->validated = c->peer;
			dbg(1, "path validated");
		}
	}
	if (f->path_gone)
		recovery_all_lost(c);
	if (f->has_close) {
		snprintf(why, sizeof(why), "code %u", f->close_code);
		if (was_connecting)
			conn_set_end(c, END_REFUSED, "CLOSE while connecting");
		else
			conn_set_end(c, f->close_kind == 1 ? END_PEER_ABORT :
				     END_PEER_CLOSE, why);
	}
}

/* Notes a well-formed packet's number for our ACKs. */
static void ack_note(struct conn *c, u64 pn, bool highest, bool eliciting,
		     u64 now)
{
	bool in_order = !c->rx_pns.n || pn == c->rx_pns.r[c->rx_pns.n - 1].hi;

	ranges_add(&c->rx_pns, pn, pn + 1);
	ranges_keep_top(&c->rx_pns, ACK_MAX_RANGES + 1);
	if (highest)
		c->rx_largest_time = now;
	c->ack_new = true;
	if (!eliciting)
		return;
	c->ack_eliciting++;
	if (!c->ack_deadline)
		c->ack_deadline = now + MAX_ACK_DELAY_US;
	if (c->ack_eliciting >= 2 || !in_order)
		c->ack_now = true;
}

/*
 * A short-header packet: tag, replay window, frames parsed whole, then
 * applied.  A packet that fails anywhere changes nothing but a counter,
 * except that a malformed one's number counts as seen.
 */
static void short_input(struct conn *c, const union sockaddr_any *from,
			u8 *pkt, size_t len)
{
	bool highest, was_connecting = c->state == ST_ECHOED;
	u64 pn, now = now_us();
	struct frames f;
	const char *why;

	if (len < SHORT_MIN_LEN) {
		c->stats.malformed++;
		return;
	}
	if (!c->have_keys || get_be64(pkt + 1) != local_cid(c)) {
		c->stats.unknown_cid++;
		return;
	}
	if (short_open(pkt, len, c->key_rx, c->cfg.psk_mode, c->rx_largest,
		       &pn)) {
		c->stats.auth_fail++;
		dbg(2, "packet with a bad tag dropped");
		return;
	}
	if (!replay_check(&c->replay, pn)) {
		c->stats.replays++;
		dbg(1, "replay of packet %llu dropped", (unsigned long long)pn);
		return;
	}
	highest = pn > c->rx_largest;
	if (highest)
		c->rx_largest = pn;
	if (frames_parse(pkt + SHORT_HDR_LEN, len - SHORT_MIN_LEN, &f, &why)) {
		c->stats.malformed++;
		dbg(1, "packet %llu malformed: %s", (unsigned long long)pn, why);
		return;
	}
	dbg(2, "received pn %llu, %zu bytes", (unsigned long long)pn, len);
	c->stats.rx_packets++;
	c->peer_packets++;
	c->last_rx = now;
	if (was_connecting)
		establish(c);
	if (highest && !f.probing && !addr_eq(from, &c->peer))
		path_move(c, from);
	ack_note(c, pn, highest, f.ack_eliciting, now);
	apply_frames(c, from, &f, was_connecting);
}

/* One datagram from socket @sock. */
static void conn_input(struct conn *c, int sock,
		       const union sockaddr_any *from, u8 *pkt, size_t len)
{
	if (c->state == ST_CLOSED || !len)
		return;
	if (pkt[0] & 0x80)
		long_input(c, sock, from, pkt, len);
	else if (pkt[0] & 0x40)
		short_input(c, from, pkt, len);
	else
		c->stats.malformed++;
}

/* Reads what socket @sock has waiting, a bounded number at a time. */
static void conn_read_sock(struct conn *c, int sock)
{
	static u8 pkt[65536];
	union sockaddr_any from;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		n = udp_recv(c->socks[sock].fd, &from, pkt, sizeof(pkt));
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				dbg(1, "recv: %s", strerror(errno));
			return;
		}
		conn_input(c, sock, &from, pkt, n);
	}
}

/* The probe timeout of RFC 9002: srtt + 4 rttvar + max ACK delay. */
u64 conn_pto(const struct conn *c)
{
	return c->srtt + MAX(4 * c->rttvar, 1000) + MAX_ACK_DELAY_US;
}

/* Runs whatever timer is due: handshake, loss, ACK, idle, draining. */
static void conn_timers(struct conn *c, u64 now)
{
	client_hs_timer(c, now);
	if (c->silent || (c->state != ST_OPEN && c->state != ST_DRAINING))
		return;
	recovery_timer(c, now);
	if (c->chal_out && now >= c->chal_again) {
		c->chal_need = true;
		c->chal_gap *= 2;
		c->chal_again = now + c->chal_gap;
	}
	if (c->ack_deadline && now >= c->ack_deadline)
		c->ack_now = true;
	if (c->state == ST_OPEN && recovery_outstanding(c) &&
	    now - c->last_rx >= (u64)c->cfg.idle_ms * USEC_PER_MSEC) {
		conn_set_end(c, END_IDLE, "nothing heard from the peer");
		return;
	}
	if (c->state == ST_OPEN && c->tx.fin_acked && c->rx.done) {
		c->state = ST_DRAINING;
		c->drain_end = now + 3 * conn_pto(c);
		dbg(1, "both FINs done: draining");
	}
	if (c->state == ST_DRAINING && now >= c->drain_end)
		conn_set_end(c, END_DONE, "");
}

/* The earlier of two times, 0 meaning none. */
static u64 earlier(u64 t, u64 u)
{
	return !t || (u && u < t) ? u : t;
}

/* The earliest timer, or 0 if none runs. */
static u64 conn_next_timer(const struct conn *c)
{
	u64 t = 0;

	if (c->state == ST_INITIAL || c->state == ST_ECHOED)
		t = c->hs_deadline;
	if (c->silent || (c->state != ST_OPEN && c->state != ST_DRAINING))
		return t;
	t = earlier(t, recovery_deadline(c));
	t = earlier(t, c->ack_deadline);
	if (c->chal_out)
		t = earlier(t, c->chal_again);
	if (c->state == ST_DRAINING)
		t = earlier(t, c->drain_end);
	if (c->state == ST_OPEN && recovery_outstanding(c))
		t = earlier(t, c->last_rx + (u64)c->cfg.idle_ms * USEC_PER_MSEC);
	return t;
}

/*
 * Runs the connection until @done says so (1), @deadline passes (0, if
 * not 0) or the connection ends (-1).
 */
int conn_run(struct conn *c, conn_pred done, void *arg, u64 deadline)
{
	struct pollfd pfd[MAX_SOCKS + 1];
	int n, i, timeout, nsocks;
	u64 now, next;

	for (;;) {
		now = now_us();
		conn_timers(c, now);
		send_flush(c);
		if (done && done(c, arg))
			return 1;
		if (c->state == ST_CLOSED)
			return -1;
		now = now_us();
		if (deadline && now >= deadline)
			return 0;
		next = conn_next_timer(c);
		if (deadline && (!next || deadline < next))
			next = deadline;
		timeout = !next ? -1 : next <= now ? 0 :
			  (int)MIN((next - now + 999) / 1000, 60000);
		nsocks = c->nsocks;
		for (n = 0; n < nsocks; n++) {
			pfd[n].fd = c->socks[n].fd;
			pfd[n].events = POLLIN;
		}
		if (tx_wants_input(c)) {
			pfd[n].fd = c->tx.in_fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			msg("poll: %s", strerror(errno));
			conn_close_with(c, END_ERROR, 1, CLOSE_INTERNAL_ERROR,
					"poll failed");
			return -1;
		}
		for (i = 0; i < nsocks; i++)
			if (pfd[i].revents)
				conn_read_sock(c, i);
		if (n > nsocks && pfd[nsocks].revents)
			tx_read(c);
	}
}
