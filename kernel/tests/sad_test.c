// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the SAD (sad.c, lifetime.c, crypto.c): the GETSPI / ADD /
 * UPDATE rules, larval expiry, lifetime accounting and per-namespace
 * isolation.  Each case works on private struct ksad_net instances, so no
 * real namespace is touched.  KUnit runs a module's suites before its init,
 * hence the suite brings up the module's workqueue itself.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <uapi/linux/ksad.h>

#include "../datapath.h"
#include "../ksad.h"
#include "../sa.h"
#include "kunit_wq.h"

#define A(x) BIT_ULL(KSAD_SA_##x)
#define DST1 cpu_to_be32(0x0a000001)
#define DST2 cpu_to_be32(0x0a000002)

static const u8 key36[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const u8 key32[32] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static const u8 key64[64] = { 7, 7, 7, 1, 2, 3 };

struct sad_test_ctx {
	struct ksad_net kn[2];
};

static struct workqueue_struct *sad_saved_wq;

static int sad_suite_init(struct kunit_suite *suite)
{
	return ksad_kunit_wq_get(&sad_saved_wq, "ksad-kunit");
}

static void sad_suite_exit(struct kunit_suite *suite)
{
	ksad_kunit_wq_put(sad_saved_wq);
	WARN(ksad_sa_live_count(), "ksad_sad: %d SA(s) leaked by the suite\n",
	     ksad_sa_live_count());
}

static int sad_test_init(struct kunit *test)
{
	struct sad_test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	for (i = 0; i < ARRAY_SIZE(ctx->kn); i++)
		KUNIT_ASSERT_EQ(test, 0, ksad_net_setup(&ctx->kn[i], &init_net));
	test->priv = ctx;
	return 0;
}

static void sad_test_exit(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < ARRAY_SIZE(ctx->kn); i++)
		ksad_net_teardown(&ctx->kn[i]);
}

/* A request naming (spi, ESP, dst); spi 0 leaves the SPI out. */
static void cfg_id(struct ksad_sa_cfg *c, u32 spi, __be32 dst)
{
	memset(c, 0, sizeof(*c));
	c->key.family = AF_INET;
	c->key.daddr.a4 = dst;
	c->key.proto = KSAD_PROTO_ESP;
	c->set = A(PROTO) | A(DST_IPV4);
	if (spi) {
		c->key.spi = spi;
		c->set |= A(SPI);
	}
}

static void cfg_gcm(struct ksad_sa_cfg *c)
{
	c->enc_alg = KSAD_ENCR_AES_GCM_16;
	c->enc_key_bits = 256;
	c->enc_key = key36;
	c->enc_key_len = 36;
	c->set |= A(ENC_ALG) | A(ENC_KEY) | A(ENC_KEY_BITS);
}

static void cfg_dir(struct ksad_sa_cfg *c, u8 dir)
{
	c->dir = dir;
	c->set |= A(DIR);
}

/* ESP in UDP with these ports (host order), as netlink.c fills it in. */
static void cfg_encap(struct ksad_sa_cfg *c, u16 sport, u16 dport)
{
	c->encap.type = KSAD_ENCAP_ESPINUDP;
	c->encap.sport = htons(sport);
	c->encap.dport = htons(dport);
	c->key.encap_sport = c->encap.sport;
	c->key.encap_dport = c->encap.dport;
	c->set |= A(ENCAP);
}

static void cfg_new_encap(struct ksad_sa_cfg *c, u16 sport, u16 dport)
{
	c->new_encap.type = KSAD_ENCAP_ESPINUDP;
	c->new_encap.sport = htons(sport);
	c->new_encap.dport = htons(dport);
	c->set |= A(NEW_ENCAP);
}

/* Inbound SAs counted on UDP port @port (encap.c's set). */
static unsigned long encap_port_count(struct ksad_net *kn, u16 port)
{
	return xa_to_value(xa_load(&kn->encap_ports, port));
}

/* Run an op that returns an SA; put it and return 0 or the error. */
static int op_err(struct ksad_sa *sa)
{
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	ksad_sa_put(sa);
	return 0;
}

static void sad_getspi_then_update(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa_cfg c;
	struct ksad_sa *sa;
	u32 spi;

	cfg_id(&c, 0, DST1);
	sa = ksad_sad_getspi(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, sa->state, (u8)KSAD_STATE_LARVAL);
	KUNIT_EXPECT_EQ(test, sa->dir, (u8)KSAD_DIR_IN);
	KUNIT_EXPECT_GE(test, sa->key.spi, (u32)KSAD_SPI_MIN);
	spi = sa->key.spi;
	ksad_sa_put(sa);

	/* UPDATE with a bad key length fails and leaves the SA larval. */
	cfg_id(&c, spi, DST1);
	cfg_gcm(&c);
	c.enc_key_len = 35;
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_update(kn, &c, NULL)));
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, sa->state, (u8)KSAD_STATE_LARVAL);
	ksad_sa_put(sa);

	/* A larval SA is inbound: UPDATE may not make it outbound. */
	cfg_id(&c, spi, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_update(kn, &c, NULL)));

	cfg_id(&c, spi, DST1);
	cfg_gcm(&c);
	sa = ksad_sad_update(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, sa->state, (u8)KSAD_STATE_MATURE);
	KUNIT_EXPECT_NOT_NULL(test, sa->crypto.aead);
	KUNIT_EXPECT_EQ(test, sa->key.spi, spi);
	ksad_sa_put(sa);
}

