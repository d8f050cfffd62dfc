/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 key exchange (RFC 7296 3.4) through OpenSSL: groups 14 (MODP-2048,
 * RFC 3526), 19 (ECP-256, RFC 5903: x | y, no point-format byte) and 31
 * (Curve25519, RFC 8031).
 */
#ifndef KSAD_IKE_DH_H
#define KSAD_IKE_DH_H

#include <stddef.h>
#include <stdint.h>

#define IKE_DH_MAX	256	/* bytes of the largest public value / secret */

struct ike_dh {
	uint16_t group;
	void *key;		/* EVP_PKEY */
};

size_t ike_dh_len(uint16_t group);	/* public value length, 0: unsupported */
int ike_dh_new(struct ike_dh *dh, uint16_t group);
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *len);
int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t len,
		  uint8_t *out, size_t cap, size_t *out_len);
void ike_dh_free(struct ike_dh *dh);

#endif
