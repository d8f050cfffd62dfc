// SPDX-License-Identifier: GPL-2.0
/*
 * A datagram from a peer: to which connection it belongs (its IKE SA's
 * SPIs, or a new IKE_SA_INIT's source address), then into that
 * connection's IKE SA, with what the daemon does around the engine: a
 * retransmitted IKE_SA_INIT answered again, a new responder SA (with a
 * COOKIE demanded when too many are half open), floating to the NAT-T
 * port when a NAT is found (RFC 7296 2.23).
 */
#include <string.h>

#include "daemon.h"

/* Count (and forget the stale) half-open SAs; @spi: add it, or 0. */
static int half_open(struct daemon *d, uint64_t add, uint64_t done)
{
	long long now = now_ms();
	int i, n = 0, free_at = -1;

	for (i = 0; i < 16; i++) {
		if (d->half_open[i].spi &&
		    (now - d->half_open[i].at > HALF_OPEN_S * 1000 ||
		     d->half_open[i].spi == done))
			d->half_open[i].spi = 0;
		if (d->half_open[i].spi)
			n++;
		else if (free_at < 0)
			free_at = i;
	}
	if (add) {
		/* full: the oldest goes */
		if (free_at < 0)
			for (free_at = 0, i = 1; i < 16; i++)
				if (d->half_open[i].at < d->half_open[free_at].at)
					free_at = i;
		d->half_open[free_at].spi = add;
		d->half_open[free_at].at = now;
		n++;
	}
	return n;
}

/* One datagram from the peer. Return: 0 go on, 1 exit 0, 2 exit 1. */
int daemon_receive(struct daemon *d, bool natt, uint8_t *in, size_t n,
		   const struct sockaddr_storage *from, socklen_t flen)
{
	static uint8_t out[65536];
	struct ike_sa *sa = d->sa;
	enum ike_state before;
	uint64_t spi_i = 0, spi_r = 0;
	size_t len = 0, i;
	int rc;

	if (n < IKE_HDR_LEN)
		return 0;
	say_at(2, "received exchange %u %s, message ID %u, %zu bytes", in[18],
	       in[19] & IKE_FLAG_RESPONSE ? "response" : "request",
	       (unsigned int)in[20] << 24 | (unsigned int)in[21] << 16 |
	       (unsigned int)in[22] << 8 | in[23], n);
	for (i = 0; i < 8; i++) {
		spi_i = spi_i << 8 | in[i];
		spi_r = spi_r << 8 | in[8 + i];
	}
	if (d->old && spi_i == d->old->spi_i && spi_r == d->old->spi_r)
		sa = d->old;
	before = sa->state;
	if (!sa->initiator && (sa->state == IKE_INIT_DONE || sa->state == IKE_ESTABLISHED) &&
	    in[18] == IKE_SA_INIT && !(in[19] & IKE_FLAG_RESPONSE) &&
	    !memcmp(in, sa->init_req, 8)) {
		/* a retransmitted IKE_SA_INIT request: our answer again */
		send_ike(d->fds[natt], natt, sa->init_resp, sa->init_resp_len, from, flen);
		return 0;
	}
	d->to = *from;
	d->to_len = flen;
	d->to_natt = natt;
	if ((sa->state == IKE_IDLE || sa->state == IKE_FAILED || sa->state == IKE_DELETED ||
	     (!sa->initiator && sa->state == IKE_ESTABLISHED && !d->old)) &&
	    in[18] == IKE_SA_INIT && !(in[19] & IKE_FLAG_RESPONSE) && !spi_r) {
		struct ike_addr fa;

		if (sa->state == IKE_ESTABLISHED)
			ike_sa_dead(sa);	/* the peer started over */
		to_ike_addr(from, &fa);
		sa = d->sa = &d->sas[0];
		ike_sa_free(sa);
		d->cfg.cookies = half_open(d, 0, 0) >= d->cookie_threshold;
		rc = ike_sa_respond(sa, &d->cfg, &d->k, &fa, in, n, out, sizeof(out), &len);
		if (sa->state == IKE_INIT_DONE)
			half_open(d, sa->spi_i, 0);
		before = IKE_IDLE;
		sa->natt = natt;
		sa->natt_local_port = d->nport;
		sa->natt_peer_port = port_of(from);
	} else {
		if (natt && !sa->natt) {
			sa->natt = true;
			sa->natt_local_port = d->nport;
			sa->natt_peer_port = port_of(from);
		}
		sa->successor = d->old ? NULL : &d->sas[!daemon_slot(d, d->sa)];
		rc = ike_sa_input(sa, in, n, out, sizeof(out), &len);
	}
	if (len && sa->initiator && sa->nat_detected && !natt && sa->state == IKE_AUTH_SENT) {
		/* a NAT between us: IKE_AUTH and the rest go to 4500 */
		struct ike_addr r = d->cfg.remote;

		r.port = d->nport;
		d->to_len = to_sockaddr(&r, &d->to);
		d->to_natt = true;
		sa->natt = true;
		sa->natt_local_port = d->nport;
		sa->natt_peer_port = d->nport;
		say("NAT detected, floating to port %u", d->nport);
	}
	if (!daemon_awaiting(sa))
		d->due[daemon_slot(d, sa)] = 0;
	if (before == IKE_INIT_DONE && sa->state != IKE_INIT_DONE)
		half_open(d, 0, sa->spi_i);
	daemon_report(d, sa, before);
	daemon_emit(d, sa, out, len);
	if (rc || sa->state == IKE_FAILED) {
		say_at(0, "failed: %s (notify %u)", sa->why ? sa->why : "?", sa->notify);
		if (sa->initiator && (before == IKE_INIT_SENT || before == IKE_AUTH_SENT) &&
		    !d->stay)
			return 2;
		return d->once ? 2 : 0;
	}
	if (d->once && sa->state == IKE_ESTABLISHED && before != IKE_ESTABLISHED)
		return 1;
	if (sa == d->sa && sa->state == IKE_DELETED && d->initiate && !d->on_demand &&
	    !d->stay)
		return 1;
	return 0;
}

/*
 * The connection a datagram is for: the one whose IKE SA has its SPIs, or
 * for a new IKE_SA_INIT request the first whose peer has its source address.
 */
struct daemon *daemon_route(struct daemon *conns, int n, const uint8_t *in, size_t len,
			    const struct sockaddr_storage *from)
{
	uint64_t spi_i = 0, spi_r = 0;
	struct ike_addr fa;
	int c, s;
	size_t i;

	if (n == 1)
		return conns;
	if (len < IKE_HDR_LEN)
		return NULL;
	for (i = 0; i < 8; i++) {
		spi_i = spi_i << 8 | in[i];
		spi_r = spi_r << 8 | in[8 + i];
	}
	for (c = 0; c < n; c++)
		for (s = 0; s < 2; s++) {
			const struct ike_sa *sa = &conns[c].sas[s];

			if (sa->state != IKE_IDLE && sa->spi_i == spi_i &&
			    (sa->spi_r == spi_r || !spi_r || !sa->spi_r))
				return &conns[c];
		}
	if (in[18] != IKE_SA_INIT || (in[19] & IKE_FLAG_RESPONSE) || spi_r)
		return NULL;
	to_ike_addr(from, &fa);
	for (c = 0; c < n; c++)
		if (conns[c].cfg.remote.family == fa.family &&
		    !memcmp(conns[c].cfg.remote.a, fa.a, fa.family == AF_INET ? 4 : 16))
			return &conns[c];
	return NULL;
}
