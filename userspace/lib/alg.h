/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP and AH algorithms by name: strongSwan's proposal keywords
 * (aes128gcm16, aes256, sha384, ...) and the kernel crypto API's names that
 * `ip xfrm` takes (rfc4106(gcm(aes)), cbc(aes), hmac(sha256), ...), to and
 * from the IKEv2 transform IDs ksad's netlink API speaks (uapi ksad.h).
 * Shared by ksadctl and ksad-ike.
 */
#ifndef KSAD_ALG_H
#define KSAD_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An encryption transform (IKEv2 Transform Type 1). */
struct alg_encr {
	uint16_t id;
	uint16_t bits;		/* key length; 0: none given (from the key) */
};

/* What one algorithm keyword names: encryption or integrity. */
struct alg_word {
	bool integ;
	uint16_t id;		/* Transform Type 1 or 3 ID */
	uint16_t bits;		/* encryption: key bits named (0: any) */
};

/*
 * A strongSwan keyword: aes128gcm16, aes256ccm12, aes192gmac, aes128ctr,
 * aes256, chacha20poly1305, null, sha1, sha256, sha384, sha512, aesxcbc,
 * aescmac (and strongSwan's aliases: aes128gcm128, sha, sha2_256...).
 * Returns 0 or -1.
 */
int alg_swan_word(const char *word, struct alg_word *w);

/*
 * A strongSwan ESP or AH proposal without groups: "aes128gcm16",
 * "aes256-sha384", "null-sha256", "sha256" (AH).  Fills @encr (id 0: none)
 * and @integ (0: none).  Returns 0 or -1.
 */
int alg_swan_proposal(const char *s, struct alg_encr *encr, uint16_t *integ);

/*
 * An `ip xfrm` (crypto API) name: rfc4106(gcm(aes)) with @icv_bits 64, 96
 * or 128 (0: 128), rfc4309(ccm(aes)), rfc4543(gcm(aes)),
 * rfc7539esp(chacha20,poly1305), cbc(aes), rfc3686(ctr(aes)),
 * ecb(cipher_null), hmac(sha1), hmac(sha256), hmac(sha384), hmac(sha512),
 * xcbc(aes), cmac(aes); for integrity @icv_bits (0: the algorithm's) must
 * be its truncation.  Returns 0 or -1.
 */
int alg_xfrm_name(const char *name, unsigned int icv_bits, struct alg_word *w);

/* Salt (or nonce) bytes at the end of an encryption key. */
unsigned int alg_encr_salt(uint16_t id);
/* Whether it is combined-mode (no integrity algorithm with it). */
bool alg_encr_combined(uint16_t id);
/* Whether its key length is a choice (the AES ones). */
bool alg_encr_keylen_choice(uint16_t id);
/* Key bytes of an integrity algorithm; 0 for an unknown one. */
unsigned int alg_integ_keylen(uint16_t id);

/* The strongSwan name of an SA's algorithms, e.g. "aes256-sha384". */
const char *alg_swan_name(uint16_t encr, uint16_t bits, uint16_t integ,
			  char *buf, size_t len);

#endif
