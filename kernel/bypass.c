// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets exempt from the SPD.  A keying daemon's IKE sockets (UDP 500 and
 * 4500) must reach the peer even where a policy protects all traffic between
 * the two hosts, as XFRM's per-socket bypass policies (strongSwan's
 * bypass_socket) let them.  The daemon names each socket by its cookie
 * (getsockopt SO_COOKIE) in SOCKET_BYPASS: the socket, not its port, so a
 * second socket on the same ports is still protected.
 *
 * Outbound, the packet's socket is known (skb->sk).  Inbound, a UDP datagram
 * that a policy would drop is looked up to the socket that would receive it.
 * Only packets that a policy protects or drops pay for the lookup, and only
 * in a namespace with exempt sockets.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>

#include "datapath.h"

struct ksad_bypass {
	struct rhash_head node;		/* kn->bypass, by cookie */
	u64 cookie;
	struct rcu_head rcu;
};

static const struct rhashtable_params ksad_bypass_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct ksad_bypass, cookie),
	.head_offset = offsetof(struct ksad_bypass, node),
	.automatic_shrinking = true,
};

const struct nla_policy ksad_sock_policy[KSAD_SOCK_MAX + 1] = {
	[KSAD_SOCK_COOKIE] = NLA_POLICY_MIN(NLA_U64, 1),
	[KSAD_SOCK_REMOVE] = { .type = NLA_FLAG },
};

int ksad_bypass_init(struct ksad_net *kn)
{
	return rhashtable_init(&kn->bypass, &ksad_bypass_params);
}

static void ksad_bypass_free(void *ptr, void *arg)
{
	struct ksad_bypass *b = ptr;

	kfree_rcu(b, rcu);
}

void ksad_bypass_uninit(struct ksad_net *kn)
{
	rhashtable_free_and_destroy(&kn->bypass, ksad_bypass_free, NULL);
}

/* Is @sk an exempt socket?  Under RCU. */
static bool ksad_sock_exempt(struct ksad_net *kn, const struct sock *sk)
{
	u64 cookie;

	if (!sk || !sk_fullsock(sk))
		return false;
	/* 0: nobody asked for its cookie, so nobody can have named it */
	cookie = atomic64_read(&sk->sk_cookie);
	return cookie && rhashtable_lookup(&kn->bypass, &cookie,
					   ksad_bypass_params);
}

/* Outbound: is the packet's socket exempt?  Under RCU. */
bool ksad_bypass_out(struct ksad_net *kn, struct sk_buff *skb)
{
	if (!atomic_read(&kn->bypass.nelems) || !skb->sk)
		return false;
	return ksad_sock_exempt(kn, sk_to_full_sk(skb->sk));
}

/* Inbound: is the UDP datagram of flow @fl for an exempt socket?  RCU. */
bool ksad_bypass_in(struct ksad_net *kn, struct sk_buff *skb,
		    const struct ksad_flow *fl)
{
	struct net *net = kn->net;
	struct sock *sk;

	if (fl->proto != IPPROTO_UDP || !atomic_read(&kn->bypass.nelems))
		return false;
	if (fl->family == AF_INET)
		sk = __udp4_lib_lookup(net, fl->saddr.a4, fl->sport,
				       fl->daddr.a4, fl->dport, inet_iif(skb),
				       inet_sdif(skb), ksad_udp_table(net),
				       NULL);
	else
		sk = __udp6_lib_lookup(net, &fl->saddr.a6, fl->sport,
				       &fl->daddr.a6, fl->dport, inet6_iif(skb),
				       inet6_sdif(skb), ksad_udp_table(net),
				       NULL);
	return ksad_sock_exempt(kn, sk);
}

int ksad_nl_socket_bypass(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_net *kn = ksad_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct ksad_bypass *b;
	u64 cookie;
	int err = 0;

	if (!tb[KSAD_SOCK_COOKIE]) {
		NL_SET_ERR_MSG(info->extack, "a socket is named by its cookie (SO_COOKIE)");
		return -EINVAL;
	}
	cookie = nla_get_u64(tb[KSAD_SOCK_COOKIE]);
	mutex_lock(&kn->lock);
	b = rhashtable_lookup_fast(&kn->bypass, &cookie, ksad_bypass_params);
	if (nla_get_flag(tb[KSAD_SOCK_REMOVE])) {
		if (b) {
			rhashtable_remove_fast(&kn->bypass, &b->node,
					       ksad_bypass_params);
			kfree_rcu(b, rcu);
		} else {
			NL_SET_ERR_MSG(info->extack, "this socket is not exempt");
			err = -ENOENT;
		}
		goto out;
	}
	if (b) {
		NL_SET_ERR_MSG(info->extack, "this socket is exempt already");
		err = -EEXIST;
		goto out;
	}
	if (atomic_read(&kn->bypass.nelems) >= KSAD_BYPASS_MAX) {
		NL_SET_ERR_MSG(info->extack,
			       "this namespace has as many exempt sockets as it may (KSAD_BYPASS_MAX)");
		err = -ENOSPC;
		goto out;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b) {
		err = -ENOMEM;
		goto out;
	}
	b->cookie = cookie;
	err = rhashtable_insert_fast(&kn->bypass, &b->node, ksad_bypass_params);
	if (err)
		kfree(b);
out:
	mutex_unlock(&kn->lock);
	return err;
}
