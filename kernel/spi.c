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
 * An entry counts the inbound SAs that use the SPI.  An SPI from GETSPI (or
 * an SPI-less ADD) is used by one SA only; an inbound SA ADDed with an SPI
 * of its own choice shares it with others of a different destination or
 * protocol, but still keeps GETSPI from handing that SPI out.
 *
 * Callers hold the namespace's lock; the XArray's own lock makes each call
 * atomic besides.
 */
#include <linux/random.h>
#include <linux/xarray.h>
#include <uapi/linux/ksad.h>

#include "ksad.h"

void ksad_spi_table_init(struct xarray *spis)
{
	xa_init_flags(spis, XA_FLAGS_ALLOC);
}

void ksad_spi_table_destroy(struct xarray *spis)
{
	WARN_ON_ONCE(!xa_empty(spis));
	xa_destroy(spis);
}

/**
 * ksad_spi_alloc() - reserve a free SPI in [@min, @max]
 * @spis: the namespace's SPI table
 * @min: lowest acceptable SPI; raised to KSAD_SPI_MIN if below
 * @max: highest acceptable SPI; @min == @max asks for exactly that SPI
 * @spi: where the allocated SPI is stored
 *
 * Return: 0, -EINVAL for an empty or wholly reserved range, -EEXIST when the
 * one SPI asked for is taken, -ENOSPC when every SPI of the range is taken,
 * or -ENOMEM.
 */
int ksad_spi_alloc(struct xarray *spis, u32 min, u32 max, u32 *spi)
{
	void *one = xa_mk_value(1);
	u32 next;
	int err;

	if (max < KSAD_SPI_MIN || min > max)
		return -EINVAL;
	min = max_t(u32, min, KSAD_SPI_MIN);

	if (min == max) {
		err = xa_insert(spis, min, one, GFP_KERNEL_ACCOUNT);
		if (err == -EBUSY)
			return -EEXIST;
		if (!err)
			*spi = min;
		return err;
	}

	next = get_random_u32_inclusive(min, max);
	err = xa_alloc_cyclic(spis, spi, one, XA_LIMIT(min, max), &next,
			      GFP_KERNEL_ACCOUNT);
	if (err == -EBUSY)
		return -ENOSPC;
	return err < 0 ? err : 0;
}

/* One more inbound SA uses @spi, which it chose itself. */
int ksad_spi_hold(struct xarray *spis, u32 spi)
{
	void *old = xa_load(spis, spi);

	return xa_err(xa_store(spis, spi,
			       xa_mk_value(old ? xa_to_value(old) + 1 : 1),
			       GFP_KERNEL_ACCOUNT));
}

/* An inbound SA that used @spi is gone. */
void ksad_spi_release(struct xarray *spis, u32 spi)
{
	void *old = xa_load(spis, spi);

	if (WARN_ON_ONCE(!old))
		return;
	if (xa_to_value(old) > 1)
		xa_store(spis, spi, xa_mk_value(xa_to_value(old) - 1),
			 GFP_KERNEL_ACCOUNT);
	else
		xa_erase(spis, spi);
}
