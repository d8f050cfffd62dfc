/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 key derivation (RFC 7296 2.13, 2.14, 2.17) with PRF_HMAC_SHA2_256,
 * through OpenSSL.  All functions return 0, or -1 if OpenSSL failed or the
 * request is out of range.
 */
#ifndef KSAD_IKE_KEYS_H
#define KSAD_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define IKE_PRF_LEN	32	/* HMAC-SHA2-256 output, and its preferred key size */

int ike_prf(const uint8_t *key, size_t key_len, const uint8_t *data,
	    size_t len, uint8_t out[IKE_PRF_LEN]);
int ike_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len);
int ike_skeyseed(const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		 size_t nr_len, const uint8_t *gir, size_t gir_len,
		 uint8_t out[IKE_PRF_LEN]);
int ike_skeyseed_rekey(const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		       size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t out[IKE_PRF_LEN]);
int ike_sa_keymat(const uint8_t skeyseed[IKE_PRF_LEN], const uint8_t *ni,
		  size_t ni_len, const uint8_t *nr, size_t nr_len,
		  uint64_t spi_i, uint64_t spi_r, uint8_t *out, size_t out_len);
int ike_child_keymat(const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		     size_t gir_len, const uint8_t *ni, size_t ni_len,
		     const uint8_t *nr, size_t nr_len, uint8_t *out,
		     size_t out_len);

#endif
