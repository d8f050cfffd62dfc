// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound: the POST_ROUTING hook.  Every packet leaving the namespace,
 * locally generated or forwarded, is looked up in the SPD; a protect policy
 * sends it through its SA (transport or tunnel mode), or raises ACQUIRE and
 * drops it when it has none.  The ESP (or AH) packet is sent with ip_local_out() /
 * ip6_local_out(), so it passes LOCAL_OUT and POST_ROUTING again, as XFRM's
 * does, marked on the packet as XFRM marks its own: IPSKB_XFRM_TRANSFORMED
 * (IP6SKB_XFRM_TRANSFORMED), which this hook lets through.  The mark is on
 * the packet, not on the CPU: whatever else is sent meanwhile (another task
 * that preempts this one on PREEMPT_RT, an ICMP error or a tunnel device's
 * packet sent synchronously from inside ip_local_out()) is looked up in the
 * SPD like any other packet.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "datapath.h"

/*
 * Where an SA sends its packets, read once per packet: SA_MIGRATE and
 * UPDATE's NEW_ENCAP may move it meanwhile (sad.c), under kn->migrate_lock,
 * and a packet is built for one place or the other, never half of each.
 * Read as a seqlock reader: nothing written per packet.
 */
struct ksad_sa_path {
	u8 family;
	union ksad_addr daddr, saddr;
	struct ksad_encap encap;
};

static void ksad_sa_path(struct ksad_sa *sa, struct ksad_sa_path *p)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&sa->kn->migrate_lock);
		p->family = sa->key.family;
		p->daddr = sa->key.daddr;
		p->saddr = sa->saddr;
		p->encap = sa->encap;
	} while (read_seqretry(&sa->kn->migrate_lock, seq));
}

/* Tunnel mode: the route to the outer destination, and the outer source. */
static struct dst_entry *ksad_tunnel_route(struct net *net,
					   const struct ksad_sa *sa,
					   const struct ksad_sa_path *p,
					   const struct sk_buff *skb,
					   union ksad_addr *saddr)
{
	if (p->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = p->daddr.a4,
			.saddr = p->saddr.a4,
			.flowi4_proto = sa->key.proto,
			.flowi4_mark = skb->mark,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return ERR_CAST(rt);
		saddr->a4 = fl4.saddr;
		return &rt->dst;
	}
	{
		struct flowi6 fl6 = {
			.daddr = p->daddr.a6,
			.saddr = p->saddr.a6,
			.flowi6_proto = sa->key.proto,
			.flowi6_mark = skb->mark,
		};
		struct dst_entry *dst;

		dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
		if (!IS_ERR(dst))
			saddr->a6 = fl6.saddr;
		return dst;
	}
}

/* Tunnel mode: put an outer header in front of the inner packet. */
static void ksad_push_outer(const struct ksad_sa_path *p, struct sk_buff *skb,
			    const union ksad_addr *saddr, u8 inner_family,
			    u8 proto)
{
	struct dst_entry *dst = skb_dst(skb);
	u8 dsfield;
	bool df;

	if (inner_family == AF_INET) {
		dsfield = ip_hdr(skb)->tos;
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
	} else {
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
		df = true;
	}

	if (p->family == AF_INET) {
		struct iphdr *iph = skb_push(skb, sizeof(*iph));

		skb_reset_network_header(skb);
		memset(iph, 0, sizeof(*iph));
		iph->version = 4;
		iph->ihl = 5;
		iph->tos = dsfield;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = proto;
		iph->frag_off = df ? htons(IP_DF) : 0;
		iph->saddr = saddr->a4;
		iph->daddr = p->daddr.a4;
		ip_select_ident(dev_net(dst->dev), skb, NULL);
	} else {
		struct ipv6hdr *ip6h = skb_push(skb, sizeof(*ip6h));

		skb_reset_network_header(skb);
		ip6_flow_hdr(ip6h, dsfield, 0);
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->nexthdr = proto;
		ip6h->saddr = saddr->a6;
		ip6h->daddr = p->daddr.a6;
	}
}

/*
 * Too big once protected: tell the sender the size that fits (PMTU).  Local
 * IPv4 senders get the ICMP error too, so TCP lowers its MSS by the ESP
 * overhead (which XFRM gets from the MTU of its bundle route).
 */
static bool ksad_too_big(struct sk_buff *skb, u8 family, unsigned int mtu,
			 unsigned int overhead)
{
	unsigned int room = mtu > overhead ? mtu - overhead : 0;

	/* a GSO packet fits if each of its segments does */
	if (skb_is_gso(skb) ? skb_gso_validate_network_len(skb, room) :
			      skb->len + overhead <= mtu)
		return false;
	if (family == AF_INET) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || skb->ignore_df)
			return false;	/* the outer packet is fragmented */
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			  htonl(max_t(unsigned int, room, 68)));
		return true;
	}
	/*
	 * IPv6: a router may not fragment, so forwarded packets get Packet
	 * Too Big.  A local sender's ESP packet is fragmented by this host,
	 * as IPv6 allows a source to: a Packet Too Big to ourselves would
	 * lower the path MTU that the ESP packet to the same destination
	 * (transport mode) has to use too.
	 */
	if (!(IP6CB(skb)->flags & IP6SKB_FORWARDED))
		return false;
	icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0,
		    max_t(unsigned int, room, IPV6_MIN_MTU));
	return true;
}

