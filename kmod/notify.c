// SPDX-License-Identifier: GPL-2.0
/*
 * Address and link notifiers (docs/PROTOCOL.md section 7).  When a local
 * address or a link comes or goes, every connection of the namespace
 * looks its route up again, and one whose source changed pings from the
 * new source at once instead of waiting for a probe timeout; a server
 * tells its clients its addresses again (addrs.c).  The
 * inet6addr chain is atomic and a connection is checked under its lock,
 * so the notifiers only queue the namespace's work item.
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/sock.h>

#include "addrs.h"
#include "netns.h"
#include "notify.h"
#include "output.h"
#include "path.h"
#include "sock.h"

static void roam_notify_net(struct net *net)
{
	struct roam_net *rn = roam_net(net);

	spin_lock_bh(&rn->reroute_lock);
	if (!rn->reroute_stop)
		queue_work(roam_wq, &rn->reroute_work);
	spin_unlock_bh(&rn->reroute_lock);
}

static void roam_reroute_work(struct work_struct *work)
{
	struct roam_net *rn = container_of(work, struct roam_net, reroute_work);
	struct roam_sock *rs;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&rn->socks, id, rs) {
		if (!refcount_inc_not_zero(&rs->sk.sk_refcnt))
			continue;
		rcu_read_unlock();
		lock_sock(&rs->sk);
		roam_path_reroute(&rs->sk);
		/* A server's addresses may be others now: it says them again. */
		roam_addrs_again(&rs->sk);
		roam_output(&rs->sk, ROAM_OUT_CONTROL);
		release_sock(&rs->sk);
		sock_put(&rs->sk);
		cond_resched();
		rcu_read_lock();
	}
	rcu_read_unlock();
}

static int roam_inetaddr_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	const struct in_ifaddr *ifa = ptr;

	if (event == NETDEV_UP || event == NETDEV_DOWN)
		roam_notify_net(dev_net(ifa->ifa_dev->dev));
	return NOTIFY_DONE;
}

static int roam_inet6addr_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	const struct inet6_ifaddr *ifp = ptr;

	if (event == NETDEV_UP || event == NETDEV_DOWN)
		roam_notify_net(dev_net(ifp->idev->dev));
	return NOTIFY_DONE;
}

/* A link going down takes its routes, and with them a source, along. */
static int roam_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_UP || event == NETDEV_DOWN || event == NETDEV_CHANGE)
		roam_notify_net(dev_net(dev));
	return NOTIFY_DONE;
}

static struct notifier_block roam_inetaddr_nb = {
	.notifier_call = roam_inetaddr_event,
};

static struct notifier_block roam_inet6addr_nb = {
	.notifier_call = roam_inet6addr_event,
};

static struct notifier_block roam_netdev_nb = {
	.notifier_call = roam_netdev_event,
};

void roam_notify_net_init(struct roam_net *rn)
{
	spin_lock_init(&rn->reroute_lock);
	INIT_WORK(&rn->reroute_work, roam_reroute_work);
}

/*
 * The namespace goes.  Its devices are torn down after this, and their
 * events must not queue the work again: the stop flag, under the lock
 * the notifiers queue under, keeps them out.
 */
void roam_notify_net_exit(struct roam_net *rn)
{
	spin_lock_bh(&rn->reroute_lock);
	rn->reroute_stop = true;
	spin_unlock_bh(&rn->reroute_lock);
	cancel_work_sync(&rn->reroute_work);
}

int __init roam_notify_init(void)
{
	int err;

	err = register_inetaddr_notifier(&roam_inetaddr_nb);
	if (err)
		return err;
	err = register_inet6addr_notifier(&roam_inet6addr_nb);
	if (err)
		goto err_inet;
	err = register_netdevice_notifier(&roam_netdev_nb);
	if (err)
		goto err_inet6;
	return 0;

err_inet6:
	unregister_inet6addr_notifier(&roam_inet6addr_nb);
err_inet:
	unregister_inetaddr_notifier(&roam_inetaddr_nb);
	return err;
}

void roam_notify_exit(void)
{
	unregister_netdevice_notifier(&roam_netdev_nb);
	unregister_inet6addr_notifier(&roam_inet6addr_nb);
	unregister_inetaddr_notifier(&roam_inetaddr_nb);
}
