// SPDX-License-Identifier: GPL-2.0
/*
 * roamctl config: show and set the namespace's config (ROAM_A_CONFIG).
 * Local parsing only checks that a value is a number that fits its
 * attribute; the kernel checks the ranges and names the field it refuses.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "roamctl.h"

enum cfg_kind { CFG_U16, CFG_U32, CFG_TIME };

static const struct cfg_key {
	const char *name;	/* the kernel's field name */
	const char *json;
	uint16_t attr;
	enum cfg_kind kind;
} cfg_keys[] = {
	{ "family", "family", ROAM_A_CFG_FAMILY, CFG_U32 },
	{ "port_min", "port_min", ROAM_A_CFG_PORT_MIN, CFG_U16 },
	{ "port_max", "port_max", ROAM_A_CFG_PORT_MAX, CFG_U16 },
	{ "backlog_max", "backlog_max", ROAM_A_CFG_BACKLOG_MAX, CFG_U32 },
	{ "hs_timeout", "hs_timeout_ms", ROAM_A_CFG_HS_TIMEOUT, CFG_TIME },
	{ "hs_retries", "hs_retries", ROAM_A_CFG_HS_RETRIES, CFG_U32 },
	{ "idle_timeout", "idle_timeout_ms", ROAM_A_CFG_IDLE_TIMEOUT,
	  CFG_TIME },
	{ "keepalive", "keepalive_ms", ROAM_A_CFG_KEEPALIVE, CFG_TIME },
	{ "assoc_timeout", "assoc_timeout_ms", ROAM_A_CFG_ASSOC_TIMEOUT,
	  CFG_TIME },
	{ "hop_interval", "hop_interval_ms", ROAM_A_CFG_HOP_INTERVAL,
	  CFG_TIME },
	{ "cookie_lifetime", "cookie_lifetime_ms",
	  ROAM_A_CFG_COOKIE_LIFETIME, CFG_TIME },
	{ "probe_max", "probe_max_ms", ROAM_A_CFG_PROBE_MAX, CFG_TIME },
	{ "advertise", "advertise", ROAM_A_CFG_ADVERTISE, CFG_U32 },
};

static void config_usage(FILE *f)
{
	fputs("Usage: roamctl config show\n"
	      "       roamctl config set KEY VALUE [KEY VALUE...]\n"
	      "KEY := { port_min | port_max | port_range | backlog_max |\n"
	      "         hs_timeout | hs_retries | idle_timeout | keepalive |\n"
	      "         assoc_timeout | hop_interval | cookie_lifetime |\n"
	      "         probe_max | advertise | family }\n"
	      "\n"
	      "port_range takes MIN-MAX and sets port_min and port_max.\n"
	      "Times (hs_timeout, idle_timeout, keepalive, assoc_timeout,\n"
	      "hop_interval, cookie_lifetime, probe_max) are milliseconds, or a number\n"
	      "with the unit ms, s, m or h.  Other values are plain numbers.\n"
	      "The kernel checks ranges and names the field it refuses.\n"
	      "family is read only (the module parameter): setting it is sent\n"
	      "to the kernel, which refuses it.\n"
	      "Every line of \"config show\" but family is a valid KEY VALUE.\n",
	      f);
}

static const struct cfg_key *cfg_find_attr(uint16_t attr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++)
		if (cfg_keys[i].attr == attr)
			return &cfg_keys[i];
	return NULL;
}

static const struct cfg_key *cfg_find_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++)
		if (!strcmp(cfg_keys[i].name, name))
			return &cfg_keys[i];
	return NULL;
}

static void config_print(const struct nlattr **tb)
{
	uint64_t min, max, v;
	bool range;
	unsigned int i;

	range = nl_get_uint(tb[ROAM_A_CFG_PORT_MIN], &min) &&
		nl_get_uint(tb[ROAM_A_CFG_PORT_MAX], &max);
	if (opt_json)
		json_obj_open(NULL);
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (!nl_get_uint(tb[k->attr], &v))
			continue;
		if (opt_json) {
			json_u64(k->json, v);
		} else if (range && k->attr == ROAM_A_CFG_PORT_MIN) {
			printf("port_range %" PRIu64 "-%" PRIu64 "\n", min,
			       max);
		} else if (!range || k->attr != ROAM_A_CFG_PORT_MAX) {
			printf("%s %" PRIu64 "%s\n", k->name, v,
			       k->kind == CFG_TIME ? "ms" : "");
		}
	}
	if (opt_json)
		json_obj_close();
}

static int config_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ROAM_A_CFG_MAX + 1] = { NULL };
	const struct nlattr *nest = nl_msg_nest(nlh, ROAM_A_CONFIG);

	(void)data;
	if (!nest || nl_parse_nested(nest, tb, ROAM_A_CFG_MAX)) {
		fprintf(stderr, "roamctl: the reply carries no config\n");
		return MNL_CB_ERROR;
	}
	config_print(tb);
	return MNL_CB_OK;
}

static int config_show(int argc, char **argv)
{
	struct nl nl;
	int ret;

	if (argc > 0) {
		if (is_help(argv[0])) {
			config_usage(stdout);
			return EXIT_OK;
		}
		fprintf(stderr, "roamctl: config show takes no argument\n");
		config_usage(stderr);
		return EXIT_PARSE;
	}
	ret = nl_open(&nl);
	if (ret)
		return ret;
	ret = nl_request(&nl, nl_req(&nl, ROAM_CMD_CONFIG_GET, false),
			 config_show_cb, NULL);
	nl_close(&nl);
	return ret;
}

