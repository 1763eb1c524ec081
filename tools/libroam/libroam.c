// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libroam: the family lookup, address conversion and formatting, and the
 * getaddrinfo() wrapper of libroam.h.  IPv4 lives in sockaddr_roam as a
 * v4-mapped address (::ffff:a.b.c.d), and the wildcard is "::" for both
 * families, as the module reads them (docs/PROTOCOL.md, section 2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libroam.h"

#ifndef LIBROAM_VERSION
#error "LIBROAM_VERSION comes from the top-level VERSION file"
#endif

const char *roam_version(void)
{
	return LIBROAM_VERSION;
}

int roam_family(void)
{
	static int family;
	int f = __atomic_load_n(&family, __ATOMIC_RELAXED);
	FILE *fp;

	if (f)
		return f;
	fp = fopen(ROAM_FAMILY_SYSFS, "re");
	if (!fp) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (fscanf(fp, "%d", &f) != 1 || f <= 0) {
		fclose(fp);
		errno = EAFNOSUPPORT;
		return -1;
	}
	fclose(fp);
	__atomic_store_n(&family, f, __ATOMIC_RELAXED);
	return f;
}

static void roam_map_v4(struct in6_addr *a6, const struct in_addr *a4)
{
	memset(a6, 0, sizeof(*a6));
	if (a4->s_addr == htonl(INADDR_ANY))
		return;
	a6->s6_addr[10] = 0xff;
	a6->s6_addr[11] = 0xff;
	memcpy(&a6->s6_addr[12], a4, 4);
}

int roam_from_sockaddr(struct sockaddr_roam *out, const struct sockaddr *in,
		       socklen_t len)
{
	int family = roam_family();

	if (family < 0)
		return -1;
	if (len < sizeof(sa_family_t)) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (in->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)in;

		if (len < sizeof(*s4))
			goto inval;
		out->sroam_port = s4->sin_port;
		roam_map_v4(&out->sroam_addr, &s4->sin_addr);
	} else if (in->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)in;

		if (len < sizeof(*s6))
			goto inval;
		out->sroam_port = s6->sin6_port;
		out->sroam_addr = s6->sin6_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			out->sroam_scope_id = s6->sin6_scope_id;
	} else if (in->sa_family == family) {
		if (len < sizeof(*out))
			goto inval;
		memcpy(out, in, sizeof(*out));
		return 0;
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	out->sroam_family = family;
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

int roam_to_sockaddr(struct sockaddr *out, socklen_t *len,
		     const struct sockaddr_roam *in, int family)
{
	const struct in6_addr *a = &in->sroam_addr;
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const void *src = &s6;
	socklen_t n = sizeof(s6);
	bool v4 = IN6_IS_ADDR_V4MAPPED(a);

	if (family == AF_UNSPEC)
		family = v4 ? AF_INET : AF_INET6;
	if (family == AF_INET) {
		if (!v4 && !IN6_IS_ADDR_UNSPECIFIED(a)) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		s4.sin_port = in->sroam_port;
		if (v4)
			memcpy(&s4.sin_addr, &a->s6_addr[12], 4);
		src = &s4;
		n = sizeof(s4);
	} else if (family == AF_INET6) {
		s6.sin6_port = in->sroam_port;
		s6.sin6_addr = *a;
		s6.sin6_scope_id = in->sroam_scope_id;
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memcpy(out, src, *len < n ? *len : n);
	*len = n;
	return family;
}

int roam_addr_parse(struct sockaddr_roam *sa, const char *ip,
		    unsigned short port)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct, *end;
	int family = roam_family();
	struct in_addr v4;

	if (family < 0)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sroam_family = family;
	sa->sroam_port = htons(port);
	if (!strcmp(ip, "*"))
		return 0;
	if (strlen(ip) >= sizeof(buf))
		goto inval;
	strcpy(buf, ip);
	pct = strchr(buf, '%');
	if (pct) {
		*pct++ = '\0';
		sa->sroam_scope_id = strtoul(pct, &end, 10);
		if (!*pct || *end) {
			sa->sroam_scope_id = if_nametoindex(pct);
			if (!sa->sroam_scope_id) {
				errno = ENODEV;
				return -1;
			}
		}
	}
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		if (pct)
			goto inval;
		roam_map_v4(&sa->sroam_addr, &v4);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &sa->sroam_addr) == 1)
		return 0;
