// SPDX-License-Identifier: GPL-2.0
/*
 * The script language of "roampeer client --script FILE" and
 * "-e 'cmd; cmd'".  Commands are separated by ';' or new lines, '#'
 * starts a comment.  They run in order once the handshake is done; each
 * prints one line saying what happened.  Some are honest traffic (send,
 * close, ping), the rest put packets on the wire that a correct peer
 * must refuse or survive: raw frames, stream data past its window, an
 * out-of-order flood, replays, moves to a new port or address.
 * Packets a script makes outside the stream are not retransmitted.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "script.h"

enum cmd_result {
	CMD_OK,
	CMD_FAIL,
	CMD_EXIT,		/* the script ends here, successfully */
};

#define FLOOD_DEFAULT_LIMIT	65536
#define FLOOD_BATCH		32
#define STREAM_DATA_MAX		(PKT_MAX - SHORT_MIN_LEN - STREAM_HDR_MAX)
#define DEFAULT_CLOSE_SECS	10
#define EXPECT_PINGS		3
#define MOVE_PORTS_MAX		(MAX_SOCKS - 1)

struct cmd {
	const char *name;
	/* Argument types: n number, o number or "max", x hex, a address,
	 * w "fin", c "ignore" or "answer", b "on" or "off".
	 */
	const char *args;
	int min, max;
	enum cmd_result (*run)(struct conn *c, const struct script_cmd *sc,
			       FILE *out);
};

/* Milliseconds since @t0, for reports. */
static double ms_since(u64 t0)
{
	return (now_us() - t0) / 1000.0;
}

/* The number argument @i (validated when the script was parsed). */
static u64 num(const struct script_cmd *sc, int i)
{
	u64 v = 0;

	parse_u64(sc->argv[i], &v);
	return v;
}

/* How long to wait for the ACK of a packet a script sent. */
static u64 ack_wait(const struct conn *c)
{
	return MAX(2 * conn_pto(c), 200 * USEC_PER_MSEC);
}

/* Fails a command that needs an open connection if it is not. */
static bool need_open(struct conn *c, const struct script_cmd *sc, FILE *out)
{
	if (c->state == ST_OPEN)
		return true;
	fprintf(out, "%s: the connection is not open: %s\n", sc->argv[0],
		c->state == ST_CLOSED ? conn_end_str(c) : "draining");
	return false;
}

/* Appends the connection's end to a report line, if it ended. */
static void report_end(struct conn *c, FILE *out)
{
	if (c->state == ST_CLOSED)
		fprintf(out, "; connection ended: %s", conn_end_str(c));
	fputc('\n', out);
}

/* Starts counting the peer's ACKs of packet numbers [lo, hi). */
static void watch(struct conn *c, u64 lo, u64 hi)
{
	c->watch_lo = lo;
	c->watch_hi = hi;
	c->watch_acked.n = 0;
}

/* How many watched packet numbers the peer has acknowledged. */
static u64 watched_acked(const struct conn *c)
{
	u64 n = 0;
	size_t i;

	for (i = 0; i < c->watch_acked.n; i++)
		n += c->watch_acked.r[i].hi - c->watch_acked.r[i].lo;
	return n;
}

/* conn_run() predicate: every watched packet is acknowledged. */
static bool all_watched_acked(struct conn *c, void *arg)
{
	(void)arg;
	return watched_acked(c) == c->watch_hi - c->watch_lo;
}

/* Sends one untracked packet and reports whether the peer acked it. */
static enum cmd_result send_and_watch(struct conn *c, const u8 *f, size_t n,
				      const char *what, FILE *out)
{
	u64 t0 = now_us(), pn;

	watch(c, c->tx_pn, c->tx_pn + 1);
	pn = send_packet(c, f, n, NULL, NULL);
	conn_run(c, all_watched_acked, NULL, t0 + ack_wait(c));
	fprintf(out, "%s: sent as pn %llu (%zu bytes of frames); ", what,
		(unsigned long long)pn, n);
	if (watched_acked(c))
		fprintf(out, "acknowledged after %.1f ms", ms_since(t0));
	else
		fprintf(out, "not acknowledged within %.0f ms", ms_since(t0));
	report_end(c, out);
	return CMD_OK;
}

/* conn_run() predicate: every byte queued is acknowledged. */
static bool tx_all_acked(struct conn *c, void *arg)
{
	(void)arg;
	return tx_acked_all(c);
}

