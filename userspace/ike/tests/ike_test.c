// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ksad-ike's message codec (ike/msg.c) and key derivation
 * (ike/keys.c).  TAP.  The key-derivation vectors are RFC 4231's for
 * HMAC-SHA-256 and, for prf+, the IKE/CHILD key material and the PSK AUTH
 * value, values computed with Python's hmac module (an independent
 * implementation) from the inputs written here.  Key exchange and SK are
 * tested both ways between two instances, and against tampering.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../psk.h"
#include "../config.h"
#include "../dh.h"
#include "../keys.h"
#include "../msg.h"
#include "../sk.h"
#include "../../lib/tap.h"

static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s) / 2, i;

	if (n > max)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)n;
}

static int eqhex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[512];

	return unhex(want, w, sizeof(w)) == (int)len && !memcmp(got, w, len);
}

static void test_prf(void)
{
	uint8_t k[20], out[IKE_PRF_LEN], pk[32], ni[32], nr[32], gir[256];
	uint8_t ss[IKE_PRF_LEN], km[200], ck[72], pp[100];
	int i;

	memset(k, 0x0b, sizeof(k));
	ok(!ike_prf(k, 20, (const uint8_t *)"Hi There", 8, out) &&
	   eqhex(out, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
	   "prf HMAC-SHA-256: RFC 4231 test case 1");
	ok(!ike_prf((const uint8_t *)"Jefe", 4,
		    (const uint8_t *)"what do ya want for nothing?", 28, out) &&
	   eqhex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
	   "prf HMAC-SHA-256: RFC 4231 test case 2");
	for (i = 0; i < 32; i++)
		pk[i] = (uint8_t)i;
	ok(!ike_prf_plus(pk, 32, (const uint8_t *)"ksad prf+ seed", 14, pp, sizeof(pp)) &&
	   eqhex(pp, sizeof(pp), "0c73c85475851aff0ac67dbe227c40eb264ea6054c89163e165039cdd856e907"
		 "e174e53b75ca9d67645527879f2b8ec29936ccf48d8049b3edc87f3425d0b9b0"
		 "deaa4b34dbf526e13801147ff56c52697f6c9cb4aed80ff4de4f6fd6b6dad111"
		 "bc921f3c"),
	   "prf+ over four blocks, the last one cut");
	ok(ike_prf_plus(pk, 32, pp, 1, km, 255 * 32 + 1) == -1,
	   "prf+ refuses more than 255 blocks");

	memset(ni, 0x11, sizeof(ni));
	memset(nr, 0x22, sizeof(nr));
	memset(gir, 0x33, sizeof(gir));
	ok(!ike_skeyseed(ni, 32, nr, 32, gir, 256, ss) &&
	   eqhex(ss, 32, "9ddd0ec3e4acc545b4d2b1855d813499b176d38a3ce6964b0b67a66b63edc4dc"),
	   "SKEYSEED = prf(Ni | Nr, g^ir)");
	ok(!ike_sa_keymat(ss, ni, 32, nr, 32, 0x0102030405060708ULL,
			  0x1112131415161718ULL, km, sizeof(km)) &&
	   eqhex(km, sizeof(km),
		 "f82d1c8eaab2429370ff168adf24d33692dfeb0f1cc2cb42372999b465e27146"
		 "98f4c4c3becf394de925b5a52a44ede935d84dbd0a8497ac8ba6e301acd31230"
		 "c2dead86ff0773234982a945baf55780794a902ea1e565b4240835c09272c052"
		 "9ebedf9cd89bb52c523967cc46ab19d40cf66be0440012913e1d5c6c7b2f4c88"
		 "9eb7d15249239aeaf58258bb5e183a319d8216da078acc4a0207c6b1b6c7b784"
		 "8ea5e2b955ee3a1f4ee0de121271ebb004c3866f6cc2ea7bc2e0cbe1ad975686"
		 "aa8a722d9f579ade"),
	   "SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), 200 bytes");
	ok(!ike_child_keymat(km, 32, NULL, 0, ni, 32, nr, 32, ck, sizeof(ck)) &&
	   eqhex(ck, sizeof(ck),
		 "fc38d32e714882eb189f470a86ad9548d9106fc8fe0b7da72c3694820d6e1810"
		 "adb58f6c05598da808f8e7456e1b8f5fe9144a2fd20a7056ca3b04e46bf67b10"
		 "272319b18445da43"),
	   "CHILD KEYMAT = prf+(SK_d, Ni | Nr)");
	ok(!ike_child_keymat(km, 32, gir, 256, ni, 32, nr, 32, ck, sizeof(ck)) &&
	   eqhex(ck, sizeof(ck),
		 "4c2604ce05bd70f6b41aeac4c89943b6ae478c85e5de72711f7a83edfed18534"
		 "94cb010c4ccb9776a18a9a76f9940ab1349bcd97979c0188d1fb87bdb3bd1cb4"
		 "494565c899690be3"),
	   "CHILD KEYMAT with PFS = prf+(SK_d, g^ir (new) | Ni | Nr)");
}

/*
 * A real exchange: strongSwan 5.9.8's charon (initiator, ike = 4, chd = 4
 * logging) and ksad-ike; IKE AES-GCM-16-256/PRF-HMAC-SHA2-256/ECP-256, CHILD
 * AES-GCM-16-128.  Inputs and outputs as charon logged them.
 */
static void test_strongswan_vectors(void)
{
	uint8_t nonces[64], gir[32], ss[IKE_PRF_LEN], km[168], ck[40];

	unhex("a70b1352a6e7becf8ee667ab68ecf03f9e52d111973c32d66c7dd843f6ccebb0"
	      "a69bfbc2bfb1998b3ba2a1cc39071ddaa8956c7fe107dd612ec5eeb3d4e6fa6e",
	      nonces, sizeof(nonces));
	unhex("f5afd35a972360ffae6eecb42ef869a0b039c309a992ba27bc115ba5fc8af995",
	      gir, sizeof(gir));
	ok(!ike_skeyseed(nonces, 32, nonces + 32, 32, gir, 32, ss) &&
	   eqhex(ss, 32, "bb499fed1078bc3c7b0412c99ed8dd63898e625d5c00d948bf09e756b88e150a"),
	   "strongSwan's exchange: SKEYSEED as charon logged it");
	ok(!ike_sa_keymat(ss, nonces, 32, nonces + 32, 32, 0x7993b693d7267551ULL,
			  0x052f924cc8a7c117ULL, km, sizeof(km)) &&
	   eqhex(km, 32, "71564f6e3b2032bc2d31e1329b26450cbfb782605df623f559e1104b6a1afa91") &&
	   eqhex(km + 32, 36, "9a5b600dc7874cfa93c6e7bbd38abf17cfc6d99bf92d92567c9681b450d9d89b90e4f7fe") &&
	   eqhex(km + 68, 36, "38cd05b9bb429f1f2baa4ad256685dacc0256714b33cf0ce3d6e4a4b0318116baf5f89ac") &&
	   eqhex(km + 104, 32, "ed18eb06945dbac2218b0e58b8400952afb860131d3ba0b40cd2f3f98817d880") &&
	   eqhex(km + 136, 32, "31f09d25153c79c3b45de85d22f85e193a36d203691b9b5dee7115dcad6e6b39"),
	   "strongSwan's exchange: SK_d, SK_ei, SK_er, SK_pi, SK_pr as charon logged them");
	ok(!ike_child_keymat(km, 32, NULL, 0, nonces, 32, nonces + 32, 32, ck, sizeof(ck)) &&
	   eqhex(ck, 20, "81b3d961f58dea84a07112b26a88e543984f5dec") &&
	   eqhex(ck + 20, 20, "494db4bd07d0846e6330505bfb4b2ecc3092e914"),
	   "strongSwan's exchange: CHILD SA keys, initiator's then responder's");
}

/* An IKE_SA_INIT request: SA, KE, Ni, two Notifies. */
static size_t build_init(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = { .spi_i = 0x1122334455667788ULL, .exchange = IKE_SA_INIT,
			     .flags = IKE_FLAG_INITIATOR, .msg_id = 0 };
	struct ike_proposal pr[2] = {
		{ .num = 1, .proto = 1, .n = 4, .t = {
			{ .type = 1, .id = 20, .key_len = 256 },	/* AES-GCM-16 */
			{ .type = 2, .id = 5 },				/* PRF SHA2-256 */
			{ .type = 4, .id = 19 },			/* ECP-256 */
			{ .type = 4, .id = 31 } } },			/* Curve25519 */
		{ .num = 2, .proto = 1, .n = 4, .t = {
			{ .type = 1, .id = 12, .key_len = 128 },	/* AES-CBC */
			{ .type = 2, .id = 5 },
			{ .type = 3, .id = 12 },			/* HMAC-SHA2-256-128 */
			{ .type = 4, .id = 14 } } },			/* MODP-2048 */
	};
	uint8_t ke[4 + 64] = { 0, 19, 0, 0 }, nonce[32], nat[4 + 20] = { 0, 0, 0x40, 0x04 };
	struct ike_builder b;

	memset(ke + 4, 0xab, 64);
	memset(nonce, 0xcd, sizeof(nonce));
	ike_build_start(&b, buf, cap, &h);
	ike_build_sa(&b, pr, 2);
	ike_build_payload(&b, IKE_PL_KE, false, ke, sizeof(ke));
	ike_build_payload(&b, IKE_PL_NONCE, false, nonce, sizeof(nonce));
	ike_build_payload(&b, IKE_PL_NOTIFY, false, nat, sizeof(nat));
	nat[3] = 0x05;
	ike_build_payload(&b, IKE_PL_NOTIFY, false, nat, sizeof(nat));
	return ike_build_end(&b);
}

static void test_codec(void)
{
	uint8_t buf[1024], bad[1024];
	struct ike_proposal pr[IKE_MAX_PROPOSALS];
	const struct ike_payload *pl;
	struct ike_notify nt;
	struct ike_msg m;
	size_t len, n, from = 0;
	const uint8_t *ke;
	uint16_t group;
	size_t kelen;

	len = build_init(buf, sizeof(buf));
	ok(len > IKE_HDR_LEN, "built an IKE_SA_INIT request (%zu bytes)", len);
	ok(ike_msg_parse(buf, len, &m) == IKE_OK && m.n == 5 &&
	   m.hdr.spi_i == 0x1122334455667788ULL && m.hdr.spi_r == 0 &&
	   m.hdr.exchange == IKE_SA_INIT && m.hdr.flags == IKE_FLAG_INITIATOR &&
	   m.hdr.version == 0x20 && m.hdr.length == len,
	   "parsed back: header and five payloads");
	pl = ike_msg_find(&m, IKE_PL_SA, NULL);
	ok(pl && ike_sa_parse(pl, pr, IKE_MAX_PROPOSALS, &n) == IKE_OK && n == 2 &&
	   pr[0].n == 4 && pr[0].t[0].id == 20 && pr[0].t[0].key_len == 256 &&
	   pr[0].t[3].id == 31 && pr[1].num == 2 && pr[1].t[2].type == 3 &&
	   pr[1].t[3].id == 14 && pr[1].t[1].key_len == 0,
	   "SA payload: two proposals, transforms and key lengths as built");
	pl = ike_msg_find(&m, IKE_PL_KE, NULL);
	ok(pl && ike_ke_parse(pl, &group, &ke, &kelen) == IKE_OK && group == 19 &&
	   kelen == 64 && ke[0] == 0xab, "KE payload: group 19, 64 bytes");
	ok(ike_msg_find(&m, IKE_PL_NOTIFY, &from) &&
	   (pl = ike_msg_find(&m, IKE_PL_NOTIFY, &from)) &&
	   ike_notify_parse(pl, &nt) == IKE_OK && nt.type == 0x4005 &&
	   nt.data_len == 20 && !ike_msg_find(&m, IKE_PL_NOTIFY, &from),
	   "the second Notify is NAT_DETECTION_DESTINATION_IP with 20 bytes");

	/* every way of breaking the lengths is refused */
	ok(ike_msg_parse(buf, len - 1, &m) == IKE_ERR_TRUNCATED,
	   "a message shorter than its length: refused");
	memcpy(bad, buf, len);
	bad[len] = 0;
	ok(ike_msg_parse(bad, len + 1, &m) == IKE_ERR_LENGTH,
	   "a datagram longer than the message's length: refused");
	memcpy(bad, buf, len);
	bad[17] = 0x30;
	ok(ike_msg_parse(bad, len, &m) == IKE_ERR_VERSION, "major version 3: INVALID_MAJOR_VERSION");
	memcpy(bad, buf, len);
	bad[IKE_HDR_LEN + 3] = 3;	/* SA payload length 3 */
	bad[IKE_HDR_LEN + 2] = 0;
	ok(ike_msg_parse(bad, len, &m) == IKE_ERR_LENGTH, "a payload length below 4: refused");
	memcpy(bad, buf, len);
	bad[IKE_HDR_LEN + 2] = 0xff;	/* SA payload runs past the end */
	ok(ike_msg_parse(bad, len, &m) == IKE_ERR_LENGTH, "a payload running past the message: refused");
	memcpy(bad, buf, len);
	bad[16] = 200;			/* unknown first payload, critical bit */
	bad[IKE_HDR_LEN + 1] = 0x80;
	ok(ike_msg_parse(bad, len, &m) == IKE_ERR_CRITICAL && m.bad_type == 200,
	   "an unknown critical payload: UNSUPPORTED_CRITICAL_PAYLOAD (type 200)");
	bad[IKE_HDR_LEN + 1] = 0;
	ok(ike_msg_parse(bad, len, &m) == IKE_OK && m.p[0].type == 200,
	   "an unknown non-critical payload: kept, to be ignored");
	memcpy(bad, buf, len);
	bad[IKE_HDR_LEN + 4 + 7] = 5;	/* first proposal claims 5 transforms */
	ok(ike_msg_parse(bad, len, &m) == IKE_OK &&
	   ike_sa_parse(&m.p[0], pr, IKE_MAX_PROPOSALS, &n) == IKE_ERR_SYNTAX,
	   "a proposal with a wrong transform count: INVALID_SYNTAX");
}

static void test_sk_and_ts(void)
{
	struct ike_hdr h = { .spi_i = 1, .spi_r = 2, .exchange = IKE_AUTH,
			     .flags = IKE_FLAG_INITIATOR, .msg_id = 1 };
	struct ike_ts ts[2] = {
		{ .type = 7, .proto = 0, .start_port = 0, .end_port = 65535,
		  .start = { 10, 1, 0, 0 }, .end = { 10, 1, 0, 255 } },
		{ .type = 8, .proto = 6, .start_port = 443, .end_port = 443,
		  .start = { 0xfd, 1 }, .end = { 0xfd, 1, 0xff } },
	};
	uint8_t buf[512], inner[512], body[40];
	struct ike_ts got[IKE_MAX_TS];
	struct ike_builder b;
	struct ike_msg m;
	size_t len, ilen, n;

	/* the chain inside SK, as it is before encryption */
	ike_build_start(&b, inner, sizeof(inner), &h);
	ike_build_ts(&b, IKE_PL_TSI, ts, 2);
	ike_build_ts(&b, IKE_PL_TSR, ts, 1);
	ilen = ike_build_end(&b);
	ok(ilen && ike_chain_parse(IKE_PL_TSI, inner + IKE_HDR_LEN, ilen - IKE_HDR_LEN, &m) == IKE_OK &&
	   m.n == 2 && ike_ts_parse(&m.p[0], got, IKE_MAX_TS, &n) == IKE_OK && n == 2 &&
	   got[0].type == 7 && got[0].end[3] == 255 && got[0].end_port == 65535 &&
	   got[1].type == 8 && got[1].proto == 6 && got[1].start_port == 443 &&
	   got[1].end[2] == 0xff, "TSi/TSr: IPv4 and IPv6 ranges round-trip");

	/* an SK payload ends the chain; its next-payload names the inner first */
	memset(body, 0x5a, sizeof(body));
	ike_build_start(&b, buf, sizeof(buf), &h);
	ike_build_payload(&b, IKE_PL_SK, false, body, sizeof(body));
	buf[IKE_HDR_LEN] = IKE_PL_IDI;
	len = ike_build_end(&b);
	ok(ike_msg_parse(buf, len, &m) == IKE_OK && m.n == 1 && m.p[0].type == IKE_PL_SK &&
	   m.sk_first == IKE_PL_IDI && m.p[0].len == sizeof(body),
	   "SK: last payload, its body the encrypted rest, inner first payload IDi");
	ike_build_start(&b, buf, sizeof(buf), &h);
	ike_build_payload(&b, IKE_PL_SK, false, body, sizeof(body));
	ike_build_payload(&b, IKE_PL_NONCE, false, body, 8);
	len = ike_build_end(&b);
	ok(ike_msg_parse(buf, len, &m) == IKE_ERR_LENGTH, "a payload after SK: refused");

	ok(!ike_build_end(&(struct ike_builder){ .err = true }), "a builder that overflowed yields nothing");
	ike_build_start(&b, buf, IKE_HDR_LEN + 10, &h);
	ike_build_payload(&b, IKE_PL_NONCE, false, body, sizeof(body));
	ok(!ike_build_end(&b), "a message too big for its buffer is refused, not cut");
}

static void test_ts_text(void)
{
	const uint8_t v4[4] = { 10, 1, 0, 77 }, v6[16] = { 0xfd, 0, 0, 1, [15] = 9 };
	struct ike_ts ts;
	char t[80];

	ike_ts_prefix(&ts, AF_INET, v4, 24);
	ok(!strcmp(ike_ts_str(&ts, t, sizeof(t)), "10.1.0.0/24") && ts.end[3] == 255 &&
	   ts.end_port == 65535, "a /24 prefix as a range and back: %s", t);
	ike_ts_prefix(&ts, AF_INET, v4, 32);
	ts.proto = 1;
	ok(!strcmp(ike_ts_str(&ts, t, sizeof(t)), "10.1.0.77/32[1]"), "one address, ICMP: %s", t);
	ts.proto = 6;
	ts.start_port = ts.end_port = 80;
	ok(!strcmp(ike_ts_str(&ts, t, sizeof(t)), "10.1.0.77/32[6/80]"), "TCP port 80: %s", t);
	ike_ts_prefix(&ts, AF_INET, v4, 0);
	ok(!strcmp(ike_ts_str(&ts, t, sizeof(t)), "0.0.0.0/0"), "everything: %s", t);
	ike_ts_prefix(&ts, AF_INET, v4, 28);
	ts.end[3] = 0x50;
	ok(!strcmp(ike_ts_str(&ts, t, sizeof(t)), "10.1.0.64-10.1.0.80"),
	   "a range that is no prefix: %s", t);
	ike_ts_prefix(&ts, AF_INET6, v6, 64);
	ok(!strcmp(ike_ts_str(&ts, t, sizeof(t)), "fd00:1::/64") && ts.type == 8,
	   "IPv6 /64: %s", t);
}

static void test_dh(void)
{
	static const uint16_t groups[] = { 14, 19, 31 };
	uint8_t pa[IKE_DH_MAX], pb[IKE_DH_MAX], sa[IKE_DH_MAX], sb[IKE_DH_MAX];
	size_t la, lb, na, nb, i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		uint16_t g = groups[i];
		struct ike_dh a, b;

		ok(!ike_dh_new(&a, g) && !ike_dh_new(&b, g) &&
		   !ike_dh_public(&a, pa, sizeof(pa), &la) &&
		   !ike_dh_public(&b, pb, sizeof(pb), &lb) &&
		   la == ike_dh_len(g) && lb == la,
		   "group %u: two key pairs, public values of %zu bytes", g, ike_dh_len(g));
		ok(!ike_dh_shared(&a, pb, lb, sa, sizeof(sa), &na) &&
		   !ike_dh_shared(&b, pa, la, sb, sizeof(sb), &nb) &&
		   na == nb && !memcmp(sa, sb, na) &&
		   na == (g == 19 ? 32 : ike_dh_len(g)),
		   "group %u: both sides derive the same %zu-byte secret", g, na);
		ok(ike_dh_shared(&a, pb, lb - 1, sa, sizeof(sa), &na) == -1,
		   "group %u: a public value of the wrong length is refused", g);
		memset(pb, 0, lb);
		if (g == 14)
			pb[lb - 1] = 1;		/* y = 1 */
		else if (g == 19)
			pb[0] = 1;		/* not on the curve */
		ok(ike_dh_shared(&a, pb, lb, sa, sizeof(sa), &na) == -1,
		   "group %u: a degenerate public value is refused", g);
		ike_dh_free(&a);
		ike_dh_free(&b);
	}
	ok(ike_dh_len(2) == 0, "group 2 (MODP-1024) is not offered");
}