static void sad_update_mature_rules(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa_cfg c;
	struct ksad_sa *sa;

	cfg_id(&c, 0x1000, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	KUNIT_ASSERT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));

	/* Keys and algorithms of a mature SA cannot change. */
	cfg_id(&c, 0x1000, DST1);
	cfg_gcm(&c);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_update(kn, &c, NULL)));
	cfg_id(&c, 0x1000, DST1);
	c.mode = KSAD_MODE_TUNNEL;
	c.set |= A(MODE);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_update(kn, &c, NULL)));

	/* Lifetimes and the replay window can. */
	cfg_id(&c, 0x1000, DST1);
	c.hard.add_seconds = 3600;
	c.soft.bytes = 1 << 20;
	c.replay_window = 128;
	c.set |= A(HARD) | A(SOFT) | A(REPLAY_WINDOW);
	sa = ksad_sad_update(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, sa->hard.add_seconds, 3600ULL);
	KUNIT_EXPECT_EQ(test, sa->soft.bytes, 1ULL << 20);
	KUNIT_EXPECT_EQ(test, sa->replay_window, 128u);
	ksad_sa_put(sa);

	/* No SA: ESRCH. */
	cfg_id(&c, 0x1001, DST1);
	c.set |= A(HARD);
	KUNIT_EXPECT_EQ(test, -ESRCH, op_err(ksad_sad_update(kn, &c, NULL)));
}

static void sad_add_rules(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa_cfg c;
	struct ksad_sa *sa;
	u32 spi;

	/* Outbound SAs carry the peer's SPI: required. */
	cfg_id(&c, 0, DST2);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_add(kn, &c, NULL)));
	/* A direction is required. */
	cfg_id(&c, 0x2000, DST2);
	cfg_gcm(&c);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_add(kn, &c, NULL)));

	cfg_dir(&c, KSAD_DIR_OUT);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_add(kn, &c, NULL)));

	/* Inbound without SPI: one is allocated, and GETSPI cannot reuse it. */
	cfg_id(&c, 0, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	sa = ksad_sad_add(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	spi = sa->key.spi;
	KUNIT_EXPECT_GE(test, spi, (u32)KSAD_SPI_MIN);
	ksad_sa_put(sa);
	cfg_id(&c, 0, DST2);
	c.spi_min = spi;
	c.spi_max = spi;
	c.set |= A(SPI_MIN) | A(SPI_MAX);
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_getspi(kn, &c, NULL)));

	/* An inbound SPI chosen by ADD blocks GETSPI too, for any destination. */
	cfg_id(&c, 0x3000, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	cfg_id(&c, 0, DST2);
	c.spi_min = 0x3000;
	c.spi_max = 0x3000;
	c.set |= A(SPI_MIN) | A(SPI_MAX);
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_getspi(kn, &c, NULL)));
	/* ... until it is deleted. */
	cfg_id(&c, 0x3000, DST1);
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &c.key, NULL));
	KUNIT_EXPECT_EQ(test, -ESRCH, ksad_sad_delete(kn, &c.key, NULL));
	cfg_id(&c, 0, DST2);
	c.spi_min = 0x3000;
	c.spi_max = 0x3000;
	c.set |= A(SPI_MIN) | A(SPI_MAX);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_getspi(kn, &c, NULL)));
}

/* One SA of the algorithm table below, and whether ADD takes it. */
struct alg_case {
	u8 proto;
	u16 enc, bits;		/* bits 0: no KSAD_SA_ENC_KEY_BITS */
	u8 enc_key;		/* key bytes, salt included */
	u16 auth;		/* 0: none */
	u8 auth_key;
	bool esn;
	int err;
};

