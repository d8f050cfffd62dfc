// SPDX-License-Identifier: GPL-2.0
/*
 * CREATE_CHILD_SA (RFC 7296 1.3): rekeying the CHILD SA (1.3.3, with a new
 * key exchange when the ESP proposal has a group: PFS) and rekeying the IKE
 * SA (1.3.2, 2.18), in both roles.
 *
 * A CHILD rekey keys ksad in the seed's order, as the first CHILD SA did:
 * the requester GETSPIs its new inbound SA before it proposes the SPI; the
 * responder ADDs its new outbound SA, GETSPIs and UPDATEs its inbound one;
 * the requester, on the answer, UPDATEs and ADDs.  The new outbound SA
 * takes over at once (ksad's policies use the newest SA of their reqid);
 * the old pair stays for packets in flight until the requester's Delete
 * (informational.c) removes it on both sides.
 *
 * An IKE rekey moves the CHILD SA to a new IKE SA (the caller's
 * sa->successor) with keys from SKEYSEED = prf(SK_d, g^ir | Ni | Nr); the
 * requester then deletes the old IKE SA.
 *
 * A new CHILD SA beside the others (1.3.1) is the same exchange without
 * REKEY_SA: the same order in ksad, its own slot (up to IKE_MAX_CHILDREN)
 * and reqid, and its own policies.
 *
 * Colliding CHILD rekeys (2.25.1, 2.8.1): when the peer rekeys the CHILD SA
 * we are rekeying, we answer as usual and keep its new SA aside until our
 * answer comes; then both sides know the four nonces, and the exchange with
 * the lowest one made the redundant CHILD SA: the side that asked for it
 * deletes it, the other side deletes the old one.  Other overlaps (a rekey
 * of another CHILD SA, of the IKE SA, or of a CHILD SA we are deleting)
 * get TEMPORARY_FAILURE and the peer tries later.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "exchange.h"

#define NONCE_LEN	32

static void put_rekey_sa(struct ike_builder *b, uint32_t spi)
{
	uint8_t body[8] = { IKE_PROTO_ESP, 4, (uint8_t)(N_REKEY_SA >> 8),
			    (uint8_t)N_REKEY_SA, (uint8_t)(spi >> 24),
			    (uint8_t)(spi >> 16), (uint8_t)(spi >> 8), (uint8_t)spi };

	ike_build_payload(b, IKE_PL_NOTIFY, false, body, sizeof(body));
}

static void put_ke(struct ike_builder *b, const struct ike_dh *dh)
{
	uint8_t ke[4 + IKE_DH_MAX] = { (uint8_t)(dh->group >> 8), (uint8_t)dh->group };
	size_t n;

	if (ike_dh_public(dh, ke + 4, IKE_DH_MAX, &n))
		b->err = true;
	else
		ike_build_payload(b, IKE_PL_KE, false, ke, 4 + n);
}

/* A nonce of 16 to IKE_NONCE_MAX bytes (2.10). */
static const struct ike_payload *nonce_of(const struct ike_msg *m)
{
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_NONCE, NULL);

	return pl && pl->len >= 16 && pl->len <= IKE_NONCE_MAX ? pl : NULL;
}

/* RFC 7296 2.8.1: octet by octet; a nonce that ends first is the lower. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* The lower of an exchange's two nonces, into @low. */
static size_t lower_nonce(const uint8_t *a, size_t alen, const uint8_t *b,
			  size_t blen, uint8_t *low)
{
	bool first = nonce_cmp(a, alen, b, blen) < 0;

	memcpy(low, first ? a : b, first ? alen : blen);
	return first ? alen : blen;
}

/* g^ir from our key pair @dh and the KE payload of @m (of @dh's group). */
static int shared_secret(const struct ike_dh *dh, const struct ike_msg *m,
			 uint8_t *gir, size_t *gir_len)
{
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_KE, NULL);
	const uint8_t *pub;
	uint16_t group;
	size_t n;

	if (!pl || ike_ke_parse(pl, &group, &pub, &n) || group != dh->group)
		return -1;
	return ike_dh_shared(dh, pub, n, gir, IKE_DH_MAX, gir_len);
}

