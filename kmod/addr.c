// SPDX-License-Identifier: GPL-2.0
/*
 * struct sockaddr_roam: the one address type of roam.  IPv4 is written
 * v4-mapped, the wildcard is in6addr_any, and the scope id is only
 * meaningful for link-local IPv6.
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "addr.h"
#include "sock.h"

void roam_addr_fill(struct sockaddr_roam *sa, const struct in6_addr *ip,
		    __be16 port, u32 scope_id)
{
	memset(sa, 0, sizeof(*sa));
	sa->sroam_family = roam_family;
	sa->sroam_port = port;
	sa->sroam_scope_id = scope_id;
	sa->sroam_addr = *ip;
}

/*
 * Checks an address from user space and copies it to @out.  A short
 * length, a wrong family or a bad scope id is EINVAL.
 */
int roam_addr_check(struct net *net, const struct sockaddr *uaddr, int len,
		    struct sockaddr_roam *out)
{
	const struct sockaddr_roam *sa = (const struct sockaddr_roam *)uaddr;
	int type;

	if (len < (int)sizeof(*sa) || sa->sroam_family != roam_family)
		return -EINVAL;
	*out = *sa;

	type = ipv6_addr_type(&sa->sroam_addr);
	if ((type & IPV6_ADDR_LINKLOCAL) && !(type & IPV6_ADDR_MULTICAST)) {
		struct net_device *dev;

		if (!sa->sroam_scope_id)
			return -EINVAL;
		rcu_read_lock();
		dev = dev_get_by_index_rcu(net, sa->sroam_scope_id);
		rcu_read_unlock();
		if (!dev)
			return -EINVAL;
	} else if (sa->sroam_scope_id) {
		return -EINVAL;
	}
	return 0;
}

/*
 * Is @a an address of this host in @net (on @ifindex, if not 0)?  With
 * @up, only if its device is up as well: an address on a link that went
 * down receives nothing.
 */
bool roam_addr_local(struct net *net, const struct in6_addr *a, int ifindex,
		     bool up)
{
	struct net_device *dev = NULL;
	bool ok;

	rcu_read_lock();
	if (ifindex)
		dev = dev_get_by_index_rcu(net, ifindex);
	if (ipv6_addr_v4mapped(a)) {
		if (up) {
			dev = __ip_dev_find(net, a->s6_addr32[3], false);
			ok = dev && netif_running(dev);
		} else {
			ok = inet_addr_type(net, a->s6_addr32[3]) == RTN_LOCAL;
		}
	} else if (up) {
		dev = ipv6_dev_find(net, a, dev);
		ok = dev && netif_running(dev);
	} else {
		ok = ipv6_chk_addr(net, a, dev, 0);
	}
	rcu_read_unlock();
	return ok;
}
