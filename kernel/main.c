// SPDX-License-Identifier: GPL-2.0
/*
 * ksad: module init and exit only.  Each step has an uninit that undoes it,
 * and errors unwind in reverse order.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/ksad.h>

#include "datapath.h"
#include "sa.h"

struct workqueue_struct *ksad_wq;

static int __init ksad_init(void)
{
	int ret;

	ksad_wq = alloc_workqueue("ksad", WQ_UNBOUND, 0);
	if (!ksad_wq)
		return -ENOMEM;

	ret = ksad_netns_init();
	if (ret)
		goto err_netns;

	/* ksad0 and the netfilter hooks of every namespace */
	ksad_hooks_init();
	ret = ksad_device_init();
	if (ret)
		goto err_device;

	ret = ksad_bench_init();
	if (ret)
		goto err_bench;

	/* Last: once the family is visible, requests may arrive. */
	ret = ksad_genl_init();
	if (ret)
		goto err_genl;

	pr_info("ksad: IPsec SAD loaded (genetlink family \"%s\")\n",
		KSAD_GENL_NAME);
	return 0;

err_genl:
	ksad_bench_uninit();
err_bench:
	ksad_device_uninit();
err_device:
	ksad_hooks_uninit();
	ksad_netns_uninit();
err_netns:
	destroy_workqueue(ksad_wq);
	return ret;
}

static void __exit ksad_exit(void)
{
	ksad_genl_uninit();
	ksad_bench_uninit();
	ksad_device_uninit();	/* waits for packets in the crypto API */
	ksad_hooks_uninit();
	ksad_netns_uninit();
	/* SAs are freed by RCU callbacks that queue work: wait for both. */
	rcu_barrier();
	destroy_workqueue(ksad_wq);
	WARN(ksad_sa_live_count(), "ksad: %d SA(s) were never freed\n",
	     ksad_sa_live_count());
	WARN(ksad_policy_live_count(), "ksad: %d policies were never freed\n",
	     ksad_policy_live_count());
}

module_init(ksad_init);
module_exit(ksad_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec Security Association Database over generic netlink");
MODULE_ALIAS_GENL_FAMILY(KSAD_GENL_NAME);