static const struct alg_case alg_cases[] = {
#define ESP(e, b, k, a, ak, err) { KSAD_PROTO_ESP, e, b, k, a, ak, false, err }
#define ESN(e, b, k, a, ak) { KSAD_PROTO_ESP, e, b, k, a, ak, true, 0 }
#define AH(a, ak, err) { KSAD_PROTO_AH, 0, 0, 0, a, ak, false, err }
	/* every combined-mode algorithm and key length */
	ESP(KSAD_ENCR_AES_GCM_8, 128, 20, 0, 0, 0),
	ESP(KSAD_ENCR_AES_GCM_12, 192, 28, 0, 0, 0),
	ESP(KSAD_ENCR_AES_GCM_16, 256, 36, 0, 0, 0),
	ESP(KSAD_ENCR_AES_GCM_16, 192, 28, 0, 0, 0),
	ESP(KSAD_ENCR_AES_CCM_8, 128, 19, 0, 0, 0),
	ESP(KSAD_ENCR_AES_CCM_12, 192, 27, 0, 0, 0),
	ESP(KSAD_ENCR_AES_CCM_16, 256, 35, 0, 0, 0),
	ESP(KSAD_ENCR_NULL_AUTH_AES_GMAC, 128, 20, 0, 0, 0),
	ESP(KSAD_ENCR_NULL_AUTH_AES_GMAC, 256, 36, 0, 0, 0),
	ESP(KSAD_ENCR_CHACHA20_POLY1305, 0, 36, 0, 0, 0),
	ESP(KSAD_ENCR_CHACHA20_POLY1305, 256, 36, 0, 0, 0),
	ESN(KSAD_ENCR_AES_GCM_16, 128, 20, 0, 0),
	/* ciphers with each integrity algorithm */
	ESP(KSAD_ENCR_AES_CBC, 128, 16, KSAD_AUTH_HMAC_SHA1_96, 20, 0),
	ESP(KSAD_ENCR_AES_CBC, 192, 24, KSAD_AUTH_AES_XCBC_96, 16, 0),
	ESP(KSAD_ENCR_AES_CBC, 256, 32, KSAD_AUTH_AES_CMAC_96, 16, 0),
	ESP(KSAD_ENCR_AES_CBC, 256, 32, KSAD_AUTH_HMAC_SHA2_384_192, 48, 0),
	ESP(KSAD_ENCR_AES_CTR, 128, 20, KSAD_AUTH_HMAC_SHA2_256_128, 32, 0),
	ESP(KSAD_ENCR_AES_CTR, 256, 36, KSAD_AUTH_HMAC_SHA2_512_256, 64, 0),
	ESP(KSAD_ENCR_NULL, 0, 0, KSAD_AUTH_HMAC_SHA2_256_128, 32, 0),
	ESN(KSAD_ENCR_AES_CBC, 256, 32, KSAD_AUTH_HMAC_SHA2_512_256, 64),
	ESN(KSAD_ENCR_AES_CTR, 192, 28, KSAD_AUTH_AES_XCBC_96, 16),
	ESN(KSAD_ENCR_NULL, 0, 0, KSAD_AUTH_HMAC_SHA1_96, 20),
	AH(KSAD_AUTH_HMAC_SHA1_96, 20, 0),
	AH(KSAD_AUTH_AES_XCBC_96, 16, 0),
	AH(KSAD_AUTH_AES_CMAC_96, 16, 0),
	AH(KSAD_AUTH_HMAC_SHA2_256_128, 32, 0),
	AH(KSAD_AUTH_HMAC_SHA2_384_192, 48, 0),
	AH(KSAD_AUTH_HMAC_SHA2_512_256, 64, 0),
	/* refusals: */
	ESP(KSAD_ENCR_3DES, 0, 24, KSAD_AUTH_HMAC_SHA1_96, 20, -EINVAL),
	ESP(17, 128, 20, 0, 0, -EINVAL),		/* unassigned */
	ESP(KSAD_ENCR_AES_GCM_16, 0, 36, 0, 0, -EINVAL), /* no key length */
	ESP(KSAD_ENCR_AES_GCM_16, 256, 32, 0, 0, -EINVAL), /* no salt */
	ESP(KSAD_ENCR_AES_GCM_16, 160, 24, 0, 0, -EINVAL),
	ESP(KSAD_ENCR_AES_CCM_16, 128, 20, 0, 0, -EINVAL), /* CCM's salt is 3 */
	ESP(KSAD_ENCR_CHACHA20_POLY1305, 128, 20, 0, 0, -EINVAL),
	ESP(KSAD_ENCR_AES_GCM_16, 128, 20, KSAD_AUTH_HMAC_SHA2_256_128, 32,
	    -EINVAL),				/* combined mode: no integrity */
	ESP(KSAD_ENCR_AES_CBC, 128, 16, 0, 0, -EINVAL), /* CBC needs it */
	ESP(KSAD_ENCR_AES_CBC, 128, 16, KSAD_AUTH_HMAC_SHA2_256_128, 20,
	    -EINVAL),				/* its key is 32 bytes */
	ESP(KSAD_ENCR_AES_CBC, 128, 16, 1, 16, -EINVAL), /* HMAC-MD5 */
	ESP(KSAD_ENCR_AES_CBC, 128, 16, KSAD_AUTH_AES_128_GMAC, 20, -EINVAL),
	ESP(KSAD_ENCR_NULL, 128, 0, KSAD_AUTH_HMAC_SHA1_96, 20, -EINVAL),
	AH(KSAD_AUTH_AES_128_GMAC, 20, -EINVAL),
	AH(0, 0, -EINVAL),
	{ KSAD_PROTO_AH, KSAD_ENCR_AES_GCM_16, 128, 20, KSAD_AUTH_HMAC_SHA1_96,
	  20, false, -EINVAL },			/* AH does not encrypt */
	{ KSAD_PROTO_ESP, 0, 0, 0, KSAD_AUTH_HMAC_SHA1_96, 20, false,
	  -EINVAL },				/* ESP without encryption */
#undef ESP
#undef ESN
#undef AH
};

/* The ICV each algorithm has by its RFC (IKEv2's names say most of it). */
static unsigned int alg_case_icv(const struct alg_case *t)
{
	switch (t->enc) {
	case KSAD_ENCR_AES_GCM_8:
	case KSAD_ENCR_AES_CCM_8:
		return 8;
	case KSAD_ENCR_AES_GCM_12:
	case KSAD_ENCR_AES_CCM_12:
		return 12;
	case KSAD_ENCR_AES_GCM_16:
	case KSAD_ENCR_AES_CCM_16:
	case KSAD_ENCR_NULL_AUTH_AES_GMAC:
	case KSAD_ENCR_CHACHA20_POLY1305:
		return 16;
	}
	switch (t->auth) {
	case KSAD_AUTH_HMAC_SHA2_256_128:
		return 16;
	case KSAD_AUTH_HMAC_SHA2_384_192:
		return 24;
	case KSAD_AUTH_HMAC_SHA2_512_256:
		return 32;
	default:	/* HMAC-SHA1-96, AES-XCBC-96, AES-CMAC-96 */
		return 12;
	}
}

static void sad_algorithms(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa_cfg c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(alg_cases); i++) {
		const struct alg_case *t = &alg_cases[i];
		struct ksad_sa *sa;

		cfg_id(&c, 0x4000 + i, DST2);
		cfg_dir(&c, KSAD_DIR_OUT);
		c.key.proto = t->proto;
		c.esn = t->esn;
		if (t->enc) {
			c.enc_alg = t->enc;
			c.enc_key = key36;
			c.enc_key_len = t->enc_key;
			c.set |= A(ENC_ALG) | (t->enc_key ? A(ENC_KEY) : 0);
		}
		if (t->bits) {
			c.enc_key_bits = t->bits;
			c.set |= A(ENC_KEY_BITS);
		}
		if (t->auth) {
			c.auth_alg = t->auth;
			c.auth_key = key64;
			c.auth_key_len = t->auth_key;
			c.set |= A(AUTH_ALG) | A(AUTH_KEY);
		}
		sa = ksad_sad_add(kn, &c, NULL);
		KUNIT_EXPECT_EQ_MSG(test, t->err, op_err(sa),
				    "case %u: proto %u enc %u/%u key %u auth %u key %u%s",
				    i, t->proto, t->enc, t->bits, t->enc_key,
				    t->auth, t->auth_key, t->esn ? " esn" : "");
		if (IS_ERR(sa))
			continue;
		sa = ksad_sad_get(kn, &c.key);
		if (!sa)
			continue;
		/* the transform's ICV: the algorithm's (combined) or the hash's */
		KUNIT_EXPECT_EQ(test, sa->crypto.auth_alg, t->auth);
		if (t->proto == KSAD_PROTO_ESP)
			KUNIT_EXPECT_EQ(test, sa->crypto.enc_alg, t->enc);
		KUNIT_EXPECT_EQ_MSG(test, sa->crypto.icv_len, alg_case_icv(t),
				    "case %u: ICV length", i);
		ksad_sa_put(sa);
	}
}