static void test_sk(void)
{
	static const uint16_t encrs[] = { IKE_ENCR_AES_GCM_16, IKE_ENCR_AES_CBC };
	struct ike_hdr h = { .spi_i = 7, .spi_r = 9, .exchange = IKE_AUTH,
			     .flags = IKE_FLAG_INITIATOR, .msg_id = 1 };
	uint8_t inner[300], buf[1024], plain[1024], idb[13] = { 2, 0, 0, 0 };
	struct ike_builder b;
	struct ike_msg m, im;
	size_t i, ilen, len, plen;

	memcpy(idb + 4, "alice@lab", 9);
	ike_build_start(&b, inner, sizeof(inner), &h);
	ike_build_payload(&b, IKE_PL_IDI, false, idb, sizeof(idb));
	ike_build_payload(&b, IKE_PL_AUTH, false, inner, 36);
	ilen = ike_build_end(&b) - IKE_HDR_LEN;
	for (i = 0; i < 2; i++) {
		struct ike_sk_keys k = { .encr = encrs[i] }, wrong;
		const char *name = i ? "AES-CBC-128 + HMAC-SHA2-256-128" : "AES-GCM-16-256";

		if (i) {
			k.integ = IKE_INTEG_SHA256_128;
			k.ekey_len = 16;
			k.akey_len = 32;
		} else {
			k.ekey_len = 36;
		}
		memset(k.ekey, 0x61, sizeof(k.ekey));
		memset(k.akey, 0x62, sizeof(k.akey));
		ike_build_start(&b, buf, sizeof(buf), &h);
		len = ike_sk_seal(&b, &k, IKE_PL_IDI, inner + IKE_HDR_LEN, ilen);
		ok(len && ike_msg_parse(buf, len, &m) == IKE_OK && m.n == 1 &&
		   m.sk_first == IKE_PL_IDI, "%s: sealed message parses, SK names IDi", name);
		ok(!ike_sk_open(&k, buf, len, &m, plain, sizeof(plain), &plen) &&
		   plen == ilen && !memcmp(plain, inner + IKE_HDR_LEN, ilen) &&
		   ike_chain_parse(m.sk_first, plain, plen, &im) == IKE_OK && im.n == 2 &&
		   im.p[0].len == sizeof(idb), "%s: opened: the inner payloads as sealed", name);
		buf[20] ^= 1;		/* the message ID is authenticated */
		ok(ike_sk_open(&k, buf, len, &m, plain, sizeof(plain), &plen) == -1,
		   "%s: a changed header fails the ICV", name);
		buf[20] ^= 1;
		buf[len - 20] ^= 0x80;	/* ciphertext */
		ok(ike_sk_open(&k, buf, len, &m, plain, sizeof(plain), &plen) == -1,
		   "%s: a changed ciphertext fails the ICV", name);
		buf[len - 20] ^= 0x80;
		wrong = k;
		wrong.ekey[0] ^= 1;
		wrong.akey[0] ^= 1;
		ok(ike_sk_open(&wrong, buf, len, &m, plain, sizeof(plain), &plen) == -1,
		   "%s: the wrong key fails", name);
	}
}