/* The new CHILD SA's settings that carry over from the one it replaces. */
static void child_carry_over(struct ike_child *n, const struct ike_child *old)
{
	n->ts_local = old->ts_local;
	n->ts_remote = old->ts_remote;
	n->rekey = true;
	n->reqid = old->reqid;
	n->trap = old->trap;
	memcpy(n->pol_id, old->pol_id, sizeof(n->pol_id));
}

/*
 * A new CHILD SA beside the others (not a rekey): its own slot and reqid,
 * so that its policies use its SAs; only the first one meets the trap.
 */
static void child_new_slot(const struct ike_sa *sa, struct ike_child *n, int slot)
{
	n->reqid = sa->cfg->reqid + (uint32_t)slot;
	n->trap = sa->cfg->trap && slot == 0;
}

/* A slot for a new CHILD SA: not one in use, nor the one ours is being made in. */
static int free_slot(const struct ike_sa *sa)
{
	int i;

	for (i = 0; i < IKE_MAX_CHILDREN; i++)
		if (!sa->child_up[i] &&
		    !(sa->pending == IKE_REQ_NEW_CHILD && sa->next_slot == i))
			return i;
	return -1;
}

/* @n is in ksad: it replaces the CHILD SA in @slot (@rekey) or fills it. */
static void child_installed(struct ike_sa *sa, int slot, struct ike_child *n,
			    bool rekey, bool pfs, const char *who)
{
	if (rekey) {
		sa->old = sa->child[slot];
		sa->has_old = true;
	}
	sa->child[slot] = *n;
	sa->child_up[slot] = true;
	OPENSSL_cleanse(n, sizeof(*n));
	if (rekey)
		snprintf(sa->event, sizeof(sa->event),
			 "CHILD SA rekeyed%s%s: in 0x%08x out 0x%08x (old: in 0x%08x out 0x%08x)",
			 who, pfs ? " with PFS" : "", sa->child[slot].spi_in,
			 sa->child[slot].spi_out, sa->old.spi_in, sa->old.spi_out);
	else
		snprintf(sa->event, sizeof(sa->event),
			 "new CHILD SA up%s%s: in 0x%08x out 0x%08x (reqid %u)",
			 who, pfs ? " with PFS" : "", sa->child[slot].spi_in,
			 sa->child[slot].spi_out, sa->child[slot].reqid);
}

