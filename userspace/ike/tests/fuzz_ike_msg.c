// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ksad-ike's parsers of untrusted input (ike/msg.c) on
 * arbitrary bytes as a UDP datagram: the message, each payload's body by
 * type, and the first bytes as a chain inside SK.  `make fuzz` runs it
 * briefly; FUZZ_TIME=600 make fuzz for longer.
 */
#include <stdlib.h>
#include <string.h>

#include "../msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void bodies(const struct ike_msg *m)
{
	struct ike_proposal pr[IKE_MAX_PROPOSALS];
	struct ike_ts ts[IKE_MAX_TS];
	struct ike_notify nt;
	const uint8_t *ke;
	uint16_t group;
	size_t i, n;

	for (i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->p[i];

		switch (p->type) {
		case IKE_PL_SA:
			ike_sa_parse(p, pr, IKE_MAX_PROPOSALS, &n);
			break;
		case IKE_PL_TSI:
		case IKE_PL_TSR:
			ike_ts_parse(p, ts, IKE_MAX_TS, &n);
			break;
		case IKE_PL_NOTIFY:
			if (!ike_notify_parse(p, &nt) && nt.data_len)
				(void)nt.data[nt.data_len - 1];
			break;
		case IKE_PL_KE:
			if (!ike_ke_parse(p, &group, &ke, &n))
				(void)ke[n - 1];
			break;
		}
		if (p->len)
			(void)p->body[p->len - 1];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_msg m;
	uint8_t *copy;

	if (size > 65535)
		return 0;
	/* an exact-size copy, so that ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ike_msg_parse(copy, size, &m) == IKE_OK)
		bodies(&m);
	if (size > 1 && ike_chain_parse(copy[0], copy + 1, size - 1, &m) == IKE_OK)
		bodies(&m);
	free(copy);
	return 0;
}
