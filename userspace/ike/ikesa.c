// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE SA engine: IKE_SA_INIT and IKE_AUTH (RFC 7296 1.2, 2.14-2.17)
 * with a pre-shared key, and the first CHILD SA keyed through ksad in the
 * order the SPIs demand: the initiator reserves its inbound SPI (GETSPI)
 * before it can propose it; the responder, once it knows the initiator's
 * SPI and the keys, ADDs its outbound SA, GETSPIs its inbound one and
 * UPDATEs it; the initiator, on the answer, UPDATEs its inbound SA and ADDs
 * the outbound one.
 *
 * Also here: INVALID_KE_PAYLOAD (the initiator retries with the group the
 * responder wants) and COOKIE (the initiator retries with the cookie).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"
#include "exchange.h"

#define ID_IPV4_ADDR	1
#define ID_FQDN		2
#define ID_RFC822_ADDR	3
#define ID_IPV6_ADDR	5

static size_t encr_key_len(uint16_t encr, uint16_t bits)
{
	switch (encr) {
	case IKE_ENCR_AES_GCM_16:
		return bits / 8 + 4;
	case IKE_ENCR_CHACHA20_POLY1305:
		return 36;
	case IKE_ENCR_AES_CBC:
		return bits / 8;
	}
	return 0;
}

static size_t integ_key_len(uint16_t integ)
{
	return integ == IKE_INTEG_SHA256_128 ? 32 : 0;
}

int ike_fail(struct ike_sa *sa, uint16_t notify, const char *why)
{
	sa->state = IKE_FAILED;
	sa->notify = notify;
	sa->why = why;
	return -1;
}

/* --- proposals ----------------------------------------------------------- */

static struct ike_transform tf(uint8_t type, uint16_t id, uint16_t bits)
{
	struct ike_transform t = { .type = type, .id = id, .key_len = bits };

	return t;
}

/* @spi: the new IKE SA's SPI when rekeying (3.3.1), else 0 */
void ike_ike_proposal(const struct ike_suite *s, uint8_t num, uint64_t spi,
		      struct ike_proposal *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = 1;
	if (spi) {
		p->spi_size = 8;
		for (i = 0; i < 8; i++)
			p->spi[i] = (uint8_t)(spi >> (56 - 8 * i));
	}
	p->t[p->n++] = tf(1, s->encr, s->encr == IKE_ENCR_CHACHA20_POLY1305 ? 0 : s->bits);
	if (s->integ)
		p->t[p->n++] = tf(3, s->integ, 0);
	p->t[p->n++] = tf(2, s->prf, 0);
	p->t[p->n++] = tf(4, s->dh, 0);
}

/* @pfs: with the suite's key exchange group (CREATE_CHILD_SA) */
void ike_esp_proposal(const struct esp_suite *s, uint8_t num, uint32_t spi,
		      bool pfs, struct ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = 3;
	p->spi_size = 4;
	p->spi[0] = (uint8_t)(spi >> 24);
	p->spi[1] = (uint8_t)(spi >> 16);
	p->spi[2] = (uint8_t)(spi >> 8);
	p->spi[3] = (uint8_t)spi;
	p->t[p->n++] = tf(1, s->encr, s->encr == IKE_ENCR_CHACHA20_POLY1305 ? 0 : s->bits);
	if (s->integ)
		p->t[p->n++] = tf(3, s->integ, 0);
	if (pfs && s->dh)
		p->t[p->n++] = tf(4, s->dh, 0);
	p->t[p->n++] = tf(5, 0, 0);	/* no extended sequence numbers */
}

static bool has(const struct ike_proposal *p, uint8_t type, uint16_t id,
		uint16_t bits)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->t[i].type == type && p->t[i].id == id &&
		    p->t[i].key_len == bits)
			return true;
	return false;
}

static bool has_type(const struct ike_proposal *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->t[i].type == type)
			return true;
	return false;
}