/* Hand the CHILD SAs to the new IKE SA @n (its keys already derived). */
static void ike_rekeyed(struct ike_sa *sa, struct ike_sa *n, const char *who)
{
	memcpy(n->child, sa->child, sizeof(n->child));
	memcpy(n->child_up, sa->child_up, sizeof(n->child_up));
	n->old = sa->old;
	n->has_old = sa->has_old;
	n->extra = sa->extra;
	n->has_extra = sa->has_extra;
	memset(sa->child_up, 0, sizeof(sa->child_up));
	sa->has_old = false;
	sa->has_extra = false;
	sa->state = IKE_REKEYED;
	sa->rekeyed = true;
	snprintf(sa->event, sizeof(sa->event),
		 "IKE SA rekeyed%s: 0x%016llx_i 0x%016llx_r -> 0x%016llx_i 0x%016llx_r",
		 who, (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r,
		 (unsigned long long)n->spi_i, (unsigned long long)n->spi_r);
}

/* The new IKE SA after a rekey (2.18): same suite and peer, new keys. */
static int successor_init(const struct ike_sa *sa, struct ike_sa *n, bool initiator,
			  uint64_t spi_i, uint64_t spi_r, const uint8_t *gir,
			  size_t gir_len, const uint8_t *ni, size_t ni_len,
			  const uint8_t *nr, size_t nr_len)
{
	uint8_t skeyseed[IKE_PRF_LEN];
	int err;

	memset(n, 0, sizeof(*n));
	n->cfg = sa->cfg;
	n->k = sa->k;
	n->initiator = initiator;
	n->spi_i = spi_i;
	n->spi_r = spi_r;
	n->suite = sa->suite;
	n->nat_detected = sa->nat_detected;
	n->nat_local = sa->nat_local;
	n->peer = sa->peer;
	n->natt = sa->natt;
	n->natt_local_port = sa->natt_local_port;
	n->natt_peer_port = sa->natt_peer_port;
	err = ike_skeyseed_rekey(sa->sk_d, IKE_PRF_LEN, gir, gir_len, ni, ni_len,
				 nr, nr_len, skeyseed) ||
	      ike_derive(n, skeyseed, ni, ni_len, nr, nr_len);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (!err)
		n->state = IKE_ESTABLISHED;
	return err ? -1 : 0;
}

/* --- as requester --------------------------------------------------------- */

int ike_ccsa_start(struct ike_sa *sa, enum ike_req what, uint8_t *out,
		   size_t cap, size_t *len)
{
	struct ike_proposal props[4];
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	uint8_t inner[1536];
	struct ike_child *n = &sa->next;
	uint16_t group;
	size_t i, ilen;

	if (sa->has_old || sa->has_extra || (what == IKE_REQ_REKEY_IKE && !sa->successor))
		return -EBUSY;	/* the last rekey is not finished */
	sa->xn_len = NONCE_LEN;
	if (RAND_bytes(sa->xn, (int)sa->xn_len) != 1)
		return -1;
	ike_dh_free(&sa->xdh);
	ike_build_start(&b, inner, sizeof(inner), &h);
	if (what == IKE_REQ_REKEY_IKE) {
		sa->new_spi = ike_random_spi();
		if (!sa->new_spi || ike_dh_new(&sa->xdh, sa->suite.dh))
			return -1;
		ike_ike_proposal(&sa->suite, 1, sa->new_spi, &props[0]);
		ike_build_sa(&b, props, 1);
		ike_build_payload(&b, IKE_PL_NONCE, false, sa->xn, sa->xn_len);
		put_ke(&b, &sa->xdh);
	} else {
		struct ike_ts tsl = n->ts_local, tsr = n->ts_remote;
		int slot = what == IKE_REQ_REKEY_CHILD ? sa->target : free_slot(sa);

		if (slot < 0)
			return -ENOSPC;
		sa->next_slot = slot;
		if (what == IKE_REQ_REKEY_CHILD) {
			ike_child_init(sa, n, &sa->child[slot].suite);
			child_carry_over(n, &sa->child[slot]);
		} else {
			ike_child_init(sa, n, &sa->cfg->esp[0]);
			child_new_slot(sa, n, slot);
			n->ts_local = tsl;
			n->ts_remote = tsr;
		}
		if (sa->k->getspi(sa->k->ctx, n, &n->spi_in))
			return -1;
		group = sa->cfg->esp[0].dh;
		if (group && ike_dh_new(&sa->xdh, group))
			return -1;
		if (what == IKE_REQ_REKEY_CHILD)
			put_rekey_sa(&b, sa->child[slot].spi_in);
		if (sa->cfg->mode == 1)
			ike_put_notify(&b, N_USE_TRANSPORT_MODE, NULL, 0);
		for (i = 0; i < sa->cfg->n_esp && i < 4; i++)
			ike_esp_proposal(&sa->cfg->esp[i], (uint8_t)(i + 1), n->spi_in,
					 true, &props[i]);
		ike_build_sa(&b, props, i);
		ike_build_payload(&b, IKE_PL_NONCE, false, sa->xn, sa->xn_len);
		if (group)
			put_ke(&b, &sa->xdh);
		ike_build_ts(&b, IKE_PL_TSI, &n->ts_local, 1);
		ike_build_ts(&b, IKE_PL_TSR, &n->ts_remote, 1);
	}
	ilen = ike_build_end(&b);
	*len = ilen ? ike_seal(sa, IKE_CREATE_CHILD_SA, sa->req_id, false, inner,
			       ilen, out, cap) : 0;
	if (!*len)
		return -1;
	sa->pending = what;
	return 0;
}

/*
 * The collision ends with the peer's new SA (waiting in @extra) as the
 * rekey's result (ours failed, or was the redundant one): it takes the
 * slot, the old one waits for the peer's Delete.
 */
static void collision_off(struct ike_sa *sa)
{
	int s = sa->next_slot;

	if (sa->collided == IKE_COLL_PENDING && sa->has_extra) {
		sa->old = sa->child[s];
		sa->has_old = true;
		sa->child[s] = sa->extra;
		sa->has_extra = false;
		OPENSSL_cleanse(&sa->extra, sizeof(sa->extra));
	}
	sa->collided = IKE_COLL_NONE;
}

/*
 * Our CHILD rekey is answered and keyed (@n) after the peer rekeyed the
 * same CHILD SA (2.8.1): the exchange with the lowest of the four nonces
 * made the redundant CHILD SA, and the side that asked for it deletes it;
 * the side whose new SA stays deletes the old one.  Both sides compare the
 * same nonces.  Also here: the peer deleted the CHILD SA meanwhile (2.25.1),
 * so ours has nothing to replace and goes too.
 */
static int collision_settled(struct ike_sa *sa, struct ike_child *n, const uint8_t *nr,
			     size_t nr_len, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t low[IKE_NONCE_MAX];
	size_t low_len = lower_nonce(sa->xn, sa->xn_len, nr, nr_len, low);
	int s = sa->next_slot;
	bool lost = (sa->collided == IKE_COLL_PENDING || sa->collided == IKE_COLL_OLD_GONE) &&
		    nonce_cmp(low, low_len, sa->coll_low, sa->coll_low_len) < 0;

	if (!sa->child_up[s] || lost) {
		/* the peer's new SA stays; the old one waits for the peer's Delete */
		collision_off(sa);
		sa->extra = *n;
		sa->has_extra = true;
		snprintf(sa->event, sizeof(sa->event),
			 !sa->child_up[s] ?
			 "CHILD SA rekeyed, but the peer deleted it meanwhile: the new one goes too: in 0x%08x out 0x%08x" :
			 "rekey collision settled: our exchange had the lowest nonce, our new CHILD SA is redundant and goes: in 0x%08x out 0x%08x",
			 n->spi_in, n->spi_out);
		OPENSSL_cleanse(n, sizeof(*n));
		return ike_info_start(sa, IKE_REQ_DELETE_EXTRA, out, cap, len);
	}
	/* ours stays; the peer's (in @extra, if it has not deleted it yet) waits for its Delete */
	sa->old = sa->child[s];
	sa->has_old = true;
	sa->child[s] = *n;
	snprintf(sa->event, sizeof(sa->event),
		 "rekey collision settled: the peer's exchange had the lowest nonce, our new CHILD SA stays: in 0x%08x out 0x%08x (old: in 0x%08x out 0x%08x)",
		 n->spi_in, n->spi_out, sa->old.spi_in, sa->old.spi_out);
	sa->collided = IKE_COLL_NONE;
	OPENSSL_cleanse(n, sizeof(*n));
	return ike_info_start(sa, IKE_REQ_DELETE_OLD_CHILD, out, cap, len);
}

/* The answer to our CREATE_CHILD_SA for a CHILD SA (a rekey or a new one). */
static int child_answered(struct ike_sa *sa, bool rekey, const struct ike_msg *im,
			  uint8_t *out, size_t cap, size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS];
	const struct ike_payload *pl_sa = ike_msg_find(im, IKE_PL_SA, NULL);
	const struct ike_payload *nr = nonce_of(im);
	struct ike_child *n = &sa->next;
	uint8_t gir[IKE_DH_MAX];
	size_t np, j, gir_len = 0;
	struct ike_ts tsi, tsr;
	bool found = false;
	int err;

	if (!pl_sa || !nr || ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &np) ||
	    np != 1 || ike_first_ts(im, IKE_PL_TSI, &tsi) ||
	    ike_first_ts(im, IKE_PL_TSR, &tsr))
		np = 0;
	for (j = 0; j < sa->cfg->n_esp && np && !found; j++)
		if (sa->cfg->esp[j].dh == sa->xdh.group &&
		    ike_esp_offers(&props[0], &sa->cfg->esp[j], true)) {
			struct ike_child keep = *n;

			ike_child_init(sa, n, &sa->cfg->esp[j]);
			n->spi_in = keep.spi_in;
			child_carry_over(n, &keep);
			n->rekey = keep.rekey;	/* a new CHILD SA adds its policies */
			OPENSSL_cleanse(&keep, sizeof(keep));
			found = true;
		}
	if (found && sa->xdh.group && shared_secret(&sa->xdh, im, gir, &gir_len))
		found = false;
	if (!found) {
		sa->k->del(sa->k->ctx, n, false);	/* the larval SA */
		collision_off(sa);
		snprintf(sa->event, sizeof(sa->event), "%s failed: the answer is not what we offered",
			 rekey ? "CHILD SA rekey" : "new CHILD SA");
		return 0;
	}
	n->spi_out = ike_proposal_spi(&props[0]);
	n->ts_local = tsi;
	n->ts_remote = tsr;
	err = ike_child_keys(sa, n, true, gir_len ? gir : NULL, gir_len, sa->xn,
			     sa->xn_len, nr->body, nr->len);
	OPENSSL_cleanse(gir, sizeof(gir));
	/* seed: UPDATE (inbound), ADD (outbound) */
	if (err || sa->k->update_in(sa->k->ctx, n) || sa->k->add_out(sa->k->ctx, n))
		return ike_fail(sa, 0, "keying ksad for the new CHILD SA failed");
	if (rekey && (sa->collided || !sa->child_up[sa->next_slot]))
		return collision_settled(sa, n, nr->body, nr->len, out, cap, len);
	child_installed(sa, sa->next_slot, n, rekey, gir_len, "");
	if (!rekey)
		return 0;
	/* the new pair is in use: the old one goes (1.3.3) */
	return ike_info_start(sa, IKE_REQ_DELETE_OLD_CHILD, out, cap, len);
}

