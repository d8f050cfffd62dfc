/* SPDX-License-Identifier: GPL-2.0 */
/*
 * charon's IPsec backend on ksad: kernel_ipsec_t over ksad's generic
 * netlink family (uapi/linux/ksad.h), in place of kernel-netlink's XFRM
 * part.  kernel-netlink keeps addresses and routes.
 */
#ifndef KERNEL_KSAD_IPSEC_H_
#define KERNEL_KSAD_IPSEC_H_

#include <kernel/kernel_ipsec.h>

typedef struct kernel_ksad_ipsec_t kernel_ksad_ipsec_t;

struct kernel_ksad_ipsec_t {
	kernel_ipsec_t interface;
};

kernel_ksad_ipsec_t *kernel_ksad_ipsec_create(void);

#endif