/* Does proposal @p offer IKE suite @s?  With @dh_any, any group of ours. */
bool ike_offers(const struct ike_proposal *p, const struct ike_suite *s)
{
	return p->proto == 1 &&
	       has(p, 1, s->encr, s->encr == IKE_ENCR_CHACHA20_POLY1305 ? 0 : s->bits) &&
	       (s->integ ? has(p, 3, s->integ, 0) : !has_type(p, 3) || has(p, 3, 0, 0)) &&
	       has(p, 2, s->prf, 0) && has(p, 4, s->dh, 0);
}

/*
 * Does @p offer ESP suite @s?  In IKE_AUTH (!@pfs) there is no key
 * exchange, so a group in @p does not matter (as strongSwan); in
 * CREATE_CHILD_SA (@pfs) @p must offer the suite's group, or none if the
 * suite has none.
 */
bool ike_esp_offers(const struct ike_proposal *p, const struct esp_suite *s,
		    bool pfs)
{
	return p->proto == 3 && p->spi_size == 4 &&
	       has(p, 1, s->encr, s->encr == IKE_ENCR_CHACHA20_POLY1305 ? 0 : s->bits) &&
	       (s->integ ? has(p, 3, s->integ, 0) : !has_type(p, 3) || has(p, 3, 0, 0)) &&
	       (!pfs || (s->dh ? has(p, 4, s->dh, 0) : !has_type(p, 4) || has(p, 4, 0, 0))) &&
	       (!has_type(p, 5) || has(p, 5, 0, 0));
}

uint32_t ike_proposal_spi(const struct ike_proposal *p)
{
	return (uint32_t)p->spi[0] << 24 | (uint32_t)p->spi[1] << 16 |
	       (uint32_t)p->spi[2] << 8 | p->spi[3];
}

/* --- traffic selectors --------------------------------------------------- */

/* @out = @proposed narrowed to @mine; false if they do not meet. */
bool ike_ts_narrow(const struct ike_ts *proposed, const struct ike_ts *mine,
		   struct ike_ts *out)
{
	size_t alen = mine->type == 7 ? 4 : 16;

	if (proposed->type != mine->type)
		return false;
	*out = *mine;
	if (proposed->proto && mine->proto && proposed->proto != mine->proto)
		return false;
	out->proto = proposed->proto ? proposed->proto : mine->proto;
	out->start_port = proposed->start_port > mine->start_port ?
			  proposed->start_port : mine->start_port;
	out->end_port = proposed->end_port < mine->end_port ?
			proposed->end_port : mine->end_port;
	if (memcmp(proposed->start, mine->start, alen) > 0)
		memcpy(out->start, proposed->start, alen);
	if (memcmp(proposed->end, mine->end, alen) < 0)
		memcpy(out->end, proposed->end, alen);
	return out->start_port <= out->end_port &&
	       memcmp(out->start, out->end, alen) <= 0;
}

/* --- pieces of messages -------------------------------------------------- */

void ike_put_notify(struct ike_builder *b, uint16_t type, const void *data,
		       size_t len)
{
	uint8_t h[4] = { 0, 0, (uint8_t)(type >> 8), (uint8_t)type };

	ike_build_open(b, IKE_PL_NOTIFY);
	ike_build_bytes(b, h, sizeof(h));
	ike_build_bytes(b, data, len);
	ike_build_close(b);
}

/* NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | address | port). */
static void nat_hash(const struct ike_sa *sa, const struct ike_addr *a,
		     uint8_t out[20])
{
	uint8_t in[8 + 8 + 16 + 2];
	size_t alen = a->family == AF_INET ? 4 : 16, n = 0, i;

	for (i = 0; i < 8; i++) {
		in[i] = (uint8_t)(sa->spi_i >> (56 - 8 * i));
		in[8 + i] = (uint8_t)(sa->spi_r >> (56 - 8 * i));
	}
	memcpy(in + 16, a->a, alen);
	in[16 + alen] = (uint8_t)(a->port >> 8);
	in[17 + alen] = (uint8_t)a->port;
	if (!EVP_Q_digest(NULL, "SHA1", NULL, in, 18 + alen, out, &n))
		memset(out, 0, 20);
}

