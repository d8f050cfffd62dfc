// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_AUTH (RFC 7296 1.2, 2.15) with a pre-shared key, and the first
 * CHILD SA it creates.  ksad is keyed in the seed's order: the responder,
 * once it knows the initiator's SPI and the keys, ADDs its outbound SA,
 * GETSPIs its inbound one and UPDATEs it; the initiator, on the answer,
 * UPDATEs its inbound SA (reserved in ike_sa_init.c) and ADDs the
 * outbound one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "psk.h"
#include "exchange.h"

/*
 * IDx, AUTH, [USE_TRANSPORT_MODE], SA, TSi, TSr: the inner payloads; @nts
 * selectors in each TS payload (2: the packet's first, 2.9).
 */
size_t ike_auth_inner(struct ike_sa *sa, const struct ike_proposal *props,
		      size_t nprops, const struct ike_ts *tsi,
		      const struct ike_ts *tsr, size_t nts, uint8_t *out,
		      size_t cap)
{
	const char *id = sa->cfg->local_id;
	uint8_t idb[132], auth[4 + IKE_PRF_LEN] = { IKE_AUTH_PSK };
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	size_t idlen = ike_id_body(id, idb, sizeof(idb)), len;
	int err;

	if (sa->initiator)
		err = ike_psk_auth(sa->cfg->psk, sa->cfg->psk_len, sa->init_req,
				   sa->init_req_len, sa->nr, sizeof(sa->nr),
				   sa->sk_pi, IKE_PRF_LEN, idb, idlen, auth + 4);
	else
		err = ike_psk_auth(sa->cfg->psk, sa->cfg->psk_len, sa->init_resp,
				   sa->init_resp_len, sa->ni, sizeof(sa->ni),
				   sa->sk_pr, IKE_PRF_LEN, idb, idlen, auth + 4);
	if (err)
		return 0;
	ike_build_start(&b, out, cap, &h);
	ike_build_payload(&b, sa->initiator ? IKE_PL_IDI : IKE_PL_IDR, false, idb, idlen);
	ike_build_payload(&b, IKE_PL_AUTH, false, auth, sizeof(auth));
	if (sa->cfg->mode == 1)
		ike_put_notify(&b, N_USE_TRANSPORT_MODE, NULL, 0);
	ike_build_sa(&b, props, nprops);
	ike_build_ts(&b, IKE_PL_TSI, tsi, nts);
	ike_build_ts(&b, IKE_PL_TSR, tsr, nts);
	len = ike_build_end(&b);
	OPENSSL_cleanse(auth, sizeof(auth));
	return len;
}

/* Decrypt and check the peer's ID and AUTH; @inner gets the payloads. */
static int open_auth(struct ike_sa *sa, const uint8_t *in, size_t in_len,
		     const struct ike_msg *m, uint8_t *plain, size_t cap,
		     struct ike_msg *inner)
{
	const struct ike_payload *id, *auth;
	uint8_t want[IKE_PRF_LEN], idb[132];
	size_t plen, idlen;
	int err;

	if (ike_sk_open(sa->initiator ? &sa->kr : &sa->ki, in, in_len, m, plain,
			cap, &plen) ||
	    ike_chain_parse(m->sk_first, plain, plen, inner))
		return -2;
	if (sa->initiator && ike_error_notify(inner))
		return ike_error_notify(inner);
	id = ike_msg_find(inner, sa->initiator ? IKE_PL_IDR : IKE_PL_IDI, NULL);
	auth = ike_msg_find(inner, IKE_PL_AUTH, NULL);
	if (!id || !auth || auth->len != 4 + IKE_PRF_LEN || auth->body[0] != IKE_AUTH_PSK)
		return N_AUTHENTICATION_FAILED;
	if (sa->cfg->remote_id[0]) {
		idlen = ike_id_body(sa->cfg->remote_id, idb, sizeof(idb));
		if (idlen != id->len || memcmp(idb, id->body, idlen))
			return N_AUTHENTICATION_FAILED;
	}
	if (sa->initiator)
		err = ike_psk_auth(sa->cfg->psk, sa->cfg->psk_len, sa->init_resp,
				   sa->init_resp_len, sa->ni, sizeof(sa->ni), sa->sk_pr,
				   IKE_PRF_LEN, id->body, id->len, want);
	else
		err = ike_psk_auth(sa->cfg->psk, sa->cfg->psk_len, sa->init_req,
				   sa->init_req_len, sa->nr, sizeof(sa->nr), sa->sk_pi,
				   IKE_PRF_LEN, id->body, id->len, want);
	if (err || CRYPTO_memcmp(want, auth->body + 4, IKE_PRF_LEN))
		return N_AUTHENTICATION_FAILED;
	return 0;
}