/*
 * The MTU for ESP packets on route @dst: its device's.  Not the route's path
 * MTU: in transport mode that is the very value ksad_too_big() lowers for the
 * plaintext, and checking against it would lower it again and again.  (Path
 * MTU discovery for the ESP packets themselves is not done yet.)
 */
static unsigned int ksad_esp_mtu(const struct dst_entry *dst)
{
	return READ_ONCE(dst->dev->mtu);
}

/* Reserve a sequence number, count the packet. */
static int ksad_output_seq(struct ksad_sa *sa, unsigned int len, u64 *seq)
{
	u64 max = sa->esn ? U64_MAX : U32_MAX;
	int use;

	spin_lock_bh(&sa->lock);
	if (!READ_ONCE(sa->state)) {
		use = -ENOENT;
	} else if (sa->out_seq >= max) {
		/* no wrap (RFC 4303 3.3.3): the SA is over (lifetime.c) */
		use = -EOVERFLOW;
		WRITE_ONCE(sa->seq_exhausted, true);
	} else {
		use = ksad_lifetime_use(sa, len);
		if (use >= 0)
			*seq = ++sa->out_seq;
	}
	spin_unlock_bh(&sa->lock);
	if (use == 1 || use == -EOVERFLOW)
		ksad_lifetime_kick(sa);
	return use < 0 ? use : 0;
}

/* Protect one packet (not GSO) with @sa; consumes @skb and the reference. */
static void ksad_output_one(struct net *net, struct ksad_sa *sa,
			    struct sk_buff *skb, u8 family)
{
	struct ksad_net *kn = sa->kn;
	bool ah = sa->key.proto == KSAD_PROTO_AH;
	unsigned int overhead, hlen;
	unsigned int prev = 0;	/* IPv6: offset of the byte naming ESP */
	struct ksad_sa_path path;
	u8 *prevhdr;
	union ksad_addr saddr;
	struct dst_entry *dst;
	u8 nexthdr, proto;
	u64 seq;
	int err;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop_error;
	ksad_sa_path(sa, &path);
	overhead = ah ? ksad_ah_hlen(sa) : ksad_esp_overhead(sa);
	/* ESP in UDP: the outer header names UDP (encap.c) */
	proto = sa->key.proto;
	if (path.encap.type) {
		overhead += sizeof(struct udphdr);
		proto = IPPROTO_UDP;
	}

	if (sa->mode == KSAD_MODE_TUNNEL) {
		dst = ksad_tunnel_route(net, sa, &path, skb, &saddr);
		if (IS_ERR(dst))
			goto drop_error;
		overhead += path.family == AF_INET ? sizeof(struct iphdr) :
						     sizeof(struct ipv6hdr);
		if (ksad_too_big(skb, family, ksad_esp_mtu(dst), overhead)) {
			dst_release(dst);
			goto drop;
		}
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		nexthdr = family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	} else {
		if (path.family != family)
			goto drop_error;
		if (ksad_too_big(skb, family, ksad_esp_mtu(skb_dst(skb)),
				 overhead))
			goto drop;
		if (family == AF_INET) {
			hlen = ip_hdrlen(skb);
			nexthdr = ip_hdr(skb)->protocol;
		} else {
			/*
			 * ESP or AH goes after hop-by-hop, routing and the
			 * destination options before routing, as XFRM puts
			 * it (RFC 4303 3.1.1, RFC 4302 3.1.1); the rest is
			 * encrypted or authenticated as payload.
			 */
			int off;

			if (skb_linearize(skb))
				goto drop_error;
			off = ip6_find_1stfragopt(skb, &prevhdr);
			if (off < 0)
				goto drop_error;
			hlen = off;
			nexthdr = *prevhdr;
			prev = prevhdr - skb_network_header(skb);
		}
	}

	err = ksad_output_seq(sa, skb->len, &seq);
	if (err) {
		ksad_count(kn, err == -EOVERFLOW ? KSAD_STAT_OUT_SEQ_OVERFLOW :
						   KSAD_STAT_HARD_EXPIRED);
		goto drop;
	}

	if (sa->mode == KSAD_MODE_TUNNEL) {
		if (skb_cow_head(skb, LL_MAX_HEADER + sizeof(struct ipv6hdr)))
			goto drop_error;
		ksad_push_outer(&path, skb, &saddr, family, proto);
		hlen = path.family == AF_INET ? sizeof(struct iphdr) :
						sizeof(struct ipv6hdr);
	} else {
		/* the header stays; what follows it is ESP or AH now */
		if (skb_ensure_writable(skb, hlen))
			goto drop_error;
		if (family == AF_INET)
			ip_hdr(skb)->protocol = proto;
		else	/* the head may have moved: by offset */
			skb_network_header(skb)[prev] = proto;
	}
	if (path.encap.type) {
		if (ksad_encap_push(skb, hlen, &path.encap))
			goto drop_error;
		hlen += sizeof(struct udphdr);
	}
	/* ksad_output_finish() takes over, now or from the crypto callback */
	if (ah)
		ksad_ah_output(sa, skb, hlen, nexthdr, seq);
	else
		ksad_esp_output(sa, skb, hlen, nexthdr, seq);
	return;

drop_error:
	ksad_count(kn, KSAD_STAT_OUT_ERROR);
drop:
	kfree_skb(skb);
	ksad_sa_put(sa);
}

