// SPDX-License-Identifier: GPL-2.0
/*
 * UDP encapsulation of ESP (RFC 3948), for peers behind a NAT.
 *
 *   | IP header | UDP header | SPI | seq | ... ESP ... |
 *
 * Outbound (output.c), an SA with encapsulation gets a UDP header between
 * the IP header and ESP: checksum zero over IPv4 (RFC 3948 3.1.1), computed
 * over IPv6, as XFRM does.
 *
 * Inbound, the LOCAL_IN hook hands UDP to ksad_encap_input() when its
 * destination port is one on which an inbound SA takes ESP in UDP (a set of
 * ports per namespace, counted by SA):
 *   - first four bytes non-zero: ESP (they are the SPI), taken like any ESP;
 *   - four zero bytes (the non-ESP marker): IKE, left to the daemon's socket;
 *   - one byte 0xFF: a NAT keepalive, consumed.
 * Whether a daemon holds the port or not does not matter: the hook runs
 * before the socket.  Once a packet has passed the ICV check, input.c calls
 * ksad_encap_mapping(): a peer whose address or port is not the SA's (the
 * NAT's mapping changed) is reported on the "mapping" group, as XFRM's
 * MAPPING event does; the keying daemon moves its SAs with UPDATE.  An SA
 * without a source address takes its peer from any address: only a new
 * port is news there.
 *
 * Over IPv6, ESP in UDP with a zero UDP checksum is taken (RFC 6935 and
 * 6936 allow tunnel protocols to; ESP's ICV covers what the checksum
 * would): XFRM peers and NAT64 devices may send it so.  A non-zero
 * checksum must be right.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <net/genetlink.h>
#include <net/ip6_checksum.h>

#include "datapath.h"

void ksad_encap_init(struct ksad_net *kn)
{
	xa_init(&kn->encap_ports);
}

void ksad_encap_uninit(struct ksad_net *kn)
{
	WARN_ON_ONCE(!xa_empty(&kn->encap_ports));
	xa_destroy(&kn->encap_ports);
}

/* Count one more inbound SA on @port.  kn->lock held. */
int ksad_encap_port_get(struct ksad_net *kn, __be16 port)
{
	unsigned long n = xa_to_value(xa_load(&kn->encap_ports, ntohs(port)));

	lockdep_assert_held(&kn->lock);
	return xa_err(xa_store(&kn->encap_ports, ntohs(port),
			       xa_mk_value(n + 1), GFP_KERNEL_ACCOUNT));
}

/* One inbound SA less on @port.  kn->lock held. */
void ksad_encap_port_put(struct ksad_net *kn, __be16 port)
{
	unsigned long n = xa_to_value(xa_load(&kn->encap_ports, ntohs(port)));

	lockdep_assert_held(&kn->lock);
	if (WARN_ON_ONCE(!n))
		return;
	if (n == 1)
		xa_erase(&kn->encap_ports, ntohs(port));
	else	/* replacing an entry allocates nothing */
		xa_store(&kn->encap_ports, ntohs(port), xa_mk_value(n - 1),
			 GFP_KERNEL_ACCOUNT);
}

/**
 * ksad_encap_input() - UDP to this host: ESP in UDP, keepalive, or neither?
 * @kn: the namespace
 * @skb: the packet, data at the IP header
 * @family: AF_INET or AF_INET6
 * @off: offset of the UDP header
 * @hook: the netfilter hook (for the checksum)
 *
 * Return: a verdict, or -1 if the packet is not for ksad (IKE, other UDP).
 */
int ksad_encap_input(struct ksad_net *kn, struct sk_buff *skb, u8 family,
		     unsigned int off, unsigned int hook)
{
	const struct udphdr *uh;
	struct udphdr _uh;
	const __be32 *marker;
	__be32 _marker;
	unsigned int len;
	u8 _b;
	const u8 *b;

	if (xa_empty(&kn->encap_ports))
		return -1;
	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh || !xa_load(&kn->encap_ports, ntohs(uh->dest)))
		return -1;
	len = skb->len - off;
	if (len == sizeof(*uh) + 1) {
		b = skb_header_pointer(skb, off + sizeof(*uh), 1, &_b);
		if (!b || *b != 0xff || ntohs(uh->len) != len)
			return -1;
		ksad_count(kn, KSAD_STAT_IN_NAT_KEEPALIVE);
		consume_skb(skb);
		return NF_STOLEN;
	}
	marker = skb_header_pointer(skb, off + sizeof(*uh), sizeof(_marker),
				    &_marker);
	if (!marker || !*marker)
		return -1;	/* too short for ESP, or IKE */
	/* ESP in UDP from here on: ksad's to drop if it is broken */
	if (ntohs(uh->len) != len ||
	    (uh->check && nf_checksum(skb, hook, off, IPPROTO_UDP, family))) {
		ksad_count(kn, KSAD_STAT_IN_MALFORMED);
		return NF_DROP;
	}
	return ksad_input_ipsec(kn, skb, family, off + sizeof(*uh),
				IPPROTO_ESP, uh->dest);
}

