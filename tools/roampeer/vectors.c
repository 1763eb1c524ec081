// SPDX-License-Identifier: GPL-2.0
/*
 * vectors.c: "roampeer vectors FILE" checks roampeer against the worked
 * examples of PROTOCOL.md appendix A (vectors.txt, NAME HEX lines that
 * vectors.py computes from the spec's inputs).  Every vector is rebuilt
 * with roampeer's own key schedule, packet builders and frame encoders
 * and compared byte for byte; then every packet is opened and decoded
 * as a receiver would, and must fail with any one of its bits flipped.
 */
#include <stdlib.h>
#include <string.h>

#include "pn.h"
#include "seal.h"
#include "vectors.h"

#define MAX_VECTORS	64
#define LINE_MAX_LEN	4096

struct vector {
	char name[64];
	u8 *data;
	size_t len;
	bool checked;
};

struct vset {
	struct vector v[MAX_VECTORS];
	int n, ok;
};

/* The inputs of appendix A. */
static const u64 VEC_C = 0x0102030405060708ULL;
static const u64 VEC_S = 0x1112131415161718ULL;
static const u32 VEC_TS = 123456;
static const u32 VEC_PSK_ID = 7;

/* Fills @p with @len bytes counting up from @first. */
static void counting(u8 *p, size_t len, u8 first)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = first + i;
}

/* Reads NAME HEX lines: 0, or -1 with a message. */
static int vset_load(struct vset *s, const char *path)
{
	char line[LINE_MAX_LEN], *hex;
	FILE *f = fopen(path, "r");
	struct vector *v;
	ssize_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		hex = strchr(line, ' ');
		if (!hex || s->n == MAX_VECTORS)
			goto bad;
		v = &s->v[s->n];
		*hex++ = '\0';
		if (snprintf(v->name, sizeof(v->name), "%s", line) >=
		    (int)sizeof(v->name))
			goto bad;
		v->data = malloc(strlen(hex) / 2 + 1);
		if (!v->data)
			goto bad;
		n = parse_hex(hex, v->data, strlen(hex) / 2 + 1);
		if (n < 0)
			goto bad;
		v->len = n;
		s->n++;
	}
	fclose(f);
	return 0;
bad:
	msg("%s: bad line: %.60s", path, line);
	fclose(f);
	return -1;
}

/* Frees the loaded vectors. */
static void vset_free(struct vset *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].data);
}

/* Prints @len bytes as hex lines of 16, indented. */
static void dump(const char *what, const u8 *p, size_t len)
{
	char hex[33];
	size_t i;

	printf("  %s (%zu bytes):\n", what, len);
	for (i = 0; i < len; i += 16) {
		hex_fmt(p + i, MIN(len - i, (size_t)16), hex);
		printf("    %s\n", hex);
	}
}

/* Compares roampeer's bytes with vector @name: 0, or -1 with the mismatch. */
static int check(struct vset *s, const char *name, const u8 *got, size_t len)
{
	struct vector *v = NULL;
	size_t i;
	int k;

	for (k = 0; k < s->n; k++)
		if (!strcmp(s->v[k].name, name))
			v = &s->v[k];
	if (!v) {
		printf("%s: not in the file\n", name);
		return -1;
	}
	if (v->len != len || memcmp(v->data, got, len)) {
		for (i = 0; i < MIN(len, v->len) && v->data[i] == got[i]; i++)
			;
		printf("%s: mismatch at byte %zu\n", name, i);
		dump("expected", v->data, v->len);
		dump("roampeer", got, len);
		return -1;
	}
	v->checked = true;
	s->ok++;
	return 0;
}

/* Compares with vector MODE.SUFFIX: 0, or -1 with the mismatch. */
static int check_in(struct vset *s, const char *mode, const char *suffix,
		    const u8 *got, size_t len)
{
	char name[128];

	snprintf(name, sizeof(name), "%s.%s", mode, suffix);
	return check(s, name, got, len);
}

/* A failed decode or rejection test: prints it, returns -1. */
static int fail(const char *name, const char *what)
{
	printf("%s: %s\n", name, what);
	return -1;
}

/* Whether a DONE or COOKIE_ECHO tag fails with every single bit flipped. */
static bool hs_flips_fail(const u8 *pkt, size_t len, const u8 *key)
{
	u8 tmp[ECHO_PKT_LEN];
	size_t bit;

	for (bit = 0; bit < 8 * len; bit++) {
		memcpy(tmp, pkt, len);
		tmp[bit / 8] ^= 1 << (bit % 8);
		if (hs_tag_ok(tmp, len, key))
			return false;
	}
	return true;
}

/*
 * Opens a sealed short packet as its receiver, whose largest packet
 * number so far is pn - 1, and checks the number and the frames; then
 * checks that every one-bit change makes it fail.
 */