/* The values of config set, indexed by attribute. */
struct cfg_set {
	bool given[ROAM_A_CFG_MAX + 1];
	uint32_t val[ROAM_A_CFG_MAX + 1];
};

static int cfg_store(struct cfg_set *set, const struct cfg_key *k,
		     uint32_t val)
{
	if (set->given[k->attr]) {
		fprintf(stderr, "roamctl: config set: %s is given twice\n",
			k->name);
		return EXIT_PARSE;
	}
	set->given[k->attr] = true;
	set->val[k->attr] = val;
	return 0;
}

static int parse_port(const char *what, const char *s, uint32_t *port)
{
	uint64_t v;
	int err = parse_uint(s, UINT16_MAX, &v);

	if (err) {
		fprintf(stderr,
			"roamctl: config set: invalid %s \"%s\": %s\n", what, s,
			err == -ERANGE ? "a port is at most 65535" :
					 "expected a port number");
		return EXIT_PARSE;
	}
	*port = v;
	return 0;
}

static int parse_port_range(struct cfg_set *set, const char *s)
{
	const char *dash = strchr(s, '-');
	uint32_t min, max;
	char buf[32];
	int ret;

	if (!dash || (size_t)(dash - s) >= sizeof(buf)) {
		fprintf(stderr,
			"roamctl: config set: invalid port_range \"%s\": expected MIN-MAX\n",
			s);
		return EXIT_PARSE;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(dash - s), s);
	ret = parse_port("port_range minimum", buf, &min);
	if (!ret)
		ret = parse_port("port_range maximum", dash + 1, &max);
	if (!ret)
		ret = cfg_store(set, cfg_find_attr(ROAM_A_CFG_PORT_MIN), min);
	if (!ret)
		ret = cfg_store(set, cfg_find_attr(ROAM_A_CFG_PORT_MAX), max);
	return ret;
}

static int parse_value(struct cfg_set *set, const struct cfg_key *k,
		       const char *s)
{
	uint64_t v = 0;
	uint32_t ms;
	int err;

	switch (k->kind) {
	case CFG_U16:
		err = parse_uint(s, UINT16_MAX, &v);
		break;
	case CFG_U32:
		err = parse_uint(s, UINT32_MAX, &v);
		break;
	default:
		err = parse_time_ms(s, &ms);
		v = ms;
		break;
	}
	if (err == -ERANGE) {
		fprintf(stderr,
			"roamctl: config set: %s \"%s\" is too large (at most %u%s)\n",
			k->name, s,
			k->kind == CFG_U16 ? UINT16_MAX : UINT32_MAX,
			k->kind == CFG_TIME ? " ms" : "");
		return EXIT_PARSE;
	}
	if (err) {
		fprintf(stderr, "roamctl: config set: invalid %s \"%s\": %s\n",
			k->name, s,
			k->kind == CFG_TIME ?
			"expected milliseconds, or a number with the unit ms, s, m or h" :
			"expected a non-negative decimal number");
		return EXIT_PARSE;
	}
	return cfg_store(set, k, v);
}

static int config_set(int argc, char **argv)
{
	struct cfg_set set = { .given = { false } };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl nl;
	unsigned int a;
	int ret;

	if (argc == 1 && is_help(argv[0])) {
		config_usage(stdout);
		return EXIT_OK;
	}
	if (argc == 0) {
		fprintf(stderr, "roamctl: config set needs KEY VALUE\n");
		config_usage(stderr);
		return EXIT_PARSE;
	}
	for (; argc > 0; argc -= 2, argv += 2) {
		const struct cfg_key *k = cfg_find_name(argv[0]);

		if (!k && strcmp(argv[0], "port_range")) {
			fprintf(stderr,
				"roamctl: config set: unknown key \"%s\"\n",
				argv[0]);
			config_usage(stderr);
			return EXIT_PARSE;
		}
		if (argc < 2) {
			fprintf(stderr,
				"roamctl: config set: %s needs a value\n",
				argv[0]);
			return EXIT_PARSE;
		}
		ret = k ? parse_value(&set, k, argv[1]) :
			  parse_port_range(&set, argv[1]);
		if (ret)
			return ret;
	}

	ret = nl_open(&nl);
	if (ret)
		return ret;
	nlh = nl_req(&nl, ROAM_CMD_CONFIG_SET, false);
	nest = mnl_attr_nest_start(nlh, ROAM_A_CONFIG);
	for (a = 1; a <= ROAM_A_CFG_MAX; a++) {
		if (!set.given[a])
			continue;
		if (cfg_find_attr(a)->kind == CFG_U16)
			mnl_attr_put_u16(nlh, a, set.val[a]);
		else
			mnl_attr_put_u32(nlh, a, set.val[a]);
	}
	mnl_attr_nest_end(nlh, nest);
	ret = nl_request(&nl, nlh, NULL, NULL);
	nl_close(&nl);
	return ret;
}

int do_config(int argc, char **argv)
{
	if (argc == 0 || is_show(argv[0]))
		return config_show(argc ? argc - 1 : 0, argv + 1);
	if (!strcmp(argv[0], "set"))
		return config_set(argc - 1, argv + 1);
	if (is_help(argv[0])) {
		config_usage(stdout);
		return EXIT_OK;
	}
	return unknown_command("config", argv[0], config_usage);
}
