// SPDX-License-Identifier: GPL-2.0
/*
 * roam: connection-oriented sockets over UDP that keep their connections
 * when an endpoint's address or port changes.
 */
#include <linux/module.h>
#include <linux/net.h>

#include <linux/workqueue.h>

#include "crypto.h"
#include "handshake.h"
#include "netlink.h"
#include "netns.h"
#include "notify.h"
#include "ranges.h"
#include "recovery.h"
#include "sock.h"

int roam_family __read_mostly = ROAM_FAMILY_DEFAULT;
struct workqueue_struct *roam_wq __read_mostly;
struct workqueue_struct *roam_crypt_wq __read_mostly;
module_param_named(family, roam_family, int, 0444);
MODULE_PARM_DESC(family, "address family number (default "
		 __stringify(ROAM_FAMILY_DEFAULT) ")");

static int __init roam_init(void)
{
	int err;

	if (roam_family <= 0 || roam_family >= NPROTO) {
		pr_err("family=%d is not an address family number (1..%d)\n",
		       roam_family, NPROTO - 1);
		return -EINVAL;
	}

	roam_hs_init();
	roam_wq = alloc_workqueue("roam", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!roam_wq)
		return -ENOMEM;
	/* Per CPU: receive.c picks the CPU that opens full packets. */
	roam_crypt_wq = alloc_workqueue("roam-crypt", WQ_CPU_INTENSIVE, 0);
	if (!roam_crypt_wq) {
		err = -ENOMEM;
		goto err_wq;
	}
	err = roam_ranges_init_module();
	if (err)
		goto err_crypt_wq;
	err = roam_recovery_init();
	if (err)
		goto err_ranges;
	err = roam_crypto_init();
	if (err)
		goto err_recovery;
	err = roam_netns_init();
	if (err)
		goto err_crypto;
	err = roam_notify_init();
	if (err)
		goto err_netns;
	err = roam_sock_init();
	if (err)
		goto err_notify;
	err = roam_genl_init();
	if (err)
		goto err_sock;

	pr_info("AF_ROAM is address family %d\n", roam_family);
	return 0;

err_sock:
	roam_sock_exit();
err_notify:
	roam_notify_exit();
err_netns:
	roam_netns_exit();
err_crypto:
	roam_crypto_exit();
err_recovery:
	roam_recovery_exit();
err_ranges:
	roam_ranges_exit_module();
err_crypt_wq:
	destroy_workqueue(roam_crypt_wq);
err_wq:
	destroy_workqueue(roam_wq);
	return err;
}

static void __exit roam_exit(void)
{
	roam_genl_exit();
	roam_sock_exit();
	roam_notify_exit();
	roam_netns_exit();
	roam_crypto_exit();
	/* RCU callbacks of ports, keys and secrets must not outlive us. */
	rcu_barrier();
	roam_recovery_exit();
	roam_ranges_exit_module();
	destroy_workqueue(roam_crypt_wq);
	destroy_workqueue(roam_wq);
}

module_init(roam_init);
module_exit(roam_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("roam: roaming stream sockets over UDP");
MODULE_AUTHOR("The roam authors");
MODULE_VERSION(ROAM_MODULE_VERSION);
MODULE_ALIAS_NETPROTO(ROAM_FAMILY_DEFAULT);
