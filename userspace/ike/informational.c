// SPDX-License-Identifier: GPL-2.0
/*
 * INFORMATIONAL exchanges (RFC 7296 1.4, 1.5, 2.4): Delete of a CHILD SA
 * (both SAs of the pair leave ksad; the answer names the SPI of ours),
 * Delete of the IKE SA (its CHILD SAs leave ksad with it, unless an IKE
 * rekey moved them to the new IKE SA), and the empty request that checks
 * the peer is alive.  Either side may send any of them.
 */
#include <stdio.h>
#include <string.h>

#include "exchange.h"

#define MAX_DELETE_SPIS	4

/* A Delete payload (3.11): protocol, SPI size, number of SPIs, SPIs. */
static void put_delete(struct ike_builder *b, uint8_t proto, const uint32_t *spis,
		       size_t n)
{
	uint8_t h[4] = { proto, proto == IKE_PROTO_ESP ? 4 : 0, 0, (uint8_t)n };
	size_t i;

	ike_build_open(b, IKE_PL_DELETE);
	ike_build_bytes(b, h, sizeof(h));
	for (i = 0; i < n; i++) {
		uint8_t s[4] = { (uint8_t)(spis[i] >> 24), (uint8_t)(spis[i] >> 16),
				 (uint8_t)(spis[i] >> 8), (uint8_t)spis[i] };

		ike_build_bytes(b, s, sizeof(s));
	}
	ike_build_close(b);
}

/* An INFORMATIONAL message: empty, or with one Delete payload. */
static size_t info_msg(struct ike_sa *sa, bool response, uint32_t msg_id,
		       uint8_t proto, const uint32_t *spis, size_t n,
		       uint8_t *out, size_t cap)
{
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	uint8_t inner[IKE_HDR_LEN + 64];
	size_t ilen;

	ike_build_start(&b, inner, sizeof(inner), &h);
	if (proto)
		put_delete(&b, proto, spis, n);
	ilen = ike_build_end(&b);
	return ike_seal(sa, IKE_INFORMATIONAL, msg_id, response, inner, ilen,
			out, cap);
}

int ike_info_start(struct ike_sa *sa, enum ike_req what, uint8_t *out,
		   size_t cap, size_t *len)
{
	uint32_t spi = 0;
	uint8_t proto = 0;

	switch (what) {
	case IKE_REQ_DELETE_CHILD:
		proto = IKE_PROTO_ESP;
		spi = sa->child[sa->target].spi_in;
		break;
	case IKE_REQ_DELETE_OLD_CHILD:
		proto = IKE_PROTO_ESP;
		spi = sa->old.spi_in;
		break;
	case IKE_REQ_DELETE_EXTRA:
		proto = IKE_PROTO_ESP;
		spi = sa->extra.spi_in;
		break;
	case IKE_REQ_DELETE_IKE:
		proto = IKE_PROTO_IKE;
		break;
	case IKE_REQ_DPD:
		break;
	default:
		return -1;
	}
	*len = info_msg(sa, false, sa->req_id, proto, &spi, spi ? 1 : 0, out, cap);
	if (!*len)
		return -1;
	sa->pending = what;
	return 0;
}

#define CHILD_OLD	-1	/* the CHILD SA a rekey replaced */
#define CHILD_EXTRA	-2	/* the redundant one of a rekey collision */

/* CHILD SA @slot (or CHILD_OLD, CHILD_EXTRA) leaves ksad; its policies only with a slot. */
static void child_gone(struct ike_sa *sa, int slot, const char *how)
{
	struct ike_child *c = slot == CHILD_OLD ? &sa->old :
			      slot == CHILD_EXTRA ? &sa->extra : &sa->child[slot];

	sa->k->del(sa->k->ctx, c, slot >= 0);
	snprintf(sa->event, sizeof(sa->event), "%sCHILD SA deleted%s: in 0x%08x out 0x%08x",
		 slot == CHILD_OLD ? "old " : slot == CHILD_EXTRA ? "redundant " : "",
		 how, c->spi_in, c->spi_out);
	if (slot == CHILD_OLD)
		sa->has_old = false;
	else if (slot == CHILD_EXTRA)
		sa->has_extra = false;
	else
		sa->child_up[slot] = false;
}

/*
 * The peer deleted the old CHILD SA while its rekey and ours collided: its
 * new SA takes the old one's place (and policies) until ours is answered.
 */
