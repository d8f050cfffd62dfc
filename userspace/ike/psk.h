/* SPDX-License-Identifier: GPL-2.0 */
/* IKEv2 authentication with a pre-shared key (RFC 7296 2.15). */
#ifndef KSAD_IKE_PSK_H
#define KSAD_IKE_PSK_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define IKE_AUTH_PSK	2	/* Shared Key Message Integrity Code */

int ike_psk_auth(const uint8_t *psk, size_t psk_len, const uint8_t *msg,
		 size_t msg_len, const uint8_t *nonce, size_t nonce_len,
		 const uint8_t *sk_p, size_t sk_p_len, const uint8_t *id_body,
		 size_t id_len, uint8_t out[IKE_PRF_LEN]);

#endif
