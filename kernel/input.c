// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound: the LOCAL_IN and FORWARD hooks.
 *
 * LOCAL_IN sees packets for this host after IPv4 reassembly.  An ESP or AH
 * packet whose (SPI, destination) is one of ksad's inbound SAs is taken:
 * replay check, ICV check and decryption (esp.c, ah.c), padding check
 * (ESP), decapsulation, then a
 * check of the inner packet against the SA's selector and the inbound
 * policies.  The inner packet comes back into the stack on ksad0
 * (device.c), so sockets, forwarding and netfilter see it, and
 * `tcpdump -i ksad0` shows it.  IPsec for SPIs ksad does not know is left to
 * the rest of the stack (the kernel's own XFRM, say) and only counted.
 *
 * A packet in the clear that an inbound (LOCAL_IN) or forward (FORWARD)
 * protect policy covers is dropped: it should have come through an SA.  A
 * decrypted packet is checked, with the SA that decrypted it, against the
 * forward policies if it is going to be forwarded (its destination is not
 * this host's) and against the inbound ones if not, as XFRM checks its fwd
 * policies from ip_forward(): a gateway's `fwd discard` holds for what a
 * peer sends through a tunnel too.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <net/esp.h>
#include <net/ip.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "datapath.h"

/* Drop a packet the SPD does not allow in the clear. */
static unsigned int ksad_plaintext_check(struct ksad_net *kn,
					 struct sk_buff *skb, u8 family,
					 u8 dir)
{
	struct ksad_policy *pol;
	struct ksad_flow fl;

	if (list_empty(&kn->policies) || ksad_flow_from_skb(skb, family, &fl))
		return NF_ACCEPT;
	/* IPsec itself is not plaintext: ESP/AH ksad does not own */
	if (fl.proto == IPPROTO_ESP || fl.proto == IPPROTO_AH)
		return NF_ACCEPT;
	pol = ksad_spd_lookup_rcu(kn, dir, &fl);
	if (!pol || pol->action == KSAD_ACTION_BYPASS)
		return NF_ACCEPT;
	/* for a keying daemon's socket (bypass.c) */
	if (dir == KSAD_DIR_IN && ksad_bypass_in(kn, skb, &fl))
		return NF_ACCEPT;
	ksad_count(kn, pol->action == KSAD_ACTION_DISCARD ?
		   KSAD_STAT_IN_DISCARD : KSAD_STAT_IN_PLAINTEXT_DROP);
	return NF_DROP;
}

/* Where the upper-layer header (ESP, AH, UDP...) is; 0 if nowhere. */
static unsigned int ksad_upper_offset(struct sk_buff *skb, u8 family,
				      u8 *proto)
{
	unsigned int prev;

	if (family == AF_INET) {
		*proto = ip_hdr(skb)->protocol;
		return ip_hdrlen(skb);
	}
	return ksad_ipv6_upper(skb, proto, &prev);
}

/* SPI and sequence number: where ESP and AH have them */
struct ksad_ipsec_hdr {
	__be32 spi, seq;
};

/**
 * ksad_input_ipsec() - take ESP or AH for one of ksad's inbound SAs
 * @kn: the namespace
 * @skb: the packet, data at the IP header
 * @family: AF_INET or AF_INET6
 * @off: offset of the ESP or AH header
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @encap_dport: ESP in UDP (encap.c): the UDP destination port; else 0
 *
 * Return: the verdict; NF_ACCEPT for SPIs that are not ksad's.
 */
unsigned int ksad_input_ipsec(struct ksad_net *kn, struct sk_buff *skb,
			      u8 family, unsigned int off, u8 proto,
			      __be16 encap_dport)
{
	struct ksad_sa_key key = { .family = family, .proto = proto };
	struct ksad_ipsec_hdr _h;
	const struct ksad_ipsec_hdr *h;
	struct ksad_sa *sa;
	u8 state;
	u64 seq;
	bool ok;

	/* AH: next header, length, reserved come first */
	h = skb_header_pointer(skb, proto == IPPROTO_AH ? off + 4 : off,
			       sizeof(_h), &_h);
	if (!h)
		return NF_ACCEPT;
	key.spi = ntohl(h->spi);
	if (family == AF_INET)
		key.daddr.a4 = ip_hdr(skb)->daddr;
	else
		key.daddr.a6 = ipv6_hdr(skb)->daddr;
	sa = ksad_sad_lookup_rcu(kn, &key);
	if (!sa || !refcount_inc_not_zero(&sa->refcnt)) {
		ksad_count(kn, KSAD_STAT_IN_NO_SA);
		return NF_ACCEPT;
	}
	/* pairs with the release when UPDATE completes the SA */
	state = smp_load_acquire(&sa->state);
	if (sa->dir != KSAD_DIR_IN || (state != KSAD_STATE_MATURE &&
				       state != KSAD_STATE_DYING)) {
		ksad_count(kn, KSAD_STAT_IN_SA_NOT_READY);
		goto drop;
	}

	spin_lock_bh(&sa->lock);
	/* in UDP to the SA's port if it has encapsulation, bare if not */
	if ((sa->encap.type ? sa->encap.dport : 0) != encap_dport) {
		spin_unlock_bh(&sa->lock);
		ksad_count(kn, KSAD_STAT_IN_ENCAP_MISMATCH);
		goto drop;
	}
	seq = ksad_replay_infer(&sa->replay, ntohl(h->seq), sa->esn);
	ok = ksad_replay_check(&sa->replay, seq);
	if (!ok)
		sa->stats.replay_fail++;
	spin_unlock_bh(&sa->lock);
	if (!ok) {
		ksad_count(kn, KSAD_STAT_IN_REPLAY);
		goto drop;
	}
	/* ksad_input_finish() owns the packet and the reference now */
	if (proto == IPPROTO_AH)
		ksad_ah_input(sa, skb, off, seq);
	else
		ksad_esp_input(sa, skb, off, seq);
	return NF_STOLEN;
drop:
	ksad_sa_put(sa);
	return NF_DROP;
}

/* LOCAL_IN, IPv4 and IPv6.  Runs under rcu_read_lock(). */
unsigned int ksad_input_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct ksad_net *kn = ksad_net(state->net);
	u8 family = ksad_hook_family(state);
	unsigned int off;
	int verdict;
	u8 proto;

	/* decrypted by ksad: checked when it was decapsulated */
	if (ksad_device_is(kn, state->in) || skb_network_offset(skb))
		return NF_ACCEPT;
	off = ksad_upper_offset(skb, family, &proto);
	if (off && (proto == IPPROTO_ESP || proto == IPPROTO_AH))
		return ksad_input_ipsec(kn, skb, family, off, proto, 0);
	if (off && proto == IPPROTO_UDP) {
		verdict = ksad_encap_input(kn, skb, family, off, state->hook);
		if (verdict >= 0)
			return verdict;
	}
	return ksad_plaintext_check(kn, skb, family, KSAD_DIR_IN);
}

/* FORWARD: forwarded traffic in the clear against the forward policies. */
unsigned int ksad_forward_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct ksad_net *kn = ksad_net(state->net);

	/*
	 * Unicast IPv6 forwarding does not mark the packet (only multicast
	 * routing does, for loopback): mark it, so that POST_ROUTING answers
	 * a packet too big for the tunnel with Packet Too Big (output.c).
	 */
	if (state->pf == NFPROTO_IPV6)
		IP6CB(skb)->flags |= IP6SKB_FORWARDED;

	if (ksad_device_is(kn, state->in) || skb_network_offset(skb))
		return NF_ACCEPT;
	return ksad_plaintext_check(kn, skb, ksad_hook_family(state),
				    KSAD_DIR_FWD);
}