static void collision_old_gone(struct ike_sa *sa, int slot)
{
	sa->k->del(sa->k->ctx, &sa->child[slot], false);
	snprintf(sa->event, sizeof(sa->event),
		 "old CHILD SA deleted by the peer during the rekey collision: in 0x%08x out 0x%08x",
		 sa->child[slot].spi_in, sa->child[slot].spi_out);
	sa->child[slot] = sa->extra;
	sa->has_extra = false;
	sa->collided = IKE_COLL_OLD_GONE;
}

int ike_info_response(struct ike_sa *sa, enum ike_req what,
		      const struct ike_msg *im, uint8_t *out, size_t cap,
		      size_t *len)
{
	(void)im;
	(void)out;
	(void)cap;
	*len = 0;
	switch (what) {
	case IKE_REQ_DPD:
		snprintf(sa->event, sizeof(sa->event), "liveness check answered: the peer is alive");
		break;
	case IKE_REQ_DELETE_CHILD:
		if (sa->child_up[sa->target])
			child_gone(sa, sa->target, "");
		break;
	case IKE_REQ_DELETE_OLD_CHILD:
		if (sa->has_old)
			child_gone(sa, CHILD_OLD, " after the rekey");
		break;
	case IKE_REQ_DELETE_EXTRA:
		if (sa->has_extra)
			child_gone(sa, CHILD_EXTRA, "");
		break;
	case IKE_REQ_DELETE_IKE:
		ike_sa_dead(sa);
		snprintf(sa->event, sizeof(sa->event), "IKE SA deleted: 0x%016llx_i 0x%016llx_r",
			 (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
		break;
	default:
		break;
	}
	return 0;
}

int ike_info_request(struct ike_sa *sa, const struct ike_msg *im, uint8_t *out,
		     size_t cap, size_t *len)
{
	uint32_t ours[MAX_DELETE_SPIS];
	const struct ike_payload *pl;
	size_t from = 0, n = 0, i, cnt;
	bool ike = false;

	while ((pl = ike_msg_find(im, IKE_PL_DELETE, &from))) {
		if (pl->len < 4)
			continue;
		cnt = (size_t)pl->body[2] << 8 | pl->body[3];
		if (pl->body[0] == IKE_PROTO_IKE) {
			ike = true;
			continue;
		}
		if (pl->body[0] != IKE_PROTO_ESP || pl->body[1] != 4 ||
		    pl->len != 4 + 4 * cnt)
			continue;
		for (i = 0; i < cnt; i++) {
			const uint8_t *p = pl->body + 4 + 4 * i;
			uint32_t spi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				       (uint32_t)p[2] << 8 | p[3];

			int slot = ike_sa_child_by_spi(sa, spi, false);
			uint32_t in = 0;
			/* 2.25.1: one we are deleting too: answered without it */
			bool both = false;

			if (n >= MAX_DELETE_SPIS)
				break;
			if (sa->has_extra && spi == sa->extra.spi_out) {
				in = sa->extra.spi_in;
				both = sa->pending == IKE_REQ_DELETE_EXTRA;
				child_gone(sa, CHILD_EXTRA, " by the peer");
				if (sa->collided == IKE_COLL_PENDING)
					sa->collided = IKE_COLL_THEIRS_GONE;
			} else if (sa->has_old && spi == sa->old.spi_out) {
				in = sa->old.spi_in;
				both = sa->pending == IKE_REQ_DELETE_OLD_CHILD;
				child_gone(sa, CHILD_OLD, " by the peer after the rekey");
			} else if (slot >= 0 && sa->collided == IKE_COLL_PENDING &&
				   slot == sa->next_slot) {
				in = sa->child[slot].spi_in;
				collision_old_gone(sa, slot);
			} else if (slot >= 0) {
				in = sa->child[slot].spi_in;
				both = sa->pending == IKE_REQ_DELETE_CHILD && sa->target == slot;
				child_gone(sa, slot, " by the peer");
			}
			if (in && !both)
				ours[n++] = in;
		}
	}
	*len = info_msg(sa, true, sa->peer_id - 1, n ? IKE_PROTO_ESP : 0, ours, n,
			out, cap);
	if (ike) {
		ike_sa_dead(sa);
		snprintf(sa->event, sizeof(sa->event),
			 "IKE SA deleted by the peer: 0x%016llx_i 0x%016llx_r",
			 (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
	} else if (!im->n) {
		snprintf(sa->event, sizeof(sa->event), "answered the peer's liveness check");
	}
	return 0;
}
