/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels roam builds on (Debian's 6.1 and 6.12,
 * and whatever a user builds against).  Features are detected, never
 * versions: each file in kmod/conftest/ is a compile test, and
 * kmod/conftest.sh, run by Kbuild, writes ROAM_HAVE_<NAME> to
 * compat-auto.h for each one that compiles.
 */
#ifndef _ROAM_COMPAT_H
#define _ROAM_COMPAT_H

#include "compat-auto.h"

#ifdef ROAM_HAVE_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include <linux/net.h>
#include <net/genetlink.h>
#include <net/sock.h>
#ifdef ROAM_HAVE_PROTO_MEMORY_H
#include <net/proto_memory.h>	/* sk_under_memory_pressure() */
#endif

/*
 * SOCK_CUSTOM_SOCKOPT lets a family handle SOL_SOCKET options itself; roam
 * needs that for SO_REUSEPORT, which the core refuses outside IP.
 */
#ifdef SOCK_CUSTOM_SOCKOPT
static inline void roam_custom_sol_socket(struct socket *sock)
{
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
}
#else
static inline void roam_custom_sol_socket(struct socket *sock)
{
}
#endif

/*
 * A generic netlink multicast group only CAP_NET_ADMIN may join (6.6, and
 * the stable kernels it went back to, Debian's 6.1 among them).  Without
 * it anyone may join, so roam's events leave the connection IDs out.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define ROAM_MCGRP_ADMIN	GENL_MCAST_CAP_NET_ADMIN
#define ROAM_EVENTS_CIDS	true
#else
#define ROAM_MCGRP_ADMIN	0
#define ROAM_EVENTS_CIDS	false
#endif

/* proto_ops.accept: the core takes the file flags; the wrapper adapts. */
int roam_accept_flags(struct socket *sock, struct socket *newsock, int flags);

#ifdef ROAM_HAVE_PROTO_ACCEPT_ARG
static inline int roam_accept(struct socket *sock, struct socket *newsock,
			      struct proto_accept_arg *arg)
{
	return roam_accept_flags(sock, newsock, arg->flags);
}
#else
static inline int roam_accept(struct socket *sock, struct socket *newsock,
			      int flags, bool kern)
{
	return roam_accept_flags(sock, newsock, flags);
}
#endif

#endif /* _ROAM_COMPAT_H */