/*
 * Is there a NAT between us (2.23)?  @src: where the message came from as
 * we see it, @dst: where it went.  Without the notifies: no NAT-T, no NAT.
 * @behind: the peer saw another address than ours: the NAT is on our side
 * (we send the keepalives, RFC 3948 4).
 */
static bool nat_between(const struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_addr *src, const struct ike_addr *dst,
			bool *behind)
{
	const struct ike_payload *pl;
	struct ike_notify nt;
	uint8_t h_src[20], h_dst[20];
	bool seen = false, nat = false, src_ok = false;
	size_t from = 0;

	nat_hash(sa, src, h_src);
	nat_hash(sa, dst, h_dst);
	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, &from))) {
		if (ike_notify_parse(pl, &nt) || nt.data_len != 20)
			continue;
		if (nt.type == N_NAT_DETECTION_SOURCE_IP) {
			seen = true;
			src_ok |= !memcmp(nt.data, h_src, 20);
		} else if (nt.type == N_NAT_DETECTION_DESTINATION_IP) {
			seen = true;
			nat |= !!memcmp(nt.data, h_dst, 20);
		}
	}
	*behind = seen && nat;
	return seen && (nat || !src_ok);
}

static void put_nat_detection(struct ike_builder *b, const struct ike_sa *sa)
{
	uint8_t h[20];

	nat_hash(sa, &sa->cfg->local, h);
	ike_put_notify(b, N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	nat_hash(sa, &sa->peer, h);
	ike_put_notify(b, N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

/* ID payload body: type, 3 reserved bytes, the identity (2.15, 3.5). */
static size_t id_body(const char *id, uint8_t *out, size_t cap)
{
	uint8_t a[16];
	size_t len;

	memset(out, 0, 4);
	if (inet_pton(AF_INET, id, a) == 1) {
		out[0] = ID_IPV4_ADDR;
		memcpy(out + 4, a, 4);
		return 8;
	}
	if (inet_pton(AF_INET6, id, a) == 1) {
		out[0] = ID_IPV6_ADDR;
		memcpy(out + 4, a, 16);
		return 20;
	}
	/* strongSwan's reading: @host is a name, user@host an email address */
	out[0] = *id != '@' && strchr(id, '@') ? ID_RFC822_ADDR : ID_FQDN;
	if (*id == '@')
		id++;
	len = strlen(id);
	if (len + 4 > cap)
		len = cap - 4;
	memcpy(out + 4, id, len);
	return len + 4;
}

struct ike_hdr ike_hdr_of(const struct ike_sa *sa, uint8_t exchange,
			  uint32_t msg_id, bool response)
{
	struct ike_hdr h = {
		.spi_i = sa->spi_i, .spi_r = sa->spi_r, .exchange = exchange,
		.msg_id = msg_id,
		.flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) |
			 (response ? IKE_FLAG_RESPONSE : 0),
	};

	return h;
}

uint16_t ike_find_notify(const struct ike_msg *m, uint16_t type,
			    struct ike_notify *out)
{
	const struct ike_payload *pl;
	struct ike_notify nt;
	size_t from = 0;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, &from)))
		if (!ike_notify_parse(pl, &nt) && nt.type == type) {
			if (out)
				*out = nt;
			return type;
		}
	return 0;
}

/* The first error notify (type below 16384), or 0. */
uint16_t ike_error_notify(const struct ike_msg *m)
{
	const struct ike_payload *pl;
	struct ike_notify nt;
	size_t from = 0;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, &from)))
		if (!ike_notify_parse(pl, &nt) && nt.type && nt.type < 16384)
			return nt.type;
	return 0;
}

/* --- keys -------------------------------------------------------------- */

