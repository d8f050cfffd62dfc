// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ksad-ike's engine on an arbitrary datagram, as a
 * responder meets it (ike_sa_respond: proposal choice, KE, nonce, NAT
 * detection), then as an IKE SA in each waiting state would (ike_sa_input).
 * And past the encryption: an established IKE SA (made once, by two engines
 * talking) gets the input as the decrypted payloads of a CREATE_CHILD_SA or
 * INFORMATIONAL request, or of the answer to a request of its own (liveness,
 * CHILD or IKE rekey with or without PFS, Delete), sealed with the peer's
 * keys so that the parsers behind the SK payload see it.
 * The kernel is a stub.  `make fuzz` runs it briefly.
 */
#include <string.h>
#include <sys/socket.h>

#include "../exchange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int st_getspi(void *ctx, const struct ike_child *c, uint32_t *spi)
{
	(void)ctx;
	(void)c;
	*spi = 0x1000;
	return 0;
}

static int st_key(void *ctx, struct ike_child *c)
{
	(void)ctx;
	(void)c;
	return 0;
}

static int st_del(void *ctx, const struct ike_child *c, bool policies)
{
	(void)ctx;
	(void)c;
	(void)policies;
	return 0;
}

/* Two engines key an IKE SA with each other; keep both sides. */
static void establish(const struct ike_cfg *cfg, const struct ike_kernel *k,
		      struct ike_sa *i, struct ike_sa *r)
{
	static struct ike_cfg ci;
	static uint8_t a[8192], b[8192];
	struct ike_addr from = { .family = AF_INET, .a = { 10, 0, 0, 2 }, .port = 500 };
	size_t alen, blen;

	ci = *cfg;
	ci.local = cfg->remote;
	ci.remote = cfg->local;
	ike_sa_initiate(i, &ci, k, a, sizeof(a), &alen);
	ike_sa_respond(r, cfg, k, &from, a, alen, b, sizeof(b), &blen);
	ike_sa_input(i, b, blen, a, sizeof(a), &alen);
	ike_sa_input(r, a, alen, b, sizeof(b), &blen);
	ike_sa_input(i, b, blen, a, sizeof(a), &alen);
	ike_dh_free(&i->dh);	/* the copies below must not share it */
	ike_dh_free(&r->dh);
}

/* @data[0]: what; @data[1]: the first inner payload; the rest: payloads. */
static void established(struct ike_cfg *cfg, const struct ike_kernel *k,
			const uint8_t *data, size_t size)
{
	static struct ike_sa peer0, me0, peer, me, next;
	static uint8_t inner[4200], msg[8192], out[8192];
	static const uint8_t exchanges[] = { IKE_CREATE_CHILD_SA, IKE_INFORMATIONAL };
	size_t ilen, mlen, len;
	bool response;
	uint8_t what;

	if (!me0.spi_i)
		establish(cfg, k, &peer0, &me0);
	if (size < 2 || me0.state != IKE_ESTABLISHED || size - 2 > sizeof(inner) - IKE_HDR_LEN)
		return;
	peer = peer0;
	me = me0;
	me.successor = &next;
	response = data[0] & 1;
	what = (uint8_t)((data[0] >> 1) % 6 + 1);	/* an enum ike_req */
	cfg->esp[0].dh = data[0] & 0x80 ? 19 : 0;
	if (response) {
		/* an answer to a real request of ours (nonce, key pair, SPIs) */
		if (ike_sa_request(&me, (enum ike_req)what, out, sizeof(out), &len))
			goto done;
	} else {
		peer.req_id = me.peer_id;
		/* a request meeting our own CHILD rekey: a collision (2.25.1) */
		if (what == IKE_REQ_REKEY_CHILD &&
		    ike_sa_request(&me, IKE_REQ_REKEY_CHILD, out, sizeof(out), &len))
			goto done;
	}
	memset(inner, 0, IKE_HDR_LEN);
	inner[16] = data[1];
	memcpy(inner + IKE_HDR_LEN, data + 2, size - 2);
	ilen = IKE_HDR_LEN + size - 2;
	mlen = ike_seal(&peer, exchanges[data[0] >> 6 & 1], response ? me.req_id : me.peer_id,
			response, inner, ilen, msg, sizeof(msg));
	if (mlen)
		ike_sa_input(&me, msg, mlen, out, sizeof(out), &len);
done:
	ike_sa_free(&me);
	ike_sa_free(&next);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ike_kernel k = { st_getspi, st_key, st_key, st_del, NULL };
	static struct ike_cfg cfg;
	static struct ike_sa sa;
	static uint8_t out[8192];
	struct ike_addr from = { .family = AF_INET, .a = { 10, 0, 0, 1 }, .port = 500 };
	size_t len;

	if (!cfg.n_ike) {
		cfg.local.family = cfg.remote.family = AF_INET;
		cfg.local.a[0] = cfg.remote.a[0] = 10;
		cfg.local.a[3] = 2;
		cfg.remote.a[3] = 1;
		cfg.local.port = cfg.remote.port = 500;
		memcpy(cfg.psk, "fuzz", 4);
		cfg.psk_len = 4;
		cfg.ike[0] = (struct ike_suite){ IKE_ENCR_AES_GCM_16, 256, 0, IKE_PRF_HMAC_SHA2_256, 31 };
		cfg.ike[1] = (struct ike_suite){ IKE_ENCR_AES_CBC, 128, IKE_INTEG_SHA256_128,
						 IKE_PRF_HMAC_SHA2_256, 19 };
		cfg.n_ike = 2;
		cfg.esp[0] = (struct esp_suite){ IKE_ENCR_AES_GCM_16, 128, 0, 0 };
		cfg.n_esp = 1;
		cfg.mode = 2;
		cfg.local_ts.type = cfg.remote_ts.type = 7;
		cfg.local_ts.end_port = cfg.remote_ts.end_port = 65535;
		memset(cfg.local_ts.end, 0xff, 4);
		memset(cfg.remote_ts.end, 0xff, 4);
	}
	if (size > 4096)
		return 0;
	/* as a new responder */
	ike_sa_respond(&sa, &cfg, &k, &from, data, size, out, sizeof(out), &len);
	/* the same bytes to an SA waiting for IKE_AUTH, if one came about */
	if (sa.state == IKE_INIT_DONE)
		ike_sa_input(&sa, data, size, out, sizeof(out), &len);
	ike_sa_free(&sa);
	/* and to an initiator waiting for its IKE_SA_INIT answer */
	if (!ike_sa_initiate(&sa, &cfg, &k, out, sizeof(out), &len)) {
		if (size >= 8)
			memcpy(&sa.spi_i, data, 8);	/* let it be ours */
		ike_sa_input(&sa, data, size, out, sizeof(out), &len);
	}
	ike_sa_free(&sa);
	established(&cfg, &k, data, size);
	return 0;
}