static void test_auth(void)
{
	uint8_t msg[100], nonce[32], skp[32], idb[13] = { 2, 0, 0, 0 }, out[IKE_PRF_LEN];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	memset(nonce, 0x44, sizeof(nonce));
	memset(skp, 0x55, sizeof(skp));
	memcpy(idb + 4, "alice@lab", 9);
	ok(!ike_psk_auth((const uint8_t *)"lab secret", 10, msg, sizeof(msg), nonce,
			 sizeof(nonce), skp, sizeof(skp), idb, sizeof(idb), out) &&
	   eqhex(out, sizeof(out), "301f3fcf188f0545a26f1a26131d3b3280f53f2f98c8b04598f3758917776c70"),
	   "PSK AUTH = prf(prf(psk, \"Key Pad for IKEv2\"), msg | nonce | prf(SK_p, ID))");
}

/* The configuration file (config.c): swanctl.conf's syntax, one connection. */
static void test_config(void)
{
	static const char text[] =
		"# two connections; the second is asked for by name\n"
		"connections {\n"
		"\tother { local_addrs = 192.0.2.1\n"
		"\t\tchildren { x { mode = transport } } }\n"
		"\tlab {\n"
		"\t\tlocal_addrs = 10.0.0.1   # trailing comment\n"
		"\t\tremote_addrs = 10.0.0.2\n"
		"\t\tversion = 2\n"
		"\t\tproposals = aes256gcm16-prfsha256-ecp256,aes128-sha256-modp2048\n"
		"\t\tlocal { auth = psk\n"
		"\t\t\tid = alice@lab }\n"
		"\t\tremote { auth = psk\n"
		"\t\t\tid = \"@gw.lab\" }\n"
		"\t\tchildren {\n"
		"\t\t\tnet { local_ts = 10.1.0.0/24\n"
		"\t\t\t\tremote_ts = 10.2.0.0/24\n"
		"\t\t\t\tesp_proposals = aes128gcm16-ecp256\n"
		"\t\t\t\tmode = tunnel\n"
		"\t\t\t\tstart_action = trap\n"
		"\t\t\t\tlife_time = 20m }\n"
		"\t\t\tsecond { mode = transport }\n"
		"\t\t}\n"
		"\t}\n"
		"}\n"
		"secrets { ike-1 { id-a = alice@lab\n\tsecret = \"a # secret }\" } }\n";
	struct ike_conf c;
	char err[160] = "";

	ok(!ike_conf_parse(text, "lab", &c, err, sizeof(err)) && !strcmp(c.name, "lab") &&
	   !strcmp(c.local_addrs, "10.0.0.1") && !strcmp(c.remote_addrs, "10.0.0.2") &&
	   !strcmp(c.local_id, "alice@lab") && !strcmp(c.remote_id, "@gw.lab") &&
	   !strcmp(c.proposals, "aes256gcm16-prfsha256-ecp256,aes128-sha256-modp2048") &&
	   !strcmp(c.child, "net") && !strcmp(c.local_ts, "10.1.0.0/24") &&
	   !strcmp(c.esp_proposals, "aes128gcm16-ecp256") && !strcmp(c.mode, "tunnel") &&
	   !strcmp(c.start_action, "trap") && !strcmp(c.life_time, "20m") &&
	   !strcmp(c.secret, "a # secret }"),
	   "config: connection lab, its first CHILD SA, quoted values, the secret (%s)", err);
	ok(!ike_conf_parse(text, "", &c, err, sizeof(err)) && !strcmp(c.name, "other") &&
	   !strcmp(c.local_addrs, "192.0.2.1") && !strcmp(c.mode, "transport") &&
	   !c.remote_addrs[0], "config: without a name, the first connection");
	ok(ike_conf_parse(text, "nope", &c, err, sizeof(err)) && strstr(err, "no connection nope"),
	   "config: an unknown connection is an error (%s)", err);
	ok(ike_conf_parse("connections {\n lab {\n  rekey_time = 1h\n }\n}\n", "", &c, err,
			  sizeof(err)) && strstr(err, "line 3") && strstr(err, "rekey_time"),
	   "config: a setting ksad-ike does not know is an error, with its line (%s)", err);
	ok(ike_conf_parse("connections { lab { local_addrs = 1.2.3.4 }\n", "", &c, err,
			  sizeof(err)) && strstr(err, "never closed"),
	   "config: an unclosed '{' (%s)", err);
	ok(ike_conf_parse("connections { lab { } } }", "", &c, err, sizeof(err)) &&
	   strstr(err, "without"), "config: a '}' too many (%s)", err);
	ok(ike_conf_parse("connections { lab { remote { id = \"x } } }", "", &c, err,
			  sizeof(err)) && strstr(err, "quote"), "config: an unclosed quote (%s)", err);
	{
		static const char two[] =
			"connections {\n"
			" one { remote_addrs = 10.0.0.2\n local { id = alice@lab }\n"
			"  remote { id = @gw.lab } }\n"
			" two { remote_addrs = 10.0.0.3\n local { id = alice@lab }\n"
			"  remote { id = gw2.lab } children { c { mode = transport } } }\n"
			" three { remote_addrs = 10.0.0.4\n remote { id = gw3.lab } }\n"
			"}\n"
			"secrets {\n"
			" ike-two { id = gw2.lab\n secret = two }\n"
			" ike-half { id = alice@lab\n secret = half }\n"
			" ike-one { id-a = alice@lab\n id-b = gw.lab\n secret = one }\n"
			" ike-any { secret = any }\n"
			"}\n";
		struct ike_conf c1, c2, c3;

		err[0] = 0;

		ok(!ike_conf_parse(two, "#0", &c1, err, sizeof(err)) &&
		   !ike_conf_parse(two, "#1", &c2, err, sizeof(err)) &&
		   !ike_conf_parse(two, "#2", &c3, err, sizeof(err)) &&
		   !strcmp(c1.name, "one") && !strcmp(c2.name, "two") && !strcmp(c3.name, "three") &&
		   !strcmp(c1.remote_addrs, "10.0.0.2") && !strcmp(c2.remote_addrs, "10.0.0.3") &&
		   !strcmp(c2.mode, "transport") && !c1.mode[0] && !strcmp(c3.remote_id, "gw3.lab"),
		   "config: connections by number (#0, #1, #2), each with its own settings (%s)", err);
		ok(!strcmp(c1.secret, "one") && !strcmp(c2.secret, "two") && !strcmp(c3.secret, "any"),
		   "config: each connection's secret by its IDs (both before one; @gw.lab is "
		   "gw.lab), else the one naming no ID (%s, %s, %s)", c1.secret, c2.secret, c3.secret);
		ok(ike_conf_parse(two, "#3", &c1, err, sizeof(err)) && strstr(err, "no connection"),
		   "config: no fourth connection (%s)", err);
	}
	ok(ike_conf_seconds("3600") == 3600 && ike_conf_seconds("90s") == 90 &&
	   ike_conf_seconds("20m") == 1200 && ike_conf_seconds("1h") == 3600 &&
	   ike_conf_seconds("2d") == 172800 && ike_conf_seconds("1x") == -1 &&
	   ike_conf_seconds("m") == -1 && ike_conf_seconds("1hh") == -1,
	   "config: strongSwan's times (3600, 90s, 20m, 1h, 2d)");
}

int main(void)
{
	test_prf();
	test_strongswan_vectors();
	test_dh();
	test_sk();
	test_auth();
	test_codec();
	test_sk_and_ts();
	test_ts_text();
	test_config();
	return tap_done();
}