static int check_open(const char *name, const u8 *pkt, size_t len,
		      const u8 *key, bool encrypt, u64 pn, const u8 *frames,
		      size_t frames_len, struct frames *f)
{
	u8 tmp[PKT_MAX];
	const char *why;
	size_t bit;
	u64 got;

	memcpy(tmp, pkt, len);
	if (short_open(tmp, len, key, encrypt, pn - 1, &got))
		return fail(name, "the receiver's tag check fails");
	if (got != pn)
		return fail(name, "the packet number is reconstructed wrong");
	if (len - SHORT_MIN_LEN != frames_len ||
	    memcmp(tmp + SHORT_HDR_LEN, frames, frames_len))
		return fail(name, "opening does not give the frames back");
	if (frames_parse(tmp + SHORT_HDR_LEN, frames_len, f, &why))
		return fail(name, why);
	for (bit = 0; bit < 8 * len; bit++) {
		memcpy(tmp, pkt, len);
		tmp[bit / 8] ^= 1 << (bit % 8);
		if (!short_open(tmp, len, key, encrypt, pn - 1, &got))
			return fail(name, "accepted with one bit flipped");
	}
	return 0;
}

/* One short packet of appendix A: its frames, its sealing, its opening. */
struct vec_pkt {
	const char *name;
	bool c2s;
	u64 pn;
	u8 frames[64];
	size_t len;
};

/* Encodes the appendix's frames with roampeer's encoders. */
static void build_frames(struct vec_pkt *p)
{
	struct ranges one = { 0 };
	struct ack_frame ack;
	u8 *b = p->frames;
	size_t n = 0;

	ranges_add(&one, 1, 2);
	ack_build(&ack, &one, 0);
	ranges_free(&one);
	if (!strcmp(p->name, "c2s_pn1")) {
		n += put_stream_hdr(b, 0, 5, false, true);
		memcpy(b + n, "hello", 5);
		n += 5;
	} else if (!strcmp(p->name, "s2c_pn1")) {
		n += put_ack(b, &ack);
		n += put_max_data(b + n, 0x80000);
	} else if (!strcmp(p->name, "c2s_pn2")) {
		n += put_ack(b, &ack);
		n += put_stream_hdr(b + n, 5, 3, true, false);
		memcpy(b + n, "bye", 3);
		n += 3;
	} else {
		n += put_ping(b);
		n += put_padding(b + n, 3);
	}
	p->len = n;
}

/* What the receiver must find in each packet's frames. */
static bool frames_as_expected(const char *name, const struct frames *f)
{
	if (!strcmp(name, "c2s_pn1"))
		return f->has_stream && !f->off && f->len == 5 && !f->fin &&
		       !memcmp(f->data, "hello", 5) && f->ack_eliciting;
	if (!strcmp(name, "s2c_pn1"))
		return f->has_ack && f->ack.largest == 1 && !f->ack.first &&
		       f->has_max_data && f->max_data == 0x80000;
	if (!strcmp(name, "c2s_pn2"))
		return f->has_ack && f->has_stream && f->off == 5 &&
		       f->len == 3 && f->fin && !memcmp(f->data, "bye", 3);
	return f->ping && !f->has_ack && !f->has_stream;
}

/* The handshake vectors of one mode, from keys to DONE. */
static int check_handshake(struct vset *s, const char *mode, const u8 *psk,
			   u32 key_id, struct keys *k)
{
	union sockaddr_any client, server;
	u8 nc[NONCE_LEN], ns[NONCE_LEN], secret[KEY_LEN];
	u8 initial[INITIAL_LEN], cookie[COOKIE_PKT_LEN], echo[ECHO_PKT_LEN];
	u8 done[DONE_PKT_LEN];

	counting(nc, sizeof(nc), 0x00);
	counting(ns, sizeof(ns), 0x10);
	counting(secret, sizeof(secret), 0x40);
	addr_parse("192.0.2.1", 60001, &client);
	addr_parse("198.51.100.2", 7000, &server);

	if (keys_derive(k, psk, nc, ns, VEC_C, VEC_S))
		return fail(mode, "key derivation failed");
	if (check_in(s, mode, "prk", k->prk, KEY_LEN) ||
	    check_in(s, mode, "k_c2s", k->c2s, KEY_LEN) ||
	    check_in(s, mode, "k_s2c", k->s2c, KEY_LEN))
		return -1;

	hs_initial(initial, VEC_C, nc, key_id);
	if (check_in(s, mode, "initial", initial, sizeof(initial)))
		return -1;
	if (hs_cookie(cookie, secret, &server, &client, VEC_C, VEC_S, nc, ns,
		      VEC_TS, key_id, 0))
		return fail(mode, "cookie MAC failed");
	if (check_in(s, mode, "cookie", cookie, sizeof(cookie)))
		return -1;

	hs_echo(echo, cookie + LONG_HDR_LEN, VEC_S, VEC_C, nc, k->c2s);
	if (check_in(s, mode, "cookie_echo", echo, sizeof(echo)))
		return -1;
	if (!hs_cookie_ok(echo, secret, &server, &client) ||
	    !hs_tag_ok(echo, sizeof(echo), k->c2s))
		return fail(mode, "the server does not accept the COOKIE_ECHO");
	if (!hs_flips_fail(echo, sizeof(echo), k->c2s))
		return fail(mode, "a COOKIE_ECHO tag verifies with a bit flipped");

	hs_done(done, VEC_C, VEC_S, k->s2c);
	if (check_in(s, mode, "done", done, sizeof(done)))
		return -1;
	if (!hs_tag_ok(done, sizeof(done), k->s2c))
		return fail(mode, "the client does not accept the DONE");
	if (!hs_flips_fail(done, sizeof(done), k->s2c))
		return fail(mode, "a DONE tag verifies with a bit flipped");
	return 0;
}

