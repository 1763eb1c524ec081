// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses as roam reports them: struct in6_addr with IPv4 v4-mapped,
 * and struct sockaddr_roam.  Human output writes IPv4 as a.b.c.d, IPv6
 * in brackets when a port follows, "*" for the wildcard and %dev for the
 * scope of a link-local address.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <libroam.h>

#include "addr.h"
#include "json.h"
#include "nl.h"
#include "print.h"

/* The plain numeric form: IPv4 for v4-mapped addresses, else IPv6. */
const char *addr_ntop(const struct in6_addr *a, char *buf, size_t len)
{
	const char *s;

	if (IN6_IS_ADDR_V4MAPPED(a))
		s = inet_ntop(AF_INET, &a->s6_addr[12], buf, len);
	else
		s = inet_ntop(AF_INET6, a, buf, len);
	if (!s)
		snprintf(buf, len, "?");
	return buf;
}

/* The human form: "*" for the wildcard, %scope on link-local addresses. */
const char *addr_fmt(const struct in6_addr *a, uint32_t scope_id,
		     char *buf, size_t len)
{
	char ifname[IF_NAMESIZE];
	size_t n;

	if (IN6_IS_ADDR_UNSPECIFIED(a)) {
		snprintf(buf, len, "*");
		return buf;
	}
	addr_ntop(a, buf, len);
	if (!scope_id || !IN6_IS_ADDR_LINKLOCAL(a))
		return buf;
	n = strlen(buf);
	if (if_indextoname(scope_id, ifname))
		snprintf(buf + n, len - n, "%%%s", ifname);
	else
		snprintf(buf + n, len - n, "%%%" PRIu32, scope_id);
	return buf;
}

/*
 * Text: " LABEL ADDR:PORT".  JSON: KEY: {"address": numeric address,
 * "port": port, and "scope_id" (and "dev" when it names one) if set}.
 */
void print_sockaddr(const char *key, const char *label,
		    const struct sockaddr_roam *sa)
{
	char buf[ROAM_ADDRSTRLEN];
	char ifname[IF_NAMESIZE];

	if (!opt_json) {
		printf(" %s %s", label, roam_addr_format(sa, buf, sizeof(buf)));
		return;
	}
	print_obj_open(key);
	print_str("address", NULL, addr_ntop(&sa->sroam_addr, buf,
					     sizeof(buf)));
	print_u64("port", NULL, ntohs(sa->sroam_port));
	if (sa->sroam_scope_id) {
		print_u64("scope_id", NULL, sa->sroam_scope_id);
		if (if_indextoname(sa->sroam_scope_id, ifname))
			print_str("dev", NULL, ifname);
	}
	print_obj_close();
}

/*
 * The addresses of @nest, attributes of @type (struct in6_addr).  Text:
 * " KEY A,B", or " KEY NONE" when there are none, or nothing if @none is
 * NULL; JSON: "KEY": [...].  Link-local addresses take @scope_id.
 */
void print_addr_nest(const char *key, const struct nlattr *nest, uint16_t type,
		     uint32_t scope_id, const char *none)
{
	const struct nlattr *a;
	char buf[ADDR_STRLEN];
	struct in6_addr in6;
	bool first = true;

	if (!nest && !none)
		return;
	print_arr_open(key);
	if (nest) {
		mnl_attr_for_each_nested(a, nest) {
			if (mnl_attr_get_type(a) != type || !nl_get_in6(a, &in6))
				continue;
			if (opt_json) {
				json_str(NULL, addr_ntop(&in6, buf, sizeof(buf)));
				continue;
			}
			if (first)
				printf(" %s ", key);
			else
				putchar(',');
			/* Listed, :: is IPv6's wildcard alone, not "*". */
			fputs(IN6_IS_ADDR_UNSPECIFIED(&in6) ? "::" :
			      addr_fmt(&in6, scope_id, buf, sizeof(buf)), stdout);
			first = false;
		}
	}
	if (first && none)
		print_text(" %s %s", key, none);
	print_arr_close();
}
