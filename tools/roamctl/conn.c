// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl conn: the dump of connections (ROAM_A_CONN), and migrate,
 * which makes a connection hop to a new local port now.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "nl.h"
#include "print.h"
#include "roamctl.h"

static void conn_usage(FILE *f)
{
	fputs("Usage: roamctl conn show\n"
	      "       roamctl conn migrate id CID\n"
	      "CID is the local connection ID in hex (16 digits, 0x optional),\n"
	      "as \"conn show\" prints it first: \"cid LOCAL -> REMOTE\", where\n"
	      "LOCAL is the ID this side receives on and REMOTE the peer's.\n",
	      f);
}

static int conn_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ROAM_A_CONN_MAX + 1] = { NULL };
	const struct nlattr *nest = nl_msg_nest(nlh, ROAM_A_CONN);
	struct sockaddr_roam sa;
	char buf[32];
	uint64_t v;

	if (!nest || nl_parse_nested(nest, tb, ROAM_A_CONN_MAX))
		return MNL_CB_OK;	/* not a connection: skip it */

	print_list_item(data);
	print_obj_open(NULL);
	if (nl_get_uint(tb[ROAM_A_CONN_LOCAL_ID], &v))
		print_cid("local_id", "cid %s", v);
	if (nl_get_uint(tb[ROAM_A_CONN_REMOTE_ID], &v))
		print_cid("remote_id", " -> %s", v);
	/* Another user's connection comes without its IDs. */
	if (nl_get_uint(tb[ROAM_A_CONN_STATE], &v))
		print_str("state", tb[ROAM_A_CONN_LOCAL_ID] ? " state %s" : "state %s",
			  state_name(v, buf, sizeof(buf)));
	if (nl_get_sockaddr(tb[ROAM_A_CONN_LOCAL], &sa))
		print_sockaddr("local", "local", &sa);
	if (nl_get_sockaddr(tb[ROAM_A_CONN_REMOTE], &sa))
		print_sockaddr("remote", "remote", &sa);
	if (nl_get_uint(tb[ROAM_A_CONN_UID], &v))
		print_u64("uid", " uid %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_CONN_INODE], &v))
		print_u64("inode", " ino %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_CONN_PSK], &v)) {
		print_u64("psk", NULL, v);
		if (v)
			print_u64(NULL, " psk %" PRIu64, v);
	}
	if (nl_get_uint(tb[ROAM_A_CONN_PATH_MOVES], &v))
		print_u64("path_moves", " path_moves %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_CONN_PORT_HOPS], &v))
		print_u64("port_hops", " port_hops %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_CONN_RMEM], &v))
		print_u64("rmem", " rmem %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_CONN_RCVBUF], &v))
		print_u64("rcvbuf", " rcvbuf %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_CONN_UNACKED], &v))
		print_u64("unacked", " unacked %" PRIu64, v);
	print_addr_nest("peer_addrs", tb[ROAM_A_CONN_PEER_ADDRS], ROAM_A_CONN_PEER_ADDR, 0, NULL);
	print_flag("server", " server", tb[ROAM_A_CONN_SERVER] != NULL);
	print_text("\n");
	print_obj_close();
	return MNL_CB_OK;
}

static int conn_show(int argc, char **argv)
{
	struct print_list list = { false };
	struct nl nl;
	int ret;

	if (argc > 0) {
		if (is_help(argv[0])) {
			conn_usage(stdout);
			return EXIT_OK;
		}
		return unknown_command("conn", argv[0], conn_usage);
	}
	ret = nl_open(&nl);
	if (ret)
		return ret;
	ret = nl_request(&nl, nl_req(&nl, ROAM_CMD_CONN_GET, true),
			 conn_show_cb, &list);
	print_list_end(&list, !ret);
	nl_close(&nl);
	return ret;
}

static int conn_migrate(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl nl;
	uint64_t cid;
	int err, ret;

	if (argc == 1 && is_help(argv[0])) {
		conn_usage(stdout);
		return EXIT_OK;
	}
	if (argc != 2 || strcmp(argv[0], "id")) {
		fprintf(stderr, "roamctl: conn migrate needs \"id CID\"\n");
		conn_usage(stderr);
		return EXIT_PARSE;
	}
	err = parse_cid(argv[1], &cid);
	if (err) {
		fprintf(stderr, "roamctl: conn migrate: invalid CID \"%s\": %s\n",
			argv[1], err == -ERANGE ? "more than 16 hex digits" :
						  "expected hex digits");
		return EXIT_PARSE;
	}

	ret = nl_open(&nl);
	if (ret)
		return ret;
	nlh = nl_req(&nl, ROAM_CMD_CONN_MIGRATE, false);
	nest = mnl_attr_nest_start(nlh, ROAM_A_CONN);
	mnl_attr_put_u64(nlh, ROAM_A_CONN_LOCAL_ID, cid);
	mnl_attr_nest_end(nlh, nest);
	ret = nl_request(&nl, nlh, NULL, NULL);
	nl_close(&nl);
	return ret;
}

int do_conn(int argc, char **argv)
{
	if (argc == 0 || is_show(argv[0]))
		return conn_show(argc ? argc - 1 : 0, argv + 1);
	if (!strcmp(argv[0], "migrate"))
		return conn_migrate(argc - 1, argv + 1);
	if (is_help(argv[0])) {
		conn_usage(stdout);
		return EXIT_OK;
	}
	return unknown_command("conn", argv[0], conn_usage);
}
