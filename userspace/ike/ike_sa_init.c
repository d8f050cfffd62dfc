// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_SA_INIT (RFC 7296 1.2): the initiator's request, the responder's
 * answer, and the initiator on the answer, which derives the keys and
 * starts IKE_AUTH with the first CHILD SA.  That CHILD SA keys ksad in the
 * order the SPIs demand: the initiator reserves its inbound SPI (GETSPI)
 * before it can propose it (the rest is ike_auth.c's).
 *
 * Also here: INVALID_KE_PAYLOAD (the initiator retries with the group the
 * responder wants) and COOKIE (2.6: a responder under load answers with a
 * cookie first; the initiator retries with it).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "exchange.h"

static size_t build_init_request(struct ike_sa *sa, const struct ike_notify *cookie,
				 uint8_t *out, size_t cap)
{
	struct ike_proposal props[4];
	struct ike_hdr h = ike_hdr_of(sa, IKE_SA_INIT, 0, false);
	uint8_t ke[4 + IKE_DH_MAX] = { (uint8_t)(sa->dh.group >> 8), (uint8_t)sa->dh.group };
	struct ike_builder b;
	size_t i, n = 0, len;

	if (ike_dh_public(&sa->dh, ke + 4, IKE_DH_MAX, &len))
		return 0;
	for (i = 0; i < sa->cfg->n_ike && i < 4; i++)
		ike_ike_proposal(&sa->cfg->ike[i], (uint8_t)(i + 1), 0, &props[n++]);
	ike_build_start(&b, out, cap, &h);
	if (cookie)
		ike_put_notify(&b, N_COOKIE, cookie->data, cookie->data_len);
	ike_build_sa(&b, props, n);
	ike_build_payload(&b, IKE_PL_KE, false, ke, 4 + len);
	ike_build_payload(&b, IKE_PL_NONCE, false, sa->ni, sizeof(sa->ni));
	ike_put_nat_detection(&b, sa);
	len = ike_build_end(&b);
	if (len && len <= sizeof(sa->init_req)) {
		memcpy(sa->init_req, out, len);
		sa->init_req_len = len;
		return len;
	}
	return 0;
}

int ike_sa_initiate(struct ike_sa *sa, const struct ike_cfg *cfg,
		    const struct ike_kernel *k, uint8_t *out, size_t cap,
		    size_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->cfg = cfg;
	sa->k = k;
	sa->initiator = true;
	sa->peer = cfg->remote;
	sa->spi_i = ike_random_spi();
	if (!cfg->n_ike || !sa->spi_i ||
	    RAND_bytes(sa->ni, sizeof(sa->ni)) != 1 ||
	    ike_dh_new(&sa->dh, cfg->ike[0].dh))
		return ike_fail(sa, 0, "no randomness or key pair");
	*len = build_init_request(sa, NULL, out, cap);
	if (!*len)
		return ike_fail(sa, 0, "IKE_SA_INIT request does not fit");
	sa->state = IKE_INIT_SENT;
	ike_keep(sa, out, *len);
	return 0;
}

/* An unencrypted error answer to an IKE_SA_INIT request. */
static size_t init_error(struct ike_sa *sa, uint16_t type, const void *data,
			 size_t dlen, uint8_t *out, size_t cap)
{
	struct ike_hdr h = ike_hdr_of(sa, IKE_SA_INIT, 0, true);
	struct ike_builder b;

	h.spi_r = 0;
	ike_build_start(&b, out, cap, &h);
	ike_put_notify(&b, type, data, dlen);
	return ike_build_end(&b);
}

/*
 * The COOKIE a responder under load demands (2.6):
 * <version of the secret> | SHA-256(Ni | IPi | SPIi | <secret>).
 */
static void cookie_of(const struct ike_cfg *cfg, uint64_t spi_i,
		      const struct ike_addr *from, const uint8_t *ni, size_t ni_len,
		      uint8_t out[1 + 32])
{
	uint8_t in[256 + 16 + 8 + 32];
	size_t alen = from->family == AF_INET ? 4 : 16, n = 0, i;

	memcpy(in, ni, ni_len);
	n = ni_len;
	memcpy(in + n, from->a, alen);
	n += alen;
	for (i = 0; i < 8; i++)
		in[n++] = (uint8_t)(spi_i >> (56 - 8 * i));
	memcpy(in + n, cfg->cookie_secret, sizeof(cfg->cookie_secret));
	n += sizeof(cfg->cookie_secret);
	out[0] = cfg->cookie_version;
	if (!EVP_Q_digest(NULL, "SHA256", NULL, in, n, out + 1, NULL))
		memset(out + 1, 0, 32);
	OPENSSL_cleanse(in, sizeof(in));
}

/**
 * ike_sa_respond() - a new IKE SA from an IKE_SA_INIT request
 * @sa: the responder's IKE SA
 * @cfg: the connection it is for
 * @k: kernel operations
 * @from: where the request came from (address and UDP port)
 * @in: the request
 * @in_len: its length
 * @out: the response (also on errors: INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN)
 * @cap: room there
 * @len: the response's length
 *
 * Return: 0 when the SA waits for IKE_AUTH, or when it stays idle because
 * a COOKIE was demanded (@cfg->cookies; the answer carries it); -1 when it
 * failed.
 */
int ike_sa_respond(struct ike_sa *sa, const struct ike_cfg *cfg,
		   const struct ike_kernel *k, const struct ike_addr *from,
		   const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
		   size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS], chosen;
	const struct ike_payload *pl_sa, *pl_ke, *pl_ni;
	struct ike_msg m;
	const uint8_t *pub;
	uint8_t ke[4 + IKE_DH_MAX];
	struct ike_builder b;
	struct ike_hdr h;
	size_t n, i, j, publen;
	uint16_t group;
	bool found = false;

	memset(sa, 0, sizeof(*sa));
	sa->cfg = cfg;
	sa->k = k;
	*len = 0;
	if (ike_msg_parse(in, in_len, &m) || m.hdr.exchange != IKE_SA_INIT ||
	    m.hdr.msg_id || m.hdr.spi_r || !(m.hdr.flags & IKE_FLAG_INITIATOR) ||
	    (m.hdr.flags & IKE_FLAG_RESPONSE) || in_len > sizeof(sa->init_req))
		return ike_fail(sa, N_INVALID_SYNTAX, "not an IKE_SA_INIT request");
	sa->spi_i = m.hdr.spi_i;
	pl_sa = ike_msg_find(&m, IKE_PL_SA, NULL);
	pl_ke = ike_msg_find(&m, IKE_PL_KE, NULL);
	pl_ni = ike_msg_find(&m, IKE_PL_NONCE, NULL);
	if (!pl_sa || !pl_ke || !pl_ni || pl_ni->len != sizeof(sa->ni) ||
	    ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &n) ||
	    ike_ke_parse(pl_ke, &group, &pub, &publen))
		return ike_fail(sa, N_INVALID_SYNTAX, "IKE_SA_INIT without SA, KE or a 32-byte nonce");
	if (cfg->cookies) {
		uint8_t want[1 + 32];
		struct ike_notify nt;

		cookie_of(cfg, m.hdr.spi_i, from, pl_ni->body, pl_ni->len, want);
		if (m.p[0].type != IKE_PL_NOTIFY || ike_notify_parse(&m.p[0], &nt) ||
		    nt.type != N_COOKIE || nt.data_len != sizeof(want) ||
		    CRYPTO_memcmp(nt.data, want, sizeof(want))) {
			*len = init_error(sa, N_COOKIE, want, sizeof(want), out, cap);
			snprintf(sa->event, sizeof(sa->event),
				 "demanded a COOKIE of a new initiator (2.6)");
			return 0;	/* stays idle: nothing kept */
		}
	}
	/* our preference order, the first of theirs that offers it */
	for (j = 0; j < cfg->n_ike && !found; j++)
		for (i = 0; i < n && !found; i++)
			if (ike_offers(&props[i], &cfg->ike[j])) {
				sa->suite = cfg->ike[j];
				ike_ike_proposal(&cfg->ike[j], props[i].num, 0, &chosen);
				found = true;
			}
	if (!found) {
		*len = init_error(sa, N_NO_PROPOSAL_CHOSEN, NULL, 0, out, cap);
		return ike_fail(sa, N_NO_PROPOSAL_CHOSEN, "no IKE proposal in common");
	}
	if (group != sa->suite.dh) {
		uint8_t want[2] = { (uint8_t)(sa->suite.dh >> 8), (uint8_t)sa->suite.dh };

		*len = init_error(sa, N_INVALID_KE_PAYLOAD, want, 2, out, cap);
		return ike_fail(sa, N_INVALID_KE_PAYLOAD, "KE of another group: asked for ours");
	}
	memcpy(sa->ni, pl_ni->body, sizeof(sa->ni));
	memcpy(sa->init_req, in, in_len);
	sa->init_req_len = in_len;
	sa->nat_detected = ike_nat_between(sa, &m, from, &cfg->local,	/* SPIr 0 */
				       &sa->nat_local);
	sa->peer = *from;
	sa->spi_r = ike_random_spi();
	if (!sa->spi_r || RAND_bytes(sa->nr, sizeof(sa->nr)) != 1 ||
	    ike_dh_new(&sa->dh, group) ||
	    ike_dh_public(&sa->dh, ke + 4, IKE_DH_MAX, &publen) ||
	    ike_key_exchange(sa, pub, pl_ke->len - 4))
		return ike_fail(sa, N_INVALID_SYNTAX, "key exchange failed");
	ke[0] = (uint8_t)(group >> 8);
	ke[1] = (uint8_t)group;
	ke[2] = ke[3] = 0;
	h = ike_hdr_of(sa, IKE_SA_INIT, 0, true);
	ike_build_start(&b, out, cap, &h);
	ike_build_sa(&b, &chosen, 1);
	ike_build_payload(&b, IKE_PL_KE, false, ke, 4 + publen);
	ike_build_payload(&b, IKE_PL_NONCE, false, sa->nr, sizeof(sa->nr));
	ike_put_nat_detection(&b, sa);
	*len = ike_build_end(&b);
	if (!*len || *len > sizeof(sa->init_resp))
		return ike_fail(sa, 0, "IKE_SA_INIT response does not fit");
	memcpy(sa->init_resp, out, *len);
	sa->init_resp_len = *len;
	sa->state = IKE_INIT_DONE;
	return 0;
}

