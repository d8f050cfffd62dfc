// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks of a namespace, IPv4 and IPv6 alike:
 *
 *   LOCAL_IN      inbound ESP to this host; plaintext vs. inbound policies
 *                 (after IPv4 reassembly; before the socket)
 *   FORWARD       forwarded plaintext vs. forward policies
 *   POST_ROUTING  outbound policies, local and forwarded traffic, after
 *                 NAT: the last word on a packet before it leaves
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

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

int ksad_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, ksad_nf_ops, ARRAY_SIZE(ksad_nf_ops));
}

void ksad_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, ksad_nf_ops, ARRAY_SIZE(ksad_nf_ops));
}
