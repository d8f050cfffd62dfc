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
 * Selectors with ports need whole packets: a fragment after the first has no
 * ports, so it could meet another policy than its first fragment (and leave
 * in the clear where the first is protected).  IPv4 reassembles before
 * LOCAL_IN but not what it forwards; IPv6 reassembles only after LOCAL_IN,
 * in the fragment header's protocol handler, so that a fragmented ESP
 * packet would pass ksad's hook in pieces (RFC 4303 3.4.1 wants it whole).
 * So ksad enables netfilter's defragmentation (nf_defrag_ipv4 and
 * nf_defrag_ipv6, as conntrack does) in every namespace: PRE_ROUTING
 * reassembles, every hook below sees whole packets, and what is forwarded is
 * fragmented again on the way out.  Their symbols are looked up, not linked,
 * so that `insmod ksad.ko` works without them; without one, that family's
 * fragments are not reassembled for ksad, and it says so once.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
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

static int (*ksad_defrag4_enable)(struct net *net);
static void (*ksad_defrag4_disable)(struct net *net);
static int (*ksad_defrag6_enable)(struct net *net);
static void (*ksad_defrag6_disable)(struct net *net);

/* Before any namespace's hooks: find IPv4 and IPv6 defragmentation. */
void ksad_hooks_init(void)
{
	request_module("nf_defrag_ipv4");
	ksad_defrag4_enable = symbol_get(nf_defrag_ipv4_enable);
	ksad_defrag4_disable = symbol_get(nf_defrag_ipv4_disable);
	if (!ksad_defrag4_enable || !ksad_defrag4_disable) {
		pr_warn("ksad: no nf_defrag_ipv4: forwarded IPv4 fragments will not be reassembled\n");
		if (ksad_defrag4_enable)
			symbol_put(nf_defrag_ipv4_enable);
		if (ksad_defrag4_disable)
			symbol_put(nf_defrag_ipv4_disable);
		ksad_defrag4_enable = NULL;
		ksad_defrag4_disable = NULL;
	}
	request_module("nf_defrag_ipv6");
	ksad_defrag6_enable = symbol_get(nf_defrag_ipv6_enable);
	ksad_defrag6_disable = symbol_get(nf_defrag_ipv6_disable);
	if (!ksad_defrag6_enable || !ksad_defrag6_disable) {
		pr_warn("ksad: no nf_defrag_ipv6: fragmented IPv6 ESP/AH will not be reassembled\n");
		if (ksad_defrag6_enable)
			symbol_put(nf_defrag_ipv6_enable);
		if (ksad_defrag6_disable)
			symbol_put(nf_defrag_ipv6_disable);
		ksad_defrag6_enable = NULL;
		ksad_defrag6_disable = NULL;
	}
}

void ksad_hooks_uninit(void)
{
	if (ksad_defrag4_enable) {
		symbol_put(nf_defrag_ipv4_enable);
		symbol_put(nf_defrag_ipv4_disable);
	}
	if (ksad_defrag6_enable) {
		symbol_put(nf_defrag_ipv6_enable);
		symbol_put(nf_defrag_ipv6_disable);
	}
	ksad_defrag4_enable = NULL;
	ksad_defrag4_disable = NULL;
	ksad_defrag6_enable = NULL;
	ksad_defrag6_disable = NULL;
}

static void ksad_defrag_off(struct net *net, struct ksad_net *kn)
{
	if (kn->defrag4)
		ksad_defrag4_disable(net);
	if (kn->defrag6)
		ksad_defrag6_disable(net);
	kn->defrag4 = false;
	kn->defrag6 = false;
}

int ksad_hooks_register(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);
	int err = 0;

	if (ksad_defrag4_enable) {
		err = ksad_defrag4_enable(net);
		kn->defrag4 = !err;
	}
	if (!err && ksad_defrag6_enable) {
		err = ksad_defrag6_enable(net);
		kn->defrag6 = !err;
	}
	if (!err)
		err = nf_register_net_hooks(net, ksad_nf_ops,
					    ARRAY_SIZE(ksad_nf_ops));
	if (err)
		ksad_defrag_off(net, kn);
	return err;
}

void ksad_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, ksad_nf_ops, ARRAY_SIZE(ksad_nf_ops));
	ksad_defrag_off(net, ksad_net(net));
}
