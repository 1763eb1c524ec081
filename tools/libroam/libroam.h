/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libroam: what an application needs to use AF_ROAM sockets without
 * knowing struct sockaddr_roam by heart.  The family number is a module
 * parameter, so it is looked up, never hard-coded; addresses convert from
 * and to struct sockaddr_in and sockaddr_in6 (IPv4 is v4-mapped in
 * sockaddr_roam, and 0.0.0.0 is the wildcard ::); a getaddrinfo() wrapper
 * returns AF_ROAM addresses ready for connect() and bind().
 *
 * Every function returns -1 and sets errno on failure, as the socket
 * calls do.  Nothing here keeps state but the family number, read once.
 */
#ifndef LIBROAM_H
#define LIBROAM_H

#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <linux/roam.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, the same as the module's: "MAJOR.MINOR". */
const char *roam_version(void);

/*
 * The AF_ROAM family number in use, read from ROAM_FAMILY_SYSFS the first
 * time.  -1 with errno EAFNOSUPPORT if the module is not loaded.
 */
int roam_family(void);

/*
 * An AF_INET or AF_INET6 address, or an AF_ROAM one (copied), to
 * sockaddr_roam.  0.0.0.0 becomes the wildcard.  -1 with EAFNOSUPPORT
 * for another family, EINVAL if @len is too short for it.
 */
int roam_from_sockaddr(struct sockaddr_roam *out, const struct sockaddr *in,
		       socklen_t len);

/*
 * @in as @family: AF_INET (a v4-mapped address or the wildcard; else -1
 * with EAFNOSUPPORT), AF_INET6 (IPv4 stays v4-mapped), or AF_UNSPEC
 * (AF_INET for v4-mapped addresses, else AF_INET6).  Writes at most *@len
 * bytes to @out, and sets *@len to the full length, as getsockname()
 * does.  Returns the family written.
 */
int roam_to_sockaddr(struct sockaddr *out, socklen_t *len,
		     const struct sockaddr_roam *in, int family);

/*
 * Text to an address: "192.0.2.1", "2001:db8::1", "fe80::1%eth0" (or
 * "%2"), or "*" for the wildcard, and a port.  -1 with EINVAL if @ip does
 * not parse, ENODEV if the scope names no interface.
 */
int roam_addr_parse(struct sockaddr_roam *sa, const char *ip,
		    unsigned short port);

/*
 * An address to text: "192.0.2.1:80", "[2001:db8::1]:80",
 * "[fe80::1%eth0]:80" or "*:80".  ROAM_ADDRSTRLEN is always enough.
 * Returns @buf.
 */
#define ROAM_ADDRSTRLEN	(INET6_ADDRSTRLEN + IF_NAMESIZE + 10)
const char *roam_addr_format(const struct sockaddr_roam *sa, char *buf,
			     size_t len);

/*
 * getaddrinfo() for AF_ROAM: @hints as for getaddrinfo(), but only
 * ai_flags and ai_family (AF_UNSPEC, AF_INET or AF_INET6: which
 * addresses to look up) are used.  Each result has ai_family
 * roam_family(), ai_socktype SOCK_STREAM and a sockaddr_roam; addresses
 * that convert to the same one appear once.  Returns 0 or an EAI_* code
 * (gai_strerror()); EAI_FAMILY if the module is not loaded.  Free the
 * list with roam_freeaddrinfo().
 */
int roam_getaddrinfo(const char *node, const char *service,
		     const struct addrinfo *hints, struct addrinfo **res);
void roam_freeaddrinfo(struct addrinfo *res);

#ifdef __cplusplus
}
#endif

#endif /* LIBROAM_H */
