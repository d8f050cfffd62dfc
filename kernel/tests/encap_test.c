// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ESP in UDP (encap.c).  IPv6 ESP in UDP with a zero checksum is
 * taken (RFC 6935/6936) while a wrong non-zero one is dropped; an inbound SA
 * without a source address reports a new port of its peer, not every
 * packet's address.
 */
#include <kunit/test.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "../datapath.h"
#include "../ksad.h"
#include "../sa.h"
#include "kunit_wq.h"

static u64 stat_sum(struct ksad_net *kn, int what)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(kn->stats, cpu)->c[what];
	return sum;
}

/* fd00::2 -> fd00::1, UDP 4500 -> 4500 with checksum @check, ESP SPI 0x1234 */
static struct sk_buff *esp_in_udp6(__sum16 check)
{
	static const u8 esp[16] = { 0, 0, 0x12, 0x34, 0, 0, 0, 1, 0xa, 0xb };
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	struct ipv6hdr *ip6h;
	struct udphdr *uh;

	if (!skb)
		return NULL;
	skb_reserve(skb, 64);
	ip6h = skb_put_zero(skb, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = 64;
	ip6h->payload_len = htons(sizeof(*uh) + sizeof(esp));
	ip6h->saddr.s6_addr[0] = 0xfd;
	ip6h->saddr.s6_addr[15] = 2;
	ip6h->daddr.s6_addr[0] = 0xfd;
	ip6h->daddr.s6_addr[15] = 1;
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(4500);
	uh->dest = htons(4500);
	uh->len = htons(sizeof(*uh) + sizeof(esp));
	uh->check = check;
	skb_put_data(skb, esp, sizeof(esp));
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IPV6);
	return skb;
}

static int encap_input(struct ksad_net *kn, struct sk_buff *skb)
{
	int verdict;

	rcu_read_lock();
	verdict = ksad_encap_input(kn, skb, AF_INET6, sizeof(struct ipv6hdr),
				   NF_INET_LOCAL_IN);
	rcu_read_unlock();
	return verdict;
}

static void encap_ipv6_zero_checksum(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	struct sk_buff *skb;

	mutex_lock(&kn->lock);
	KUNIT_ASSERT_EQ(test, 0, ksad_encap_port_get(kn, htons(4500)));
	mutex_unlock(&kn->lock);

	/* zero: taken as ESP (no SA has SPI 0x1234: left to the stack) */
	skb = esp_in_udp6(0);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, NF_ACCEPT, encap_input(kn, skb));
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, 0ULL, stat_sum(kn, KSAD_STAT_IN_MALFORMED));
	KUNIT_EXPECT_EQ(test, 1ULL, stat_sum(kn, KSAD_STAT_IN_NO_SA));

	/* a wrong checksum that is not zero: dropped as malformed */
	skb = esp_in_udp6((__force __sum16)htons(0x1234));
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, NF_DROP, encap_input(kn, skb));
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, 1ULL, stat_sum(kn, KSAD_STAT_IN_MALFORMED));

	mutex_lock(&kn->lock);
	ksad_encap_port_put(kn, htons(4500));
	mutex_unlock(&kn->lock);
}

static void encap_mapping_without_source(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	union ksad_addr peer = { .a4 = htonl(0x0a000009) };	/* 10.0.0.9 */
	struct ksad_sa *sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sa);
	sa->kn = kn;
	sa->key.family = AF_INET;
	sa->encap.type = KSAD_ENCAP_ESPINUDP;
	sa->encap.sport = htons(4500);
	spin_lock_init(&sa->lock);

	/* no source address: any peer address on the SA's port is no news */
	ksad_encap_mapping(sa, AF_INET, &peer, htons(4500));
	KUNIT_EXPECT_EQ(test, 0, (int)ntohs(sa->mapped_port));
	KUNIT_EXPECT_EQ(test, 0UL, sa->mapped_at);
	/* a new port is */
	ksad_encap_mapping(sa, AF_INET, &peer, htons(4501));
	KUNIT_EXPECT_EQ(test, 4501, (int)ntohs(sa->mapped_port));

	/* with a source address, a new address is news too */
	sa->saddr.a4 = htonl(0x0a000002);
	sa->mapped_port = 0;
	ksad_encap_mapping(sa, AF_INET, &peer, htons(4500));
	KUNIT_EXPECT_EQ(test, 4500, (int)ntohs(sa->mapped_port));
	KUNIT_EXPECT_TRUE(test, sa->mapped_addr.a4 == peer.a4);
}

static struct workqueue_struct *encap_saved_wq;

static int encap_suite_init(struct kunit_suite *suite)
{
	return ksad_kunit_wq_get(&encap_saved_wq, "ksad-kunit-encap");
}

static void encap_suite_exit(struct kunit_suite *suite)
{
	ksad_kunit_wq_put(encap_saved_wq);
}

static int encap_test_init(struct kunit *test)
{
	struct ksad_net *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kn);
	KUNIT_ASSERT_EQ(test, 0, ksad_net_setup(kn, &init_net));
	test->priv = kn;
	return 0;
}

static void encap_test_exit(struct kunit *test)
{
	ksad_net_teardown(test->priv);
}

static struct kunit_case encap_test_cases[] = {
	KUNIT_CASE(encap_ipv6_zero_checksum),
	KUNIT_CASE(encap_mapping_without_source),
	{}
};

static struct kunit_suite encap_test_suite = {
	.name = "ksad_encap",
	.suite_init = encap_suite_init,
	.suite_exit = encap_suite_exit,
	.init = encap_test_init,
	.exit = encap_test_exit,
	.test_cases = encap_test_cases,
};

kunit_test_suite(encap_test_suite);