static int rekey_ike_answered(struct ike_sa *sa, const struct ike_msg *im,
			      uint8_t *out, size_t cap, size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS];
	const struct ike_payload *pl_sa = ike_msg_find(im, IKE_PL_SA, NULL);
	const struct ike_payload *nr = nonce_of(im);
	uint8_t gir[IKE_DH_MAX];
	uint64_t spi_r = 0;
	size_t np, gir_len, i;
	int err;

	if (!pl_sa || !nr || ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &np) ||
	    np != 1 || props[0].spi_size != 8 || !ike_offers(&props[0], &sa->suite) ||
	    shared_secret(&sa->xdh, im, gir, &gir_len)) {
		snprintf(sa->event, sizeof(sa->event),
			 "IKE SA rekey failed: the answer is not what we offered");
		return 0;
	}
	for (i = 0; i < 8; i++)
		spi_r = spi_r << 8 | props[0].spi[i];
	err = successor_init(sa, sa->successor, true, sa->new_spi, spi_r, gir,
			     gir_len, sa->xn, sa->xn_len, nr->body, nr->len);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (err)
		return ike_fail(sa, 0, "keys of the rekeyed IKE SA");
	ike_rekeyed(sa, sa->successor, "");
	/* the new IKE SA has the CHILD SA: the old one goes (1.3.2) */
	return ike_info_start(sa, IKE_REQ_DELETE_IKE, out, cap, len);
}