inval:
	errno = EINVAL;
	return -1;
}

const char *roam_addr_format(const struct sockaddr_roam *sa, char *buf,
			     size_t len)
{
	const struct in6_addr *a = &sa->sroam_addr;
	char host[INET6_ADDRSTRLEN], scope[IF_NAMESIZE + 12] = "";
	unsigned int port = ntohs(sa->sroam_port);

	if (IN6_IS_ADDR_UNSPECIFIED(a)) {
		snprintf(buf, len, "*:%u", port);
	} else if (IN6_IS_ADDR_V4MAPPED(a)) {
		inet_ntop(AF_INET, &a->s6_addr[12], host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, port);
	} else {
		inet_ntop(AF_INET6, a, host, sizeof(host));
		if (sa->sroam_scope_id) {
			char name[IF_NAMESIZE];

			if (if_indextoname(sa->sroam_scope_id, name))
				snprintf(scope, sizeof(scope), "%%%s", name);
			else
				snprintf(scope, sizeof(scope), "%%%u", sa->sroam_scope_id);
		}
		snprintf(buf, len, "[%s%s]:%u", host, scope, port);
	}
	return buf;
}

void roam_freeaddrinfo(struct addrinfo *res)
{
	struct addrinfo *next;

	for (; res; res = next) {
		next = res->ai_next;
		free(res->ai_canonname);
		free(res);
	}
}

/* One result: the node and its address in one allocation. */
struct roam_ai {
	struct addrinfo ai;
	struct sockaddr_roam sa;
};

static bool roam_ai_seen(const struct addrinfo *list,
			 const struct sockaddr_roam *sa)
{
	for (; list; list = list->ai_next)
		if (!memcmp(list->ai_addr, sa, sizeof(*sa)))
			return true;
	return false;
}

int roam_getaddrinfo(const char *node, const char *service,
		     const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h = { .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP };
	struct addrinfo *in, *i, *head = NULL, **tail = &head;
	int family = roam_family(), rc;
	struct sockaddr_roam sa;
	struct roam_ai *r;

	if (family < 0)
		return EAI_FAMILY;
	if (hints) {
		h.ai_flags = hints->ai_flags;
		h.ai_family = hints->ai_family == family ? AF_UNSPEC : hints->ai_family;
		if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET &&
		    h.ai_family != AF_INET6)
			return EAI_FAMILY;
	}
	rc = getaddrinfo(node, service, &h, &in);
	if (rc)
		return rc;
	for (i = in; i; i = i->ai_next) {
		if (roam_from_sockaddr(&sa, i->ai_addr, i->ai_addrlen) ||
		    roam_ai_seen(head, &sa))
			continue;
		r = calloc(1, sizeof(*r));
		if (!r)
			goto nomem;
		r->sa = sa;
		r->ai.ai_flags = i->ai_flags;
		r->ai.ai_family = family;
		r->ai.ai_socktype = SOCK_STREAM;
		r->ai.ai_addrlen = sizeof(r->sa);
		r->ai.ai_addr = (struct sockaddr *)&r->sa;
		*tail = &r->ai;
		tail = &r->ai.ai_next;
		if (i->ai_canonname) {
			r->ai.ai_canonname = strdup(i->ai_canonname);
			if (!r->ai.ai_canonname)
				goto nomem;
		}
	}
	freeaddrinfo(in);
	if (!head)
		return EAI_NONAME;
	*res = head;
	return 0;
nomem:
	freeaddrinfo(in);
	roam_freeaddrinfo(head);
	return EAI_MEMORY;
}
