// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state.  Every SA, SPI and setting lives in the
 * namespace it was created in, so two namespaces may hold the same SPI.
 */
#include <linux/percpu-refcount.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "datapath.h"

static unsigned int ksad_net_id __read_mostly;

/*
 * Limits a new namespace starts with.  Any user may create a network
 * namespace (in a user namespace of its own) and fill its SAD; the limits,
 * and the memory cgroup that every SA and policy is charged to, bound what
 * it can take.  The defaults leave room for a gateway of 100,000 tunnels
 * (two SAs each, four while rekeying; in, out and fwd policies).
 */
static unsigned int max_sas = 1 << 20;
module_param(max_sas, uint, 0644);
MODULE_PARM_DESC(max_sas, "SAs a new network namespace may hold (default 1048576)");
static unsigned int max_larval = 1 << 18;
module_param(max_larval, uint, 0644);
MODULE_PARM_DESC(max_larval, "larval SAs (GETSPI) a new network namespace may hold (default 262144)");
static unsigned int max_policies = 1 << 20;
module_param(max_policies, uint, 0644);
MODULE_PARM_DESC(max_policies, "policies a new network namespace may hold (default 1048576)");

struct ksad_net *ksad_net(const struct net *net)
{
	return net_generic(net, ksad_net_id);
}

/*
 * Requests in the crypto API are counted per namespace, in a percpu_ref: no
 * cache line shared by the CPUs is written per packet, and a namespace that
 * goes away waits for its own requests only, not for other namespaces'
 * traffic.  Every request starts inside an RCU read-side section (a hook, the
 * UDP socket's receive, bench.c with BH off), so once the reference is
 * killed no new one starts.
 */
static void ksad_inflight_release(struct percpu_ref *ref)
{
	struct ksad_net *kn = container_of(ref, struct ksad_net, inflight);

	complete(&kn->inflight_done);
}

/* A request of @kn starts; false once the namespace is going away. */
bool ksad_inflight_get(struct ksad_net *kn)
{
	return percpu_ref_tryget_live(&kn->inflight);
}

void ksad_inflight_put(struct ksad_net *kn)
{
	percpu_ref_put(&kn->inflight);
}

/**
 * ksad_inflight_drain() - refuse new requests, wait for those in flight
 * @kn: the namespace, whose hooks are gone already
 *
 * Process context.  Other namespaces' requests do not delay it.
 */
void ksad_inflight_drain(struct ksad_net *kn)
{
	percpu_ref_kill(&kn->inflight);
	wait_for_completion(&kn->inflight_done);
}

/* Set up @kn for @net (the KUnit suites' namespaces too). */
int ksad_net_setup(struct ksad_net *kn, struct net *net)
{
	int err;

	kn->net = net;
	mutex_init(&kn->lock);
	seqlock_init(&kn->migrate_lock);
	kn->max_sas = READ_ONCE(max_sas);
	kn->max_larval = READ_ONCE(max_larval);
	kn->max_policies = READ_ONCE(max_policies);
	init_completion(&kn->inflight_done);
	err = percpu_ref_init(&kn->inflight, ksad_inflight_release, 0,
			      GFP_KERNEL);
	if (err)
		return err;
	kn->stats = alloc_percpu(struct ksad_stats);
	if (!kn->stats) {
		percpu_ref_exit(&kn->inflight);
		return -ENOMEM;
	}
	err = ksad_spd_init(kn);
	if (err)
		goto err_spd;
	err = ksad_acquire_init(kn);
	if (err)
		goto err_acquire;
	err = ksad_bypass_init(kn);
	if (err)
		goto err_bypass;
	err = ksad_sad_init(kn);
	if (err)
		goto err_sad;
	return 0;
err_sad:
	ksad_bypass_uninit(kn);
err_bypass:
	ksad_acquire_uninit(kn);
err_acquire:
	ksad_spd_uninit(kn);
err_spd:
	free_percpu(kn->stats);
	percpu_ref_exit(&kn->inflight);
	return err;
}

void ksad_net_teardown(struct ksad_net *kn)
{
	ksad_spd_uninit(kn);
	ksad_acquire_uninit(kn);
	ksad_bypass_uninit(kn);
	ksad_sad_uninit(kn);
	free_percpu(kn->stats);
	percpu_ref_exit(&kn->inflight);
}

static int __net_init ksad_net_init(struct net *net)
{
	return ksad_net_setup(ksad_net(net), net);
}

static void __net_exit ksad_net_exit(struct net *net)
{
	ksad_net_teardown(ksad_net(net));
}

static struct pernet_operations ksad_net_ops = {
	.init = ksad_net_init,
	.exit = ksad_net_exit,
	.id = &ksad_net_id,
	.size = sizeof(struct ksad_net),
};

int ksad_netns_init(void)
{
	return register_pernet_subsys(&ksad_net_ops);
}

void ksad_netns_uninit(void)
{
	unregister_pernet_subsys(&ksad_net_ops);
}
