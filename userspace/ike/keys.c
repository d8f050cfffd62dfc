// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 key derivation, PRF_HMAC_SHA2_256 (RFC 4868) through OpenSSL 3.
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *   KEYMAT   = prf+(SK_d, [g^ir (new) |] Ni | Nr)          (CHILD SAs)
 *   prf+(K, S) = T1 | T2 | ...,  T1 = prf(K, S | 0x01),
 *                                Tn = prf(K, T(n-1) | S | n), n <= 255
 *
 * Intermediate values are wiped before they are freed.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "keys.h"

int ike_prf(const uint8_t *key, size_t key_len, const uint8_t *data,
	    size_t len, uint8_t out[IKE_PRF_LEN])
{
	size_t out_len = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, data,
		       len, out, IKE_PRF_LEN, &out_len))
		return -1;
	return out_len == IKE_PRF_LEN ? 0 : -1;
}

int ike_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len)
{
	uint8_t t[IKE_PRF_LEN];
	size_t tlen = 0, done = 0, blen = IKE_PRF_LEN + seed_len + 1;
	uint8_t *buf;
	unsigned int n;
	int err = 0;

	if (out_len > 255 * IKE_PRF_LEN)
		return -1;
	buf = malloc(blen);
	if (!buf)
		return -1;
	for (n = 1; done < out_len; n++) {
		size_t take;

		memcpy(buf, t, tlen);
		memcpy(buf + tlen, seed, seed_len);
		buf[tlen + seed_len] = (uint8_t)n;
		if (ike_prf(key, key_len, buf, tlen + seed_len + 1, t)) {
			err = -1;
			break;
		}
		tlen = IKE_PRF_LEN;
		take = out_len - done < IKE_PRF_LEN ? out_len - done : IKE_PRF_LEN;
		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(buf, blen);
	free(buf);
	return err;
}

/* @a | @b into a fresh buffer (wiped and freed by the caller). */
static uint8_t *cat2(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen, size_t extra)
{
	uint8_t *p = malloc(alen + blen + extra + 1);

	if (!p)
		return NULL;
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	return p;
}

int ike_skeyseed(const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		 size_t nr_len, const uint8_t *gir, size_t gir_len,
		 uint8_t out[IKE_PRF_LEN])
{
	uint8_t *k = cat2(ni, ni_len, nr, nr_len, 0);
	int err;

	if (!k)
		return -1;
	err = ike_prf(k, ni_len + nr_len, gir, gir_len, out);
	free(k);	/* nonces are public */
	return err;
}

/* Rekeying an IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
int ike_skeyseed_rekey(const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		       size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t out[IKE_PRF_LEN])
{
	size_t slen = gir_len + ni_len + nr_len;
	uint8_t *s = malloc(slen + 1);
	int err;

	if (!s)
		return -1;
	memcpy(s, gir, gir_len);
	memcpy(s + gir_len, ni, ni_len);
	memcpy(s + gir_len + ni_len, nr, nr_len);
	err = ike_prf(sk_d, sk_d_len, s, slen, out);
	OPENSSL_cleanse(s, slen);	/* g^ir is secret */
	free(s);
	return err;
}

int ike_sa_keymat(const uint8_t skeyseed[IKE_PRF_LEN], const uint8_t *ni,
		  size_t ni_len, const uint8_t *nr, size_t nr_len,
		  uint64_t spi_i, uint64_t spi_r, uint8_t *out, size_t out_len)
{
	uint8_t *s = cat2(ni, ni_len, nr, nr_len, 16);
	size_t at = ni_len + nr_len;
	int i, err;

	if (!s)
		return -1;
	for (i = 0; i < 8; i++) {
		s[at + i] = (uint8_t)(spi_i >> (56 - 8 * i));
		s[at + 8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	err = ike_prf_plus(skeyseed, IKE_PRF_LEN, s, at + 16, out, out_len);
	free(s);
	return err;
}

int ike_child_keymat(const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		     size_t gir_len, const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len, uint8_t *out,
		     size_t out_len)
{
	size_t slen = gir_len + ni_len + nr_len;
	uint8_t *s = malloc(slen + 1);
	int err;

	if (!s)
		return -1;
	if (gir_len)
		memcpy(s, gir, gir_len);
	memcpy(s + gir_len, ni, ni_len);
	memcpy(s + gir_len + ni_len, nr, nr_len);
	err = ike_prf_plus(sk_d, sk_d_len, s, slen, out, out_len);
	OPENSSL_cleanse(s, slen);	/* g^ir is secret */
	free(s);
	return err;
}
