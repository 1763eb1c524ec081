// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl key: the namespace's pre-shared keys (ROAM_A_KEY).  As with
 * wg(8), a key is never taken from the command line, only from a file or
 * stdin, and every buffer that held it is wiped.  The kernel never sends
 * key bytes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "nl.h"
#include "print.h"
#include "roamctl.h"

#define KEY_B64_LEN	44	/* base64 of 32 bytes, with one '=' */
#define KEY_HEX_LEN	64
#define KEY_FILE_MAX	128

static void key_usage(FILE *f)
{
	fputs("Usage: roamctl key add ID secret FILE [owner UID]\n"
	      "       roamctl key del ID\n"
	      "       roamctl key show\n"
	      "       roamctl key genkey\n"
	      "ID is 1 to 4294967295.  FILE (\"-\" for stdin) holds the 32-byte\n"
	      "key: 32 raw bytes, 64 hex digits or 44 characters of base64 (as\n"
	      "\"roamctl key genkey\" or \"wg genkey\" print), the last two\n"
	      "optionally followed by a newline.  Only its owner (by default\n"
	      "whoever adds it) and CAP_NET_ADMIN may use a key.\n", f);
}

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(char c)
{
	const char *p;

	if (!c)
		return -1;
	p = strchr(b64_chars, c);
	return p ? p - b64_chars : -1;
}

/* Exactly 43 characters and '=', canonical (unused bits zero). */
static bool key_from_b64(const char *s, uint8_t key[ROAM_KEY_LEN])
{
	uint32_t acc = 0;
	unsigned int i, n = 0;
	int v;

	if (s[KEY_B64_LEN - 1] != '=')
		return false;
	for (i = 0; i < KEY_B64_LEN - 1; i++) {
		v = b64_val(s[i]);
		if (v < 0)
			return false;
		acc = acc << 6 | v;
		if (i % 4 == 3) {
			key[n++] = acc >> 16;
			key[n++] = acc >> 8;
			key[n++] = acc;
			acc = 0;
		}
	}
	/* The last group: 3 characters, 18 bits, 16 of them used. */
	if (acc & 3)
		return false;
	key[n++] = acc >> 10;
	key[n++] = acc >> 2;
	explicit_bzero(&acc, sizeof(acc));
	return n == ROAM_KEY_LEN;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool key_from_hex(const char *s, uint8_t key[ROAM_KEY_LEN])
{
	unsigned int i;
	int hi, lo;

	for (i = 0; i < ROAM_KEY_LEN; i++) {
		hi = hex_val(s[2 * i]);
		lo = hex_val(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		key[i] = hi << 4 | lo;
	}
	return true;
}

static bool key_decode(const char *buf, size_t len, uint8_t key[ROAM_KEY_LEN])
{
	if (len == ROAM_KEY_LEN) {
		memcpy(key, buf, ROAM_KEY_LEN);
		return true;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	if (len == KEY_HEX_LEN)
		return key_from_hex(buf, key);
	if (len == KEY_B64_LEN)
		return key_from_b64(buf, key);
	return false;
}

/* Reads the key from path, or stdin for "-". */
static int key_read(const char *path, uint8_t key[ROAM_KEY_LEN])
{
	bool is_stdin = !strcmp(path, "-");
	char buf[KEY_FILE_MAX + 1];
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "roamctl: cannot open key file \"%s\": %m\n",
			path);
		return EXIT_FAIL;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr,
				"roamctl: cannot read key file \"%s\": %m\n",
				path);
			ret = EXIT_FAIL;
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	if (len > KEY_FILE_MAX || !key_decode(buf, len, key)) {
		fprintf(stderr,
			"roamctl: key file \"%s\": expected 32 raw bytes, 64 hex digits or 44 characters of base64\n",
			path);
		ret = EXIT_PARSE;
	}
out:
	explicit_bzero(buf, sizeof(buf));
	if (!is_stdin)
		close(fd);
	return ret;
}

static int parse_key_id(const char *s, uint32_t *id)
{
	uint64_t v;

	if (parse_uint(s, UINT32_MAX, &v) || !v) {
		fprintf(stderr,
			"roamctl: invalid key id \"%s\": expected 1 to %u\n", s,
			UINT32_MAX);
		return EXIT_PARSE;
	}
	*id = v;
	return 0;
}

/* Sends ROAM_A_KEY { ID, SECRET if given, OWNER if not -1 } with cmd. */
static int key_send(uint8_t cmd, uint32_t id, const uint8_t *secret, int64_t owner)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl nl;
	int ret;

	ret = nl_open(&nl);
	if (ret)
		return ret;
	nlh = nl_req(&nl, cmd, false);
	nest = mnl_attr_nest_start(nlh, ROAM_A_KEY);
	mnl_attr_put_u32(nlh, ROAM_A_KEY_ID, id);
	if (secret)
		mnl_attr_put(nlh, ROAM_A_KEY_SECRET, ROAM_KEY_LEN, secret);
	if (owner >= 0)
		mnl_attr_put_u32(nlh, ROAM_A_KEY_OWNER, owner);
	mnl_attr_nest_end(nlh, nest);
	ret = nl_request(&nl, nlh, NULL, NULL);	/* wipes the request */
	nl_close(&nl);
	return ret;
}