/* Outbound: a UDP header after the first @hlen bytes (lengths: finish). */
int ksad_encap_push(struct sk_buff *skb, unsigned int hlen,
		    const struct ksad_encap *e)
{
	struct udphdr *uh;

	if (skb_cow(skb, sizeof(*uh)))
		return -ENOMEM;
	skb_push(skb, sizeof(*uh));
	memmove(skb->data, skb->data + sizeof(*uh), hlen);
	skb_reset_network_header(skb);
	uh = (struct udphdr *)(skb->data + hlen);
	uh->source = e->sport;
	uh->dest = e->dport;
	uh->len = 0;
	uh->check = 0;
	return 0;
}

/*
 * Is the IPsec packet at skb's network header ESP in UDP?  Where the SA
 * may have moved meanwhile (SA_MIGRATE), the packet tells, not the SA.
 * Returns the UDP header's offset, or 0.
 */
unsigned int ksad_encap_offset(const struct sk_buff *skb, u8 family)
{
	unsigned int prev, off;
	u8 proto;

	if (family == AF_INET)
		return ip_hdr(skb)->protocol == IPPROTO_UDP ? ip_hdrlen(skb) : 0;
	off = ksad_ipv6_upper(skb, &proto, &prev);
	return proto == IPPROTO_UDP ? off : 0;
}

/* Outbound, ESP built: if in UDP, UDP length, and the checksum over IPv6. */
void ksad_encap_finish(struct sk_buff *skb, u8 family)
{
	unsigned int off = ksad_encap_offset(skb, family), len;
	struct udphdr *uh;

	if (!off)
		return;
	len = skb->len - off;
	uh = (struct udphdr *)(skb->data + off);
	uh->len = htons(len);
	uh->check = 0;
	if (family == AF_INET6) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		uh->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
					    IPPROTO_UDP,
					    skb_checksum(skb, off, len, 0));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
}

/**
 * ksad_encap_mapping() - an authenticated packet of an inbound SA came from
 * @saddr, UDP port @sport: report it if that is not the SA's peer
 * @sa: the inbound SA with UDP encapsulation
 * @family: the SA's family
 * @saddr: the packet's source address
 * @sport: its UDP source port
 *
 * Datapath (softirq or crypto callback); at most one message per second and
 * SA for the same new source.
 */
void ksad_encap_mapping(struct ksad_sa *sa, u8 family,
			const union ksad_addr *saddr, __be16 sport)
{
	/* an SA without a source address: its peer may be anywhere */
	bool any = ksad_addr_any(&sa->saddr);
	struct sk_buff *skb;
	unsigned int seq;
	bool send;
	int err;

	/* a packet from before SA_MIGRATE moved the SA to the other family */
	if (family != READ_ONCE(sa->key.family))
		return;

	/* the common case, without the lock: the peer is where it was */
	if (sport == READ_ONCE(sa->encap.sport) &&
	    (any || ksad_addr_eq(family, saddr, &sa->saddr)))
		return;
	spin_lock_bh(&sa->lock);
	if (sport == sa->encap.sport &&
	    (any || ksad_addr_eq(family, saddr, &sa->saddr))) {
		spin_unlock_bh(&sa->lock);
		return;
	}
	send = sport != sa->mapped_port ||
	       !ksad_addr_eq(family, saddr, &sa->mapped_addr) ||
	       time_after(jiffies, sa->mapped_at + HZ);
	if (send) {
		sa->mapped_addr = *saddr;
		sa->mapped_port = sport;
		sa->mapped_at = jiffies;
	}
	spin_unlock_bh(&sa->lock);
	if (!send || !ksad_listening(sa->kn, KSAD_GRP_MAPPING))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	/* where the SA is, read as SA_MIGRATE's readers do (sad.c) */
	do {
		seq = read_seqbegin(&sa->kn->migrate_lock);
		skb_trim(skb, 0);
		err = ksad_nl_fill_sa(skb, sa, 0, 0, 0, KSAD_CMD_MAPPING, 0);
	} while (!err && read_seqretry(&sa->kn->migrate_lock, seq));
	if (err) {
		kfree_skb(skb);
		return;
	}
	ksad_multicast(sa->kn, skb, KSAD_GRP_MAPPING, GFP_ATOMIC);
}