int ike_ccsa_response(struct ike_sa *sa, enum ike_req what,
		      const struct ike_msg *im, uint8_t *out, size_t cap,
		      size_t *len)
{
	uint16_t err = ike_error_notify(im);
	int rc;

	*len = 0;
	if (err) {
		if (what != IKE_REQ_REKEY_IKE)
			sa->k->del(sa->k->ctx, &sa->next, false);	/* larval */
		if (what == IKE_REQ_REKEY_CHILD)
			collision_off(sa);
		snprintf(sa->event, sizeof(sa->event), "%s refused by the peer (notify %u)",
			 what == IKE_REQ_REKEY_IKE ? "IKE SA rekey" :
			 what == IKE_REQ_NEW_CHILD ? "new CHILD SA" : "CHILD SA rekey", err);
		rc = 0;
	} else if (what == IKE_REQ_REKEY_CHILD || what == IKE_REQ_NEW_CHILD) {
		rc = child_answered(sa, what == IKE_REQ_REKEY_CHILD, im, out, cap, len);
	} else if (what == IKE_REQ_REKEY_IKE) {
		rc = rekey_ike_answered(sa, im, out, cap, len);
	} else {
		rc = 0;
	}
	ike_dh_free(&sa->xdh);
	return rc;
}

/* --- as responder --------------------------------------------------------- */