/* Waits for the ACK of every byte queued, and reports how it went. */
static enum cmd_result wait_acked(struct conn *c, const char *what, u64 from,
				  u64 t0, FILE *out)
{
	conn_run(c, tx_all_acked, NULL,
		 t0 + (u64)c->cfg.idle_ms * USEC_PER_MSEC);
	if (!tx_all_acked(c, NULL)) {
		fprintf(out, "%s: only bytes up to %llu acknowledged", what,
			(unsigned long long)c->tx.una);
		report_end(c, out);
		return CMD_FAIL;
	}
	fprintf(out, "%s: bytes %llu-%llu acknowledged after %.1f ms\n", what,
		(unsigned long long)from, (unsigned long long)(c->tx.end - 1),
		ms_since(t0));
	return CMD_OK;
}

/* Fails a command that adds to the stream after our FIN. */
static bool need_stream(struct conn *c, const struct script_cmd *sc,
			FILE *out)
{
	if (!need_open(c, sc, out))
		return false;
	if (!c->tx.eof)
		return true;
	fprintf(out, "%s: our stream is closed (FIN queued)\n", sc->argv[0]);
	return false;
}

/* send N: N pattern bytes of the stream, sent normally, until acked. */
static enum cmd_result cmd_send(struct conn *c, const struct script_cmd *sc,
				FILE *out)
{
	u64 n = num(sc, 1), from = c->tx.end + c->tx.pattern, t0 = now_us();
	char what[40];

	if (!need_stream(c, sc, out))
		return CMD_FAIL;
	tx_queue(c, n);
	snprintf(what, sizeof(what), "send %llu", (unsigned long long)n);
	return wait_acked(c, what, from, t0, out);
}

/* write HEX...: these bytes as stream data, sent normally, until acked. */
static enum cmd_result cmd_write(struct conn *c, const struct script_cmd *sc,
				 FILE *out)
{
	u64 from = c->tx.end + c->tx.pattern, t0 = now_us();
	u8 data[PKT_MAX];
	ssize_t n;
	int i;

	if (!need_stream(c, sc, out))
		return CMD_FAIL;
	for (i = 1; i < sc->argc; i++) {
		n = parse_hex(sc->argv[i], data, sizeof(data));
		if (n < 0 || tx_append(c, data, n)) {
			fprintf(out, "write: cannot queue '%s'\n", sc->argv[i]);
			return CMD_FAIL;
		}
	}
	return wait_acked(c, "write", from, t0, out);
}

/* frames HEX...: one packet with exactly these frame bytes. */
static enum cmd_result cmd_frames(struct conn *c, const struct script_cmd *sc,
				  FILE *out)
{
	char hex[2 * PKT_MAX + 1] = "";
	u8 f[PKT_MAX];
	ssize_t n;
	int i;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	for (i = 1; i < sc->argc; i++)
		strncat(hex, sc->argv[i], sizeof(hex) - strlen(hex) - 1);
	n = parse_hex(hex, f, PKT_MAX - SHORT_MIN_LEN);
	if (n < 0) {
		fprintf(out, "frames: bad hex or more than %d bytes\n",
			PKT_MAX - SHORT_MIN_LEN);
		return CMD_FAIL;
	}
	return send_and_watch(c, f, n, "frames", out);
}

/*
 * stream OFF|max LEN [fin]: one STREAM frame of pattern bytes at OFF (max:
 * the peer's MAX_DATA), unchecked against flow control.
 */
static enum cmd_result cmd_stream(struct conn *c, const struct script_cmd *sc,
				  FILE *out)
{
	u64 off = strcmp(sc->argv[1], "max") ? num(sc, 1) : c->tx.limit;
	u64 len = num(sc, 2);
	bool fin = sc->argc > 3;
	char what[80];
	u8 f[PKT_MAX];
	size_t n;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	if (len > STREAM_DATA_MAX || off > UINT64_MAX - len) {
		fprintf(out, "stream: LEN is at most %d and OFF + LEN below 2^64\n",
			STREAM_DATA_MAX);
		return CMD_FAIL;
	}
	n = put_stream_hdr(f, off, len, fin, true);
	pattern_fill(off, len, f + n);
	snprintf(what, sizeof(what), "stream %llu %llu%s",
		 (unsigned long long)off, (unsigned long long)len,
		 fin ? " fin" : "");
	return send_and_watch(c, f, n + len, what, out);
}