/* Record the sequence number of a genuine packet; false if replayed. */
static bool ksad_input_accept(struct ksad_sa *sa, u64 seq, unsigned int len)
{
	int use;

	spin_lock_bh(&sa->lock);
	/* another packet with this number may have passed meanwhile */
	if (!ksad_replay_check(&sa->replay, seq)) {
		sa->stats.replay_fail++;
		spin_unlock_bh(&sa->lock);
		ksad_count(sa->kn, KSAD_STAT_IN_REPLAY);
		return false;
	}
	use = ksad_lifetime_use(sa, len);
	if (use >= 0)
		ksad_replay_advance(&sa->replay, seq);
	spin_unlock_bh(&sa->lock);
	if (use == 1)
		ksad_lifetime_kick(sa);
	if (use < 0)
		ksad_count(sa->kn, KSAD_STAT_HARD_EXPIRED);
	return use >= 0;
}

/*
 * Strip ESP from a decrypted packet: padding checked, trailer and ICV cut,
 * the header removed, and the @encap bytes of UDP header before it.
 * Returns the inner protocol (next header), or -1.
 */
static int ksad_esp_strip(struct ksad_sa *sa, struct sk_buff *skb,
			  unsigned int esp_off, unsigned int encap)
{
	unsigned int ehlen = ksad_esp_hlen(sa), icv = sa->crypto.icv_len;
	unsigned int end = skb->len - icv, i;
	u8 padlen, nexthdr;

	padlen = skb->data[end - 2];
	nexthdr = skb->data[end - 1];
	if (esp_off + ehlen + padlen + 2 > end)
		return -1;
	for (i = 0; i < padlen; i++)
		if (skb->data[end - 2 - padlen + i] != i + 1)
			return -1;
	if (pskb_trim(skb, end - 2 - padlen))
		return -1;
	/* the IP header moves up over UDP header, ESP header and IV */
	memmove(skb->data + encap + ehlen, skb->data, esp_off - encap);
	__skb_pull(skb, encap + ehlen);
	skb_reset_network_header(skb);
	return nexthdr;
}