/* One short packet's vectors: frames, sealed packet, opening it again. */
static int check_short(struct vset *s, const char *mode, bool encrypt,
		       const struct keys *k, struct vec_pkt *p)
{
	const u8 *key = p->c2s ? k->c2s : k->s2c;
	char fname[64], name[128];
	u8 pkt[PKT_MAX];
	struct frames f;
	size_t len;

	build_frames(p);
	snprintf(fname, sizeof(fname), "%s_frames", p->name);
	if (check_in(s, mode, fname, p->frames, p->len))
		return -1;
	snprintf(name, sizeof(name), "%s.%s", mode, p->name);
	len = short_seal(pkt, key, encrypt, p->c2s ? VEC_S : VEC_C, p->pn,
			 p->frames, p->len);
	if (!len)
		return fail(name, "sealing failed");
	if (check(s, name, pkt, len) ||
	    check_open(name, pkt, len, key, encrypt, p->pn, p->frames, p->len,
		       &f))
		return -1;
	if (!frames_as_expected(p->name, &f))
		return fail(name, "the frames decode to other values");
	return 0;
}

/* Checks one mode's vectors: default (@psk NULL) or PSK. */
static int check_mode(struct vset *s, const char *mode, const u8 *psk,
		      u32 key_id)
{
	struct vec_pkt pkts[] = {
		{ .name = "c2s_pn1", .c2s = true, .pn = 1 },
		{ .name = "s2c_pn1", .c2s = false, .pn = 1 },
		{ .name = "c2s_pn2", .c2s = true, .pn = 2 },
		{ .name = "c2s_pn4294967298", .c2s = true, .pn = (1ULL << 32) + 2 },
	};
	struct keys k;
	size_t i;

	if (check_handshake(s, mode, psk, key_id, &k))
		return -1;
	for (i = 0; i < ARRAY_SIZE(pkts); i++)
		if (check_short(s, mode, psk, &k, &pkts[i]))
			return -1;
	return 0;
}

/* The checks of pn.c's reconstruction and replay window, not in the file. */
static int check_pn(void)
{
	struct replay r = { 0 };

	if (pn_decode(0, 1) != 1 || pn_decode(0xffffffffULL, 0) != 1ULL << 32 ||
	    pn_decode((1ULL << 32) + 5, 0xfffffffe) != 0xfffffffe ||
	    pn_decode(0xa82f30ea, 0x9b32) != 0x100009b32ULL)
		return fail("pn_decode", "wrong reconstruction");
	if (!replay_check(&r, 1) || replay_check(&r, 1) ||
	    !replay_check(&r, 5000) || replay_check(&r, 5000 - 4033) ||
	    !replay_check(&r, 5000 - 4032) || !replay_check(&r, 4999))
		return fail("replay_check", "wrong window");
	return 0;
}

/* roampeer vectors FILE: exit status 0 if every vector matches. */
int vectors_main(const char *path)
{
	static const u8 psk_base = 0x20;
	struct vset s = { 0 };
	u8 psk[KEY_LEN];
	int i, ret = 1;

	if (vset_load(&s, path))
		return 1;
	counting(psk, sizeof(psk), psk_base);
	if (check_mode(&s, "default", NULL, 0) ||
	    check_mode(&s, "psk", psk, VEC_PSK_ID) || check_pn())
		goto out;
	for (i = 0; i < s.n; i++) {
		if (!s.v[i].checked) {
			printf("%s: roampeer has no check for it\n", s.v[i].name);
			goto out;
		}
	}
	printf("%d vectors ok\n", s.ok);
	ret = 0;
out:
	vset_free(&s);
	return ret;
}