/*
 * ooo-flood COUNT [LEN]: COUNT packets of one STREAM frame of LEN bytes,
 * at offsets going down from the top of the peer's window, never at or
 * below our next unsent offset: a hole the receiver cannot deliver past.
 * When the window has fewer slots than COUNT, the offsets start over.
 */
static enum cmd_result cmd_flood(struct conn *c, const struct script_cmd *sc,
				 FILE *out)
{
	u64 count = num(sc, 1), len = sc->argc > 2 ? num(sc, 2) : 1;
	u64 limit = c->tx.limit_known ? c->tx.limit : FLOOD_DEFAULT_LIMIT;
	u64 hole = c->tx.next, slots, i, off, first, t0 = now_us();
	u8 f[PKT_MAX];
	size_t n;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	if (!count || !len || len > STREAM_DATA_MAX) {
		fprintf(out, "ooo-flood: COUNT at least 1, LEN 1 to %d\n",
			STREAM_DATA_MAX);
		return CMD_FAIL;
	}
	if (limit < hole + 1 + len) {
		fprintf(out, "ooo-flood: no room between offset %llu and the peer's MAX_DATA %llu\n",
			(unsigned long long)hole, (unsigned long long)limit);
		return CMD_FAIL;
	}
	slots = (limit - hole - 1) / len;
	first = c->tx_pn;
	watch(c, first, first + count);
	for (i = 0; i < count && c->state == ST_OPEN; i++) {
		off = limit - len * (1 + i % slots);
		n = put_stream_hdr(f, off, len, false, true);
		pattern_fill(off, len, f + n);
		send_packet(c, f, n + len, NULL, NULL);
		if (i % FLOOD_BATCH == FLOOD_BATCH - 1)
			conn_run(c, NULL, NULL, now_us() + USEC_PER_MSEC);
	}
	conn_run(c, all_watched_acked, NULL, now_us() + ack_wait(c));
	fprintf(out, "ooo-flood %llu %llu: sent %llu packets (pn %llu-%llu) at offsets %llu down to %llu, below MAX_DATA %llu%s, hole at %llu; peer acknowledged %llu in %.0f ms",
		(unsigned long long)count, (unsigned long long)len,
		(unsigned long long)i, (unsigned long long)first,
		(unsigned long long)(first + i - 1),
		(unsigned long long)(limit - len),
		(unsigned long long)(limit - len * MIN(i, slots)),
		(unsigned long long)limit,
		c->tx.limit_known ? "" : " (assumed, none received)",
		(unsigned long long)hole, (unsigned long long)watched_acked(c),
		ms_since(t0));
	report_end(c, out);
	return CMD_OK;
}

/*
 * challenge-flood COUNT [MS [PORTS]]: COUNT packets of one PATH_CHALLENGE
 * each, with fresh random bytes, spread evenly over MS ms (0, the
 * default: as fast as ooo-flood sends).  A peer answers each on the path
 * it came by (RFC 9000 8.2.2).  With PORTS (2 to MOVE_PORTS_MAX), the
 * packets take turns among that many new source ports, and each carries
 * a PING too: each one moves the peer to a path it challenges.  Reports
 * the PATH_RESPONSEs that came back and when the peer's last packet
 * came, counted from the first challenge: a peer that ended the
 * connection stops answering.
 */
