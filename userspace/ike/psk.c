// SPDX-License-Identifier: GPL-2.0
/*
 * PSK authentication (RFC 7296 2.15):
 *
 *   AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *   SignedOctets = RealMessage | NonceOfThePeer | prf(SK_p, ID body)
 *
 * The initiator signs its IKE_SA_INIT request, the responder's nonce and
 * its IDi with SK_pi; the responder its IKE_SA_INIT response, the
 * initiator's nonce and its IDr with SK_pr.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "psk.h"

int ike_psk_auth(const uint8_t *psk, size_t psk_len, const uint8_t *msg,
		 size_t msg_len, const uint8_t *nonce, size_t nonce_len,
		 const uint8_t *sk_p, size_t sk_p_len, const uint8_t *id_body,
		 size_t id_len, uint8_t out[IKE_PRF_LEN])
{
	static const char pad[] = "Key Pad for IKEv2";
	size_t len = msg_len + nonce_len + IKE_PRF_LEN;
	uint8_t kpad[IKE_PRF_LEN];
	uint8_t *signed_octets = malloc(len);
	int err = -1;

	if (!signed_octets)
		return -1;
	memcpy(signed_octets, msg, msg_len);
	memcpy(signed_octets + msg_len, nonce, nonce_len);
	if (!ike_prf(sk_p, sk_p_len, id_body, id_len,
		     signed_octets + msg_len + nonce_len) &&
	    !ike_prf(psk, psk_len, (const uint8_t *)pad, sizeof(pad) - 1, kpad) &&
	    !ike_prf(kpad, sizeof(kpad), signed_octets, len, out))
		err = 0;
	OPENSSL_cleanse(kpad, sizeof(kpad));
	free(signed_octets);
	return err;
}