/*
 * Will the stack forward the inner packet (FWD) or take it in (IN)?  What
 * routing will decide on ksad0: forwarded unless the destination is one of
 * this host's addresses, a broadcast or a multicast one.  (Looked up in the
 * main local table: an address that is local only in a VRF, an IPv6
 * anycast or AnyIP route counts as forwarded.)
 */
static u8 ksad_inner_dir(struct net *net, const struct sk_buff *skb,
			 u8 family)
{
	if (family == AF_INET) {
		__be32 daddr = ip_hdr(skb)->daddr;

		if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr))
			return KSAD_DIR_IN;
		return inet_addr_type(net, daddr) == RTN_UNICAST ?
		       KSAD_DIR_FWD : KSAD_DIR_IN;
	}
	if (ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) ||
	    ipv6_chk_addr(net, &ipv6_hdr(skb)->daddr, NULL, 0))
		return KSAD_DIR_IN;
	return KSAD_DIR_FWD;
}

/*
 * Is the inner packet what the SA and the inbound (or, if it is to be
 * forwarded, the forward) policies allow?
 */
static bool ksad_inner_allowed(struct ksad_sa *sa, struct sk_buff *skb,
			       u8 family)
{
	struct ksad_policy *pol;
	struct ksad_flow fl;

	if (ksad_flow_from_skb(skb, family, &fl))
		return false;
	if (!ksad_sel_match(&sa->sel, &fl))
		return false;
	/* no policy to meet: spare the packet ksad_inner_dir()'s FIB lookup */
	if (list_empty(&sa->kn->policies))
		return true;
	rcu_read_lock();
	pol = ksad_spd_lookup_rcu(sa->kn,
				  ksad_inner_dir(sa->kn->net, skb, family), &fl);
	if (pol && (pol->action == KSAD_ACTION_DISCARD ||
		    (pol->action == KSAD_ACTION_PROTECT &&
		     (pol->proto != sa->key.proto || pol->mode != sa->mode ||
		      (pol->reqid && pol->reqid != sa->reqid))))) {
		rcu_read_unlock();
		return false;
	}
	rcu_read_unlock();
	return true;
}

