// SPDX-License-Identifier: GPL-2.0
/*
 * The flow of a packet: addresses, upper-layer protocol and ports, as
 * selectors see them (RFC 4301 4.4.1.1), and the selector match itself;
 * and where an IPv6 packet's upper-layer header is, for both directions'
 * transforms (ESP, AH and their UDP encapsulation).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "datapath.h"

/*
 * Ports of the protocols that have them at the start of their header; for
 * ICMP and ICMPv6, type and code, as XFRM's selectors have them.
 */
static void ksad_flow_ports(const struct sk_buff *skb, unsigned int off,
			    struct ksad_flow *fl)
{
	__be16 _ports[2];
	const __be16 *ports;
	u8 _tc[2];
	const u8 *tc;

	switch (fl->proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		tc = skb_header_pointer(skb, off, sizeof(_tc), _tc);
		if (tc) {
			fl->sport = htons(tc[0]);
			fl->dport = htons(tc[1]);
		}
		break;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
		if (ports) {
			fl->sport = ports[0];
			fl->dport = ports[1];
		}
	}
}

/**
 * ksad_flow_from_skb() - the flow of the IP packet at skb's network header
 * @skb: the packet
 * @family: AF_INET or AF_INET6
 * @fl: filled in
 *
 * Return: 0, or -EINVAL for a packet too short to have a flow.
 */
int ksad_flow_from_skb(const struct sk_buff *skb, u8 family,
		       struct ksad_flow *fl)
{
	unsigned int off = skb_network_offset(skb);

	memset(fl, 0, sizeof(*fl));
	fl->family = family;
	if (family == AF_INET) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5)
			return -EINVAL;
		fl->saddr.a4 = iph->saddr;
		fl->daddr.a4 = iph->daddr;
		fl->proto = iph->protocol;
		if (!(iph->frag_off & htons(IP_OFFSET)))
			ksad_flow_ports(skb, off + iph->ihl * 4, fl);
	} else {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off = 0;
		u8 nexthdr;
		int hoff;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return -EINVAL;
		fl->saddr.a6 = ip6h->saddr;
		fl->daddr.a6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		hoff = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr,
					&frag_off);
		fl->proto = nexthdr;
		if (hoff >= 0 && !(frag_off & htons(IP6_OFFSET)))
			ksad_flow_ports(skb, hoff, fl);
	}
	return 0;
}

/* No address (an SA's unset source): all zero, whatever the family. */
bool ksad_addr_any(const union ksad_addr *a)
{
	return ipv6_addr_any(&a->a6);
}

bool ksad_addr_eq(u8 family, const union ksad_addr *a,
		  const union ksad_addr *b)
{
	return family == AF_INET ? a->a4 == b->a4 :
				   ipv6_addr_equal(&a->a6, &b->a6);
}

/* Is @a in @net/@plen? */
bool ksad_addr_in_prefix(u8 family, const union ksad_addr *net,
			 const union ksad_addr *a, u8 plen)
{
	if (family == AF_INET)
		return !plen ||
		       !((net->a4 ^ a->a4) & htonl(~0U << (32 - plen)));
	return ipv6_prefix_equal(&net->a6, &a->a6, plen);
}

/* Does the selector @sel cover @fl?  A selector with no family covers all. */
bool ksad_sel_match(const struct ksad_sel *sel, const struct ksad_flow *fl)
{
	if (!sel->family)
		return true;
	if (sel->family != fl->family)
		return false;
	if (sel->proto && sel->proto != fl->proto)
		return false;
	if (sel->sport && sel->sport != fl->sport)
		return false;
	if (sel->dport && sel->dport != fl->dport)
		return false;
	return ksad_addr_in_prefix(sel->family, &sel->saddr, &fl->saddr,
				   sel->sprefix) &&
	       ksad_addr_in_prefix(sel->family, &sel->daddr, &fl->daddr,
				   sel->dprefix);
}

/*
 * IPv6: the header after the extension headers that may come before ESP
 * (hop-by-hop, destination options, routing; RFC 4303 3.1.1).  Its type goes
 * to @proto, the offset of the next-header byte that names it to @prev.
 * Returns its offset, or 0 if the chain is cut short.
 */
unsigned int ksad_ipv6_upper(const struct sk_buff *skb, u8 *proto,
			     unsigned int *prev)
{
	unsigned int off = sizeof(struct ipv6hdr);
	u8 nh = ipv6_hdr(skb)->nexthdr;

	*prev = offsetof(struct ipv6hdr, nexthdr);
	while (nh == NEXTHDR_HOP || nh == NEXTHDR_DEST ||
	       nh == NEXTHDR_ROUTING) {
		struct ipv6_opt_hdr _h;
		const struct ipv6_opt_hdr *h;

		h = skb_header_pointer(skb, off, sizeof(_h), &_h);
		if (!h)
			return 0;
		*prev = off;
		nh = h->nexthdr;
		off += ipv6_optlen(h);
	}
	*proto = nh;
	return off;
}