static enum cmd_result cmd_challenge_flood(struct conn *c,
					   const struct script_cmd *sc,
					   FILE *out)
{
	u64 count = num(sc, 1), ms = sc->argc > 2 ? num(sc, 2) : 0;
	u64 ports = sc->argc > 3 ? num(sc, 3) : 1;
	u64 t0, resp = c->peer_responses, pkts = c->peer_packets;
	u64 first = c->tx_pn, i, due;
	u8 f[2 + PATH_DATA_LEN], data[PATH_DATA_LEN];
	union sockaddr_any local = c->socks[c->cur].local;
	int base = 0;
	size_t n = 0;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	if (!count || ports < 1 || ports > MOVE_PORTS_MAX) {
		fprintf(out, "challenge-flood: COUNT at least 1, PORTS 1 to %d\n",
			MOVE_PORTS_MAX);
		return CMD_FAIL;
	}
	addr_set_port(&local, 0);
	for (i = 0; ports > 1 && i < ports; i++) {
		if (conn_add_sock(c, &local)) {
			fprintf(out, "challenge-flood: no socket\n");
			return CMD_FAIL;
		}
	}
	if (ports > 1) {
		base = c->nsocks - ports;
		n = put_ping(f);
	}
	t0 = now_us();
	for (i = 0; i < count && c->state == ST_OPEN; i++) {
		/*
		 * What the peer sends is read as it comes, even when the
		 * flood runs behind its schedule: the report's time of the
		 * peer's last packet is when it was read.
		 */
		due = t0 + i * ms * USEC_PER_MSEC / count;
		if (now_us() < due)
			conn_run(c, NULL, NULL, due);
		else if (i % FLOOD_BATCH == FLOOD_BATCH - 1)
			conn_run(c, NULL, NULL, now_us() + USEC_PER_MSEC);
		random_bytes(data, sizeof(data));
		if (ports > 1)
			c->cur = base + i % ports;
		send_packet(c, f, n + put_path(f + n, FT_PATH_CHALLENGE, data),
			    NULL, NULL);
	}
	conn_run(c, NULL, NULL, now_us() + ack_wait(c));
	fprintf(out, "challenge-flood %llu %llu %llu: sent %llu packets (pn %llu-%llu) from %llu port%s in %.0f ms; %llu PATH_RESPONSEs in %llu packets from the peer",
		(unsigned long long)count, (unsigned long long)ms,
		(unsigned long long)ports,
		(unsigned long long)i, (unsigned long long)first,
		(unsigned long long)(first + i - 1),
		(unsigned long long)ports, ports > 1 ? "s, each packet a move," : "",
		ms_since(t0), (unsigned long long)(c->peer_responses - resp),
		(unsigned long long)(c->peer_packets - pkts));
	if (c->peer_packets != pkts)
		fprintf(out, ", the last after %.0f ms",
			(c->last_rx - t0) / 1000.0);
	report_end(c, out);
	return CMD_OK;
}

/*
 * silent on|off: whether roampeer sends anything of its own: ACKs,
 * retransmissions, MAX_DATA, answers to challenges.  What the script's
 * commands put on the wire still goes.  Silent, roampeer keeps no timers,
 * so it never gives up on the peer either.
 */
static enum cmd_result cmd_silent(struct conn *c, const struct script_cmd *sc,
				  FILE *out)
{
	c->silent = !strcmp(sc->argv[1], "on");
	fprintf(out, "silent: %s\n", c->silent ?
		"no ACKs, retransmissions or answers from now on" :
		"ACKs, retransmissions and answers again");
	return CMD_OK;
}

/* replay PN: the packet we sent with number PN, again, byte for byte. */
static enum cmd_result cmd_replay(struct conn *c, const struct script_cmd *sc,
				  FILE *out)
{
	u64 pn = num(sc, 1);

	if (pn >= c->nhist || !c->hist[pn].data) {
		fprintf(out, "replay: roampeer sent no packet %llu\n",
			(unsigned long long)pn);
		return CMD_FAIL;
	}
	send_raw(c, c->hist[pn].data, c->hist[pn].len);
	fprintf(out, "replay %llu: sent its %u bytes again%s\n",
		(unsigned long long)pn, c->hist[pn].len,
		pn ? "" : " (the COOKIE_ECHO)");
	return CMD_OK;
}

/* wait MS: run the connection (receive, acknowledge, send) for MS ms. */
static enum cmd_result cmd_wait(struct conn *c, const struct script_cmd *sc,
				FILE *out)
{
	u64 ms = num(sc, 1), pkts = c->peer_packets, rx = c->rx.next;
	u64 end = now_us() + ms * USEC_PER_MSEC;

	if (conn_run(c, NULL, NULL, end) < 0 && now_us() < end)
		usleep(end - now_us());
	fprintf(out, "wait %llu: %llu packets from the peer, %llu stream bytes received",
		(unsigned long long)ms, (unsigned long long)(c->peer_packets - pkts),
		(unsigned long long)(c->rx.next - rx));
	report_end(c, out);
	return CMD_OK;
}

/* conn_run() predicate: our FIN is acknowledged and the peer's arrived. */
static bool both_fins(struct conn *c, void *arg)
{
	(void)arg;
	return c->tx.fin_acked && c->rx.done;
}

