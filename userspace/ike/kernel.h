/* SPDX-License-Identifier: GPL-2.0 */
/* ksad-ike's kernel side: CHILD SAs and policies through ksad's netlink. */
#ifndef KSAD_IKE_KERNEL_H
#define KSAD_IKE_KERNEL_H

#include <stdbool.h>
#include <stdio.h>

#include "../lib/genl.h"
#include "ikesa.h"

struct ike_ksad {
	struct knl nl;
	struct knl ev;		/* ACQUIRE and EXPIRE notifications */
	bool dry;		/* --no-kernel: print what would be done */
	FILE *trace;		/* the SAD operations as they happen, or NULL */
	char role;		/* 'I' or 'R', for the trace */
	uint32_t own_pol[8];	/* our bypass and trap policies, removed at exit */
	int n_own_pol;
};

int ike_ksad_open(struct ike_ksad *ks);
void ike_ksad_close(struct ike_ksad *ks);
int ike_ksad_bypass_ike(struct ike_ksad *ks, const struct ike_cfg *cfg);
extern const struct ike_kernel ike_ksad_ops;

/* What ksad told us: an ACQUIRE for a reqid, an EXPIRE of an SA. */
struct ike_kevent {
	enum { IKE_KEV_NONE, IKE_KEV_ACQUIRE, IKE_KEV_EXPIRE } type;
	uint32_t reqid;		/* ACQUIRE */
	bool has_sel;		/* ... and its packet's selector: */
	struct ike_ts pkt_local, pkt_remote;
	uint32_t spi;		/* EXPIRE */
	uint8_t dir;
	bool hard;
};

int ike_ksad_listen(struct ike_ksad *ks);
int ike_ksad_event(struct ike_ksad *ks, struct ike_kevent *ev);
int ike_ksad_trap(struct ike_ksad *ks, const struct ike_cfg *cfg);
void ike_ksad_cleanup(struct ike_ksad *ks);
void ike_ksad_note(struct ike_ksad *ks, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* columns.c: `ksad-ike columns`, both peers' traces side by side */
int ike_columns(FILE *in, FILE *out);

#endif
