// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which IPv4 options AH zeroes for its ICV (RFC 4302 appendix A.1),
 * and which IPv6 hop-by-hop and destination options (A.2).
 * Immutable options stay, mutable ones become zeros, and with a source
 * route a sender hashes the final destination.  The interop tests cover
 * headers without options; these cover the options.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "../datapath.h"

struct ah_test_hdr {
	struct iphdr iph;
	u8 opt[40];
};

static void ah_test_hdr_init(struct ah_test_hdr *h, const u8 *opt,
			     unsigned int len)
{
	memset(h, 0, sizeof(*h));
	h->iph.version = 4;
	h->iph.ihl = 5 + DIV_ROUND_UP(len, 4);
	h->iph.daddr = htonl(0x0a000001);
	memcpy(h->opt, opt, len);
}

static void ah_options_immutable_kept(struct kunit *test)
{
	/* router alert, NOP, security (11 bytes), end */
	static const u8 opt[] = { IPOPT_RA, 4, 0, 0, IPOPT_NOOP,
				  IPOPT_SEC, 11, 1, 2, 3, 4, 5, 6, 7, 8,
				  IPOPT_END };
	struct ah_test_hdr h;

	ah_test_hdr_init(&h, opt, sizeof(opt));
	KUNIT_ASSERT_EQ(test, 0, ksad_ah_mute_options(&h.iph, true));
	KUNIT_EXPECT_EQ(test, 0, memcmp(h.opt, opt, sizeof(opt)));
}

static void ah_options_mutable_zeroed(struct kunit *test)
{
	/* timestamp (8 bytes), record route (7 bytes), then router alert */
	static const u8 opt[] = { IPOPT_TS, 8, 5, 0, 1, 2, 3, 4,
				  IPOPT_RR, 7, 4, 9, 9, 9, 9,
				  IPOPT_RA, 4, 0, 0 };
	static const u8 want[] = { 0, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0,
				   IPOPT_RA, 4, 0, 0 };
	struct ah_test_hdr h;

	ah_test_hdr_init(&h, opt, sizeof(opt));
	KUNIT_ASSERT_EQ(test, 0, ksad_ah_mute_options(&h.iph, false));
	KUNIT_EXPECT_EQ(test, 0, memcmp(h.opt, want, sizeof(want)));
}

static void ah_options_source_route(struct kunit *test)
{
	/* loose source route via 192.0.2.1 to 192.0.2.9 */
	static const u8 opt[] = { IPOPT_NOOP, IPOPT_LSRR, 11, 4,
				  192, 0, 2, 1, 192, 0, 2, 9 };
	struct ah_test_hdr h;

	/* a sender hashes the final destination, a receiver what it got */
	ah_test_hdr_init(&h, opt, sizeof(opt));
	KUNIT_ASSERT_EQ(test, 0, ksad_ah_mute_options(&h.iph, true));
	KUNIT_EXPECT_EQ(test, ntohl(h.iph.daddr), 0xc0000209);
	KUNIT_EXPECT_EQ(test, h.opt[0], IPOPT_NOOP);
	KUNIT_EXPECT_EQ(test, h.opt[1], 0);
	KUNIT_EXPECT_EQ(test, h.opt[11], 0);

	ah_test_hdr_init(&h, opt, sizeof(opt));
	KUNIT_ASSERT_EQ(test, 0, ksad_ah_mute_options(&h.iph, false));
	KUNIT_EXPECT_EQ(test, ntohl(h.iph.daddr), 0x0a000001);
	KUNIT_EXPECT_EQ(test, h.opt[1], 0);
}

static void ah_options_malformed(struct kunit *test)
{
	static const u8 too_long[] = { IPOPT_TS, 40, 5, 0 };
	static const u8 too_short[] = { IPOPT_RR, 1, 0, 0 };
	static const u8 short_lsrr[] = { IPOPT_LSRR, 4, 4, 0 };
	struct ah_test_hdr h;

	ah_test_hdr_init(&h, too_long, sizeof(too_long));
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_options(&h.iph, true));
	ah_test_hdr_init(&h, too_short, sizeof(too_short));
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_options(&h.iph, true));
	ah_test_hdr_init(&h, short_lsrr, sizeof(short_lsrr));
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_options(&h.iph, true));
	/* a lone option type in the last byte has no length */
	h.iph.ihl = 6;
	memset(h.opt, IPOPT_NOOP, 3);
	h.opt[3] = IPOPT_TS;
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_options(&h.iph, true));
}

static void ah_ipv6_exthdrs(struct kunit *test)
{
	/*
	 * Hop-by-hop: PadN, then type 0x3e (may change en route), Pad1 x2;
	 * then destination options: type 0x1e (may not change), 4 bytes.
	 */
	static const u8 ext[] = { NEXTHDR_DEST, 1, 1, 2, 7, 7,
				  0x3e, 4, 1, 2, 3, 4, 0, 0, 0, 0,
				  IPPROTO_UDP, 0, 0x1e, 4, 5, 6, 7, 8 };
	static const u8 want[] = { NEXTHDR_DEST, 1, 1, 2, 7, 7,
				   0x3e, 4, 0, 0, 0, 0, 0, 0, 0, 0,
				   IPPROTO_UDP, 0, 0x1e, 4, 5, 6, 7, 8 };
	u8 buf[sizeof(struct ipv6hdr) + sizeof(ext)] = {};
	struct ipv6hdr *ip6h = (struct ipv6hdr *)buf;

	ip6h->version = 6;
	ip6h->nexthdr = NEXTHDR_HOP;
	memcpy(buf + sizeof(*ip6h), ext, sizeof(ext));
	KUNIT_ASSERT_EQ(test, 0, ksad_ah_mute_exthdrs(buf, sizeof(buf)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(buf + sizeof(*ip6h), want, sizeof(want)));

	/* an option running past its header */
	memcpy(buf + sizeof(*ip6h), ext, sizeof(ext));
	buf[sizeof(*ip6h) + 7] = 9;
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_exthdrs(buf, sizeof(buf)));
	/* a header running past the end */
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_exthdrs(buf, sizeof(buf) - 1));
	/* routing headers are not supported */
	memcpy(buf + sizeof(*ip6h), ext, sizeof(ext));
	ip6h->nexthdr = NEXTHDR_ROUTING;
	KUNIT_EXPECT_EQ(test, -EINVAL, ksad_ah_mute_exthdrs(buf, sizeof(buf)));
}

static struct kunit_case ah_test_cases[] = {
	KUNIT_CASE(ah_options_immutable_kept),
	KUNIT_CASE(ah_options_mutable_zeroed),
	KUNIT_CASE(ah_options_source_route),
	KUNIT_CASE(ah_options_malformed),
	KUNIT_CASE(ah_ipv6_exthdrs),
	{}
};

static struct kunit_suite ah_test_suite = {
	.name = "ksad_ah",
	.test_cases = ah_test_cases,
};

kunit_test_suite(ah_test_suite);
