// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks of a namespace, IPv4 and IPv6 alike:
 *
 *   LOCAL_IN      inbound ESP to this host; plaintext vs. inbound policies
 *                 (after reassembly; before the socket)
 *   FORWARD       forwarded plaintext vs. forward policies
 *   POST_ROUTING  outbound policies, local and forwarded traffic, after
 *                 NAT: the last word on a packet before it leaves
 *
 * IPv4 reassembles before LOCAL_IN; IPv6 only after it, in the fragment
 * header's protocol handler, so a fragmented ESP packet would pass ksad's
 * hook in pieces.  RFC 4303 3.4.1 wants ESP reassembled first: ksad enables
 * netfilter's IPv6 defragmentation (nf_defrag_ipv6, as conntrack does) in
 * every namespace.  Its symbols are looked up, not linked, so that
 * `insmod ksad.ko` works without it; without it IPv6 fragments are not
 * reassembled for ksad, and it says so once.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "datapath.h"

#define KSAD_HOOK(pf_, hook_, fn, prio)				\
	{ .hook = fn, .pf = pf_, .hooknum = NF_INET_##hook_,	\
	  .priority = prio }

static const struct nf_hook_ops ksad_nf_ops[] = {
	KSAD_HOOK(NFPROTO_IPV4, LOCAL_IN, ksad_input_hook,
		  NF_IP_PRI_FILTER - 1),
	KSAD_HOOK(NFPROTO_IPV4, FORWARD, ksad_forward_hook,
		  NF_IP_PRI_FILTER - 1),
	KSAD_HOOK(NFPROTO_IPV4, POST_ROUTING, ksad_output_hook,
		  NF_IP_PRI_LAST - 1),
	KSAD_HOOK(NFPROTO_IPV6, LOCAL_IN, ksad_input_hook,
		  NF_IP6_PRI_FILTER - 1),
	KSAD_HOOK(NFPROTO_IPV6, FORWARD, ksad_forward_hook,
		  NF_IP6_PRI_FILTER - 1),
	KSAD_HOOK(NFPROTO_IPV6, POST_ROUTING, ksad_output_hook,
		  NF_IP6_PRI_LAST - 1),
};

static int (*ksad_defrag6_enable)(struct net *net);
static void (*ksad_defrag6_disable)(struct net *net);

/* Before any namespace's hooks: find IPv6 defragmentation. */
void ksad_hooks_init(void)
{
	request_module("nf_defrag_ipv6");
	ksad_defrag6_enable = symbol_get(nf_defrag_ipv6_enable);
	ksad_defrag6_disable = symbol_get(nf_defrag_ipv6_disable);
	if (ksad_defrag6_enable && ksad_defrag6_disable)
		return;
	pr_warn("ksad: no nf_defrag_ipv6: fragmented IPv6 ESP/AH will not be reassembled\n");
	ksad_hooks_uninit();
}

void ksad_hooks_uninit(void)
{
	if (ksad_defrag6_enable)
		symbol_put(nf_defrag_ipv6_enable);
	if (ksad_defrag6_disable)
		symbol_put(nf_defrag_ipv6_disable);
	ksad_defrag6_enable = NULL;
	ksad_defrag6_disable = NULL;
}

int ksad_hooks_register(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);
	int err;

	if (ksad_defrag6_enable) {
		err = ksad_defrag6_enable(net);
		if (err)
			return err;
		kn->defrag6 = true;
	}
	err = nf_register_net_hooks(net, ksad_nf_ops, ARRAY_SIZE(ksad_nf_ops));
	if (err && kn->defrag6) {
		ksad_defrag6_disable(net);
		kn->defrag6 = false;
	}
	return err;
}

void ksad_hooks_unregister(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);

	nf_unregister_net_hooks(net, ksad_nf_ops, ARRAY_SIZE(ksad_nf_ops));
	if (kn->defrag6)
		ksad_defrag6_disable(net);
	kn->defrag6 = false;
}
