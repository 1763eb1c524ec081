// SPDX-License-Identifier: GPL-2.0
/*
 * What goes out after the handshake.  send_flush() fills
 * packets of at most 1200 bytes with an ACK when one is due, the path
 * frames and MAX_DATA that wait, and stream data (lost bytes first,
 * then new ones) within the peer's MAX_DATA and the congestion window,
 * and seals and sends them.  Scripts use send_packet() to send frames
 * of their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "seal.h"

/* Keeps a copy of a packet we sent, by number, for the replay command. */
void history_add(struct conn *c, u64 pn, const u8 *pkt, size_t len)
{
	size_t n = c->nhist;

	if (!c->cfg.keep_history)
		return;
	if (pn >= n) {
		void *h = realloc(c->hist, (pn + 1) * sizeof(*c->hist));

		if (!h)
			return;
		c->hist = h;
		memset(&c->hist[n], 0, (pn + 1 - n) * sizeof(*c->hist));
		c->nhist = pn + 1;
	}
	free(c->hist[pn].data);
	c->hist[pn].data = malloc(len);
	if (!c->hist[pn].data)
		return;
	memcpy(c->hist[pn].data, pkt, len);
	c->hist[pn].len = len;
}

/*
 * Seals @len bytes of frames as our next packet and sends it to @to
 * (NULL: the peer) from the current socket.  With @track, loss recovery
 * follows the packet.  Returns its packet number.
 */
u64 send_packet(struct conn *c, const u8 *frames, size_t len,
		const union sockaddr_any *to, struct sent_pkt *track)
{
	u64 remote = c->cfg.role == ROLE_CLIENT ? c->scid : c->ccid;
	u64 pn = c->tx_pn++;
	u8 pkt[PKT_MAX + TAG_LEN];
	char buf[ADDR_STRLEN];
	size_t n;

	n = short_seal(pkt, c->key_tx, c->cfg.psk_mode, remote, pn, frames,
		       len);
	if (!n) {
		msg("sealing packet %llu failed", (unsigned long long)pn);
		return pn;
	}
	if (!to)
		to = &c->peer;
	if (udp_send(c->socks[c->cur].fd, to, pkt, n))
		dbg(1, "send to %s: %s", addr_fmt(to, buf), strerror(errno));
	dbg(2, "sent pn %llu, %zu bytes", (unsigned long long)pn, n);
	c->stats.tx_packets++;
	history_add(c, pn, pkt, n);
	if (track) {
		track->pn = pn;
		track->time = now_us();
		track->size = n;
		recovery_sent(c, track);
	}
	return pn;
}

/* Sends bytes as they are, from the current socket to the peer. */
void send_raw(struct conn *c, const u8 *pkt, size_t len)
{
	char buf[ADDR_STRLEN];

	if (udp_send(c->socks[c->cur].fd, &c->peer, pkt, len))
		dbg(1, "send to %s: %s", addr_fmt(&c->peer, buf),
		    strerror(errno));
}

/* The ACK delay field: time since the largest arrived, in 8 us units. */
static u16 ack_delay(const struct conn *c, u64 now)
{
	return MIN((now - c->rx_largest_time) / 8, 0xffff);
}

/* Sends a PATH_RESPONSE to an address other than the peer's. */
static void send_response_elsewhere(struct conn *c)
{
	u8 f[16];

	send_packet(c, f, put_path(f, FT_PATH_RESPONSE, c->resp), &c->resp_to,
		    NULL);
	c->resp_need = false;
}

/* Builds and sends one packet if anything is due: whether it did. */
static bool send_one(struct conn *c, u64 now)
{
	size_t n = 0, ack_len = 0, ctrl = 0, len = 0, hdr;
	size_t room = PKT_MAX - SHORT_HDR_LEN - TAG_LEN;
	bool draining = c->state == ST_DRAINING;
	bool probe = c->probes > 0 && !draining;
	bool want_ack, chunk = false, fin = false;
	struct sent_pkt p = { 0 };
	struct ack_frame ack;
	u8 f[PKT_MAX];
	u64 off = 0;

	want_ack = c->ack_new && (c->ack_now || c->ack_eliciting >= 2);
	if (c->rx_pns.n && c->ack_new) {
		ack_build(&ack, &c->rx_pns, ack_delay(c, now));
		ack_len = 16 + 8 * ack.count;
	}
	if (!draining) {
		ctrl = (c->resp_need ? 1 + PATH_DATA_LEN : 0) +
		       (c->chal_need ? 1 + PATH_DATA_LEN : 0) +
		       (c->rx.limit_need ? 9 : 0);
		if (probe || recovery_cwnd_room(c))
			chunk = tx_chunk(c, room - ack_len - ctrl -
					 STREAM_HDR_MAX, &off, &len, &fin);
	}
	if (!ctrl && !chunk && !probe && !want_ack)
		return false;
	if (ack_len)
		n += put_ack(f + n, &ack);
	if (c->resp_need) {
		n += put_path(f + n, FT_PATH_RESPONSE, c->resp);
		c->resp_need = false;
		p.ack_eliciting = true;
	}
	if (c->chal_need) {
		n += put_path(f + n, FT_PATH_CHALLENGE, c->chal);
		c->chal_need = false;
		p.challenge = true;
		p.ack_eliciting = true;
	}
	if (c->rx.limit_need && !draining) {
		n += put_max_data(f + n, c->rx.limit);
		c->rx.limit_need = false;
		p.max_data = true;
		p.ack_eliciting = true;
	}
	if (chunk) {
		hdr = put_stream_hdr(f + n, off, len, fin, true);
		tx_sent(c, off, len, fin, f + n + hdr);
		n += hdr + len;
		p.stream = true;
		p.off = off;
		p.len = len;
		p.fin = fin;
		p.ack_eliciting = true;
	}
	if (probe && !p.ack_eliciting) {
		n += put_ping(f + n);
		p.ack_eliciting = true;
	}
	if (!n)
		return false;
	if (p.ack_eliciting) {
		p.in_flight = true;
		if (c->probes > 0)
			c->probes--;
	}
	send_packet(c, f, n, NULL, p.ack_eliciting ? &p : NULL);
	if (ack_len) {
		c->ack_new = false;
		c->ack_now = false;
		c->ack_eliciting = 0;
		c->ack_deadline = 0;
	}
	return true;
}

/* Sends everything that is due now, as many packets as it takes. */
void send_flush(struct conn *c)
{
	u64 now = now_us();

	if (c->silent || (c->state != ST_OPEN && c->state != ST_DRAINING))
		return;
	if (c->resp_need && !addr_eq(&c->resp_to, &c->peer))
		send_response_elsewhere(c);
	while (send_one(c, now))
		;
}