/* An answer with one error notify (and @data). */
static size_t ccsa_error(struct ike_sa *sa, uint16_t type, const void *data,
			 size_t dlen, uint8_t *out, size_t cap)
{
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	uint8_t inner[IKE_HDR_LEN + 16];
	size_t ilen;

	ike_build_start(&b, inner, sizeof(inner), &h);
	ike_put_notify(&b, type, data, dlen);
	ilen = ike_build_end(&b);
	return ike_seal(sa, IKE_CREATE_CHILD_SA, sa->peer_id - 1, true, inner,
			ilen, out, cap);
}

static int refuse(struct ike_sa *sa, uint16_t type, uint16_t group, uint8_t *out,
		  size_t cap, size_t *len, const char *why)
{
	uint8_t g[2] = { (uint8_t)(group >> 8), (uint8_t)group };

	*len = ccsa_error(sa, type, g, group ? 2 : 0, out, cap);
	snprintf(sa->event, sizeof(sa->event), "refused the peer's CREATE_CHILD_SA: %s", why);
	return 0;
}

/*
 * The peer's CREATE_CHILD_SA for a CHILD SA: a rekey of the one named by
 * REKEY_SA (@rk), or a new one beside the others (@rk NULL).
 */
static int child_asked(struct ike_sa *sa, const struct ike_msg *im,
		       const struct ike_notify *rk, uint8_t *out, size_t cap,
		       size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS], chosen;
	const struct ike_payload *pl_sa = ike_msg_find(im, IKE_PL_SA, NULL);
	const struct ike_payload *ni = nonce_of(im), *pl_ke;
	struct ike_ts ntsi, ntsr;
	struct ike_child n;
	struct ike_dh dh = { 0 };
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	uint8_t gir[IKE_DH_MAX], nr[NONCE_LEN], inner[1536];
	const uint8_t *pub;
	size_t np = 0, i, j, gir_len = 0, ilen, publen;
	uint16_t group = 0;
	bool found = false, collide = false;
	uint32_t spi;
	int err, slot;

	if (rk) {
		if (rk->spi_size != 4 || rk->proto != IKE_PROTO_ESP)
			return refuse(sa, N_INVALID_SYNTAX, 0, out, cap, len, "bad REKEY_SA");
		spi = (uint32_t)rk->spi[0] << 24 | (uint32_t)rk->spi[1] << 16 |
		      (uint32_t)rk->spi[2] << 8 | rk->spi[3];
		slot = ike_sa_child_by_spi(sa, spi, false);
		if ((sa->has_old && spi == sa->old.spi_out) ||
		    (sa->has_extra && spi == sa->extra.spi_out) ||
		    (sa->pending == IKE_REQ_DELETE_CHILD && sa->target == slot && slot >= 0))
			return refuse(sa, N_TEMPORARY_FAILURE, 0, out, cap, len,
				      "that CHILD SA is being deleted");
		if (slot < 0)
			return refuse(sa, N_CHILD_SA_NOT_FOUND, 0, out, cap, len,
				      "no CHILD SA with that SPI");
		/* 2.25.1: the CHILD SA we are rekeying: answer as usual */
		collide = sa->pending == IKE_REQ_REKEY_CHILD && sa->next_slot == slot;
		if (sa->has_old || sa->has_extra || sa->collided ||
		    (sa->pending == IKE_REQ_REKEY_CHILD && !collide))
			return refuse(sa, N_TEMPORARY_FAILURE, 0, out, cap, len,
				      "a rekey is already under way");
	} else {
		slot = free_slot(sa);
		if (slot < 0)
			return refuse(sa, N_NO_ADDITIONAL_SAS, 0, out, cap, len,
				      "no room for another CHILD SA");
	}
	if (!pl_sa || !ni || ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &np))
		return refuse(sa, N_INVALID_SYNTAX, 0, out, cap, len, "no SA or nonce");
	pl_ke = ike_msg_find(im, IKE_PL_KE, NULL);
	if (pl_ke && ike_ke_parse(pl_ke, &group, &pub, &publen))
		return refuse(sa, N_INVALID_SYNTAX, 0, out, cap, len, "bad KE");
	for (j = 0; j < sa->cfg->n_esp && !found; j++)
		for (i = 0; i < np && !found; i++)
			if (ike_esp_offers(&props[i], &sa->cfg->esp[j], true)) {
				ike_child_init(sa, &n, &sa->cfg->esp[j]);
				n.spi_out = ike_proposal_spi(&props[i]);
				ike_esp_proposal(&sa->cfg->esp[j], props[i].num, 0, true, &chosen);
				found = true;
			}
	if (!found || (ike_find_notify(im, N_USE_TRANSPORT_MODE, NULL) ? 1 : 2) != sa->cfg->mode)
		return refuse(sa, N_NO_PROPOSAL_CHOSEN, 0, out, cap, len,
			      "no ESP proposal or mode in common");
	if (n.suite.dh && group != n.suite.dh)
		return refuse(sa, N_INVALID_KE_PAYLOAD, n.suite.dh, out, cap, len,
			      "KE of another group");
	if (ike_narrow_ts(im, IKE_PL_TSI, &sa->cfg->remote_ts, &ntsi) ||
	    ike_narrow_ts(im, IKE_PL_TSR, &sa->cfg->local_ts, &ntsr))
		return refuse(sa, N_TS_UNACCEPTABLE, 0, out, cap, len,
			      "traffic selectors do not meet ours");
	if (rk)
		child_carry_over(&n, &sa->child[slot]);
	else
		child_new_slot(sa, &n, slot);
	n.ts_local = ntsr;
	n.ts_remote = ntsi;
	if (RAND_bytes(nr, sizeof(nr)) != 1)
		return -1;
	err = 0;
	if (n.suite.dh)
		err = ike_dh_new(&dh, n.suite.dh) ||
		      ike_dh_shared(&dh, pub, publen, gir, sizeof(gir), &gir_len);
	if (!err)
		err = ike_child_keys(sa, &n, false, gir_len ? gir : NULL, gir_len,
				     ni->body, ni->len, nr, sizeof(nr));
	OPENSSL_cleanse(gir, sizeof(gir));
	/* seed: ADD (outbound), GETSPI (inbound), UPDATE (inbound) */
	if (err || sa->k->add_out(sa->k->ctx, &n) ||
	    sa->k->getspi(sa->k->ctx, &n, &n.spi_in) ||
	    sa->k->update_in(sa->k->ctx, &n)) {
		ike_dh_free(&dh);
		OPENSSL_cleanse(&n, sizeof(n));
		return ike_fail(sa, 0, "keying ksad for the rekeyed CHILD SA failed");
	}
	chosen.spi[0] = (uint8_t)(n.spi_in >> 24);
	chosen.spi[1] = (uint8_t)(n.spi_in >> 16);
	chosen.spi[2] = (uint8_t)(n.spi_in >> 8);
	chosen.spi[3] = (uint8_t)n.spi_in;
	ike_build_start(&b, inner, sizeof(inner), &h);
	if (sa->cfg->mode == 1)
		ike_put_notify(&b, N_USE_TRANSPORT_MODE, NULL, 0);
	ike_build_sa(&b, &chosen, 1);
	ike_build_payload(&b, IKE_PL_NONCE, false, nr, sizeof(nr));
	if (n.suite.dh)
		put_ke(&b, &dh);
	ike_build_ts(&b, IKE_PL_TSI, &ntsi, 1);
	ike_build_ts(&b, IKE_PL_TSR, &ntsr, 1);
	ilen = ike_build_end(&b);
	ike_dh_free(&dh);
	*len = ilen ? ike_seal(sa, IKE_CREATE_CHILD_SA, sa->peer_id - 1, true,
			       inner, ilen, out, cap) : 0;
	if (!collide) {
		child_installed(sa, slot, &n, rk, gir_len, " by the peer");
	} else {
		/* which new SA stays is settled when our answer comes (2.8.1) */
		sa->coll_low_len = lower_nonce(ni->body, ni->len, nr, sizeof(nr),
					       sa->coll_low);
		sa->collided = IKE_COLL_PENDING;
		sa->extra = n;
		sa->has_extra = true;
		OPENSSL_cleanse(&n, sizeof(n));
		snprintf(sa->event, sizeof(sa->event),
			 "rekey collision: the peer rekeys the CHILD SA we are rekeying; answered as usual: in 0x%08x out 0x%08x",
			 sa->extra.spi_in, sa->extra.spi_out);
	}
	return *len ? 0 : ike_fail(sa, 0, "CREATE_CHILD_SA answer does not fit");
}