static int key_add(int argc, char **argv)
{
	uint8_t key[ROAM_KEY_LEN];
	int64_t owner = -1;
	uint64_t uid;
	uint32_t id;
	int ret;

	if ((argc != 3 && argc != 5) || strcmp(argv[1], "secret") ||
	    (argc == 5 && strcmp(argv[3], "owner"))) {
		fprintf(stderr, "roamctl: key add needs \"ID secret FILE [owner UID]\"\n");
		key_usage(stderr);
		return EXIT_PARSE;
	}
	ret = parse_key_id(argv[0], &id);
	if (ret)
		return ret;
	if (argc == 5) {
		if (parse_uint(argv[4], UINT32_MAX - 1, &uid)) {
			fprintf(stderr, "roamctl: invalid owner \"%s\": expected a uid\n",
				argv[4]);
			return EXIT_PARSE;
		}
		owner = uid;
	}
	ret = key_read(argv[2], key);
	if (!ret)
		ret = key_send(ROAM_CMD_KEY_ADD, id, key, owner);
	explicit_bzero(key, sizeof(key));
	return ret;
}

static int key_del(int argc, char **argv)
{
	uint32_t id;
	int ret;

	if (argc != 1) {
		fprintf(stderr, "roamctl: key del needs \"ID\"\n");
		key_usage(stderr);
		return EXIT_PARSE;
	}
	ret = parse_key_id(argv[0], &id);
	if (ret)
		return ret;
	return key_send(ROAM_CMD_KEY_DEL, id, NULL, -1);
}

static int key_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ROAM_A_KEY_MAX + 1] = { NULL };
	const struct nlattr *nest = nl_msg_nest(nlh, ROAM_A_KEY);
	uint64_t v;

	if (!nest || nl_parse_nested(nest, tb, ROAM_A_KEY_MAX))
		return MNL_CB_OK;	/* not a key: skip it */
	print_list_item(data);
	print_obj_open(NULL);
	if (nl_get_uint(tb[ROAM_A_KEY_ID], &v))
		print_u64("id", "id %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_KEY_USERS], &v))
		print_u64("users", " users %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_KEY_OWNER], &v))
		print_u64("owner", " owner %" PRIu64, v);
	print_text("\n");
	print_obj_close();
	return MNL_CB_OK;
}

static int key_show(void)
{
	struct print_list list = { false };
	struct nl nl;
	int ret;

	ret = nl_open(&nl);
	if (ret)
		return ret;
	ret = nl_request(&nl, nl_req(&nl, ROAM_CMD_KEY_GET, true),
			 key_show_cb, &list);
	print_list_end(&list, !ret);
	nl_close(&nl);
	return ret;
}

/* A new random key in base64, for "key add ... secret FILE". */
static int key_genkey(void)
{
	uint8_t key[ROAM_KEY_LEN + 1] = { 0 };	/* + 1: whole 3-byte groups */
	char out[KEY_B64_LEN + 1];
	unsigned int i, o = 0;
	uint32_t acc;
	ssize_t n;

	do {
		n = getrandom(key, ROAM_KEY_LEN, 0);
	} while (n < 0 && errno == EINTR);
	if (n != ROAM_KEY_LEN) {
		fprintf(stderr, "roamctl: getrandom: %m\n");
		return EXIT_FAIL;
	}
	for (i = 0; i < ROAM_KEY_LEN; i += 3) {
		acc = key[i] << 16 | key[i + 1] << 8 | key[i + 2];
		out[o++] = b64_chars[acc >> 18 & 63];
		out[o++] = b64_chars[acc >> 12 & 63];
		out[o++] = b64_chars[acc >> 6 & 63];
		out[o++] = b64_chars[acc & 63];
	}
	out[KEY_B64_LEN - 1] = '=';	/* 32 = 10 * 3 + 2 */
	out[KEY_B64_LEN] = '\0';
	printf("%s\n", out);
	explicit_bzero(&acc, sizeof(acc));
	explicit_bzero(key, sizeof(key));
	explicit_bzero(out, sizeof(out));
	return EXIT_OK;
}

int do_key(int argc, char **argv)
{
	if (argc > 0 && (is_help(argv[0]) || (argc == 2 && is_help(argv[1])))) {
		key_usage(stdout);
		return EXIT_OK;
	}
	if (argc == 0 || is_show(argv[0])) {
		if (argc > 1)
			return unknown_command("key", argv[1], key_usage);
		return key_show();
	}
	if (!strcmp(argv[0], "add"))
		return key_add(argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete"))
		return key_del(argc - 1, argv + 1);
	if (!strcmp(argv[0], "genkey")) {
		if (argc > 1)
			return unknown_command("key", argv[1], key_usage);
		return key_genkey();
	}
	return unknown_command("key", argv[0], key_usage);
}