static void sad_flush_and_isolation(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_sa_cfg c;
	int i;

	/* The same SPI, destination and protocol in two namespaces. */
	for (i = 0; i < 2; i++) {
		cfg_id(&c, 0, DST1);
		c.spi_min = 0x7777;
		c.spi_max = 0x7777;
		c.set |= A(SPI_MIN) | A(SPI_MAX);
		KUNIT_EXPECT_EQ(test, 0,
				op_err(ksad_sad_getspi(&ctx->kn[i], &c, NULL)));
	}
	cfg_id(&c, 0x7777, DST1);
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(&ctx->kn[0], &c.key, NULL));
	KUNIT_EXPECT_EQ(test, 0u, ksad_sad_count(&ctx->kn[0]));
	KUNIT_EXPECT_EQ(test, 1u, ksad_sad_count(&ctx->kn[1]));

	/* FLUSH by protocol. */
	for (i = 0; i < 3; i++) {
		cfg_id(&c, 0, DST1);
		KUNIT_EXPECT_EQ(test, 0,
				op_err(ksad_sad_getspi(&ctx->kn[0], &c, NULL)));
	}
	cfg_id(&c, 0, DST1);
	c.key.proto = KSAD_PROTO_AH;
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_getspi(&ctx->kn[0], &c, NULL)));
	KUNIT_EXPECT_EQ(test, 3u, ksad_sad_flush(&ctx->kn[0], KSAD_PROTO_ESP));
	KUNIT_EXPECT_EQ(test, 1u, ksad_sad_count(&ctx->kn[0]));
	KUNIT_EXPECT_EQ(test, 1u, ksad_sad_flush(&ctx->kn[0], 0));
	KUNIT_EXPECT_EQ(test, 1u, ksad_sad_count(&ctx->kn[1]));
}

static void sad_larval_expires(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa_cfg c;
	struct ksad_sa *sa;
	u32 spi;

	kn->larval_timeout = 1;
	cfg_id(&c, 0, DST1);
	sa = ksad_sad_getspi(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	spi = sa->key.spi;
	ksad_sa_put(sa);
	KUNIT_EXPECT_EQ(test, 1u, ksad_sad_count(kn));
	/* One second of timeout, one of timer granularity, some slack. */
	msleep(2500);
	flush_workqueue(ksad_wq);
	KUNIT_EXPECT_EQ(test, 0u, ksad_sad_count(kn));
	/* Its SPI is free again. */
	cfg_id(&c, 0, DST1);
	c.spi_min = spi;
	c.spi_max = spi;
	c.set |= A(SPI_MIN) | A(SPI_MAX);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_getspi(kn, &c, NULL)));
}

#define S(sec) ((u64)(sec) * NSEC_PER_SEC)

/* ksad_lifetime_check() under the SA's lock, as its callers hold it */
static unsigned int check_locked(struct ksad_sa *sa, u64 now, u64 *next)
{
	unsigned int due;

	spin_lock_bh(&sa->lock);
	due = ksad_lifetime_check(sa, now, 30, next);
	spin_unlock_bh(&sa->lock);
	return due;
}

static void sad_lifetime_check(struct kunit *test)
{
	struct ksad_sa *sa = kunit_kzalloc(test, sizeof(*sa), GFP_KERNEL);
	u64 next;

	KUNIT_ASSERT_NOT_NULL(test, sa);
	spin_lock_init(&sa->lock);
	/* Larval: only the larval timeout counts. */
	sa->state = KSAD_STATE_LARVAL;
	sa->stats.add_boot = S(1000);
	sa->hard.add_seconds = 5;
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(1010), &next));
	KUNIT_EXPECT_EQ(test, S(1030), next);
	KUNIT_EXPECT_EQ(test, KSAD_LT_HARD, check_locked(sa, S(1030), &next));

	/* Mature: add-time limits, the nearer deadline first. */
	sa->state = KSAD_STATE_MATURE;
	sa->hard.add_seconds = 100;
	sa->soft.add_seconds = 50;
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(1049), &next));
	KUNIT_EXPECT_EQ(test, S(1050), next);
	KUNIT_EXPECT_EQ(test, KSAD_LT_SOFT, check_locked(sa, S(1050), &next));
	KUNIT_EXPECT_EQ(test, S(1100), next);
	/* A soft limit fires once. */
	sa->soft_expired = true;
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(1060), &next));
	KUNIT_EXPECT_EQ(test, S(1100), next);
	KUNIT_EXPECT_EQ(test, KSAD_LT_HARD, check_locked(sa, S(1100), &next));

	/* Use-time limits start at the first use. */
	memset(&sa->hard, 0, sizeof(sa->hard));
	sa->hard.use_seconds = 20;
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(5000), &next));
	KUNIT_EXPECT_EQ(test, S(0), next);
	sa->stats.first_use_boot = S(2000);
	KUNIT_EXPECT_EQ(test, KSAD_LT_HARD, check_locked(sa, S(2020), &next));

	/* Deadlines are exact, not rounded to whole seconds. */
	sa->stats.first_use_boot = S(2000) + 999999999;
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(2020), &next));
	KUNIT_EXPECT_EQ(test, S(2020) + 999999999, next);

	/* Byte and packet counts. */
	memset(&sa->hard, 0, sizeof(sa->hard));
	sa->soft_expired = false;
	sa->soft.add_seconds = 0;
	sa->soft.bytes = 1000;
	sa->hard.packets = 10;
	sa->stats.bytes = 999;
	sa->stats.packets = 9;
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(1), &next));
	sa->stats.bytes = 1000;
	KUNIT_EXPECT_EQ(test, KSAD_LT_SOFT, check_locked(sa, S(1), &next));
	sa->stats.packets = 10;
	KUNIT_EXPECT_EQ(test, KSAD_LT_SOFT | KSAD_LT_HARD,
			check_locked(sa, S(1), &next));

	/* Sequence numbers used up (they never wrap): hard, whatever else. */
	memset(&sa->hard, 0, sizeof(sa->hard));
	memset(&sa->soft, 0, sizeof(sa->soft));
	KUNIT_EXPECT_EQ(test, 0u, check_locked(sa, S(1), &next));
	sa->seq_exhausted = true;
	KUNIT_EXPECT_EQ(test, KSAD_LT_HARD, check_locked(sa, S(1), &next));
}

