// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE SA engine's entry points (ikesa.h): a datagram in goes to the
 * exchange the SA's state waits for (ike_sa_init.c, ike_auth.c, then
 * create_child.c and informational.c behind the message-ID window of one
 * request each way, RFC 7296 2.1-2.3), our own requests go out the same
 * way, and the SA's bookkeeping: what was sent (for retransmission and
 * for replaying an answer), its CHILD SAs by SPI, their end when the peer
 * is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "exchange.h"

int ike_fail(struct ike_sa *sa, uint16_t notify, const char *why)
{
	sa->state = IKE_FAILED;
	sa->notify = notify;
	sa->why = why;
	return -1;
}

uint64_t ike_random_spi(void)
{
	uint64_t spi = 0;

	while (!spi)
		if (RAND_bytes((uint8_t *)&spi, sizeof(spi)) != 1)
			return 0;
	return spi;
}

/* Keep what we send: requests for retransmission, answers for replay. */
void ike_keep(struct ike_sa *sa, const uint8_t *out, size_t len)
{
	if (!len || len > IKE_MSG_MAX)
		return;
	if (out[19] & IKE_FLAG_RESPONSE) {
		memcpy(sa->resp, out, len);
		sa->resp_len = len;
	} else {
		memcpy(sa->req, out, len);
		sa->req_len = len;
	}
}

/* After IKE_AUTH: a request of the peer's, or the answer to ours. */
static int established_input(struct ike_sa *sa, const struct ike_msg *m,
			     const uint8_t *in, size_t in_len, uint8_t *out,
			     size_t cap, size_t *len)
{
	static uint8_t plain[IKE_MSG_MAX + 512];
	struct ike_msg im;
	size_t plen;
	bool response = m->hdr.flags & IKE_FLAG_RESPONSE;
	int rc;

	if (m->hdr.spi_r != sa->spi_r ||
	    !!(m->hdr.flags & IKE_FLAG_INITIATOR) == sa->initiator)
		return 0;
	if (response && (!sa->pending || m->hdr.msg_id != sa->req_id))
		return 0;
	if (!response && m->hdr.msg_id + 1 == sa->peer_id && sa->resp_len &&
	    sa->resp_len <= cap) {
		/* a retransmitted request: the same answer again (2.1) */
		memcpy(out, sa->resp, sa->resp_len);
		*len = sa->resp_len;
		return 0;
	}
	if (!response && m->hdr.msg_id != sa->peer_id)
		return 0;
	if (ike_sk_open(sa->initiator ? &sa->kr : &sa->ki, in, in_len, m, plain,
			sizeof(plain), &plen) ||
	    ike_chain_parse(m->sk_first, plain, plen, &im))
		return 0;	/* forged or broken: ignored (2.21.2) */
	if (response) {
		enum ike_req what = sa->pending;

		sa->pending = IKE_REQ_NONE;
		sa->req_id++;
		sa->req_len = 0;
		if (m->hdr.exchange == IKE_CREATE_CHILD_SA)
			rc = ike_ccsa_response(sa, what, &im, out, cap, len);
		else
			rc = ike_info_response(sa, what, &im, out, cap, len);
	} else {
		sa->peer_id++;
		if (m->hdr.exchange == IKE_CREATE_CHILD_SA)
			rc = ike_ccsa_request(sa, &im, out, cap, len);
		else if (m->hdr.exchange == IKE_INFORMATIONAL)
			rc = ike_info_request(sa, &im, out, cap, len);
		else
			rc = 0;	/* no other exchange after IKE_AUTH */
	}
	OPENSSL_cleanse(plain, plen);
	return rc;
}

/**
 * ike_sa_input() - a datagram for this IKE SA
 * @sa: the SA
 * @in: the datagram (IKE message, non-ESP marker removed)
 * @in_len: its length
 * @out: what to send in return, if anything
 * @cap: room there
 * @len: its length (0: nothing to send)
 *
 * Return: 0, or -1 when the SA failed (sa->why says why).
 */
int ike_sa_input(struct ike_sa *sa, const uint8_t *in, size_t in_len,
		 uint8_t *out, size_t cap, size_t *len)
{
	struct ike_msg m;
	int rc;

	*len = 0;
	sa->event[0] = 0;
	if (ike_msg_parse(in, in_len, &m) || m.hdr.spi_i != sa->spi_i)
		return 0;	/* not ours, or broken: ignored */
	switch (sa->state) {
	case IKE_INIT_SENT:
		if (m.hdr.exchange != IKE_SA_INIT || !(m.hdr.flags & IKE_FLAG_RESPONSE) ||
		    m.hdr.msg_id)
			return 0;
		rc = ike_init_response(sa, &m, in, in_len, out, cap, len);
		break;
	case IKE_INIT_DONE:
		if (m.hdr.exchange != IKE_AUTH || (m.hdr.flags & IKE_FLAG_RESPONSE) ||
		    m.hdr.msg_id != 1 || m.hdr.spi_r != sa->spi_r)
			return 0;
		rc = ike_auth_request(sa, &m, in, in_len, out, cap, len);
		if (!rc) {
			sa->peer_id = 2;
			sa->child_up[0] = true;
		}
		break;
	case IKE_AUTH_SENT:
		if (m.hdr.exchange != IKE_AUTH || !(m.hdr.flags & IKE_FLAG_RESPONSE) ||
		    m.hdr.msg_id != 1 || m.hdr.spi_r != sa->spi_r)
			return 0;
		rc = ike_auth_response(sa, &m, in, in_len);
		if (!rc) {
			sa->req_id = 2;
			sa->req_len = 0;
			sa->child_up[0] = true;
		}
		break;
	case IKE_ESTABLISHED:
	case IKE_REKEYED:
		rc = established_input(sa, &m, in, in_len, out, cap, len);
		break;
	default:
		return 0;
	}
	ike_keep(sa, out, *len);
	return rc;
}