/* An encrypted answer carrying one error notify. */
static size_t auth_error(struct ike_sa *sa, uint16_t type, uint8_t *out, size_t cap)
{
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	uint8_t inner[64];
	size_t ilen;

	ike_build_start(&b, inner, sizeof(inner), &h);
	ike_put_notify(&b, type, NULL, 0);
	ilen = ike_build_end(&b);
	return ike_seal(sa, IKE_AUTH, 1, true, inner, ilen, out, cap);
}

/* The responder, on IKE_AUTH: check, key the CHILD SA, answer. */
int ike_auth_request(struct ike_sa *sa, const struct ike_msg *m,
		     const uint8_t *in, size_t in_len, uint8_t *out,
		     size_t cap, size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS], chosen;
	uint8_t plain[4096], inner[2048];
	struct ike_ts ntsi, ntsr;
	struct ike_msg im;
	size_t n, i, j, ilen;
	bool found = false;
	int rc;

	rc = open_auth(sa, in, in_len, m, plain, sizeof(plain), &im);
	if (rc == -2)
		return ike_fail(sa, 0, "IKE_AUTH request does not decrypt");
	if (rc) {
		*len = auth_error(sa, (uint16_t)rc, out, cap);
		return ike_fail(sa, (uint16_t)rc, "the initiator's AUTH or ID is wrong");
	}
	if (!ike_msg_find(&im, IKE_PL_SA, NULL) ||
	    ike_sa_parse(ike_msg_find(&im, IKE_PL_SA, NULL), props, IKE_MAX_PROPOSALS, &n))
		n = 0;
	for (j = 0; j < sa->cfg->n_esp && !found; j++)
		for (i = 0; i < n && !found; i++)
			if (ike_esp_offers(&props[i], &sa->cfg->esp[j], false)) {
				ike_child_init(sa, &sa->child[0], &sa->cfg->esp[j]);
				sa->child[0].spi_out = ike_proposal_spi(&props[i]);
				ike_esp_proposal(&sa->cfg->esp[j], props[i].num, 0, false, &chosen);
				found = true;
			}
	if (!found || (ike_find_notify(&im, N_USE_TRANSPORT_MODE, NULL) ? 1 : 2) != sa->cfg->mode) {
		*len = auth_error(sa, N_NO_PROPOSAL_CHOSEN, out, cap);
		return ike_fail(sa, N_NO_PROPOSAL_CHOSEN, "no ESP proposal or mode in common");
	}
	if (ike_narrow_ts(&im, IKE_PL_TSI, &sa->cfg->remote_ts, &ntsi) ||
	    ike_narrow_ts(&im, IKE_PL_TSR, &sa->cfg->local_ts, &ntsr)) {
		*len = auth_error(sa, N_TS_UNACCEPTABLE, out, cap);
		return ike_fail(sa, N_TS_UNACCEPTABLE, "traffic selectors do not meet ours");
	}
	sa->child[0].ts_local = ntsr;
	sa->child[0].ts_remote = ntsi;
	if (ike_child_keys(sa, &sa->child[0], sa->initiator, NULL, 0, sa->ni,
			   sizeof(sa->ni), sa->nr, sizeof(sa->nr)))
		return ike_fail(sa, 0, "CHILD SA keys");
	/* seed: ADD (outbound), GETSPI (inbound), UPDATE (inbound) */
	if (sa->k->add_out(sa->k->ctx, &sa->child[0]) ||
	    sa->k->getspi(sa->k->ctx, &sa->child[0], &sa->child[0].spi_in) ||
	    sa->k->update_in(sa->k->ctx, &sa->child[0]))
		return ike_fail(sa, 0, "keying ksad failed");
	chosen.spi[0] = (uint8_t)(sa->child[0].spi_in >> 24);
	chosen.spi[1] = (uint8_t)(sa->child[0].spi_in >> 16);
	chosen.spi[2] = (uint8_t)(sa->child[0].spi_in >> 8);
	chosen.spi[3] = (uint8_t)sa->child[0].spi_in;
	ilen = ike_auth_inner(sa, &chosen, 1, &ntsi, &ntsr, 1, inner, sizeof(inner));
	*len = ilen ? ike_seal(sa, IKE_AUTH, 1, true, inner, ilen, out, cap) : 0;
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(inner, sizeof(inner));
	if (!*len)
		return ike_fail(sa, 0, "IKE_AUTH response does not fit");
	sa->state = IKE_ESTABLISHED;
	return 0;
}