#undef S

/*
 * UDP encapsulation: the ports name outbound SAs (two peers behind one NAT
 * with one SPI), not inbound ones; inbound SAs count on their port.
 */
static void sad_encap_identity(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa_cfg c;
	struct ksad_sa *sa;

	/* outbound: same SPI and destination, different ports: both */
	cfg_id(&c, 0x4000, DST2);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	cfg_encap(&c, 4500, 4500);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	cfg_encap(&c, 4500, 1025);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_add(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 0UL, encap_port_count(kn, 4500));
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, ntohs(sa->encap.dport), 1025);
	ksad_sa_put(sa);
	cfg_id(&c, 0x4000, DST2);
	KUNIT_EXPECT_NULL(test, ksad_sad_get(kn, &c.key));

	/* moving one onto the other's ports: refused, nothing changes */
	cfg_id(&c, 0x4000, DST2);
	cfg_encap(&c, 4500, 1025);
	cfg_new_encap(&c, 4500, 4500);
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_update(kn, &c, NULL)));
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, ntohs(sa->encap.dport), 1025);
	ksad_sa_put(sa);
	/* ... onto free ones: found by them, not by the old */
	cfg_new_encap(&c, 4500, 2000);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_update(kn, &c, NULL)));
	KUNIT_EXPECT_NULL(test, ksad_sad_get(kn, &c.key));
	cfg_encap(&c, 4500, 2000);
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, ntohs(sa->key.encap_dport), 2000);
	ksad_sa_put(sa);
	/* ... and onto the ports it has: nothing to do, no collision */
	cfg_new_encap(&c, 4500, 2000);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_update(kn, &c, NULL)));
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_EXPECT_NOT_NULL(test, sa);
	if (sa)
		ksad_sa_put(sa);

	/* inbound: named with or without ports, counted on its port */
	cfg_id(&c, 0x4100, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	cfg_encap(&c, 1025, 4500);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	cfg_id(&c, 0x4101, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	cfg_encap(&c, 1026, 4500);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 2UL, encap_port_count(kn, 4500));
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, ntohs(sa->key.encap_dport), 0);
	ksad_sa_put(sa);
	cfg_id(&c, 0x4101, DST1);
	sa = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	ksad_sa_put(sa);
	/* the peer's NAT moved: new ports, counted on the new one */
	cfg_new_encap(&c, 1026, 4501);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_update(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 1UL, encap_port_count(kn, 4500));
	KUNIT_EXPECT_EQ(test, 1UL, encap_port_count(kn, 4501));
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &c.key, NULL));
	KUNIT_EXPECT_EQ(test, 0UL, encap_port_count(kn, 4501));
	cfg_id(&c, 0x4100, DST1);
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &c.key, NULL));
	KUNIT_EXPECT_TRUE(test, xa_empty(&kn->encap_ports));

	/* a larval SA gets its encapsulation with UPDATE, and counts then */
	cfg_id(&c, 0, DST1);
	sa = ksad_sad_getspi(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	cfg_id(&c, sa->key.spi, DST1);
	ksad_sa_put(sa);
	cfg_gcm(&c);
	cfg_encap(&c, 4500, 4500);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_update(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 1UL, encap_port_count(kn, 4500));
	/* ... and a mature SA keeps it: ENCAP that differs is refused */
	cfg_id(&c, c.key.spi, DST1);
	cfg_encap(&c, 4500, 4999);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_update(kn, &c, NULL)));

	/* AH does not go in UDP; NEW_ENCAP needs an SA with encapsulation */
	cfg_id(&c, 0x4200, DST1);
	c.key.proto = KSAD_PROTO_AH;
	c.auth_alg = KSAD_AUTH_HMAC_SHA2_256_128;
	c.auth_key = key32;
	c.auth_key_len = 32;
	c.set |= A(AUTH_ALG) | A(AUTH_KEY);
	cfg_dir(&c, KSAD_DIR_IN);
	cfg_encap(&c, 4500, 4500);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_add(kn, &c, NULL)));
	cfg_id(&c, 0x4300, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	cfg_id(&c, 0x4300, DST1);
	cfg_new_encap(&c, 4500, 4500);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_update(kn, &c, NULL)));
	/* uninit flushes; encap_ports must be empty then (WARN otherwise) */
}

/* The SA that @pol sends a packet to @dst through, as the datapath finds it. */
static struct ksad_sa *policy_sa(struct ksad_net *kn, struct ksad_policy *pol,
				 __be32 dst)
{
	struct ksad_flow fl = {
		.family = AF_INET,
		.saddr.a4 = cpu_to_be32(0x0a0000fe),
		.daddr.a4 = dst,
		.proto = IPPROTO_UDP,
	};
	struct ksad_sa *sa;

	rcu_read_lock();
	sa = ksad_policy_sa_rcu(kn, pol, &fl);
	rcu_read_unlock();
	return sa;
}