/* What every request of ours needs first: an established SA, a free window. */
static int request_begin(struct ike_sa *sa, size_t *len)
{
	*len = 0;
	sa->event[0] = 0;
	if (sa->state != IKE_ESTABLISHED)
		return -EINVAL;
	return sa->pending ? -EBUSY : 0;
}

/**
 * ike_sa_request() - start an exchange on an established IKE SA
 * @sa: the SA
 * @what: liveness check, CHILD or IKE rekey, Delete of the CHILD or IKE SA
 * @out: the request
 * @cap: room there
 * @len: its length
 *
 * Return: 0, -EBUSY while another request of ours is outstanding (a
 * window of one), -EINVAL if there is nothing to do it to, -1 on failure.
 */
int ike_sa_request(struct ike_sa *sa, enum ike_req what, uint8_t *out,
		   size_t cap, size_t *len)
{
	int rc = request_begin(sa, len);

	if (rc)
		return rc;
	if ((what == IKE_REQ_REKEY_CHILD || what == IKE_REQ_DELETE_CHILD) &&
	    (sa->target < 0 || sa->target >= IKE_MAX_CHILDREN || !sa->child_up[sa->target]))
		return -EINVAL;
	if (what == IKE_REQ_NEW_CHILD)
		return -EINVAL;	/* ike_sa_new_child() */
	if (what == IKE_REQ_REKEY_CHILD || what == IKE_REQ_REKEY_IKE)
		rc = ike_ccsa_start(sa, what, out, cap, len);
	else
		rc = ike_info_start(sa, what, out, cap, len);
	ike_keep(sa, out, *len);
	return rc;
}

/**
 * ike_sa_new_child() - ask for one more CHILD SA on this IKE SA (1.3.1)
 * @sa: the established IKE SA
 * @local_ts: our traffic selector for it (the peer may narrow it)
 * @remote_ts: the peer's
 * @out: the CREATE_CHILD_SA request
 * @cap: room there
 * @len: its length
 *
 * Return: 0, -EBUSY (a request is outstanding), -ENOSPC (no free slot),
 * -EINVAL (no established IKE SA), -1 on failure.
 */
int ike_sa_new_child(struct ike_sa *sa, const struct ike_ts *local_ts,
		     const struct ike_ts *remote_ts, uint8_t *out, size_t cap,
		     size_t *len)
{
	int rc = request_begin(sa, len);

	if (rc)
		return rc;
	sa->next.ts_local = *local_ts;
	sa->next.ts_remote = *remote_ts;
	rc = ike_ccsa_start(sa, IKE_REQ_NEW_CHILD, out, cap, len);
	ike_keep(sa, out, *len);
	return rc;
}

/* The slot of the CHILD SA with this inbound (or outbound) SPI, or -1. */
int ike_sa_child_by_spi(const struct ike_sa *sa, uint32_t spi, bool inbound)
{
	int i;

	for (i = 0; i < IKE_MAX_CHILDREN; i++)
		if (sa->child_up[i] &&
		    (inbound ? sa->child[i].spi_in : sa->child[i].spi_out) == spi)
			return i;
	return -1;
}

/*
 * The peer stopped answering: its CHILD SAs leave ksad (2.4: the IKE SA
 * and everything it created are gone).
 */
void ike_sa_dead(struct ike_sa *sa)
{
	int i;

	for (i = 0; i < IKE_MAX_CHILDREN; i++) {
		if (sa->child_up[i] && sa->state != IKE_REKEYED)
			sa->k->del(sa->k->ctx, &sa->child[i], true);
		sa->child_up[i] = false;
	}
	if (sa->has_old && sa->state != IKE_REKEYED)
		sa->k->del(sa->k->ctx, &sa->old, false);
	sa->has_old = false;
	if (sa->has_extra && sa->state != IKE_REKEYED)
		sa->k->del(sa->k->ctx, &sa->extra, false);
	sa->has_extra = false;
	sa->collided = IKE_COLL_NONE;
	sa->pending = IKE_REQ_NONE;
	sa->state = IKE_DELETED;
}

void ike_sa_free(struct ike_sa *sa)
{
	ike_dh_free(&sa->dh);
	ike_dh_free(&sa->xdh);
	OPENSSL_cleanse(sa, sizeof(*sa));
}