static int rekey_ike_asked(struct ike_sa *sa, const struct ike_msg *im,
			   uint8_t *out, size_t cap, size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS], chosen;
	const struct ike_payload *pl_sa = ike_msg_find(im, IKE_PL_SA, NULL);
	const struct ike_payload *ni = nonce_of(im), *pl_ke;
	struct ike_dh dh = { 0 };
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	uint8_t gir[IKE_DH_MAX], nr[NONCE_LEN], inner[1024];
	const uint8_t *pub;
	uint64_t spi_i = 0, spi_r;
	size_t np = 0, i, k, gir_len = 0, ilen, publen;
	uint16_t group = 0;
	bool found = false;
	int err;

	if (sa->has_old || sa->pending || !sa->successor)
		return refuse(sa, N_TEMPORARY_FAILURE, 0, out, cap, len,
			      "a rekey or request of ours is under way");
	if (!ni || ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &np))
		return refuse(sa, N_INVALID_SYNTAX, 0, out, cap, len, "no SA or nonce");
	for (i = 0; i < np && !found; i++)
		if (props[i].spi_size == 8 && ike_offers(&props[i], &sa->suite)) {
			for (k = 0; k < 8; k++)
				spi_i = spi_i << 8 | props[i].spi[k];
			found = true;
		}
	if (!found)
		return refuse(sa, N_NO_PROPOSAL_CHOSEN, 0, out, cap, len,
			      "not the IKE SA's own suite");
	pl_ke = ike_msg_find(im, IKE_PL_KE, NULL);
	if (!pl_ke || ike_ke_parse(pl_ke, &group, &pub, &publen) || group != sa->suite.dh)
		return refuse(sa, N_INVALID_KE_PAYLOAD, sa->suite.dh, out, cap, len,
			      "KE of another group");
	spi_r = ike_random_spi();
	if (!spi_r || RAND_bytes(nr, sizeof(nr)) != 1 || ike_dh_new(&dh, group) ||
	    ike_dh_shared(&dh, pub, publen, gir, sizeof(gir), &gir_len)) {
		ike_dh_free(&dh);
		return ike_fail(sa, 0, "key exchange for the IKE rekey failed");
	}
	err = successor_init(sa, sa->successor, false, spi_i, spi_r, gir, gir_len,
			     ni->body, ni->len, nr, sizeof(nr));
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_ike_proposal(&sa->suite, props[i - 1].num, spi_r, &chosen);
	ike_build_start(&b, inner, sizeof(inner), &h);
	ike_build_sa(&b, &chosen, 1);
	ike_build_payload(&b, IKE_PL_NONCE, false, nr, sizeof(nr));
	put_ke(&b, &dh);
	ilen = ike_build_end(&b);
	ike_dh_free(&dh);
	*len = !err && ilen ? ike_seal(sa, IKE_CREATE_CHILD_SA, sa->peer_id - 1, true,
				       inner, ilen, out, cap) : 0;
	if (!*len)
		return ike_fail(sa, 0, "the IKE rekey answer");
	ike_rekeyed(sa, sa->successor, " by the peer");
	return 0;
}

int ike_ccsa_request(struct ike_sa *sa, const struct ike_msg *im, uint8_t *out,
		     size_t cap, size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS];
	const struct ike_payload *pl_sa = ike_msg_find(im, IKE_PL_SA, NULL);
	struct ike_notify rk;
	size_t np;

	if (sa->state != IKE_ESTABLISHED)
		return refuse(sa, N_TEMPORARY_FAILURE, 0, out, cap, len,
			      "this IKE SA is being replaced");
	if (ike_find_notify(im, N_REKEY_SA, &rk))
		return child_asked(sa, im, &rk, out, cap, len);
	if (pl_sa && !ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &np) && np &&
	    props[0].proto == IKE_PROTO_IKE)
		return rekey_ike_asked(sa, im, out, cap, len);
	return child_asked(sa, im, NULL, out, cap, len);
}
