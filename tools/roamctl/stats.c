// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl stats: the namespace's counters (ROAM_A_STATS, u64 each).
 * Counters this roamctl does not know are skipped.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "roamctl.h"

static const char *const stat_names[] = {
	[ROAM_A_STAT_RX_PACKETS]	= "rx_packets",
	[ROAM_A_STAT_RX_MALFORMED]	= "rx_malformed",
	[ROAM_A_STAT_RX_NO_CONN]	= "rx_no_conn",
	[ROAM_A_STAT_NEWCONN]		= "newconn",
	[ROAM_A_STAT_COOKIES_SENT]	= "cookies_sent",
	[ROAM_A_STAT_COOKIES_BAD]	= "cookies_bad",
	[ROAM_A_STAT_COOKIES_EXPIRED]	= "cookies_expired",
	[ROAM_A_STAT_COOKIES_WRONG_ADDR] = "cookies_wrong_addr",
	[ROAM_A_STAT_LISTEN_OVERFLOWS]	= "listen_overflows",
	[ROAM_A_STAT_REFUSED]		= "refused",
	[ROAM_A_STAT_HS_TIMEOUTS]	= "hs_timeouts",
	[ROAM_A_STAT_ESTABLISHED]	= "established",
	[ROAM_A_STAT_AUTH_FAILURES]	= "auth_failures",
	[ROAM_A_STAT_REPLAYS]		= "replays",
	[ROAM_A_STAT_PATH_MOVES]	= "path_moves",
	[ROAM_A_STAT_PATH_VALIDATIONS]	= "path_validations",
	[ROAM_A_STAT_PATH_FAILURES]	= "path_failures",
	[ROAM_A_STAT_PORT_HOPS]		= "port_hops",
	[ROAM_A_STAT_KEY_REJECTS]	= "key_rejects",
	[ROAM_A_STAT_TX_ERRORS]		= "tx_errors",
	[ROAM_A_STAT_RETRANSMITS]	= "retransmits",
	[ROAM_A_STAT_PATHS_GONE]	= "paths_gone",
	[ROAM_A_STAT_RX_DROPS]		= "rx_drops",
	[ROAM_A_STAT_COOKIES_SPENT]	= "cookies_spent",
};

static void stats_usage(FILE *f)
{
	fputs("Usage: roamctl stats show\n"
	      "Prints the namespace's counters, one \"name value\" a line.\n",
	      f);
}

static int stats_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ARRAY_SIZE(stat_names)] = { NULL };
	const struct nlattr *nest = nl_msg_nest(nlh, ROAM_A_STATS);
	unsigned int i;
	uint64_t v;

	(void)data;
	if (!nest || nl_parse_nested(nest, tb, ARRAY_SIZE(stat_names) - 1)) {
		fprintf(stderr, "roamctl: the reply carries no counters\n");
		return MNL_CB_ERROR;
	}
	if (opt_json)
		json_obj_open(NULL);
	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		if (!stat_names[i] || !nl_get_uint(tb[i], &v))
			continue;
		if (opt_json)
			json_u64(stat_names[i], v);
		else
			printf("%s %" PRIu64 "\n", stat_names[i], v);
	}
	if (opt_json)
		json_obj_close();
	return MNL_CB_OK;
}

int do_stats(int argc, char **argv)
{
	struct nl nl;
	int ret;

	if (argc > 0 && is_show(argv[0])) {
		argc--;
		argv++;
	}
	if (argc > 0) {
		if (is_help(argv[0])) {
			stats_usage(stdout);
			return EXIT_OK;
		}
		return unknown_command("stats", argv[0], stats_usage);
	}
	ret = nl_open(&nl);
	if (ret)
		return ret;
	ret = nl_request(&nl, nl_req(&nl, ROAM_CMD_STATS_GET, false),
			 stats_show_cb, NULL);
	nl_close(&nl);
	return ret;
}
