// SPDX-License-Identifier: GPL-2.0
/*
 * Locally unique inbound SPIs.
 *
 * The receiver chooses the SPI of every inbound SA (RFC 4301 4.1), and the
 * kernel, not a daemon, must guarantee that it is unique: several keying
 * daemons and manual tools may allocate at once.  Each namespace keeps one
 * allocating XArray indexed by SPI.  xa_alloc_cyclic() searches the free
 * marks of the tree, so finding a free SPI costs O(log n) whatever the fill
 * of the range: no linear probing that degrades into a soft lockup when a
 * range is nearly full.  The search starts at a random point of the range so
 * that SPIs are not predictable from one another.
 *
 * Entries may be removed from softirq context (hard expiry on the datapath),
 * hence the _bh locking throughout.
 */
#include <linux/random.h>
#include <linux/xarray.h>
#include <uapi/linux/ksad.h>

#include "ksad.h"

void ksad_spi_table_init(struct xarray *spis)
{
	xa_init_flags(spis, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_BH);
}

void ksad_spi_table_destroy(struct xarray *spis)
{
	WARN_ON_ONCE(!xa_empty(spis));
	xa_destroy(spis);
}

/**
 * ksad_spi_alloc() - reserve a free SPI in [@min, @max] for @owner
 * @spis: the namespace's SPI table
 * @owner: what the SPI maps to (not NULL)
 * @min: lowest acceptable SPI; raised to KSAD_SPI_MIN if below
 * @max: highest acceptable SPI; @min == @max asks for exactly that SPI
 * @spi: where the allocated SPI is stored
 *
 * Return: 0, -EINVAL for an empty or wholly reserved range, -EEXIST when the
 * one SPI asked for is taken, -ENOSPC when every SPI of the range is taken,
 * or -ENOMEM.
 */
int ksad_spi_alloc(struct xarray *spis, void *owner, u32 min, u32 max,
		   u32 *spi)
{
	u32 next;
	int err;

	if (max < KSAD_SPI_MIN || min > max)
		return -EINVAL;
	min = max_t(u32, min, KSAD_SPI_MIN);

	if (min == max) {
		err = xa_insert_bh(spis, min, owner, GFP_KERNEL);
		if (err == -EBUSY)
			return -EEXIST;
		if (!err)
			*spi = min;
		return err;
	}

	next = get_random_u32_inclusive(min, max);
	err = xa_alloc_cyclic_bh(spis, spi, owner, XA_LIMIT(min, max), &next,
				 GFP_KERNEL);
	if (err == -EBUSY)
		return -ENOSPC;
	return err < 0 ? err : 0;
}

void ksad_spi_free(struct xarray *spis, u32 spi)
{
	xa_erase_bh(spis, spi);
}