/* close [SECS]: FIN after our data; wait for its ACK and the peer's FIN. */
static enum cmd_result cmd_close(struct conn *c, const struct script_cmd *sc,
				 FILE *out)
{
	u64 secs = sc->argc > 1 ? num(sc, 1) : DEFAULT_CLOSE_SECS;
	u64 t0 = now_us();

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	tx_finish(c);
	conn_run(c, both_fins, NULL, t0 + secs * USEC_PER_SEC);
	if (!both_fins(c, NULL)) {
		fprintf(out, "close: after %.0f ms our FIN is %sacknowledged, the peer's FIN %s",
			ms_since(t0), c->tx.fin_acked ? "" : "not ",
			c->rx.done ? "arrived" : "did not arrive");
		report_end(c, out);
		return CMD_FAIL;
	}
	fprintf(out, "close: our FIN at %llu acknowledged, the peer's FIN at %llu received, after %.1f ms\n",
		(unsigned long long)c->tx.end, (unsigned long long)c->rx.final,
		ms_since(t0));
	return CMD_OK;
}

/* abort: CLOSE kind 1 (abort), code 0, and the connection is over. */
static enum cmd_result cmd_abort(struct conn *c, const struct script_cmd *sc,
				 FILE *out)
{
	u64 pn = c->tx_pn;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	conn_close_with(c, END_ABORTED, 1, CLOSE_NO_ERROR, "script abort");
	fprintf(out, "abort: sent CLOSE kind 1 code 0 as pn %llu\n",
		(unsigned long long)pn);
	return CMD_OK;
}

/* conn_run() predicate: the peer sent something since *arg packets. */
static bool peer_heard(struct conn *c, void *arg)
{
	return c->peer_packets != *(u64 *)arg;
}

/* Whether the connection ended by the peer's CLOSE. */
static bool peer_closed(const struct conn *c)
{
	return c->state == ST_CLOSED &&
	       (c->end == END_PEER_CLOSE || c->end == END_PEER_ABORT);
}

/*
 * expect-close SECS: roampeer goes silent (no ACKs either, so that the
 * peer's idle timer can run) and waits SECS for the peer's CLOSE.  If
 * none came, it sends up to three PINGs: no answer means the peer has
 * dropped the connection (its idle end).  Ends the script: exit 0 if
 * the peer closed or is gone, 1 if it still answers.
 */
static enum cmd_result cmd_expect_close(struct conn *c,
					const struct script_cmd *sc, FILE *out)
{
	u64 secs = num(sc, 1), t0 = now_us(), heard;
	u8 ping[1];
	int i;

	if (c->state != ST_CLOSED) {
		c->silent = true;
		conn_run(c, NULL, NULL, t0 + secs * USEC_PER_SEC);
	}
	if (peer_closed(c)) {
		fprintf(out, "expect-close %llu: %s, after %.0f ms\n",
			(unsigned long long)secs, conn_end_str(c), ms_since(t0));
		return CMD_EXIT;
	}
	if (c->state == ST_CLOSED) {
		fprintf(out, "expect-close %llu: the connection ended otherwise: %s\n",
			(unsigned long long)secs, conn_end_str(c));
		return CMD_FAIL;
	}
	heard = c->peer_packets;
	for (i = 0; i < EXPECT_PINGS && !peer_heard(c, &heard); i++) {
		send_packet(c, ping, put_ping(ping), NULL, NULL);
		conn_run(c, peer_heard, &heard, now_us() + ack_wait(c));
	}
	c->silent = false;
	if (peer_closed(c)) {
		fprintf(out, "expect-close %llu: %s, answering a PING\n",
			(unsigned long long)secs, conn_end_str(c));
		return CMD_EXIT;
	}
	if (peer_heard(c, &heard)) {
		fprintf(out, "expect-close %llu: no CLOSE, and the peer still answers\n",
			(unsigned long long)secs);
		return CMD_FAIL;
	}
	fprintf(out, "expect-close %llu: no CLOSE, but the peer is gone: %d PINGs unanswered\n",
		(unsigned long long)secs, EXPECT_PINGS);
	return CMD_EXIT;
}

