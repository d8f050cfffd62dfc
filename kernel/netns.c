// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state.  Every SA, SPI and setting lives in the
 * namespace it was created in, so two namespaces may hold the same SPI.
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "datapath.h"

static unsigned int ksad_net_id __read_mostly;

struct ksad_net *ksad_net(const struct net *net)
{
	return net_generic(net, ksad_net_id);
}

static int __net_init ksad_net_init(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);

	int err;

	kn->net = net;
	kn->stats = alloc_percpu(struct ksad_stats);
	if (!kn->stats)
		return -ENOMEM;
	ksad_spd_init(kn);
	err = ksad_sad_init(kn);
	if (err)
		free_percpu(kn->stats);
	return err;
}

static void __net_exit ksad_net_exit(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);

	ksad_spd_uninit(kn);
	ksad_sad_uninit(kn);
	free_percpu(kn->stats);
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
