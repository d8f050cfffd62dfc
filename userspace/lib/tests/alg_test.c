// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for alg.c: strongSwan's and `ip xfrm`'s algorithm names to
 * IKEv2 transform IDs (IANA's numbers, written out here) and back.
 */
#include <string.h>

#include "../alg.h"
#include "../tap.h"

static int word(const char *s, int integ, int id, int bits)
{
	struct alg_word w;

	return !alg_swan_word(s, &w) && w.integ == integ && w.id == id &&
	       w.bits == bits;
}

static int prop(const char *s, int encr, int bits, int integ)
{
	struct alg_encr e;
	uint16_t i;

	return !alg_swan_proposal(s, &e, &i) && e.id == encr && e.bits == bits &&
	       i == integ;
}

static int xfrm(const char *s, unsigned int icv, int integ, int id)
{
	struct alg_word w;

	return !alg_xfrm_name(s, icv, &w) && w.integ == integ && w.id == id;
}

int main(void)
{
	struct alg_encr e;
	struct alg_word w;
	char buf[64];
	uint16_t i;

	ok(word("aes128gcm16", 0, 20, 128), "aes128gcm16: ENCR_AES_GCM_16 (20), 128 bits");
	ok(word("aes192gcm12", 0, 19, 192), "aes192gcm12: ENCR_AES_GCM_12 (19), 192 bits");
	ok(word("aes256gcm64", 0, 18, 256), "aes256gcm64 (strongSwan's ICV-bit alias): ENCR_AES_GCM_8 (18)");
	ok(word("aes128ccm8", 0, 14, 128), "aes128ccm8: ENCR_AES_CCM_8 (14)");
	ok(word("aes256ccm16", 0, 16, 256), "aes256ccm16: ENCR_AES_CCM_16 (16)");
	ok(word("aes192gmac", 0, 21, 192), "aes192gmac: ENCR_NULL_AUTH_AES_GMAC (21)");
	ok(word("aes256ctr", 0, 13, 256), "aes256ctr: ENCR_AES_CTR (13)");
	ok(word("aes192", 0, 12, 192), "aes192: ENCR_AES_CBC (12)");
	ok(word("aes", 0, 12, 128), "aes: AES-CBC-128, as strongSwan reads it");
	ok(word("chacha20poly1305", 0, 28, 256), "chacha20poly1305: 28");
	ok(word("null", 0, 11, 0), "null: ENCR_NULL (11)");
	ok(word("sha1", 1, 2, 0), "sha1: AUTH_HMAC_SHA1_96 (2)");
	ok(word("aesxcbc", 1, 5, 0), "aesxcbc: AUTH_AES_XCBC_96 (5)");
	ok(word("aescmac", 1, 8, 0), "aescmac: AUTH_AES_CMAC_96 (8)");
	ok(word("sha256", 1, 12, 0) && word("sha384", 1, 13, 0) && word("sha512", 1, 14, 0),
	   "sha256, sha384, sha512: 12, 13, 14");
	ok(alg_swan_word("aes160gcm16", &w) < 0, "a key length AES does not have is refused");
	ok(alg_swan_word("3des", &w) < 0 && alg_swan_word("md5", &w) < 0,
	   "3des and md5 are not names ksad knows");

	ok(prop("aes256-sha384", 12, 256, 13), "aes256-sha384");
	ok(prop("aes128gcm16", 20, 128, 0), "aes128gcm16: no integrity");
	ok(prop("null-sha256", 11, 0, 12), "null-sha256");
	ok(prop("sha512", 0, 0, 14), "sha512 alone (AH)");
	ok(alg_swan_proposal("aes128gcm16-sha256", &e, &i) < 0,
	   "combined mode with integrity is refused");
	ok(alg_swan_proposal("aes128", &e, &i) < 0, "AES-CBC without integrity is refused");
	ok(alg_swan_proposal("aes128-aes256-sha1", &e, &i) < 0, "two ciphers are refused");

	ok(xfrm("rfc4106(gcm(aes))", 64, 0, 18) && xfrm("rfc4106(gcm(aes))", 96, 0, 19) &&
	   xfrm("rfc4106(gcm(aes))", 128, 0, 20) && xfrm("rfc4106(gcm(aes))", 0, 0, 20),
	   "rfc4106(gcm(aes)) with 64, 96, 128 ICV bits (none: 128)");
	ok(xfrm("rfc4309(ccm(aes))", 96, 0, 15), "rfc4309(ccm(aes)) 96");
	ok(xfrm("rfc4543(gcm(aes))", 128, 0, 21), "rfc4543(gcm(aes)): GMAC");
	ok(alg_xfrm_name("rfc4543(gcm(aes))", 64, &w) < 0, "GMAC has one ICV length");
	ok(xfrm("rfc3686(ctr(aes))", 0, 0, 13) && xfrm("cbc(aes)", 0, 0, 12) &&
	   xfrm("ecb(cipher_null)", 0, 0, 11), "ciphers: ctr, cbc, null");
	ok(xfrm("hmac(sha384)", 192, 1, 13) && xfrm("hmac(sha384)", 0, 1, 13),
	   "hmac(sha384): 192-bit truncation, or none given");
	ok(alg_xfrm_name("hmac(sha256)", 96, &w) < 0,
	   "hmac(sha256) truncated to 96 bits (XFRM's old default) is not an IKEv2 algorithm");
	ok(xfrm("xcbc(aes)", 96, 1, 5) && xfrm("cmac(aes)", 96, 1, 8), "xcbc(aes), cmac(aes)");
	ok(xfrm("aes-gcm-16", 0, 0, 20) && xfrm("hmac-sha256", 0, 1, 12),
	   "ksadctl's own names still work");

	ok(alg_encr_salt(16) == 3 && alg_encr_salt(20) == 4 && alg_encr_salt(13) == 4 &&
	   alg_encr_salt(12) == 0, "salt: CCM 3, GCM 4, CTR 4 (nonce), CBC none");
	ok(alg_integ_keylen(2) == 20 && alg_integ_keylen(14) == 64 && alg_integ_keylen(99) == 0,
	   "integrity key lengths");
	ok(!strcmp(alg_swan_name(12, 256, 13, buf, sizeof(buf)), "aes256-sha384") &&
	   !strcmp(alg_swan_name(19, 192, 0, buf, sizeof(buf)), "aes192gcm12") &&
	   !strcmp(alg_swan_name(0, 0, 5, buf, sizeof(buf)), "aesxcbc") &&
	   !strcmp(alg_swan_name(28, 256, 0, buf, sizeof(buf)), "chacha20poly1305"),
	   "names back from IDs");
	return tap_done();
}
