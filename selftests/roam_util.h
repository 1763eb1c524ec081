/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the roam selftests. */
#ifndef _ROAM_UTIL_H
#define _ROAM_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/roam.h>

/* The family number in use: never hard-coded. */
static inline int roam_family(void)
{
	static int family;
	FILE *f;

	if (family)
		return family;
	f = fopen(ROAM_FAMILY_SYSFS, "r");
	if (!f || fscanf(f, "%d", &family) != 1) {
		fprintf(stderr, "roam is not loaded (%s)\n", ROAM_FAMILY_SYSFS);
		exit(4);	/* KSFT_SKIP */
	}
	fclose(f);
	return family;
}

/*
 * "1.2.3.4", "::1", "*" (wildcard) or "fe80::1%2" to a sockaddr_roam.
 * Returns 0, or -1 if @ip does not parse.
 */
static inline int roam_addr(struct sockaddr_roam *sa, const char *ip,
			    unsigned short port)
{
	char buf[INET6_ADDRSTRLEN + 16], *pct;
	struct in_addr v4;

	memset(sa, 0, sizeof(*sa));
	sa->sroam_family = roam_family();
	sa->sroam_port = htons(port);
	if (!strcmp(ip, "*"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", ip);
	pct = strchr(buf, '%');
	if (pct) {
		*pct = '\0';
		sa->sroam_scope_id = strtoul(pct + 1, NULL, 0);
	}
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		sa->sroam_addr.s6_addr[10] = 0xff;
		sa->sroam_addr.s6_addr[11] = 0xff;
		memcpy(&sa->sroam_addr.s6_addr[12], &v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, buf, &sa->sroam_addr) == 1 ? 0 : -1;
}

#endif /* _ROAM_UTIL_H */
