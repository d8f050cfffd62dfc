// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 key exchange through OpenSSL 3 (EVP_PKEY); see dh.h.  The peer's
 * public value is checked (length, point on the curve, 1 < y < p-1 for
 * MODP), and an all-zero X25519 result is refused (RFC 8031 2.3).
 * Return values: 0, or -1.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/dh.h>
#include <openssl/param_build.h>

#include "dh.h"

size_t ike_dh_len(uint16_t group)
{
	switch (group) {
	case 14:
		return 256;
	case 19:
		return 64;
	case 31:
		return 32;
	}
	return 0;
}

int ike_dh_new(struct ike_dh *dh, uint16_t group)
{
	EVP_PKEY *key = NULL;

	dh->group = group;
	dh->key = NULL;
	if (group == 31) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	} else if (group == 19) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	} else if (group == 14) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
		OSSL_PARAM params[] = {
			OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
					       (char *)"modp_2048", 0),
			OSSL_PARAM_END
		};

		if (ctx && EVP_PKEY_keygen_init(ctx) > 0 &&
		    EVP_PKEY_CTX_set_params(ctx, params) > 0)
			EVP_PKEY_generate(ctx, &key);
		EVP_PKEY_CTX_free(ctx);
	}
	dh->key = key;
	return key ? 0 : -1;
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *len)
{
	size_t want = ike_dh_len(dh->group), n = 0;
	uint8_t pt[65];

	if (!dh->key || cap < want)
		return -1;
	if (dh->group == 31) {
		n = want;
		if (!EVP_PKEY_get_raw_public_key(dh->key, out, &n) || n != want)
			return -1;
	} else if (dh->group == 19) {
		if (!EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
						     pt, sizeof(pt), &n) ||
		    n != 65 || pt[0] != 4)
			return -1;
		memcpy(out, pt + 1, 64);
	} else {
		BIGNUM *y = NULL;
		int ok = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
			 BN_bn2binpad(y, out, (int)want) == (int)want;

		BN_free(y);
		if (!ok)
			return -1;
	}
	*len = want;
	return 0;
}

/* The peer's public value as an EVP_PKEY of our group, or NULL. */
static EVP_PKEY *peer_key(uint16_t group, const uint8_t *pub, size_t len)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *y = NULL;
	uint8_t pt[65];

	if (len != ike_dh_len(group))
		return NULL;
	if (group == 31)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, len);
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		return NULL;
	if (group == 19) {
		pt[0] = 4;
		memcpy(pt + 1, pub, 64);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     "prime256v1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      pt, sizeof(pt)))
			goto out;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	} else {
		y = BN_bin2bn(pub, (int)len, NULL);
		if (!y ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     "modp_2048", 0) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
			goto out;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!ctx || !params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	return key;
}

int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t len,
		  uint8_t *out, size_t cap, size_t *out_len)
{
	EVP_PKEY *pk = peer_key(dh->group, peer, len);
	EVP_PKEY_CTX *check = NULL, *ctx = NULL;
	size_t n = cap, i;
	uint8_t acc = 0;
	int err = -1;

	if (!pk || !dh->key)
		goto out;
	/* a point on the curve, 1 < y < p - 1 */
	if (dh->group != 31) {
		check = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		if (!check || EVP_PKEY_public_check(check) <= 0)
			goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 ||
	    (dh->group == 14 && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||
	    EVP_PKEY_derive_set_peer(ctx, pk) <= 0 ||
	    EVP_PKEY_derive(ctx, out, &n) <= 0)
		goto out;
	/* MODP: as long as the prime; ECP: the x coordinate; X25519: 32 */
	if (n != (dh->group == 19 ? 32 : ike_dh_len(dh->group)))
		goto out;
	for (i = 0; i < n; i++)
		acc |= out[i];
	if (!acc)
		goto out;
	*out_len = n;
	err = 0;
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return err;
}

void ike_dh_free(struct ike_dh *dh)
{
	EVP_PKEY_free(dh->key);
	dh->key = NULL;
	dh->group = 0;
}
