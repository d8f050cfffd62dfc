// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-ike's engine (ikesa.c and the exchanges) against itself, in one process: an
 * initiator and a responder exchange IKE_SA_INIT and IKE_AUTH through
 * buffers, with a kernel stub that records the SAD operations.  TAP.
 * (Interop with strongSwan is a lab test.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../ikesa.h"
#include "../../lib/tap.h"

struct stub {
	char name;		/* 'I' or 'R' */
	char *log;		/* shared: "I:GETSPI R:ADD ..." */
	uint32_t next_spi;
};

static int st_getspi(void *ctx, const struct ike_child *c, uint32_t *spi)
{
	struct stub *s = ctx;

	(void)c;
	*spi = s->next_spi++;
	sprintf(s->log + strlen(s->log), "%c:GETSPI(%x) ", s->name, *spi);
	return 0;
}

static int st_update(void *ctx, struct ike_child *c)
{
	struct stub *s = ctx;

	sprintf(s->log + strlen(s->log), "%c:UPDATE(%x) ", s->name, c->spi_in);
	return 0;
}

static int st_add(void *ctx, struct ike_child *c)
{
	struct stub *s = ctx;

	sprintf(s->log + strlen(s->log), "%c:ADD(%x) ", s->name, c->spi_out);
	return 0;
}

static int st_del(void *ctx, const struct ike_child *c, bool policies)
{
	struct stub *s = ctx;

	sprintf(s->log + strlen(s->log), "%c:DELETE(%x,%x%s) ", s->name, c->spi_in,
		c->spi_out, policies ? ",pol" : "");
	return 0;
}

static void cfg_init(struct ike_cfg *c, bool initiator)
{
	memset(c, 0, sizeof(*c));
	c->local.family = c->remote.family = AF_INET;
	inet_pton(AF_INET, initiator ? "10.0.0.1" : "10.0.0.2", c->local.a);
	inet_pton(AF_INET, initiator ? "10.0.0.2" : "10.0.0.1", c->remote.a);
	c->local.port = c->remote.port = 500;
	strcpy(c->local_id, initiator ? "alice@lab" : "gw.lab");
	strcpy(c->remote_id, initiator ? "gw.lab" : "alice@lab");
	memcpy(c->psk, "a lab secret", 12);
	c->psk_len = 12;
	c->ike[0] = (struct ike_suite){ IKE_ENCR_AES_GCM_16, 256, 0, IKE_PRF_HMAC_SHA2_256, 19 };
	c->ike[1] = (struct ike_suite){ IKE_ENCR_AES_CBC, 128, IKE_INTEG_SHA256_128,
					IKE_PRF_HMAC_SHA2_256, 14 };
	c->n_ike = 2;
	c->esp[0] = (struct esp_suite){ IKE_ENCR_AES_GCM_16, 128, 0, 0 };
	c->n_esp = 1;
	c->mode = 2;
	c->reqid = 1;
	c->local_ts.type = c->remote_ts.type = 7;
	c->local_ts.end_port = c->remote_ts.end_port = 65535;
	c->local_ts.start[0] = c->local_ts.end[0] = 10;
	c->remote_ts.start[0] = c->remote_ts.end[0] = 10;
	c->local_ts.start[1] = c->local_ts.end[1] = initiator ? 1 : 2;
	c->remote_ts.start[1] = c->remote_ts.end[1] = initiator ? 2 : 1;
	c->local_ts.end[3] = c->remote_ts.end[3] = 255;
}

/* Run the exchange; returns the number of datagrams that went. */
static int run(struct ike_sa *i, struct ike_sa *r, struct ike_cfg *ci,
	       struct ike_cfg *cr, struct ike_kernel *ki, struct ike_kernel *kr)
{
	static uint8_t a[4096], b[4096];
	size_t alen, blen;
	int n = 1;

	if (ike_sa_initiate(i, ci, ki, a, sizeof(a), &alen))
		return 0;
	for (;;) {
		if (r->state == IKE_IDLE || r->state == IKE_FAILED) {
			ike_sa_free(r);
			ike_sa_respond(r, cr, kr, &ci->local, a, alen, b, sizeof(b), &blen);
		} else {
			ike_sa_input(r, a, alen, b, sizeof(b), &blen);
		}
		if (!blen)
			return n;
		n++;
		if (ike_sa_input(i, b, blen, a, sizeof(a), &alen) || !alen)
			return n;
		n++;
		if (n > 10)
			return n;
	}
}

/*
 * Deliver @msg (sent by @from) to @to, their answers back, and so on until
 * nothing more is sent; return how many messages went.  Each side's input
 * is a copy: the engine must not rely on the buffer afterwards.
 */
static int pump(struct ike_sa *from, struct ike_sa *to, const uint8_t *msg, size_t len)
{
	static uint8_t buf[2][8192];
	struct ike_sa *side[2] = { to, from };
	int n = 0, k = 0;

	memcpy(buf[0], msg, len);
	while (len && n < 10) {
		size_t olen = 0;

		ike_sa_input(side[k], buf[k], len, buf[!k], sizeof(buf[0]), &olen);
		n++;
		len = olen;
		k = !k;
	}
	return n;
}

static bool keys_cross(const struct ike_child *a, const struct ike_child *b)
{
	size_t one = a->enc_len + a->integ_len;

	return a->spi_out == b->spi_in && a->spi_in == b->spi_out && one &&
	       !memcmp(a->key_out, b->key_in, one) && !memcmp(a->key_in, b->key_out, one) &&
	       memcmp(a->key_in, a->key_out, one);
}

/* After IKE_AUTH: liveness, rekeys and deletes, as both sides' requests. */
static void established(struct ike_cfg *ci, struct ike_cfg *cr, struct ike_kernel *ki,
			struct ike_kernel *kr, char *log)
{
	static struct ike_sa i, r, i2, r2;
	static uint8_t a[8192], b[8192], c[8192];
	struct ike_child old_i, old_r;
	size_t alen, blen, clen, dlen, rlen;
	char want[512];
	int n;

	run(&i, &r, ci, cr, ki, kr);
	i.successor = &i2;
	r.successor = &r2;

	/* liveness check, and a retransmitted request answered from the cache */
	ok(!ike_sa_request(&i, IKE_REQ_DPD, a, sizeof(a), &alen) &&
	   ike_sa_request(&i, IKE_REQ_DPD, c, sizeof(c), &clen) == -EBUSY,
	   "a liveness check goes; a second request waits for its answer (window of one)");
	ike_sa_input(&r, a, alen, b, sizeof(b), &blen);
	ike_sa_input(&r, a, alen, c, sizeof(c), &rlen);
	ok(blen && rlen == blen && !memcmp(b, c, blen) && r.peer_id == 3,
	   "the same request twice: the same answer twice, handled once");
	ike_sa_input(&i, b, blen, c, sizeof(c), &clen);
	ok(!clen && strstr(i.event, "alive") && !i.pending && i.req_id == 3,
	   "the answer: the peer is alive (%s)", i.event);
	ike_sa_input(&i, b, blen, c, sizeof(c), &clen);
	ok(!clen && !i.event[0] && i.req_id == 3, "the answer again: ignored");

	/* CHILD rekey by the initiator, no PFS */
	log[0] = 0;
	old_i = i.child[0];
	old_r = r.child[0];
	ok(!ike_sa_request(&i, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen),
	   "CHILD rekey requested");
	n = pump(&i, &r, a, alen);
	snprintf(want, sizeof(want), "I:GETSPI(%x) R:ADD(%x) R:GETSPI(%x) R:UPDATE(%x) "
		 "I:UPDATE(%x) I:ADD(%x) R:DELETE(%x,%x) I:DELETE(%x,%x) ",
		 i.child[0].spi_in, i.child[0].spi_in, r.child[0].spi_in, r.child[0].spi_in,
		 i.child[0].spi_in, r.child[0].spi_in, old_r.spi_in, old_r.spi_out,
		 old_i.spi_in, old_i.spi_out);
	ok(n == 4 && !strcmp(log, want),
	   "CHILD rekey: new pair in the seed's order, then the old pair leaves both sides "
	   "(policies stay): %d messages, %s", n, log);
	ok(keys_cross(&i.child[0], &r.child[0]) && i.child[0].spi_in != old_i.spi_in &&
	   memcmp(i.child[0].key_in, old_i.key_in, i.child[0].enc_len) &&
	   !i.has_old && !r.has_old && i.child_up[0] && r.child_up[0] && i.child[0].rekey,
	   "the new CHILD SA: SPIs and fresh keys cross over; no old SA left");

	/* CHILD rekey by the responder, with PFS (ECP-256) */
	log[0] = 0;
	ci->esp[0].dh = cr->esp[0].dh = 19;
	ok(!ike_sa_request(&r, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen) &&
	   pump(&r, &i, a, alen) == 4 && keys_cross(&i.child[0], &r.child[0]) &&
	   strstr(i.event, "old CHILD SA deleted") && !r.has_old && !i.has_old,
	   "CHILD rekey by the responder with PFS: keys cross over, old pair gone");
	snprintf(want, sizeof(want), "R:GETSPI(%x) I:ADD(%x) I:GETSPI(%x) I:UPDATE(%x) "
		 "R:UPDATE(%x) R:ADD(%x) ", r.child[0].spi_in, r.child[0].spi_in, i.child[0].spi_in,
		 i.child[0].spi_in, r.child[0].spi_in, i.child[0].spi_in);
	ok(!strncmp(log, want, strlen(want)), "... in the seed's order: %s", log);
	ci->esp[0].dh = 0;
	old_r = r.child[0];
	log[0] = 0;
	ok(!ike_sa_request(&r, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen) &&
	   pump(&r, &i, a, alen) == 2 && strstr(r.event, "refused") &&
	   r.child[0].spi_in == old_r.spi_in && !strncmp(log, "R:GETSPI", 8) &&
	   strstr(log, ",0) ") && strstr(log, "R:DELETE"),
	   "PFS wanted, the peer without: refused, the larval SA deleted (%s)", r.event);
	cr->esp[0].dh = 0;

	/*
	 * Both sides rekey the CHILD SA at once (2.25.1): each answers the
	 * other as usual, and when its own answer comes the exchange with the
	 * lowest of the four nonces made the redundant SA (2.8.1): the side
	 * that asked for it deletes it, the other side deletes the old pair.
	 * Twice 12 rounds: the Deletes after both answers, or one side's
	 * Delete before the other side's answer.
	 */
	{
		struct stub *si = ki->ctx, *sr = kr->ctx;
		int round, fine = 0, i_won = 0, r_won = 0, early = 0;
		static uint8_t d[8192];

		for (round = 0; round < 24; round++) {
			uint32_t own_i = si->next_spi, own_r = sr->next_spi;
			bool i_loses;
			int dels = 0;
			char *p;

			log[0] = 0;
			old_i = i.child[0];
			ike_sa_request(&i, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen);
			ike_sa_request(&r, IKE_REQ_REKEY_CHILD, b, sizeof(b), &blen);
			ike_sa_input(&r, a, alen, c, sizeof(c), &clen);	/* r answers i's */
			ike_sa_input(&i, b, blen, d, sizeof(d), &dlen);	/* i answers r's */
			if (!clen || !dlen || !i.collided || !r.collided)
				break;
			/* r.coll_low is the lower nonce of i's exchange, and back */
			i_loses = memcmp(r.coll_low, i.coll_low, r.coll_low_len) < 0;
			ike_sa_input(&i, c, clen, a, sizeof(a), &alen);	/* i settles */
			if (round % 2) {
				/* i's Delete reaches r before r's answer does */
				ike_sa_input(&r, a, alen, b, sizeof(b), &blen);
				early += r.collided == IKE_COLL_OLD_GONE ||
					 r.collided == IKE_COLL_THEIRS_GONE;
				ike_sa_input(&i, b, blen, a, sizeof(a), &alen);
				ike_sa_input(&r, d, dlen, b, sizeof(b), &blen);	/* r settles */
				pump(&r, &i, b, blen);
			} else {
				ike_sa_input(&r, d, dlen, b, sizeof(b), &blen);	/* r settles */
				pump(&i, &r, a, alen);
				pump(&r, &i, b, blen);
			}
			for (p = log; (p = strstr(p, "DELETE(")); p++)
				dels++;
			if (i.child_up[0] && r.child_up[0] && keys_cross(&i.child[0], &r.child[0]) &&
			    !i.has_old && !r.has_old && !i.has_extra && !r.has_extra &&
			    !i.collided && !r.collided && !i.pending && !r.pending &&
			    i.child[0].spi_in != old_i.spi_in && dels == 4 && !strstr(log, ",pol") &&
			    /* the survivor: the exchange whose lower nonce is higher */
			    i.child[0].spi_in == (i_loses ? own_i + 1 : own_i) &&
			    r.child[0].spi_in == (i_loses ? own_r : own_r + 1))
				fine++;
			else
				printf("#   round %d: %s\n", round, log);
			i_won += !i_loses;
			r_won += i_loses;
		}
		ok(fine == 24 && i_won && r_won && early == 12,
		   "colliding CHILD rekeys, 24 rounds: both answered, the lowest nonce's SA and "
		   "the old pair deleted (policies stay), one pair left, keys cross "
		   "(%d fine; won by the initiator %d, the responder %d; a Delete before the "
		   "answer %d)", fine, i_won, r_won, early);
	}

	/* 2.25.1: a rekey of the CHILD SA we are deleting: TEMPORARY_FAILURE */
	ike_sa_request(&i, IKE_REQ_DELETE_CHILD, a, sizeof(a), &alen);
	ike_sa_request(&r, IKE_REQ_REKEY_CHILD, b, sizeof(b), &blen);
	ike_sa_input(&i, b, blen, c, sizeof(c), &clen);
	ok(strstr(i.event, "that CHILD SA is being deleted") && clen,
	   "a rekey of the CHILD SA we are deleting: refused (%s)", i.event);
	log[0] = 0;
	ike_sa_input(&r, c, clen, b, sizeof(b), &blen);
	ok(strstr(r.event, "refused") && strstr(log, "R:DELETE") && !blen,
	   "... TEMPORARY_FAILURE: the peer drops its larval SA (%s)", r.event);
	ike_sa_input(&r, a, alen, b, sizeof(b), &blen);
	ike_sa_input(&i, b, blen, a, sizeof(a), &alen);
	ok(!i.child_up[0] && !r.child_up[0] && !i.pending,
	   "... and the Delete goes through on both sides");
	ok(!ike_sa_new_child(&i, &ci->local_ts, &ci->remote_ts, a, sizeof(a), &alen) &&
	   pump(&i, &r, a, alen) == 2 && i.child_up[0] && r.child_up[0] &&
	   keys_cross(&i.child[0], &r.child[0]),
	   "a new CHILD SA in its place");

	/* a second CHILD SA (1.3.1), for part of the selectors */
	{
		struct ike_ts lts = ci->local_ts, rts = ci->remote_ts;

		lts.end[3] = rts.end[3] = 127;
		log[0] = 0;
		old_i = i.child[0];
		ok(!ike_sa_new_child(&i, &lts, &rts, a, sizeof(a), &alen) &&
		   pump(&i, &r, a, alen) == 2 && i.child_up[1] && r.child_up[1] &&
		   keys_cross(&i.child[1], &r.child[1]) && !i.has_old,
		   "a new CHILD SA beside the first: two messages, keys cross over");
		snprintf(want, sizeof(want), "I:GETSPI(%x) R:ADD(%x) R:GETSPI(%x) R:UPDATE(%x) "
			 "I:UPDATE(%x) I:ADD(%x) ", i.child[1].spi_in, i.child[1].spi_in,
			 r.child[1].spi_in, r.child[1].spi_in, i.child[1].spi_in,
			 r.child[1].spi_in);
		ok(!strcmp(log, want) && i.child[1].reqid == ci->reqid + 1 &&
		   r.child[1].reqid == cr->reqid + 1 && !i.child[1].rekey &&
		   i.child[1].ts_local.end[3] == 127 && r.child[1].ts_remote.end[3] == 127,
		   "... in the seed's order, with its own reqid and selectors: %s", log);
		ok(!memcmp(&i.child[0], &old_i, sizeof(old_i)) && i.child_up[0],
		   "... the first CHILD SA untouched");
		r.target = 1;
		log[0] = 0;
		ok(!ike_sa_request(&r, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen) &&
		   pump(&r, &i, a, alen) == 4 && keys_cross(&i.child[1], &r.child[1]) &&
		   i.child[1].reqid == ci->reqid + 1 &&
		   !memcmp(&i.child[0], &old_i, sizeof(old_i)),
		   "the second CHILD SA rekeyed by the responder; the first untouched: %s", log);
		r.target = 0;
	}

	/* IKE rekey by the responder: the CHILD SA moves to the new IKE SA */
	log[0] = 0;
	old_i = i.child[0];
	ok(!ike_sa_request(&r, IKE_REQ_REKEY_IKE, a, sizeof(a), &alen) &&
	   pump(&r, &i, a, alen) == 4,
	   "IKE rekey: CREATE_CHILD_SA, then the old IKE SA's Delete, four messages");
	ok(i.state == IKE_DELETED && r.state == IKE_DELETED && i2.state == IKE_ESTABLISHED &&
	   r2.state == IKE_ESTABLISHED && i2.spi_i == r2.spi_i && i2.spi_r == r2.spi_r &&
	   i2.spi_i != i.spi_i && r2.initiator && !i2.initiator,
	   "old IKE SAs deleted; new one with new SPIs, its initiator the rekey's");
	ok(!memcmp(i2.ki.ekey, r2.ki.ekey, i2.ki.ekey_len) &&
	   memcmp(i2.ki.ekey, i.ki.ekey, i2.ki.ekey_len) &&
	   !memcmp(i2.sk_d, r2.sk_d, IKE_PRF_LEN) && memcmp(i2.sk_d, i.sk_d, IKE_PRF_LEN),
	   "new IKE keys: equal on both sides, not the old ones");
	ok(!log[0] && i2.child_up[0] && r2.child_up[0] && i2.child[0].spi_in == old_i.spi_in &&
	   i2.child_up[1] && r2.child_up[1],
	   "both CHILD SAs moved over untouched (no SAD operation): %s", log);
	ok(!ike_sa_request(&i2, IKE_REQ_DPD, a, sizeof(a), &alen) &&
	   pump(&i2, &r2, a, alen) == 2 && strstr(i2.event, "alive") && i2.req_id == 1,
	   "the new IKE SA carries a liveness check, message IDs from 0");
	i2.successor = &i;
	r2.successor = &r;
	ok(!ike_sa_request(&i2, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen) &&
	   pump(&i2, &r2, a, alen) == 4 && keys_cross(&i2.child[0], &r2.child[0]),
	   "a CHILD rekey on the new IKE SA (keys from its SK_d)");

	/* delete the CHILD SA, then the IKE SA */
	log[0] = 0;
	ok(!ike_sa_request(&r2, IKE_REQ_DELETE_CHILD, a, sizeof(a), &alen) &&
	   pump(&r2, &i2, a, alen) == 2 && !i2.child_up[0] && !r2.child_up[0] &&
	   i2.child_up[1] && r2.child_up[1] &&
	   strstr(log, ",pol) ") && strstr(log, "I:DELETE") && strstr(log, "R:DELETE"),
	   "Delete of the CHILD SA: both pairs and their policies leave: %s", log);
	ok(ike_sa_request(&r2, IKE_REQ_REKEY_CHILD, a, sizeof(a), &alen) == -EINVAL,
	   "no CHILD SA: nothing to rekey");
	log[0] = 0;
	ok(!ike_sa_request(&i2, IKE_REQ_DELETE_IKE, a, sizeof(a), &alen) &&
	   pump(&i2, &r2, a, alen) == 2 && i2.state == IKE_DELETED && r2.state == IKE_DELETED &&
	   !i2.child_up[1] && !r2.child_up[1] && strstr(log, "I:DELETE") &&
	   strstr(log, "R:DELETE"),
	   "Delete of the IKE SA: gone on both sides, its other CHILD SA with it: %s", log);
	ike_sa_free(&i);
	ike_sa_free(&r);
	ike_sa_free(&i2);
	ike_sa_free(&r2);
}

int main(void)
{
	static struct ike_sa i, r;
	struct ike_cfg ci, cr;
	char log[512] = "";
	struct stub si = { 'I', log, 0x1000 }, sr = { 'R', log, 0x2000 };
	struct ike_kernel ki = { st_getspi, st_update, st_add, st_del, &si };
	struct ike_kernel kr = { st_getspi, st_update, st_add, st_del, &sr };
	int n;

	cfg_init(&ci, true);
	cfg_init(&cr, false);
	n = run(&i, &r, &ci, &cr, &ki, &kr);
	if (i.state == IKE_FAILED)
		printf("# initiator: %s (%u)\n", i.why, i.notify);
	ok(n == 4 && i.state == IKE_ESTABLISHED && r.state == IKE_ESTABLISHED,
	   "IKE_SA_INIT and IKE_AUTH: both established in four messages (%d)", n);
	ok(!strcmp(log, "I:GETSPI(1000) R:ADD(1000) R:GETSPI(2000) R:UPDATE(2000) "
		   "I:UPDATE(1000) I:ADD(2000) "),
	   "SAD operations in the seed's order: %s", log);
	ok(!i.nat_detected && !r.nat_detected && !i.child[0].encap && !r.child[0].encap,
	   "no NAT between them: none detected, no UDP encapsulation");
	ok(i.suite.dh == 19 && i.suite.encr == IKE_ENCR_AES_GCM_16 &&
	   r.suite.dh == 19, "the first proposal (AES-GCM-256, ECP-256) was chosen");
	ok(i.child[0].spi_out == r.child[0].spi_in && r.child[0].spi_out == i.child[0].spi_in &&
	   i.child[0].enc_len == 20 &&
	   !memcmp(i.child[0].key_out, r.child[0].key_in, 20) &&
	   !memcmp(i.child[0].key_in, r.child[0].key_out, 20) &&
	   memcmp(i.child[0].key_in, i.child[0].key_out, 20),
	   "CHILD SA: SPIs and keys cross over, the two directions differ");
	ok(i.child[0].ts_local.start[1] == 1 && i.child[0].ts_remote.start[1] == 2 &&
	   r.child[0].ts_local.start[1] == 2 && r.child[0].ts_remote.start[1] == 1,
	   "traffic selectors: 10.1/24 <-> 10.2/24 on both sides");
	ike_sa_free(&i);
	ike_sa_free(&r);

	/* the responder takes only MODP-2048: INVALID_KE_PAYLOAD, then a retry */
	log[0] = 0;
	cr.ike[0] = cr.ike[1];
	cr.n_ike = 1;
	n = run(&i, &r, &ci, &cr, &ki, &kr);
	ok(n == 6 && i.state == IKE_ESTABLISHED && i.suite.dh == 14 &&
	   i.suite.encr == IKE_ENCR_AES_CBC && r.state == IKE_ESTABLISHED,
	   "INVALID_KE_PAYLOAD: retried with MODP-2048, AES-CBC + SHA-256 (%d messages)", n);
	ike_sa_free(&i);
	ike_sa_free(&r);

	/* a NAT: the responder sees the initiator at 192.0.2.7:1024 */
	{
		static uint8_t a[4096], b[4096];
		struct ike_addr nat = { .family = AF_INET, .a = { 192, 0, 2, 7 }, .port = 1024 };
		size_t alen, blen;

		cfg_init(&cr, false);
		ike_sa_initiate(&i, &ci, &ki, a, sizeof(a), &alen);
		ike_sa_respond(&r, &cr, &kr, &nat, a, alen, b, sizeof(b), &blen);
		ike_sa_input(&i, b, blen, a, sizeof(a), &alen);
		ok(r.nat_detected && i.nat_detected && i.state == IKE_AUTH_SENT,
		   "behind a NAT: both sides detect it from NAT_DETECTION_*_IP");
		ike_sa_free(&i);
		ike_sa_free(&r);
	}

	/* COOKIE: the initiator sends its request again, the cookie first */
	{
		static uint8_t a[4096], b[4096], c[4096];
		struct ike_hdr h;
		struct ike_builder bb;
		struct ike_msg m1, m2;
		uint8_t ck[4 + 16] = { 0, 0, 0x40, 0x06 };
		size_t alen, blen, clen;

		cfg_init(&cr, false);
		ike_sa_initiate(&i, &ci, &ki, a, sizeof(a), &alen);
		h = (struct ike_hdr){ .spi_i = i.spi_i, .exchange = IKE_SA_INIT,
				      .flags = IKE_FLAG_RESPONSE };
		memset(ck + 4, 0x77, 16);
		ike_build_start(&bb, b, sizeof(b), &h);
		ike_build_payload(&bb, IKE_PL_NOTIFY, false, ck, sizeof(ck));
		blen = ike_build_end(&bb);
		ike_sa_input(&i, b, blen, c, sizeof(c), &clen);
		ok(clen && ike_msg_parse(c, clen, &m2) == IKE_OK &&
		   ike_msg_parse(a, alen, &m1) == IKE_OK &&
		   m2.n == m1.n + 1 && m2.p[0].type == IKE_PL_NOTIFY &&
		   m2.p[0].len == sizeof(ck) && !memcmp(m2.p[0].body, ck, sizeof(ck)) &&
		   m2.p[1].len == m1.p[0].len && !memcmp(m2.p[1].body, m1.p[0].body, m1.p[0].len),
		   "COOKIE: the request again, with the cookie as its first payload");
		/* the responder takes the retried request */
		ike_sa_respond(&r, &cr, &kr, &ci.local, c, clen, b, sizeof(b), &blen);
		ok(r.state == IKE_INIT_DONE, "... and the responder answers the retried request");
		ike_sa_free(&i);
		ike_sa_free(&r);
	}

	/* an ACQUIRE's packet as the first selectors (2.9): not narrowed to it */
	{
		static uint8_t a[4096], b[4096];
		size_t alen, blen;

		cfg_init(&cr, false);
		ike_sa_initiate(&i, &ci, &ki, a, sizeof(a), &alen);
		i.pkt_ts = true;
		i.pkt_local = ci.local_ts;
		i.pkt_remote = ci.remote_ts;
		i.pkt_local.start[3] = i.pkt_local.end[3] = 5;
		i.pkt_remote.start[3] = i.pkt_remote.end[3] = 9;
		i.pkt_local.proto = i.pkt_remote.proto = 1;
		ike_sa_respond(&r, &cr, &kr, &ci.local, a, alen, b, sizeof(b), &blen);
		ike_sa_input(&i, b, blen, a, sizeof(a), &alen);
		ike_sa_input(&r, a, alen, b, sizeof(b), &blen);
		ike_sa_input(&i, b, blen, a, sizeof(a), &alen);
		ok(i.state == IKE_ESTABLISHED && r.state == IKE_ESTABLISHED &&
		   r.child[0].ts_remote.start[3] == 0 && r.child[0].ts_remote.end[3] == 255 &&
		   r.child[0].ts_local.end[3] == 255 && r.child[0].ts_remote.proto == 0 &&
		   i.child[0].ts_local.end[3] == 255,
		   "the packet's selectors first: the responder takes the widest "
		   "intersection, the whole /24, not the packet's /32");
		ike_sa_free(&i);
		ike_sa_free(&r);
	}

	/* a responder that demands COOKIEs (2.6) */
	cfg_init(&cr, false);
	cr.cookies = true;
	cr.cookie_version = 1;
	memset(cr.cookie_secret, 0x5a, sizeof(cr.cookie_secret));
	n = run(&i, &r, &ci, &cr, &ki, &kr);
	ok(n == 6 && i.state == IKE_ESTABLISHED && r.state == IKE_ESTABLISHED,
	   "a responder demanding COOKIEs: the initiator retries with it, "
	   "established in six messages (%d)", n);
	ike_sa_free(&i);
	ike_sa_free(&r);
	{
		static uint8_t a[4096], b[4096], c[4096];
		struct ike_addr other = { .family = AF_INET, .a = { 192, 0, 2, 9 }, .port = 500 };
		struct ike_msg m;
		size_t alen, blen, clen;

		ike_sa_initiate(&i, &ci, &ki, a, sizeof(a), &alen);
		ike_sa_respond(&r, &cr, &kr, &ci.local, a, alen, b, sizeof(b), &blen);
		ok(r.state == IKE_IDLE && !ike_msg_parse(b, blen, &m) && m.n == 1 &&
		   m.p[0].type == IKE_PL_NOTIFY && m.p[0].len == 4 + 33 && strstr(r.event, "COOKIE"),
		   "no cookie yet: the answer is a COOKIE notify only, nothing kept");
		ike_sa_input(&i, b, blen, c, sizeof(c), &clen);
		ike_sa_free(&r);
		ike_sa_respond(&r, &cr, &kr, &other, c, clen, b, sizeof(b), &blen);
		ok(r.state == IKE_IDLE && blen,
		   "the cookie from another address: refused, a new COOKIE sent");
		ike_sa_free(&r);
		/* the nonce is the hash's input too */
		if (!ike_msg_parse(c, clen, &m) && ike_msg_find(&m, IKE_PL_NONCE, NULL))
			c[ike_msg_find(&m, IKE_PL_NONCE, NULL)->body - c] ^= 1;
		ike_sa_respond(&r, &cr, &kr, &ci.local, c, clen, b, sizeof(b), &blen);
		ok(r.state == IKE_IDLE, "a changed nonce: the cookie no longer fits");
		ike_sa_free(&i);
		ike_sa_free(&r);
	}
	cfg_init(&cr, false);

	established(&ci, &cr, &ki, &kr, log);

	/* a wrong PSK */
	cfg_init(&cr, false);
	cr.psk[0] ^= 1;
	log[0] = 0;
	n = run(&i, &r, &ci, &cr, &ki, &kr);
	ok(r.state == IKE_FAILED && r.notify == 24 && i.state == IKE_FAILED &&
	   i.notify == 24 && !strstr(log, "R:"),
	   "a wrong PSK: AUTHENTICATION_FAILED on both sides, nothing keyed by the responder");
	ike_sa_free(&i);
	ike_sa_free(&r);

	/* selectors that do not meet */
	cfg_init(&cr, false);
	cr.remote_ts.start[1] = cr.remote_ts.end[1] = 3;
	n = run(&i, &r, &ci, &cr, &ki, &kr);
	ok(r.state == IKE_FAILED && r.notify == 38 && i.state == IKE_FAILED && i.notify == 38,
	   "disjoint traffic selectors: TS_UNACCEPTABLE");
	ike_sa_free(&i);
	ike_sa_free(&r);

	/* narrowing: the responder's 10.1.0.0/25 inside the initiator's /24 */
	{
		struct ike_ts prop = ci.local_ts, mine = cr.remote_ts, out;

		cfg_init(&cr, false);
		mine = cr.remote_ts;
		mine.end[3] = 127;
		mine.proto = 17;
		ok(ike_ts_narrow(&prop, &mine, &out) && out.end[3] == 127 && out.proto == 17 &&
		   out.start_port == 0 && out.end_port == 65535,
		   "TS narrowing: a /24 offer narrowed to our /25, UDP");
	}
	return tap_done();
}