/* The initiator, on the IKE_AUTH response: check, key the CHILD SA. */
int ike_auth_response(struct ike_sa *sa, const struct ike_msg *m,
		      const uint8_t *in, size_t in_len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS];
	struct ike_ts tsi, tsr;
	struct ike_msg im;
	uint8_t plain[4096];
	size_t n, j;
	bool found = false;
	int rc;

	rc = open_auth(sa, in, in_len, m, plain, sizeof(plain), &im);
	if (rc == -2)
		return ike_fail(sa, 0, "IKE_AUTH response does not decrypt");
	if (rc)
		return ike_fail(sa, (uint16_t)rc, "IKE_AUTH refused, or the responder's AUTH is wrong");
	if (!ike_msg_find(&im, IKE_PL_SA, NULL) ||
	    ike_sa_parse(ike_msg_find(&im, IKE_PL_SA, NULL), props, IKE_MAX_PROPOSALS, &n) ||
	    n != 1)
		n = 0;
	for (j = 0; j < sa->cfg->n_esp && n && !found; j++)
		if (ike_esp_offers(&props[0], &sa->cfg->esp[j], false)) {
			uint32_t spi_in = sa->child[0].spi_in;

			ike_child_init(sa, &sa->child[0], &sa->cfg->esp[j]);
			sa->child[0].spi_in = spi_in;
			found = true;
		}
	if (found && (ike_first_ts(&im, IKE_PL_TSI, &tsi) || ike_first_ts(&im, IKE_PL_TSR, &tsr)))
		found = false;
	OPENSSL_cleanse(plain, sizeof(plain));	/* @im pointed into it */
	if (!found)
		return ike_fail(sa, N_NO_PROPOSAL_CHOSEN, "the answer's CHILD SA is not what we offered");
	sa->child[0].spi_out = ike_proposal_spi(&props[0]);
	sa->child[0].ts_local = tsi;
	sa->child[0].ts_remote = tsr;
	if (ike_child_keys(sa, &sa->child[0], sa->initiator, NULL, 0, sa->ni,
			   sizeof(sa->ni), sa->nr, sizeof(sa->nr)))
		return ike_fail(sa, 0, "CHILD SA keys");
	/* seed: UPDATE (inbound), ADD (outbound) */
	if (sa->k->update_in(sa->k->ctx, &sa->child[0]) ||
	    sa->k->add_out(sa->k->ctx, &sa->child[0]))
		return ike_fail(sa, 0, "keying ksad failed");
	sa->state = IKE_ESTABLISHED;
	return 0;
}
