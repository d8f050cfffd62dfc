/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide declarations: what each file of kernel/ offers the others.
 * One section per file; a file's static helpers stay in the file.
 */
#ifndef _KSAD_KSAD_H
#define _KSAD_KSAD_H

#include <linux/types.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/* netns.c: per network namespace state */
struct ksad_net {
	struct net *net;
	/* Inbound SPIs in use, SPI -> owner; see spi.c. */
	struct xarray spis;
};

struct ksad_net *ksad_net(const struct net *net);
int ksad_netns_init(void);
void ksad_netns_uninit(void);

/* spi.c: locally unique inbound SPIs */
void ksad_spi_table_init(struct xarray *spis);
void ksad_spi_table_destroy(struct xarray *spis);
int ksad_spi_alloc(struct xarray *spis, void *owner, u32 min, u32 max,
		   u32 *spi);
void ksad_spi_free(struct xarray *spis, u32 spi);

/* netlink.c: the generic-netlink family */
int ksad_genl_init(void);
void ksad_genl_uninit(void);

#endif /* _KSAD_KSAD_H */