/*
 * An outbound protect policy uses the newest SA it may use, newest in the
 * order the SAs were added, also once the SAD's ids have wrapped (a
 * long-running host that rekeys): here ids U32_MAX, 0 and 1, in that order.
 */
static void sad_policy_newest_across_id_wrap(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_policy *pol = ksad_policy_alloc();
	struct ksad_sa *sa[3];
	struct ksad_sa_cfg c;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pol->dir = KSAD_DIR_OUT;
	pol->action = KSAD_ACTION_PROTECT;
	pol->proto = KSAD_PROTO_ESP;
	pol->mode = KSAD_MODE_TRANSPORT;
	mutex_lock(&kn->lock);
	KUNIT_ASSERT_EQ(test, 0, ksad_spd_insert(kn, pol));
	mutex_unlock(&kn->lock);

	kn->next_id = U32_MAX;
	for (i = 0; i < 3; i++) {
		cfg_id(&c, 0x5100 + i, DST1);
		cfg_gcm(&c);
		cfg_dir(&c, KSAD_DIR_OUT);
		sa[i] = ksad_sad_add(kn, &c, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(sa[i]));
		ksad_sa_put(sa[i]);	/* the SAD keeps its own reference */
	}
	KUNIT_EXPECT_EQ(test, U32_MAX, sa[0]->id);
	KUNIT_EXPECT_LT(test, sa[2]->id, sa[0]->id);
	KUNIT_EXPECT_PTR_EQ(test, sa[2], policy_sa(kn, pol, DST1));
	KUNIT_EXPECT_NULL(test, policy_sa(kn, pol, DST2));
	/* the newest goes: the policy takes the one added just before it */
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &sa[2]->key, NULL));
	KUNIT_EXPECT_PTR_EQ(test, sa[1], policy_sa(kn, pol, DST1));
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &sa[1]->key, NULL));
	KUNIT_EXPECT_PTR_EQ(test, sa[0], policy_sa(kn, pol, DST1));
}

/* MIGRATE of SA (@spi, ESP, @dst) to @ndst (IPv6 if @v6), from @nsrc. */
static void cfg_migrate(struct ksad_sa_cfg *c, u32 spi, __be32 dst, bool v6,
			__be32 ndst, __be32 nsrc)
{
	cfg_id(c, spi, dst);
	if (v6) {
		c->new_family = AF_INET6;
		c->new_daddr.a6.s6_addr[0] = 0xfd;
		c->new_daddr.a6.s6_addr32[3] = ndst;
		c->new_sfamily = AF_INET6;
		c->new_saddr.a6.s6_addr[0] = 0xfd;
		c->new_saddr.a6.s6_addr32[3] = nsrc;
		c->set |= A(NEW_DST_IPV6) | A(NEW_SRC_IPV6);
	} else {
		c->new_family = AF_INET;
		c->new_daddr.a4 = ndst;
		c->new_sfamily = AF_INET;
		c->new_saddr.a4 = nsrc;
		c->set |= A(NEW_DST_IPV4) | A(NEW_SRC_IPV4);
	}
}

/*
 * MIGRATE moves an SA to IPv6 and back, keeping its sequence numbers and
 * counters; the tunnel ends of its policies follow when asked; an inbound
 * SA's UDP port moves; what cannot be is refused and changes nothing.
 */
static void sad_migrate(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_policy *pol = ksad_policy_alloc();
	struct ksad_flow fl = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct ksad_sa_key key6 = {};
	struct ksad_sa *sa, *in;
	struct ksad_sa_cfg c;

	KUNIT_ASSERT_NOT_NULL(test, pol);
	/* an outbound tunnel-mode SA from .254 to DST1, and its policy */
	cfg_id(&c, 0x6100, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	c.mode = KSAD_MODE_TUNNEL;
	c.saddr.a4 = cpu_to_be32(0x0a0000fe);
	c.set |= A(MODE) | A(SRC_IPV4);
	sa = ksad_sad_add(kn, &c, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sa));
	ksad_sa_put(sa);
	sa->out_seq = 41;
	pol->dir = KSAD_DIR_OUT;
	pol->action = KSAD_ACTION_PROTECT;
	pol->proto = KSAD_PROTO_ESP;
	pol->mode = KSAD_MODE_TUNNEL;
	pol->tun_family = AF_INET;
	pol->tun_dst.a4 = DST1;
	pol->tun_src.a4 = cpu_to_be32(0x0a0000fe);
	mutex_lock(&kn->lock);
	KUNIT_ASSERT_EQ(test, 0, ksad_spd_insert(kn, pol));
	mutex_unlock(&kn->lock);

	/* to fd00::1 from fd00::fe, policies too */
	cfg_migrate(&c, 0x6100, DST1, true, DST1, cpu_to_be32(0x0a0000fe));
	c.set |= A(MIGRATE_POLICIES);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, AF_INET6, sa->key.family);
	KUNIT_EXPECT_EQ(test, 41, sa->out_seq);
	KUNIT_EXPECT_EQ(test, AF_INET6, pol->tun_family);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&pol->tun_dst.a6, &c.new_daddr.a6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&pol->tun_src.a6, &c.new_saddr.a6));
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, sa, ksad_policy_sa_rcu(kn, pol, &fl));
	rcu_read_unlock();
	/* found where it is, not where it was */
	key6 = sa->key;
	KUNIT_EXPECT_PTR_EQ(test, sa, ksad_sad_get(kn, &key6));
	ksad_sa_put(sa);
	cfg_id(&c, 0x6100, DST1);
	KUNIT_EXPECT_NULL(test, ksad_sad_get(kn, &c.key));

	/* back to IPv4 without the policies: they stay on IPv6 */
	cfg_id(&c, 0x6100, 0);
	c.key = key6;
	c.new_family = AF_INET;
	c.new_daddr.a4 = DST2;
	c.new_sfamily = AF_INET;
	c.new_saddr.a4 = cpu_to_be32(0x0a0000fe);
	c.set |= A(NEW_DST_IPV4) | A(NEW_SRC_IPV4);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, AF_INET, sa->key.family);
	KUNIT_EXPECT_EQ(test, ntohl(DST2), ntohl(sa->key.daddr.a4));
	KUNIT_EXPECT_EQ(test, AF_INET6, pol->tun_family);

	/* refusals */
	cfg_migrate(&c, 0x6100, DST2, true, DST1, 0);
	c.new_sfamily = 0;
	c.set &= ~A(NEW_SRC_IPV6);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_migrate(kn, &c, NULL)));
	cfg_id(&c, 0x6100, DST2);
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_migrate(kn, &c, NULL)));
	cfg_migrate(&c, 0x6199, DST2, false, DST1, 0);
	KUNIT_EXPECT_EQ(test, -ESRCH, op_err(ksad_sad_migrate(kn, &c, NULL)));
	/* another SA where it would go */
	cfg_id(&c, 0x6100, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	cfg_migrate(&c, 0x6100, DST2, false, DST1, cpu_to_be32(0x0a0000fe));
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, ntohl(DST2), ntohl(sa->key.daddr.a4));
	/* larval */
	cfg_id(&c, 0, DST1);
	in = ksad_sad_getspi(kn, &c, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(in));
	cfg_migrate(&c, in->key.spi, DST1, false, DST2, 0);
	c.new_sfamily = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, op_err(ksad_sad_migrate(kn, &c, NULL)));
	ksad_sa_put(in);

	/* an inbound SA in UDP: its port moves, then goes */
	cfg_id(&c, 0x6200, DST1);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_IN);
	cfg_encap(&c, 4500, 4500);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_add(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 1, encap_port_count(kn, 4500));
	cfg_id(&c, 0x6200, DST1);
	cfg_new_encap(&c, 4500, 4501);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 0, encap_port_count(kn, 4500));
	KUNIT_EXPECT_EQ(test, 1, encap_port_count(kn, 4501));
	cfg_id(&c, 0x6200, DST1);
	c.set |= A(NEW_ENCAP_NONE);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 0, encap_port_count(kn, 4501));
	in = ksad_sad_get(kn, &c.key);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_EXPECT_EQ(test, 0, in->encap.type);
	ksad_sa_put(in);
}