/* The IKE SA's keys from SKEYSEED (2.14); SPIs and suite already set. */
int ike_derive(struct ike_sa *sa, const uint8_t skeyseed[IKE_PRF_LEN],
	       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	size_t ek = encr_key_len(sa->suite.encr, sa->suite.bits);
	size_t ak = integ_key_len(sa->suite.integ);
	size_t total = 3 * IKE_PRF_LEN + 2 * ek + 2 * ak, off = 0;
	uint8_t km[3 * IKE_PRF_LEN + 2 * 36 + 2 * 32];

	if (!ek || ek > sizeof(sa->ki.ekey) || total > sizeof(km) ||
	    ike_sa_keymat(skeyseed, ni, ni_len, nr, nr_len, sa->spi_i,
			  sa->spi_r, km, total))
		return -1;
	sa->ki.encr = sa->kr.encr = sa->suite.encr;
	sa->ki.integ = sa->kr.integ = sa->suite.integ;
	sa->ki.ekey_len = sa->kr.ekey_len = ek;
	sa->ki.akey_len = sa->kr.akey_len = ak;
	memcpy(sa->sk_d, km, IKE_PRF_LEN);
	off = IKE_PRF_LEN;
	memcpy(sa->ki.akey, km + off, ak);
	off += ak;
	memcpy(sa->kr.akey, km + off, ak);
	off += ak;
	memcpy(sa->ki.ekey, km + off, ek);
	off += ek;
	memcpy(sa->kr.ekey, km + off, ek);
	off += ek;
	memcpy(sa->sk_pi, km + off, IKE_PRF_LEN);
	memcpy(sa->sk_pr, km + off + IKE_PRF_LEN, IKE_PRF_LEN);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

/* The peer's KE against our key pair, then the IKE SA's keys. */
static int key_exchange(struct ike_sa *sa, const uint8_t *pub, size_t len)
{
	uint8_t gir[IKE_DH_MAX], skeyseed[IKE_PRF_LEN];
	size_t n;
	int err;

	if (ike_dh_shared(&sa->dh, pub, len, gir, sizeof(gir), &n))
		return -1;
	err = ike_skeyseed(sa->ni, sizeof(sa->ni), sa->nr, sizeof(sa->nr), gir,
			   n, skeyseed) ||
	      ike_derive(sa, skeyseed, sa->ni, sizeof(sa->ni), sa->nr, sizeof(sa->nr));
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return err;
}

/*
 * KEYMAT (2.17): the exchange initiator's keys (->responder) first, then
 * the other way.  @gir: the CREATE_CHILD_SA's new shared secret (PFS), or
 * NULL; @ni, @nr: the exchange's nonces; @initiator: we started it.
 */
int ike_child_keys(const struct ike_sa *sa, struct ike_child *c, bool initiator,
		   const uint8_t *gir, size_t gir_len, const uint8_t *ni,
		   size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	size_t one = c->enc_len + c->integ_len;
	uint8_t km[2 * 68];
	int err;

	err = ike_child_keymat(sa->sk_d, IKE_PRF_LEN, gir, gir_len, ni, ni_len,
			       nr, nr_len, km, 2 * one);
	if (!err) {
		memcpy(initiator ? c->key_out : c->key_in, km, one);
		memcpy(initiator ? c->key_in : c->key_out, km + one, one);
	}
	OPENSSL_cleanse(km, sizeof(km));
	return err;
}

void ike_child_init(const struct ike_sa *sa, struct ike_child *c,
		    const struct esp_suite *s)
{
	memset(c, 0, sizeof(*c));
	c->suite = *s;
	c->mode = sa->cfg->mode;
	c->enc_len = encr_key_len(s->encr, s->bits);
	c->integ_len = integ_key_len(s->integ);
	c->local = sa->cfg->local;
	c->remote = sa->cfg->remote;
	c->reqid = sa->cfg->reqid;
	c->trap = sa->cfg->trap;
	c->lifetime = sa->cfg->lifetime;
	/* ESP in UDP only through a NAT (IKE may float to 4500 without one) */
	c->encap = sa->nat_detected;
	c->encap_sport = sa->natt ? sa->natt_local_port : 4500;
	c->encap_dport = sa->natt ? sa->natt_peer_port : 4500;
}

/* --- IKE_SA_INIT --------------------------------------------------------- */

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
	put_nat_detection(&b, sa);
	len = ike_build_end(&b);
	if (len && len <= sizeof(sa->init_req)) {
		memcpy(sa->init_req, out, len);
		sa->init_req_len = len;
		return len;
	}
	return 0;
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
static void keep(struct ike_sa *sa, const uint8_t *out, size_t len)
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
	keep(sa, out, *len);
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
	sa->nat_detected = nat_between(sa, &m, from, &cfg->local,	/* SPIr 0 */
				       &sa->nat_local);
	sa->peer = *from;
	sa->spi_r = ike_random_spi();
	if (!sa->spi_r || RAND_bytes(sa->nr, sizeof(sa->nr)) != 1 ||
	    ike_dh_new(&sa->dh, group) ||
	    ike_dh_public(&sa->dh, ke + 4, IKE_DH_MAX, &publen) ||
	    key_exchange(sa, pub, pl_ke->len - 4))
		return ike_fail(sa, N_INVALID_SYNTAX, "key exchange failed");
	ke[0] = (uint8_t)(group >> 8);
	ke[1] = (uint8_t)group;
	ke[2] = ke[3] = 0;
	h = ike_hdr_of(sa, IKE_SA_INIT, 0, true);
	ike_build_start(&b, out, cap, &h);
	ike_build_sa(&b, &chosen, 1);
	ike_build_payload(&b, IKE_PL_KE, false, ke, 4 + publen);
	ike_build_payload(&b, IKE_PL_NONCE, false, sa->nr, sizeof(sa->nr));
	put_nat_detection(&b, sa);
	*len = ike_build_end(&b);
	if (!*len || *len > sizeof(sa->init_resp))
		return ike_fail(sa, 0, "IKE_SA_INIT response does not fit");
	memcpy(sa->init_resp, out, *len);
	sa->init_resp_len = *len;
	sa->state = IKE_INIT_DONE;
	return 0;
}

