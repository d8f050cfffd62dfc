// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the SPI allocator (spi.c): uniqueness, range edges,
 * exact requests, reserved values and full ranges.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <uapi/linux/ksad.h>

#include "../ksad.h"

struct spi_test_ctx {
	struct xarray spis;
};

static int spi_test_init(struct kunit *test)
{
	struct spi_test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	ksad_spi_table_init(&ctx->spis);
	test->priv = ctx;
	return 0;
}

static void spi_test_exit(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;

	xa_destroy(&ctx->spis);
}

static void spi_in_range_and_reserved_skipped(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;
	u32 spi;
	int i;

	/* 0-511 holds 256 usable SPIs: all of them, and none reserved. */
	for (i = 0; i < 256; i++) {
		KUNIT_ASSERT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, 0, 511, &spi));
		KUNIT_EXPECT_GE(test, spi, (u32)KSAD_SPI_MIN);
		KUNIT_EXPECT_LE(test, spi, 511u);
	}
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			ksad_spi_alloc(&ctx->spis, 0, 511, &spi));
	/* A range entirely inside 0-255 is refused, as is min > max. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			ksad_spi_alloc(&ctx->spis, 1, 255, &spi));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			ksad_spi_alloc(&ctx->spis, 0, 0, &spi));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			ksad_spi_alloc(&ctx->spis, 5000, 4000, &spi));
}

static void spi_exact_request(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;
	u32 spi = 0;

	KUNIT_ASSERT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, 0x1234, 0x1234, &spi));
	KUNIT_EXPECT_EQ(test, spi, 0x1234u);
	KUNIT_EXPECT_EQ(test, -EEXIST, ksad_spi_alloc(&ctx->spis, 0x1234, 0x1234, &spi));
	ksad_spi_release(&ctx->spis, 0x1234);
	KUNIT_EXPECT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, 0x1234, 0x1234, &spi));
	/* The top of the 32-bit space is a valid SPI. */
	KUNIT_EXPECT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, U32_MAX, U32_MAX, &spi));
	KUNIT_EXPECT_EQ(test, spi, U32_MAX);
	/* min == max inside the reserved range is refused. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			ksad_spi_alloc(&ctx->spis, 255, 255, &spi));
}

static void spi_unique_until_full(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;
	const u32 base = 0x10000, n = 4096;
	unsigned long *seen;
	u32 spi, i;

	seen = kunit_kzalloc(test, BITS_TO_LONGS(n) * sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, seen);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, base,
							base + n - 1, &spi));
		KUNIT_ASSERT_GE(test, spi, base);
		KUNIT_ASSERT_LT(test, spi, base + n);
		KUNIT_ASSERT_FALSE_MSG(test, __test_and_set_bit(spi - base, seen),
				       "SPI %#x handed out twice", spi);
	}
	KUNIT_EXPECT_EQ(test, -ENOSPC, ksad_spi_alloc(&ctx->spis, base,
						      base + n - 1, &spi));
}

/* A 65,536-SPI range with a single hole returns the hole; full is -ENOSPC. */
static void spi_last_free_in_large_range(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;
	const u32 base = 0x100000, n = 65536, hole = base + 40000;
	ktime_t t0;
	u32 spi, i;

	for (i = 0; i < n; i++)
		if (base + i != hole)
			KUNIT_ASSERT_EQ(test, 0, xa_insert(&ctx->spis, base + i,
							   xa_mk_value(1),
							   GFP_KERNEL));
	t0 = ktime_get();
	KUNIT_ASSERT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, base,
						base + n - 1, &spi));
	kunit_info(test, "last free SPI of 65536 found in %lld ns\n",
		   ktime_to_ns(ktime_sub(ktime_get(), t0)));
	KUNIT_EXPECT_EQ(test, spi, hole);

	t0 = ktime_get();
	KUNIT_EXPECT_EQ(test, -ENOSPC, ksad_spi_alloc(&ctx->spis, base,
						      base + n - 1, &spi));
	kunit_info(test, "full range of 65536 refused in %lld ns\n",
		   ktime_to_ns(ktime_sub(ktime_get(), t0)));
}

/* Allocation starts at a random point, so two fresh tables differ. */
static void spi_start_is_random(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;
	u32 first, spi;
	int i, same = 0;

	KUNIT_ASSERT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, 256,
						U32_MAX, &first));
	for (i = 0; i < 8; i++) {
		KUNIT_ASSERT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, 256,
							U32_MAX, &spi));
		same += spi == first + i + 1;
	}
	/* Sequential SPIs eight times in a row would mean no randomness. */
	KUNIT_EXPECT_LT(test, same, 8);
}

/* SPIs an inbound SA chose itself are shared, counted, and never handed out. */
static void spi_hold_and_release(struct kunit *test)
{
	struct spi_test_ctx *ctx = test->priv;
	u32 spi;

	KUNIT_ASSERT_EQ(test, 0, ksad_spi_hold(&ctx->spis, 0x5000));
	KUNIT_ASSERT_EQ(test, 0, ksad_spi_hold(&ctx->spis, 0x5000));
	KUNIT_EXPECT_EQ(test, -EEXIST, ksad_spi_alloc(&ctx->spis, 0x5000,
						      0x5000, &spi));
	ksad_spi_release(&ctx->spis, 0x5000);
	KUNIT_EXPECT_EQ(test, -EEXIST, ksad_spi_alloc(&ctx->spis, 0x5000,
						      0x5000, &spi));
	ksad_spi_release(&ctx->spis, 0x5000);
	KUNIT_EXPECT_EQ(test, 0, ksad_spi_alloc(&ctx->spis, 0x5000, 0x5000,
						&spi));
	/* A range whose only free SPI is held by a chosen SPI is full. */
	KUNIT_ASSERT_EQ(test, 0, ksad_spi_hold(&ctx->spis, 0x5001));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ksad_spi_alloc(&ctx->spis, 0x5000,
						      0x5001, &spi));
}

static struct kunit_case spi_test_cases[] = {
	KUNIT_CASE(spi_hold_and_release),
	KUNIT_CASE(spi_in_range_and_reserved_skipped),
	KUNIT_CASE(spi_exact_request),
	KUNIT_CASE(spi_unique_until_full),
	KUNIT_CASE(spi_last_free_in_large_range),
	KUNIT_CASE(spi_start_is_random),
	{}
};

static struct kunit_suite spi_test_suite = {
	.name = "ksad_spi",
	.init = spi_test_init,
	.exit = spi_test_exit,
	.test_cases = spi_test_cases,
};

kunit_test_suite(spi_test_suite);
