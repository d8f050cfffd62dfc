/* SPDX-License-Identifier: GPL-2.0 */
/* ksad-ike's kernel side: CHILD SAs and policies through ksad's netlink. */
#ifndef KSAD_IKE_KERNEL_H
#define KSAD_IKE_KERNEL_H

#include <stdbool.h>
#include <stdio.h>

#include "../genl.h"
#include "ikesa.h"

struct ike_ksad {
	struct knl nl;
	bool dry;		/* --no-kernel: print what would be done */
	FILE *trace;		/* the SAD operations as they happen, or NULL */
	char role;		/* 'I' or 'R', for the trace */
};

int ike_ksad_open(struct ike_ksad *ks);
void ike_ksad_close(struct ike_ksad *ks);
int ike_ksad_bypass_ike(struct ike_ksad *ks, const struct ike_cfg *cfg);
extern const struct ike_kernel ike_ksad_ops;

#endif
