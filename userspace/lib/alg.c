// SPDX-License-Identifier: GPL-2.0
/* Algorithm names and IKEv2 transform IDs; see alg.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../uapi/linux/ksad.h"
#include "alg.h"

/* AES modes after "aes128" and the like, in strongSwan's spelling. */
static const struct {
	const char *sfx;
	uint16_t id;
} aes_modes[] = {
	{ "gcm16", KSAD_ENCR_AES_GCM_16 }, { "gcm128", KSAD_ENCR_AES_GCM_16 },
	{ "gcm12", KSAD_ENCR_AES_GCM_12 }, { "gcm96", KSAD_ENCR_AES_GCM_12 },
	{ "gcm8", KSAD_ENCR_AES_GCM_8 }, { "gcm64", KSAD_ENCR_AES_GCM_8 },
	{ "ccm16", KSAD_ENCR_AES_CCM_16 }, { "ccm128", KSAD_ENCR_AES_CCM_16 },
	{ "ccm12", KSAD_ENCR_AES_CCM_12 }, { "ccm96", KSAD_ENCR_AES_CCM_12 },
	{ "ccm8", KSAD_ENCR_AES_CCM_8 }, { "ccm64", KSAD_ENCR_AES_CCM_8 },
	{ "gmac", KSAD_ENCR_NULL_AUTH_AES_GMAC }, { "ctr", KSAD_ENCR_AES_CTR },
	{ "", KSAD_ENCR_AES_CBC },
};

/* Integrity: strongSwan's keyword first (the one printed), then aliases. */
static const struct {
	const char *word;
	uint16_t id;
	unsigned int icv_bits;
	const char *xfrm;	/* the crypto API's name */
	unsigned int key;	/* bytes */
} integs[] = {
	{ "sha1", KSAD_AUTH_HMAC_SHA1_96, 96, "hmac(sha1)", 20 },
	{ "sha256", KSAD_AUTH_HMAC_SHA2_256_128, 128, "hmac(sha256)", 32 },
	{ "sha384", KSAD_AUTH_HMAC_SHA2_384_192, 192, "hmac(sha384)", 48 },
	{ "sha512", KSAD_AUTH_HMAC_SHA2_512_256, 256, "hmac(sha512)", 64 },
	{ "aesxcbc", KSAD_AUTH_AES_XCBC_96, 96, "xcbc(aes)", 16 },
	{ "aescmac", KSAD_AUTH_AES_CMAC_96, 96, "cmac(aes)", 16 },
	{ "sha", KSAD_AUTH_HMAC_SHA1_96, 96, "hmac-sha1", 20 },
	{ "sha2_256", KSAD_AUTH_HMAC_SHA2_256_128, 128, "hmac-sha256", 32 },
	{ "sha2_384", KSAD_AUTH_HMAC_SHA2_384_192, 192, "hmac-sha384", 48 },
	{ "sha2_512", KSAD_AUTH_HMAC_SHA2_512_256, 256, "hmac-sha512", 64 },
	{ NULL, KSAD_AUTH_AES_XCBC_96, 96, "aes-xcbc", 16 },
	{ NULL, KSAD_AUTH_AES_CMAC_96, 96, "aes-cmac", 16 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int alg_swan_word(const char *word, struct alg_word *w)
{
	unsigned long bits = 128;
	const char *p;
	char *end;
	size_t i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < N(integs); i++) {
		if (integs[i].word && !strcmp(word, integs[i].word)) {
			w->integ = true;
			w->id = integs[i].id;
			return 0;
		}
	}
	if (!strcmp(word, "chacha20poly1305")) {
		w->id = KSAD_ENCR_CHACHA20_POLY1305;
		w->bits = 256;
		return 0;
	}
	if (!strcmp(word, "null")) {
		w->id = KSAD_ENCR_NULL;
		return 0;
	}
	if (strncmp(word, "aes", 3))
		return -1;
	p = word + 3;
	if (*p >= '0' && *p <= '9') {
		bits = strtoul(p, &end, 10);
		p = end;
	}
	if (bits != 128 && bits != 192 && bits != 256)
		return -1;
	for (i = 0; i < N(aes_modes); i++) {
		if (!strcmp(p, aes_modes[i].sfx)) {
			w->id = aes_modes[i].id;
			w->bits = (uint16_t)bits;
			return 0;
		}
	}
	return -1;
}

int alg_swan_proposal(const char *s, struct alg_encr *encr, uint16_t *integ)
{
	char buf[128], *tok, *save = NULL;
	struct alg_word w;

	memset(encr, 0, sizeof(*encr));
	*integ = KSAD_AUTH_NONE;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	for (tok = strtok_r(buf, "-", &save); tok; tok = strtok_r(NULL, "-", &save)) {
		if (alg_swan_word(tok, &w))
			return -1;
		if (w.integ ? *integ != KSAD_AUTH_NONE : encr->id != 0)
			return -1;	/* two of a kind */
		if (w.integ) {
			*integ = w.id;
		} else {
			encr->id = w.id;
			encr->bits = w.bits;
		}
	}
	if (!encr->id && *integ == KSAD_AUTH_NONE)
		return -1;
	if (encr->id && alg_encr_combined(encr->id) != (*integ == KSAD_AUTH_NONE))
		return -1;
	return 0;
}

int alg_xfrm_name(const char *name, unsigned int icv_bits, struct alg_word *w)
{
	static const struct {
		const char *name;
		uint16_t id[3];		/* by ICV: 64, 96, 128 bits */
	} aeads[] = {
		{ "rfc4106(gcm(aes))", { KSAD_ENCR_AES_GCM_8, KSAD_ENCR_AES_GCM_12,
					 KSAD_ENCR_AES_GCM_16 } },
		{ "rfc4309(ccm(aes))", { KSAD_ENCR_AES_CCM_8, KSAD_ENCR_AES_CCM_12,
					 KSAD_ENCR_AES_CCM_16 } },
		{ "rfc4543(gcm(aes))", { 0, 0, KSAD_ENCR_NULL_AUTH_AES_GMAC } },
		{ "rfc7539esp(chacha20,poly1305)", { 0, 0, KSAD_ENCR_CHACHA20_POLY1305 } },
		/* ksadctl's own names */
		{ "aes-gcm-16", { 0, 0, KSAD_ENCR_AES_GCM_16 } },
		{ "aes-gcm-12", { 0, KSAD_ENCR_AES_GCM_12, 0 } },
		{ "aes-gcm-8", { KSAD_ENCR_AES_GCM_8, 0, 0 } },
		{ "aes-ccm-16", { 0, 0, KSAD_ENCR_AES_CCM_16 } },
		{ "aes-ccm-12", { 0, KSAD_ENCR_AES_CCM_12, 0 } },
		{ "aes-ccm-8", { KSAD_ENCR_AES_CCM_8, 0, 0 } },
		{ "aes-gmac", { 0, 0, KSAD_ENCR_NULL_AUTH_AES_GMAC } },
		{ "chacha20-poly1305", { 0, 0, KSAD_ENCR_CHACHA20_POLY1305 } },
	};
	static const struct {
		const char *name;
		uint16_t id;
	} ciphers[] = {
		{ "cbc(aes)", KSAD_ENCR_AES_CBC }, { "aes-cbc", KSAD_ENCR_AES_CBC },
		{ "rfc3686(ctr(aes))", KSAD_ENCR_AES_CTR },
		{ "aes-ctr", KSAD_ENCR_AES_CTR },
		{ "ecb(cipher_null)", KSAD_ENCR_NULL },
		{ "cipher_null", KSAD_ENCR_NULL }, { "null", KSAD_ENCR_NULL },
	};
	size_t i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < N(aeads); i++) {
		int k;

		if (strcmp(name, aeads[i].name))
			continue;
		if (!icv_bits) {	/* the name's own, or 128 */
			for (k = 2; k >= 0 && !aeads[i].id[k]; k--)
				;
		} else {
			k = icv_bits == 64 ? 0 : icv_bits == 96 ? 1 :
			    icv_bits == 128 ? 2 : -1;
		}
		if (k < 0 || !aeads[i].id[k])
			return -1;
		w->id = aeads[i].id[k];
		return 0;
	}
	for (i = 0; i < N(ciphers); i++) {
		if (!strcmp(name, ciphers[i].name)) {
			if (icv_bits)
				return -1;
			w->id = ciphers[i].id;
			return 0;
		}
	}
	for (i = 0; i < N(integs); i++) {
		if (!strcmp(name, integs[i].xfrm)) {
			if (icv_bits && icv_bits != integs[i].icv_bits)
				return -1;
			w->integ = true;
			w->id = integs[i].id;
			return 0;
		}
	}
	return -1;
}

