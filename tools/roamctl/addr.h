/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ROAMCTL_ADDR_H
#define ROAMCTL_ADDR_H

#include <net/if.h>
#include <netinet/in.h>

#include "roamctl.h"

/* "fe80::1%ifname" */
#define ADDR_STRLEN	(INET6_ADDRSTRLEN + IF_NAMESIZE + 1)

const char *addr_ntop(const struct in6_addr *a, char *buf, size_t len);
const char *addr_fmt(const struct in6_addr *a, uint32_t scope_id,
		     char *buf, size_t len);
void print_sockaddr(const char *key, const char *label,
		    const struct sockaddr_roam *sa);
struct nlattr;
void print_addr_nest(const char *key, const struct nlattr *nest, uint16_t type,
		     uint32_t scope_id, const char *none);

#endif /* ROAMCTL_ADDR_H */