/* The initiator, on the IKE_SA_INIT response: keys, then IKE_AUTH. */
int ike_init_response(struct ike_sa *sa, const struct ike_msg *m,
		      const uint8_t *in, size_t in_len, uint8_t *out,
		      size_t cap, size_t *len)
{
	struct ike_proposal props[IKE_MAX_PROPOSALS], esp[4];
	const struct ike_payload *pl_sa, *pl_ke, *pl_nr;
	struct ike_notify nt;
	uint8_t inner[2048];
	const uint8_t *pub;
	size_t n, i, publen, ilen;
	uint16_t group, err;
	bool found = false;
	int rc;

	if (ike_find_notify(m, N_COOKIE, &nt)) {
		*len = build_init_request(sa, &nt, out, cap);
		snprintf(sa->event, sizeof(sa->event),
			 "the responder demanded a COOKIE: IKE_SA_INIT again, with it (2.6)");
		return *len ? 0 : ike_fail(sa, 0, "no room for the cookie");
	}
	if (ike_find_notify(m, N_INVALID_KE_PAYLOAD, &nt)) {
		if (nt.data_len != 2)
			return ike_fail(sa, N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD without a group");
		group = (uint16_t)(nt.data[0] << 8 | nt.data[1]);
		for (i = 0; i < sa->cfg->n_ike && !found; i++)
			found = sa->cfg->ike[i].dh == group;
		if (!found || group == sa->dh.group)
			return ike_fail(sa, N_INVALID_KE_PAYLOAD, "the responder wants a group we do not offer");
		ike_dh_free(&sa->dh);
		if (ike_dh_new(&sa->dh, group))
			return ike_fail(sa, 0, "no key pair");
		*len = build_init_request(sa, NULL, out, cap);
		return *len ? 0 : ike_fail(sa, 0, "IKE_SA_INIT request does not fit");
	}
	err = ike_error_notify(m);
	if (err)
		return ike_fail(sa, err, "the responder refused IKE_SA_INIT");
	pl_sa = ike_msg_find(m, IKE_PL_SA, NULL);
	pl_ke = ike_msg_find(m, IKE_PL_KE, NULL);
	pl_nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (!pl_sa || !pl_ke || !pl_nr || pl_nr->len != sizeof(sa->nr) ||
	    ike_sa_parse(pl_sa, props, IKE_MAX_PROPOSALS, &n) || n != 1 ||
	    ike_ke_parse(pl_ke, &group, &pub, &publen) || group != sa->dh.group ||
	    !m->hdr.spi_r || in_len > sizeof(sa->init_resp))
		return ike_fail(sa, N_INVALID_SYNTAX, "IKE_SA_INIT response without SA, KE or nonce");
	for (i = 0; i < sa->cfg->n_ike && !found; i++)
		if (sa->cfg->ike[i].dh == group && ike_offers(&props[0], &sa->cfg->ike[i])) {
			sa->suite = sa->cfg->ike[i];
			found = true;
		}
	if (!found)
		return ike_fail(sa, N_NO_PROPOSAL_CHOSEN, "the responder chose what we did not offer");
	sa->spi_r = m->hdr.spi_r;
	sa->nat_detected = ike_nat_between(sa, m, &sa->cfg->remote, &sa->cfg->local,
				       &sa->nat_local);
	memcpy(sa->nr, pl_nr->body, sizeof(sa->nr));
	memcpy(sa->init_resp, in, in_len);
	sa->init_resp_len = in_len;
	if (ike_key_exchange(sa, pub, publen))
		return ike_fail(sa, N_INVALID_SYNTAX, "key exchange failed");

	/* the CHILD SA: reserve our inbound SPI first (seed: GETSPI) */
	ike_child_init(sa, &sa->child[0], &sa->cfg->esp[0]);
	sa->child[0].ts_local = sa->cfg->local_ts;
	sa->child[0].ts_remote = sa->cfg->remote_ts;
	rc = sa->k->getspi(sa->k->ctx, &sa->child[0], &sa->child[0].spi_in);
	if (rc)
		return ike_fail(sa, 0, "GETSPI failed");
	for (i = 0; i < sa->cfg->n_esp && i < 4; i++)
		ike_esp_proposal(&sa->cfg->esp[i], (uint8_t)(i + 1), sa->child[0].spi_in,
				 false, &esp[i]);
	{
		/* an ACQUIRE's packet first, then what we are configured for */
		struct ike_ts tsi[2] = { sa->pkt_local, sa->cfg->local_ts };
		struct ike_ts tsr[2] = { sa->pkt_remote, sa->cfg->remote_ts };
		size_t k = sa->pkt_ts ? 0 : 1;

		ilen = ike_auth_inner(sa, esp, i, tsi + k, tsr + k, 2 - k, inner,
					sizeof(inner));
	}
	*len = ilen ? ike_seal(sa, IKE_AUTH, 1, false, inner, ilen, out, cap) : 0;
	OPENSSL_cleanse(inner, sizeof(inner));
	if (!*len)
		return ike_fail(sa, 0, "IKE_AUTH request does not fit");
	sa->state = IKE_AUTH_SENT;
	return 0;
}
