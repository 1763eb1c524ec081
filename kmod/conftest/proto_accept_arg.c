// SPDX-License-Identifier: GPL-2.0
/* proto_ops.accept takes a struct proto_accept_arg (6.10 on). */
#include <linux/net.h>
#include <net/sock.h>

static int t(struct socket *sock, struct socket *newsock,
	     struct proto_accept_arg *arg)
{
	return arg->flags;
}

static const struct proto_ops ops __maybe_unused = { .accept = t };