/* The outbound SA named (0x7000, @dst, ports 4500 -> @dport), if any. */
static struct ksad_sa *out_named(struct ksad_net *kn, __be32 dst, u16 dport)
{
	struct ksad_sa_cfg c;

	cfg_id(&c, 0x7000, dst);
	cfg_encap(&c, 4500, dport);
	return ksad_sad_get(kn, &c.key);
}

/* Expect out_named() to be @sa. */
static void expect_out_named(struct kunit *test, struct ksad_net *kn,
			     struct ksad_sa *sa, __be32 dst, u16 dport)
{
	struct ksad_sa *found = out_named(kn, dst, dport);

	KUNIT_EXPECT_PTR_EQ(test, sa, found);
	if (found)
		ksad_sa_put(found);
}

/* Name the SA of out_named() in @c, which is otherwise left as it is. */
static void cfg_out_name(struct ksad_sa_cfg *c, u16 dport)
{
	c->key.encap_sport = htons(4500);
	c->key.encap_dport = htons(dport);
}

/* Whether the datapath finds @sa among the outbound SAs to @dst. */
static bool out_by_dest(struct ksad_net *kn, struct ksad_sa *sa, __be32 dst)
{
	union ksad_addr d = { .a4 = dst };
	struct rhlist_head *list, *pos;
	struct ksad_sa *each;
	bool found = false;

	rcu_read_lock();
	list = ksad_sad_dest_rcu(kn, AF_INET, &d, KSAD_PROTO_ESP);
	rhl_for_each_entry_rcu(each, pos, list, out_node)
		found |= each == sa;
	rcu_read_unlock();
	return found;
}

/*
 * An SA whose name changes (NEW_ENCAP of an outbound SA, MIGRATE) leaves
 * sa_table and goes back in under its new name.  When the table cannot take
 * it (it must grow and no memory can be had; kn->fail_inserts makes the
 * next inserts fail so), the SA stays where it was, found by its old name.
 * A collision is refused before the SA leaves the table, so that holds even
 * when no insert at all can succeed (issue 17, point 5).
 */
