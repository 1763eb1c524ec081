/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_TCPOPT_H
#define _ROAM_TCPOPT_H

#include <linux/sockptr.h>

struct sock;

int roam_tcpopt_set(struct sock *sk, int level, int optname, sockptr_t optval,
		    unsigned int optlen);
int roam_tcpopt_get(struct sock *sk, int level, int optname, char __user *optval,
		    int __user *optlen, int len);

#endif /* _ROAM_TCPOPT_H */