/**
 * ksad_input_finish() - deliver a packet that ESP or AH has checked
 * @sa: its SA; the reference is dropped here
 * @skb: the packet, data at the outer IP header
 * @off: offset of the ESP or AH header
 * @seq: its full sequence number
 * @err: what the transform said (-EBADMSG: wrong ICV)
 */
void ksad_input_finish(struct ksad_sa *sa, struct sk_buff *skb,
		       unsigned int off, u64 seq, int err)
{
	struct ksad_net *kn = sa->kn;
	/* the packet's, not the SA's: SA_MIGRATE may have moved it since */
	u8 family = ksad_skb_family(skb);
	unsigned int encap = 0;
	int nexthdr;

	if (err) {
		if (err == -EBADMSG) {
			spin_lock_bh(&sa->lock);
			sa->stats.integrity_fail++;
			spin_unlock_bh(&sa->lock);
			ksad_count(kn, KSAD_STAT_IN_INTEGRITY);
		} else {
			ksad_count(kn, err == -EINVAL ? KSAD_STAT_IN_MALFORMED :
				   KSAD_STAT_CRYPTO_ERROR);
		}
		goto drop;
	}
	if (!ksad_input_accept(sa, seq, skb->len))
		goto drop;
	if (ksad_encap_offset(skb, family)) {
		/* genuine: where the peer is now (ESP is linear: esp.c) */
		const struct udphdr *uh = (void *)skb->data + off - sizeof(*uh);
		union ksad_addr src = {};

		if (family == AF_INET)
			src.a4 = ip_hdr(skb)->saddr;
		else
			src.a6 = ipv6_hdr(skb)->saddr;
		ksad_encap_mapping(sa, family, &src, uh->source);
		encap = sizeof(*uh);
	}
	if (sa->key.proto == KSAD_PROTO_AH)
		nexthdr = ksad_ah_strip(sa, skb, off);
	else
		nexthdr = ksad_esp_strip(sa, skb, off, encap);
	off -= encap;
	if (nexthdr < 0) {
		ksad_count(kn, KSAD_STAT_IN_BAD_PADDING);
		goto drop;
	}

	if (sa->mode == KSAD_MODE_TUNNEL) {
		/* the inner packet follows the outer header */
		if (nexthdr == IPPROTO_IPIP) {
			family = AF_INET;
		} else if (nexthdr == IPPROTO_IPV6) {
			family = AF_INET6;
		} else {
			ksad_count(kn, KSAD_STAT_IN_MALFORMED);
			goto drop;
		}
		__skb_pull(skb, off);
		skb_reset_network_header(skb);
		if (family == AF_INET ?
		    !pskb_may_pull(skb, sizeof(struct iphdr)) ||
		    ip_hdr(skb)->version != 4 ||
		    ntohs(ip_hdr(skb)->tot_len) > skb->len :
		    !pskb_may_pull(skb, sizeof(struct ipv6hdr)) ||
		    ipv6_hdr(skb)->version != 6) {
			ksad_count(kn, KSAD_STAT_IN_MALFORMED);
			goto drop;
		}
	} else if (family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->protocol = nexthdr;
		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		unsigned int prev;
		u8 esp;

		/* the header that named ESP names what it carried now */
		ksad_ipv6_upper(skb, &esp, &prev);
		skb->data[prev] = nexthdr;
		ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	}

	if (!ksad_inner_allowed(sa, skb, family)) {
		ksad_count(kn, KSAD_STAT_IN_POLICY_MISMATCH);
		goto drop;
	}
	skb->protocol = family == AF_INET ? htons(ETH_P_IP) : htons(ETH_P_IPV6);
	ksad_count(kn, KSAD_STAT_IN_PACKETS);
	if (!ksad_bench_take(skb, 0))
		ksad_device_rx(kn, skb,
			       encap && sa->mode == KSAD_MODE_TRANSPORT);
	ksad_sa_put(sa);
	return;
drop:
	if (!ksad_bench_take(skb, err ?: -EINVAL))
		kfree_skb(skb);
	ksad_sa_put(sa);
}