/* Moves our sending to a new socket on @local and PINGs from it. */
static enum cmd_result move_to(struct conn *c, const union sockaddr_any *local,
			       const char *what, FILE *out)
{
	char from[ADDR_STRLEN], to[ADDR_STRLEN];
	struct sent_pkt p = { .ack_eliciting = true, .in_flight = true };
	u8 ping[1];
	u64 pn;

	addr_fmt(&c->socks[c->cur].local, from);
	if (conn_add_sock(c, local)) {
		fprintf(out, "%s: no socket\n", what);
		return CMD_FAIL;
	}
	pn = send_packet(c, ping, put_ping(ping), NULL, &p);
	fprintf(out, "%s: now sending from %s (was %s), PING as pn %llu\n",
		what, addr_fmt(&c->socks[c->cur].local, to), from,
		(unsigned long long)pn);
	return CMD_OK;
}

/* port-hop: a new UDP source port, same address, from now on. */
static enum cmd_result cmd_port_hop(struct conn *c,
				    const struct script_cmd *sc, FILE *out)
{
	union sockaddr_any local = c->socks[c->cur].local;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	addr_set_port(&local, 0);
	return move_to(c, &local, "port-hop", out);
}

/* addr-move ADDR: a new socket bound to ADDR, from now on. */
static enum cmd_result cmd_addr_move(struct conn *c,
				     const struct script_cmd *sc, FILE *out)
{
	union sockaddr_any local;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	addr_parse(sc->argv[1], 0, &local);
	if (local.sa.sa_family != c->peer.sa.sa_family) {
		fprintf(out, "addr-move: %s is not of the peer's family\n",
			sc->argv[1]);
		return CMD_FAIL;
	}
	return move_to(c, &local, "addr-move", out);
}

/* challenge ignore|answer: whether we answer PATH_CHALLENGE. */
static enum cmd_result cmd_challenge(struct conn *c,
				     const struct script_cmd *sc, FILE *out)
{
	c->answer_challenges = !strcmp(sc->argv[1], "answer");
	fprintf(out, "challenge: PATH_CHALLENGE will be %s\n",
		c->answer_challenges ? "answered" : "ignored");
	return CMD_OK;
}

/* ping: a PING (retransmitted if lost) and the time to its ACK. */
static enum cmd_result cmd_ping(struct conn *c, const struct script_cmd *sc,
				FILE *out)
{
	struct sent_pkt p = { .ack_eliciting = true, .in_flight = true };
	u64 t0 = now_us(), pn;
	u8 ping[1];

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	watch(c, c->tx_pn, c->tx_pn + 1);
	pn = send_packet(c, ping, put_ping(ping), NULL, &p);
	conn_run(c, all_watched_acked, NULL,
		 t0 + (u64)c->cfg.idle_ms * USEC_PER_MSEC);
	if (!watched_acked(c)) {
		fprintf(out, "ping: pn %llu not acknowledged",
			(unsigned long long)pn);
		report_end(c, out);
		return CMD_FAIL;
	}
	fprintf(out, "ping: pn %llu acknowledged after %.2f ms\n",
		(unsigned long long)pn, ms_since(t0));
	return CMD_OK;
}

/*
 * fuzz|garble SEED COUNT: COUNT packets of random frames with valid tags,
 * or without a valid tag (fuzz.c); the seed counts up with --repeat's
 * connections.
 */
static enum cmd_result cmd_fuzz(struct conn *c, const struct script_cmd *sc,
				FILE *out)
{
	u64 seed = num(sc, 1) + c->round;

	if (!need_open(c, sc, out))
		return CMD_FAIL;
	if (!strcmp(sc->argv[0], "fuzz"))
		fuzz_frames(c, seed, num(sc, 2), out);
	else
		fuzz_garble(c, seed, num(sc, 2), out);
	return CMD_OK;
}

static const struct cmd cmds[] = {
	{ "send", "n", 1, 1, cmd_send },
	{ "frames", "xxxxxxxx", 1, SCRIPT_MAX_ARGS, cmd_frames },
	{ "write", "xxxxxxxx", 1, SCRIPT_MAX_ARGS, cmd_write },
	{ "stream", "onw", 2, 3, cmd_stream },
	{ "ooo-flood", "nn", 1, 2, cmd_flood },
	{ "challenge-flood", "nnn", 1, 3, cmd_challenge_flood },
	{ "silent", "b", 1, 1, cmd_silent },
	{ "replay", "n", 1, 1, cmd_replay },
	{ "wait", "n", 1, 1, cmd_wait },
	{ "close", "n", 0, 1, cmd_close },
	{ "abort", "", 0, 0, cmd_abort },
	{ "expect-close", "n", 1, 1, cmd_expect_close },
	{ "port-hop", "", 0, 0, cmd_port_hop },
	{ "addr-move", "a", 1, 1, cmd_addr_move },
	{ "challenge", "c", 1, 1, cmd_challenge },
	{ "ping", "", 0, 0, cmd_ping },
	{ "fuzz", "nn", 2, 2, cmd_fuzz },
	{ "garble", "nn", 2, 2, cmd_fuzz },
};

