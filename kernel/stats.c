// SPDX-License-Identifier: GPL-2.0
/*
 * Datapath counters of a namespace, per CPU, summed for GET_STATS (what
 * /proc/net/xfrm_stat is to XFRM).  Per-SA counters live in the SA.
 */
#include <net/genetlink.h>

#include "datapath.h"

/* One counter of the namespace, summed over the CPUs. */
u64 ksad_stat_sum(struct ksad_net *kn, int what)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(kn->stats, cpu)->c[what]);
	return sum;
}

int ksad_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_net *kn = ksad_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ksad_genl_family, 0,
				KSAD_CMD_GET_STATS);
	if (!hdr)
		goto fail;
	for (i = 1; i <= KSAD_STAT_MAX; i++)
		if (i != KSAD_STAT_PAD &&
		    ksad_put_u64(msg, i, ksad_stat_sum(kn, i)))
			goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return -EMSGSIZE;
}