unsigned int alg_encr_salt(uint16_t id)
{
	switch (id) {
	case KSAD_ENCR_AES_CCM_8 ... KSAD_ENCR_AES_CCM_16:
		return 3;
	case KSAD_ENCR_AES_CTR:
	case KSAD_ENCR_AES_GCM_8 ... KSAD_ENCR_NULL_AUTH_AES_GMAC:
	case KSAD_ENCR_CHACHA20_POLY1305:
		return 4;
	default:
		return 0;
	}
}

bool alg_encr_combined(uint16_t id)
{
	return (id >= KSAD_ENCR_AES_CCM_8 && id <= KSAD_ENCR_AES_CCM_16) ||
	       (id >= KSAD_ENCR_AES_GCM_8 && id <= KSAD_ENCR_NULL_AUTH_AES_GMAC) ||
	       id == KSAD_ENCR_CHACHA20_POLY1305;
}

bool alg_encr_keylen_choice(uint16_t id)
{
	return id != KSAD_ENCR_NULL && id != KSAD_ENCR_CHACHA20_POLY1305;
}

unsigned int alg_integ_keylen(uint16_t id)
{
	size_t i;

	for (i = 0; i < N(integs); i++)
		if (integs[i].id == id)
			return integs[i].key;
	return 0;
}

static const char *encr_word(uint16_t id, uint16_t bits, char *buf, size_t len)
{
	size_t i;

	if (id == KSAD_ENCR_NULL)
		return "null";
	if (id == KSAD_ENCR_CHACHA20_POLY1305)
		return "chacha20poly1305";
	for (i = 0; i < N(aes_modes); i++) {
		if (aes_modes[i].id == id) {
			snprintf(buf, len, "aes%u%s", bits, aes_modes[i].sfx);
			return buf;
		}
	}
	snprintf(buf, len, "encr%u", id);
	return buf;
}

const char *alg_swan_name(uint16_t encr, uint16_t bits, uint16_t integ,
			  char *buf, size_t len)
{
	const char *iw = NULL;
	char e[32], x[16];
	size_t i;

	for (i = 0; i < N(integs) && integ; i++)
		if (integs[i].id == integ && integs[i].word) {
			iw = integs[i].word;
			break;
		}
	if (integ && !iw) {
		snprintf(x, sizeof(x), "integ%u", integ);
		iw = x;
	}
	if (!encr)
		snprintf(buf, len, "%s", iw ? iw : "none");
	else if (iw)
		snprintf(buf, len, "%s-%s", encr_word(encr, bits, e, sizeof(e)), iw);
	else
		snprintf(buf, len, "%s", encr_word(encr, bits, e, sizeof(e)));
	return buf;
}