/* The command named @name, or NULL. */
static const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* Whether argument @arg fits its type letter. */
static bool arg_ok(char type, const char *arg)
{
	union sockaddr_any a;
	u8 tmp[PKT_MAX];
	u64 v;

	switch (type) {
	case 'o':
		if (!strcmp(arg, "max"))
			return true;
		return parse_u64(arg, &v);
	case 'n':
		return parse_u64(arg, &v);
	case 'x':
		return parse_hex(arg, tmp, sizeof(tmp)) >= 0;
	case 'a':
		return !addr_parse(arg, 0, &a);
	case 'w':
		return !strcmp(arg, "fin");
	case 'c':
		return !strcmp(arg, "ignore") || !strcmp(arg, "answer");
	case 'b':
		return !strcmp(arg, "on") || !strcmp(arg, "off");
	}
	return false;
}

/* Checks one command's name and arguments: 0, or -1 with a message. */
static int cmd_check(const struct script_cmd *sc)
{
	const struct cmd *cmd = cmd_find(sc->argv[0]);
	int i;

	if (!cmd) {
		msg("script line %d: unknown command '%s'", sc->line,
		    sc->argv[0]);
		return -1;
	}
	if (sc->argc - 1 < cmd->min || sc->argc - 1 > cmd->max) {
		msg("script line %d: %s takes %d to %d arguments", sc->line,
		    cmd->name, cmd->min, cmd->max);
		return -1;
	}
	for (i = 1; i < sc->argc; i++) {
		if (!arg_ok(cmd->args[i - 1], sc->argv[i])) {
			msg("script line %d: %s: bad argument '%s'", sc->line,
			    cmd->name, sc->argv[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Splits a script into commands and checks them all before anything is
 * sent: 0, or -1 with a message.
 */
int script_parse(struct script *s, const char *text)
{
	struct script_cmd *sc, *grown;
	int line = 1, in_comment = 0;
	char *p, *tok;

	memset(s, 0, sizeof(*s));
	s->text = strdup(text);
	if (!s->text)
		return -1;
	/* Comments become blanks, new lines ';'; line numbers are kept. */
	for (p = s->text; *p; p++) {
		if (*p == '#')
			in_comment = 1;
		if (*p == '\n')
			in_comment = 0;
		else if (in_comment)
			*p = ' ';
	}
	for (p = s->text; p; ) {
		char *end = strpbrk(p, ";\n");
		int nl = end && *end == '\n';

		if (end)
			*end = '\0';
		tok = strtok(p, " \t\r");
		if (tok) {
			grown = realloc(s->cmds, (s->n + 1) * sizeof(*s->cmds));
			if (!grown)
				return -1;
			s->cmds = grown;
			sc = &s->cmds[s->n++];
			memset(sc, 0, sizeof(*sc));
			sc->line = line;
			while (tok) {
				if (sc->argc == SCRIPT_MAX_ARGS + 1) {
					msg("script line %d: too many arguments",
					    line);
					return -1;
				}
				sc->argv[sc->argc++] = tok;
				tok = strtok(NULL, " \t\r");
			}
			if (cmd_check(sc))
				return -1;
		}
		line += nl;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* Frees a parsed script. */
void script_free(struct script *s)
{
	free(s->cmds);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

/*
 * Runs the commands in order, one report line each on @out: the exit
 * status, 0 or 1.
 */
int script_run(struct conn *c, const struct script *s, FILE *out)
{
	enum cmd_result r;
	int i;

	for (i = 0; i < s->n; i++) {
		r = cmd_find(s->cmds[i].argv[0])->run(c, &s->cmds[i], out);
		fflush(out);
		if (r == CMD_EXIT)
			return 0;
		if (r == CMD_FAIL) {
			msg("script line %d: %s failed", s->cmds[i].line,
			    s->cmds[i].argv[0]);
			return 1;
		}
	}
	if (c->state == ST_OPEN)
		fprintf(out, "script done; the connection is left open\n");
	return 0;
}
