// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl listener: the dump of listening sockets (ROAM_A_LISTENER), one
 * line each, as "ss -l".
 */
#include <inttypes.h>
#include <net/if.h>

#include "addr.h"
#include "json.h"
#include "nl.h"
#include "print.h"
#include "roamctl.h"

static void listener_usage(FILE *f)
{
	fputs("Usage: roamctl listener show\n"
	      "One line per listening socket: port, addresses (* for the\n"
	      "wildcard of both families, 0.0.0.0 and :: for IPv4's and\n"
	      "IPv6's alone), backlog, accept queue length, overflows,\n"
	      "reuseport group (0 for none), owner uid, inode and bound\n"
	      "device.\n", f);
}

static int listener_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ROAM_A_LSN_MAX + 1] = { NULL };
	const struct nlattr *nest = nl_msg_nest(nlh, ROAM_A_LISTENER);
	char ifname[IF_NAMESIZE];
	uint64_t v, ifindex = 0;

	if (!nest || nl_parse_nested(nest, tb, ROAM_A_LSN_MAX))
		return MNL_CB_OK;	/* not a listener: skip it */
	nl_get_uint(tb[ROAM_A_LSN_IFINDEX], &ifindex);

	print_list_item(data);
	print_obj_open(NULL);
	if (nl_get_uint(tb[ROAM_A_LSN_PORT], &v))
		print_u64("port", "port %" PRIu64, v);
	print_addr_nest("addrs", tb[ROAM_A_LSN_ADDRS], ROAM_A_LSN_ADDR, ifindex, "*");
	if (nl_get_uint(tb[ROAM_A_LSN_BACKLOG], &v))
		print_u64("backlog", " backlog %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_LSN_QLEN], &v))
		print_u64("qlen", " qlen %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_LSN_OVERFLOWS], &v))
		print_u64("overflows", " overflows %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_LSN_GROUP], &v))
		print_u64("group", " group %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_LSN_UID], &v))
		print_u64("uid", " uid %" PRIu64, v);
	if (nl_get_uint(tb[ROAM_A_LSN_INODE], &v))
		print_u64("inode", " ino %" PRIu64, v);
	if (ifindex) {
		print_u64("ifindex", NULL, ifindex);
		if (if_indextoname(ifindex, ifname))
			print_str("dev", " dev %s", ifname);
		else
			print_u64(NULL, " dev %" PRIu64, ifindex);
	}
	print_text("\n");
	print_obj_close();
	return MNL_CB_OK;
}

int do_listener(int argc, char **argv)
{
	struct print_list list = { false };
	struct nl nl;
	int ret;

	if (argc > 0 && is_show(argv[0])) {
		argc--;
		argv++;
	}
	if (argc > 0) {
		if (is_help(argv[0])) {
			listener_usage(stdout);
			return EXIT_OK;
		}
		return unknown_command("listener", argv[0], listener_usage);
	}
	ret = nl_open(&nl);
	if (ret)
		return ret;
	ret = nl_request(&nl, nl_req(&nl, ROAM_CMD_LISTENER_GET, true),
			 listener_show_cb, &list);
	print_list_end(&list, !ret);
	nl_close(&nl);
	return ret;
}