/* --- IKE_AUTH ------------------------------------------------------------ */

/*
 * IDx, AUTH, [USE_TRANSPORT_MODE], SA, TSi, TSr: the inner payloads; @nts
 * selectors in each TS payload (2: the packet's first, 2.9).
 */
static size_t build_auth_inner(struct ike_sa *sa, const struct ike_proposal *props,
			       size_t nprops, const struct ike_ts *tsi,
			       const struct ike_ts *tsr, size_t nts, uint8_t *out,
			       size_t cap)
{
	const char *id = sa->cfg->local_id;
	uint8_t idb[132], auth[4 + IKE_PRF_LEN] = { IKE_AUTH_PSK };
	struct ike_hdr h = { 0 };
	struct ike_builder b;
	size_t idlen = id_body(id, idb, sizeof(idb)), len;
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

/* Seal @inner (a builder's output, header included) as the message to send. */
size_t ike_seal(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id,
		   bool response, const uint8_t *inner, size_t inner_len,
		   uint8_t *out, size_t cap)
{
	struct ike_hdr h = ike_hdr_of(sa, exchange, msg_id, response);
	struct ike_builder b;
	size_t len;

	if (inner_len < IKE_HDR_LEN)
		return 0;
	ike_build_start(&b, out, cap, &h);
	len = ike_sk_seal(&b, sa->initiator ? &sa->ki : &sa->kr, inner[16],
			  inner + IKE_HDR_LEN, inner_len - IKE_HDR_LEN);
	return len;
}

/* The initiator, on the IKE_SA_INIT response: keys, then IKE_AUTH. */
static int init_response(struct ike_sa *sa, const struct ike_msg *m,
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
	sa->nat_detected = nat_between(sa, m, &sa->cfg->remote, &sa->cfg->local,
				       &sa->nat_local);
	memcpy(sa->nr, pl_nr->body, sizeof(sa->nr));
	memcpy(sa->init_resp, in, in_len);
	sa->init_resp_len = in_len;
	if (key_exchange(sa, pub, publen))
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

		ilen = build_auth_inner(sa, esp, i, tsi + k, tsr + k, 2 - k, inner,
					sizeof(inner));
	}
	*len = ilen ? ike_seal(sa, IKE_AUTH, 1, false, inner, ilen, out, cap) : 0;
	OPENSSL_cleanse(inner, sizeof(inner));
	if (!*len)
		return ike_fail(sa, 0, "IKE_AUTH request does not fit");
	sa->state = IKE_AUTH_SENT;
	return 0;
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
		idlen = id_body(sa->cfg->remote_id, idb, sizeof(idb));
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

/* The first selector of a TS payload. */
int ike_first_ts(const struct ike_msg *m, uint8_t type, struct ike_ts *ts)
{
	const struct ike_payload *pl = ike_msg_find(m, type, NULL);
	struct ike_ts all[IKE_MAX_TS];
	size_t n;

	if (!pl || ike_ts_parse(pl, all, IKE_MAX_TS, &n) || !n)
		return -1;
	*ts = all[0];
	return 0;
}

/* Is @a's range wider than @b's (addresses first, then ports)? */
static bool ts_wider(const struct ike_ts *a, const struct ike_ts *b)
{
	size_t alen = a->type == 7 ? 4 : 16, i;
	uint8_t da[16], db[16];
	int borrow_a = 0, borrow_b = 0, cmp;

	for (i = alen; i-- > 0;) {
		int x = a->end[i] - a->start[i] - borrow_a;
		int y = b->end[i] - b->start[i] - borrow_b;

		borrow_a = x < 0;
		borrow_b = y < 0;
		da[i] = (uint8_t)(x + (borrow_a ? 256 : 0));
		db[i] = (uint8_t)(y + (borrow_b ? 256 : 0));
	}
	cmp = memcmp(da, db, alen);
	if (cmp)
		return cmp > 0;
	return a->end_port - a->start_port > b->end_port - b->start_port;
}

/*
 * Narrow the selectors of payload @type of @m to @mine (2.9): the widest of
 * the intersections, so that a first selector naming the packet that
 * started the exchange (an ACQUIRE's) does not shrink the CHILD SA to it.
 * Return: 0, or -1 if none of them meets @mine.
 */
int ike_narrow_ts(const struct ike_msg *m, uint8_t type, const struct ike_ts *mine,
		  struct ike_ts *out)
{
	const struct ike_payload *pl = ike_msg_find(m, type, NULL);
	struct ike_ts all[IKE_MAX_TS], x;
	bool found = false;
	size_t n, i;

	if (!pl || ike_ts_parse(pl, all, IKE_MAX_TS, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (ike_ts_narrow(&all[i], mine, &x) && (!found || ts_wider(&x, out))) {
			*out = x;
			found = true;
		}
	return found ? 0 : -1;
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
static int auth_request(struct ike_sa *sa, const struct ike_msg *m,
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
	ilen = build_auth_inner(sa, &chosen, 1, &ntsi, &ntsr, 1, inner, sizeof(inner));
	*len = ilen ? ike_seal(sa, IKE_AUTH, 1, true, inner, ilen, out, cap) : 0;
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(inner, sizeof(inner));
	if (!*len)
		return ike_fail(sa, 0, "IKE_AUTH response does not fit");
	sa->state = IKE_ESTABLISHED;
	return 0;
}

/* The initiator, on the IKE_AUTH response: check, key the CHILD SA. */
static int auth_response(struct ike_sa *sa, const struct ike_msg *m,
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
		rc = init_response(sa, &m, in, in_len, out, cap, len);
		break;
	case IKE_INIT_DONE:
		if (m.hdr.exchange != IKE_AUTH || (m.hdr.flags & IKE_FLAG_RESPONSE) ||
		    m.hdr.msg_id != 1 || m.hdr.spi_r != sa->spi_r)
			return 0;
		rc = auth_request(sa, &m, in, in_len, out, cap, len);
		if (!rc) {
			sa->peer_id = 2;
			sa->child_up[0] = true;
		}
		break;
	case IKE_AUTH_SENT:
		if (m.hdr.exchange != IKE_AUTH || !(m.hdr.flags & IKE_FLAG_RESPONSE) ||
		    m.hdr.msg_id != 1 || m.hdr.spi_r != sa->spi_r)
			return 0;
		rc = auth_response(sa, &m, in, in_len);
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
	keep(sa, out, *len);
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
	keep(sa, out, *len);
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
	keep(sa, out, *len);
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