static void sad_table_full(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct ksad_net *kn = &ctx->kn[0];
	struct ksad_sa *sa, *other;
	struct ksad_sa_cfg c;
	unsigned int count;

	/* one SPI and destination, two port pairs: two outbound SAs */
	cfg_id(&c, 0x7000, DST2);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	cfg_encap(&c, 4500, 1025);
	sa = ksad_sad_add(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	cfg_encap(&c, 4500, 1026);
	other = ksad_sad_add(kn, &c, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, other);
	count = ksad_sad_count(kn);

	/* an ADD the table cannot take leaves nothing behind */
	kn->fail_inserts = 1;
	cfg_id(&c, 0x7001, DST2);
	cfg_gcm(&c);
	cfg_dir(&c, KSAD_DIR_OUT);
	KUNIT_EXPECT_EQ(test, -ENOMEM, op_err(ksad_sad_add(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 0U, kn->fail_inserts);
	KUNIT_EXPECT_EQ(test, count, ksad_sad_count(kn));
	KUNIT_EXPECT_NULL(test, ksad_sad_get(kn, &c.key));

	/* onto the other's ports, no insert possible: EEXIST, untouched */
	kn->fail_inserts = 2;
	cfg_id(&c, 0x7000, DST2);
	cfg_out_name(&c, 1025);
	cfg_new_encap(&c, 4500, 1026);
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_update(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, -EEXIST, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 2U, kn->fail_inserts);	/* none tried */
	kn->fail_inserts = 0;
	expect_out_named(test, kn, sa, DST2, 1025);
	KUNIT_EXPECT_EQ(test, 1025, ntohs(sa->encap.dport));
	expect_out_named(test, kn, other, DST2, 1026);

	/* onto free ports, the insert fails: ENOMEM, back where it was */
	kn->fail_inserts = 1;
	cfg_id(&c, 0x7000, DST2);
	cfg_out_name(&c, 1025);
	cfg_new_encap(&c, 4500, 2000);
	KUNIT_EXPECT_EQ(test, -ENOMEM, op_err(ksad_sad_update(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 0U, kn->fail_inserts);
	/* ... and to another destination by MIGRATE */
	kn->fail_inserts = 1;
	cfg_migrate(&c, 0x7000, DST2, false, DST1, cpu_to_be32(0x0a0000fe));
	cfg_out_name(&c, 1025);
	KUNIT_EXPECT_EQ(test, -ENOMEM, op_err(ksad_sad_migrate(kn, &c, NULL)));
	KUNIT_EXPECT_EQ(test, 0U, kn->fail_inserts);
	expect_out_named(test, kn, sa, DST2, 1025);
	KUNIT_EXPECT_EQ(test, 1025, ntohs(sa->encap.dport));
	KUNIT_EXPECT_EQ(test, ntohl(DST2), ntohl(sa->key.daddr.a4));
	KUNIT_EXPECT_EQ(test, 0U, ntohl(sa->saddr.a4));
	KUNIT_EXPECT_TRUE(test, out_by_dest(kn, sa, DST2));
	KUNIT_EXPECT_FALSE(test, out_by_dest(kn, sa, DST1));
	KUNIT_EXPECT_NULL(test, out_named(kn, DST2, 2000));
	KUNIT_EXPECT_NULL(test, out_named(kn, DST1, 1025));

	/* with memory again, both moves happen */
	cfg_id(&c, 0x7000, DST2);
	cfg_out_name(&c, 1025);
	cfg_new_encap(&c, 4500, 2000);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_update(kn, &c, NULL)));
	cfg_migrate(&c, 0x7000, DST2, false, DST1, cpu_to_be32(0x0a0000fe));
	cfg_out_name(&c, 2000);
	KUNIT_EXPECT_EQ(test, 0, op_err(ksad_sad_migrate(kn, &c, NULL)));
	expect_out_named(test, kn, sa, DST1, 2000);
	KUNIT_EXPECT_TRUE(test, out_by_dest(kn, sa, DST1));
	KUNIT_EXPECT_FALSE(test, out_by_dest(kn, sa, DST2));
	KUNIT_EXPECT_EQ(test, count, ksad_sad_count(kn));
	ksad_sa_put(sa);
	ksad_sa_put(other);
}

struct drain_work {
	struct work_struct work;
	struct ksad_net *kn;
	struct completion done;
};

static void drain_fn(struct work_struct *work)
{
	struct drain_work *d = container_of(work, struct drain_work, work);

	ksad_inflight_drain(d->kn);
	complete(&d->done);
}

/*
 * A namespace going away (device.c's exit) waits for its own requests in
 * the crypto API and for no other namespace's: with one module-wide count,
 * steady traffic elsewhere, or one stuck request, held up every namespace's
 * teardown.  And no request of its own starts once it is going.
 */
static void sad_inflight_per_namespace(struct kunit *test)
{
	struct sad_test_ctx *ctx = test->priv;
	struct drain_work d[2];
	int i;

	for (i = 0; i < 2; i++) {
		d[i].kn = &ctx->kn[i];
		init_completion(&d[i].done);
		INIT_WORK_ONSTACK(&d[i].work, drain_fn);
	}
	/* a request in flight in namespace 1 */
	KUNIT_ASSERT_TRUE(test, ksad_inflight_get(&ctx->kn[1]));
	/* namespace 0 goes away regardless */
	queue_work(system_unbound_wq, &d[0].work);
	KUNIT_EXPECT_NE(test, 0UL, wait_for_completion_timeout(&d[0].done, 5 * HZ));
	KUNIT_EXPECT_FALSE(test, ksad_inflight_get(&ctx->kn[0]));
	/* namespace 1 waits for its request, and takes no new one */
	queue_work(system_unbound_wq, &d[1].work);
	KUNIT_EXPECT_EQ(test, 0UL, wait_for_completion_timeout(&d[1].done, HZ / 5));
	if (ksad_inflight_get(&ctx->kn[1])) {
		KUNIT_FAIL(test, "a request started in a namespace going away");
		ksad_inflight_put(&ctx->kn[1]);
	}
	ksad_inflight_put(&ctx->kn[1]);
	KUNIT_EXPECT_NE(test, 0UL, wait_for_completion_timeout(&d[1].done, 5 * HZ));
	for (i = 0; i < 2; i++) {
		flush_work(&d[i].work);
		destroy_work_on_stack(&d[i].work);
	}
}

static struct kunit_case sad_test_cases[] = {
	KUNIT_CASE(sad_inflight_per_namespace),
	KUNIT_CASE(sad_policy_newest_across_id_wrap),
	KUNIT_CASE(sad_encap_identity),
	KUNIT_CASE(sad_migrate),
	KUNIT_CASE(sad_table_full),
	KUNIT_CASE(sad_getspi_then_update),
	KUNIT_CASE(sad_update_mature_rules),
	KUNIT_CASE(sad_add_rules),
	KUNIT_CASE(sad_algorithms),
	KUNIT_CASE(sad_flush_and_isolation),
	KUNIT_CASE(sad_larval_expires),
	KUNIT_CASE(sad_lifetime_check),
	{}
};

static struct kunit_suite sad_test_suite = {
	.name = "ksad_sad",
	.suite_init = sad_suite_init,
	.suite_exit = sad_suite_exit,
	.init = sad_test_init,
	.exit = sad_test_exit,
	.test_cases = sad_test_cases,
};

kunit_test_suite(sad_test_suite);
