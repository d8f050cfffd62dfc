// SPDX-License-Identifier: GPL-2.0
/*
 * An SA's keys from what an exchange agreed: the key exchange's shared
 * secret, SKEYSEED and SK_d, SK_a, SK_e, SK_p of the IKE SA (RFC 7296
 * 2.14), and KEYMAT of a CHILD SA (2.17), cut into ksad's encryption and
 * integrity keys.  The key derivation itself is keys.c's.
 */
#include <string.h>
#include <openssl/crypto.h>

#include "../../uapi/linux/ksad.h"
#include "../lib/alg.h"
#include "exchange.h"

/* Key bytes, salt or nonce included (RFC 7296 2.17 and each RFC's). */
static size_t encr_key_len(uint16_t encr, uint16_t bits)
{
	if (encr == KSAD_ENCR_NULL)
		return 0;
	return bits / 8 + alg_encr_salt(encr);
}

static size_t integ_key_len(uint16_t integ)
{
	return alg_integ_keylen(integ);
}

/* The IKE SA's keys from SKEYSEED (2.14); SPIs and suite already set. */
int ike_derive(struct ike_sa *sa, const uint8_t skeyseed[IKE_PRF_LEN],
	       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	size_t ek = encr_key_len(sa->suite.encr, sa->suite.bits);
	size_t ak = integ_key_len(sa->suite.integ);
	size_t total = 3 * IKE_PRF_LEN + 2 * ek + 2 * ak, off = 0;
	uint8_t km[3 * IKE_PRF_LEN + 2 * 36 + 2 * 32];

	if (!ek || ek > sizeof(sa->ki.ekey) || ak > sizeof(sa->ki.akey) ||
	    total > sizeof(km) ||
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
int ike_key_exchange(struct ike_sa *sa, const uint8_t *pub, size_t len)
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
	uint8_t km[2 * sizeof(c->key_in)];
	int err;

	if (one > sizeof(c->key_in))
		return -1;
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
