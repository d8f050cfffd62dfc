/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Encrypted and Authenticated payload, SK (RFC 7296 3.14), with
 * ENCR_AES_GCM_16 (RFC 5282) or ENCR_AES_CBC + AUTH_HMAC_SHA2_256_128.
 */
#ifndef KSAD_IKE_SK_H
#define KSAD_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define IKE_ENCR_AES_CBC	12
#define IKE_ENCR_AES_GCM_16	20
#define IKE_INTEG_NONE		0
#define IKE_INTEG_SHA256_128	12

/* One direction's keys: SK_ei/SK_ai or SK_er/SK_ar. */
struct ike_sk_keys {
	uint16_t encr, integ;
	size_t ekey_len;	/* AES key, plus the 4-byte salt for GCM */
	size_t akey_len;
	uint8_t ekey[36];
	uint8_t akey[32];
};

size_t ike_sk_overhead(const struct ike_sk_keys *k);
size_t ike_sk_seal(struct ike_builder *b, const struct ike_sk_keys *k,
		   uint8_t first, const uint8_t *inner, size_t inner_len);
int ike_sk_open(const struct ike_sk_keys *k, const uint8_t *msg, size_t len,
		const struct ike_msg *m, uint8_t *plain, size_t cap,
		size_t *plain_len);

#endif