/**
 * ksad_output_finish() - send a packet that ESP or AH has protected
 * @sa: its SA; the reference is dropped here
 * @skb: the packet, data at the (outer) IP header
 * @err: what the transform said
 */
void ksad_output_finish(struct ksad_sa *sa, struct sk_buff *skb, int err)
{
	struct ksad_net *kn = sa->kn;
	struct net *net = kn->net;
	u8 family;

	if (ksad_bench_take(skb, err))
		goto out;
	if (err) {
		ksad_count(kn, err == -ENOMEM ? KSAD_STAT_OUT_ERROR :
						KSAD_STAT_CRYPTO_ERROR);
		kfree_skb(skb);
		goto out;
	}
	/* the packet's, not the SA's: SA_MIGRATE may have moved it since */
	family = ksad_skb_family(skb);
	ksad_encap_finish(skb, family);
	nf_reset_ct(skb);
	skb->ip_summed = CHECKSUM_NONE;
	ksad_count(kn, KSAD_STAT_OUT_PACKETS);

	if (family == AF_INET) {
		/*
		 * Sized for the device's MTU, not the path MTU of the route:
		 * in transport mode that is the plaintext's, which
		 * ksad_too_big() may have lowered by the ESP overhead.  The
		 * flag makes ip_finish_output() use the device's MTU.
		 */
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->flags = IPSKB_FORWARDED | IPSKB_XFRM_TRANSFORMED;
		skb->protocol = htons(ETH_P_IP);
		ip_local_out(net, skb->sk, skb);
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		IP6CB(skb)->flags = IP6SKB_XFRM_TRANSFORMED;
		skb->ignore_df = 1;	/* see ksad_too_big() */
		skb->protocol = htons(ETH_P_IPV6);
		ip6_local_out(net, skb->sk, skb);
	}
out:
	ksad_sa_put(sa);
}

/*
 * An IPsec packet already: ksad's own (ksad_output_finish()), or one that
 * XFRM protected, if both run in a namespace.  Only those two set the flag;
 * every other packet's control block starts zeroed (alloc_skb(), ip_rcv(),
 * iptunnel_xmit()).
 */
static bool ksad_transformed(const struct sk_buff *skb, u8 family)
{
	if (family == AF_INET)
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

/* POST_ROUTING, IPv4 and IPv6.  Runs under rcu_read_lock(). */
unsigned int ksad_output_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct ksad_net *kn = ksad_net(state->net);
	u8 family = ksad_hook_family(state);
	struct sk_buff *segs, *next;
	struct ksad_policy *pol;
	struct ksad_flow fl;
	struct ksad_sa *sa;
	unsigned int seq;

	if (ksad_transformed(skb, family) || list_empty(&kn->policies) ||
	    skb_network_offset(skb) || ksad_flow_from_skb(skb, family, &fl))
		return NF_ACCEPT;
	pol = ksad_spd_lookup_rcu(kn, KSAD_DIR_OUT, &fl);
	if (!pol || pol->action == KSAD_ACTION_BYPASS)
		return NF_ACCEPT;
	/* a keying daemon's socket (bypass.c) */
	if (ksad_bypass_out(kn, skb))
		return NF_ACCEPT;
	if (pol->action == KSAD_ACTION_DISCARD) {
		ksad_count(kn, KSAD_STAT_OUT_DISCARD);
		return NF_DROP;
	}

	/*
	 * The policy is a template: the SA for this packet (spd.c).  A miss
	 * while SA_MIGRATE moves an SA or a tunnel is looked up again.
	 */
	do {
		seq = read_seqbegin(&kn->migrate_lock);
		sa = ksad_policy_sa_rcu(kn, pol, &fl);
	} while (!sa && read_seqretry(&kn->migrate_lock, seq));
	if (!sa || !refcount_inc_not_zero(&sa->refcnt)) {
		ksad_count(kn, KSAD_STAT_OUT_NO_SA);
		ksad_acquire(kn, pol, &fl);
		return NF_DROP;
	}
	if (!skb_is_gso(skb)) {
		ksad_output_one(state->net, sa, skb, family);
		return NF_STOLEN;
	}

	/* Encrypt segments, not the super-packet. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		ksad_sa_put(sa);
		ksad_count(kn, KSAD_STAT_OUT_ERROR);
		return NF_DROP;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		if (next)
			refcount_inc(&sa->refcnt);
		ksad_output_one(state->net, sa, skb, family);
	}
	return NF_STOLEN;
}
