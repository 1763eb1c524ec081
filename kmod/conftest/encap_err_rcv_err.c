// SPDX-License-Identifier: GPL-2.0
/* udp_sock.encap_err_rcv gets the errno, port, info and payload (6.2 on). */
#include <linux/udp.h>

static void t(struct sock *sk, struct sk_buff *skb, int err, __be16 port,
	      u32 info, u8 *payload)
{
}

static struct udp_sock roam_conftest_up __maybe_unused = { .encap_err_rcv = t };
