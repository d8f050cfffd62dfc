// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the anti-replay window (RFC 4303 3.4.3, appendix A) and selector
 * matching, both pure functions of their inputs.
 */
#include <kunit/test.h>
#include <linux/in6.h>

#include "../datapath.h"

static void replay_window_basics(struct kunit *test)
{
	struct ksad_replay r;

	KUNIT_ASSERT_EQ(test, 0, ksad_replay_init(&r, 32));
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 0));	/* never sent */
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 1));
	ksad_replay_advance(&r, 1);
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 1));	/* replay */
	/* out of order inside the window is fine, once */
	ksad_replay_advance(&r, 10);
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 5));
	ksad_replay_advance(&r, 5);
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 5));
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 10));
	/* left of the window: 100 - 32 = 68 is the oldest accepted */
	ksad_replay_advance(&r, 100);
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 68));
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 69));
	/* a jump clears the bits it passes over */
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 99));
	ksad_replay_destroy(&r);
}

static void replay_window_4096(struct kunit *test)
{
	struct ksad_replay r;
	u64 s;

	KUNIT_ASSERT_EQ(test, 0, ksad_replay_init(&r, KSAD_REPLAY_WINDOW_MAX));
	for (s = 1; s <= 10000; s += 2)
		ksad_replay_advance(&r, s);
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 10000 - 4094));
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 9999 - 4094));
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 9999 - 4096));
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 9999));
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 9998));
	ksad_replay_destroy(&r);
}

static void replay_no_window(struct kunit *test)
{
	struct ksad_replay r;

	KUNIT_ASSERT_EQ(test, 0, ksad_replay_init(&r, 0));
	ksad_replay_advance(&r, 7);
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 7));	/* no check */
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 0));
	ksad_replay_destroy(&r);
}

/* RFC 4303 appendix A2.1: where a 32-bit number falls, with ESN. */
static void replay_esn_inference(struct kunit *test)
{
	struct ksad_replay r;

	KUNIT_ASSERT_EQ(test, 0, ksad_replay_init(&r, 64));
	/* without ESN the high half is 0 */
	r.top = 0x1fffffff0ULL;
	KUNIT_EXPECT_EQ(test, 5ULL, ksad_replay_infer(&r, 5, false));
	/* window within one subspace: old numbers stay, small ones wrap */
	KUNIT_EXPECT_EQ(test, 0x1fffffff0ULL, ksad_replay_infer(&r, 0xfffffff0, true));
	KUNIT_EXPECT_EQ(test, 0x1ffffffc0ULL, ksad_replay_infer(&r, 0xffffffc0, true));
	KUNIT_EXPECT_EQ(test, 0x200000005ULL, ksad_replay_infer(&r, 5, true));
	/* window spanning two subspaces: big numbers are the older ones */
	r.top = 0x200000010ULL;
	KUNIT_EXPECT_EQ(test, 0x1fffffff0ULL, ksad_replay_infer(&r, 0xfffffff0, true));
	KUNIT_EXPECT_EQ(test, 0x200000008ULL, ksad_replay_infer(&r, 8, true));
	KUNIT_EXPECT_EQ(test, 0x200000100ULL, ksad_replay_infer(&r, 0x100, true));
	/* after the wrap the window holds on */
	ksad_replay_advance(&r, 0x200000010ULL);
	KUNIT_EXPECT_FALSE(test, ksad_replay_check(&r, 0x200000010ULL));
	KUNIT_EXPECT_TRUE(test, ksad_replay_check(&r, 0x1fffffff0ULL));
	ksad_replay_destroy(&r);
}

static void selector_match(struct kunit *test)
{
	struct ksad_sel sel = {
		.family = AF_INET,
		.saddr.a4 = htonl(0x0a010000), .sprefix = 16,
		.daddr.a4 = htonl(0x0a020001), .dprefix = 32,
	};
	struct ksad_flow fl = {
		.family = AF_INET,
		.saddr.a4 = htonl(0x0a01ff01),
		.daddr.a4 = htonl(0x0a020001),
		.proto = IPPROTO_TCP, .sport = htons(1234), .dport = htons(443),
	};
	struct ksad_sel any = {};

	KUNIT_EXPECT_TRUE(test, ksad_sel_match(&any, &fl));
	KUNIT_EXPECT_TRUE(test, ksad_sel_match(&sel, &fl));
	sel.dport = htons(443);
	sel.proto = IPPROTO_TCP;
	KUNIT_EXPECT_TRUE(test, ksad_sel_match(&sel, &fl));
	sel.dport = htons(80);
	KUNIT_EXPECT_FALSE(test, ksad_sel_match(&sel, &fl));
	sel.dport = 0;
	fl.saddr.a4 = htonl(0x0a030001);	/* outside 10.1/16 */
	KUNIT_EXPECT_FALSE(test, ksad_sel_match(&sel, &fl));
	fl.saddr.a4 = htonl(0x0a010001);
	sel.sprefix = 0;			/* 0/0 covers all */
	fl.saddr.a4 = htonl(0xc0000201);
	KUNIT_EXPECT_TRUE(test, ksad_sel_match(&sel, &fl));
	fl.family = AF_INET6;			/* other family */
	KUNIT_EXPECT_FALSE(test, ksad_sel_match(&sel, &fl));
}

static struct kunit_case replay_test_cases[] = {
	KUNIT_CASE(replay_window_basics),
	KUNIT_CASE(replay_window_4096),
	KUNIT_CASE(replay_no_window),
	KUNIT_CASE(replay_esn_inference),
	KUNIT_CASE(selector_match),
	{}
};

static struct kunit_suite replay_test_suite = {
	.name = "ksad_replay",
	.test_cases = replay_test_cases,
};

kunit_test_suite(replay_test_suite);
