// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ksad's ESP input path (esp.c: the AAD with the ESN's high bits,
 * the IV, the ICV length, the decryption, as ksad sets up each transform)
 * on published ESP packets: draft-mcgrew-gcm-test-01 (AES-GCM, AES-GMAC),
 * RFC 7634 (ChaCha20-Poly1305), RFC 3602 (AES-CBC) and RFC 3686 (AES-CTR);
 * esp_kat_vectors.h says where each byte comes from.  Each packet must
 * decrypt to the published plaintext, and fail its ICV check with one bit
 * changed.  The CBC and CTR vectors have no integrity algorithm: the test
 * appends an HMAC-SHA2-256-128 ICV it computes with the crypto API.
 */
#include <crypto/hash.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <uapi/linux/ksad.h>

#include "../datapath.h"
#include "../ksad.h"
#include "../sa.h"
#include "kunit_wq.h"
#include "esp_kat_vectors.h"

#define A(x) BIT_ULL(KSAD_SA_##x)
#define KAT_IP_HLEN	20	/* an IPv4 header in front of ESP */

static const u8 kat_auth_key[32] = { 0x11, 0x22, 0x33, 0x44, 0x55 };

/* What the ESP input path handed back. */
static struct {
	struct completion done;
	const struct esp_kat *t;
	int err;
	bool plain_ok;
} kat_res;

static void kat_done(struct ksad_sa *sa, struct sk_buff *skb,
		     unsigned int off, u64 seq, int err)
{
	const struct esp_kat *t = kat_res.t;
	unsigned int at = off + 8 + sa->crypto.iv_len;

	kat_res.err = err;
	kat_res.plain_ok = !err &&
			   skb->len == at + t->plain_len + sa->crypto.icv_len &&
			   !memcmp(skb->data + at, t->plain, t->plain_len);
	kfree_skb(skb);
	ksad_sa_put(sa);
	complete(&kat_res.done);
}

/* HMAC-SHA2-256-128 over the ESP packet (no ESN in these vectors). */
static int kat_icv(const u8 *esp, unsigned int len, u8 *icv)
{
	struct crypto_shash *tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	u8 digest[32];
	int err;

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, kat_auth_key, sizeof(kat_auth_key)) ?:
	      crypto_shash_tfm_digest(tfm, esp, len, digest);
	crypto_free_shash(tfm);
	memcpy(icv, digest, 16);
	return err;
}

/* One packet through ksad_esp_input_to(); @flip: a bit of it to change. */
static int kat_run(struct kunit *test, struct ksad_net *kn,
		   const struct esp_kat *t, u32 spi, int flip)
{
	unsigned int icv_len = t->integ ? 16 : 0;
	struct ksad_sa_cfg c = {};
	struct sk_buff *skb;
	struct ksad_sa *sa;
	struct iphdr *iph;
	u8 *p;

	c.key.family = AF_INET;
	c.key.daddr.a4 = cpu_to_be32(0x0a000001);
	c.key.proto = KSAD_PROTO_ESP;
	c.key.spi = spi;	/* the AAD takes the packet's */
	c.dir = KSAD_DIR_IN;
	c.esn = t->esn;
	c.enc_alg = t->encr;
	c.enc_key_bits = t->bits;
	c.enc_key = t->key;
	c.enc_key_len = t->key_len;
	c.set = A(PROTO) | A(DST_IPV4) | A(SPI) | A(DIR) | A(ENC_ALG) |
		A(ENC_KEY) | A(ENC_KEY_BITS);
	if (t->integ) {
		c.auth_alg = t->integ;
		c.auth_key = kat_auth_key;
		c.auth_key_len = sizeof(kat_auth_key);
		c.set |= A(AUTH_ALG) | A(AUTH_KEY);
	}
	sa = ksad_sad_add(kn, &c, NULL);
	if (IS_ERR(sa)) {
		KUNIT_FAIL(test, "%s: ADD refused: %ld", t->name, PTR_ERR(sa));
		return -EFAULT;
	}

	skb = alloc_skb(KAT_IP_HLEN + t->esp_len + icv_len + 64, GFP_KERNEL);
	if (!skb)
		goto nomem;
	skb_reserve(skb, 32);
	iph = skb_put_zero(skb, KAT_IP_HLEN);
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = IPPROTO_ESP;
	skb_reset_network_header(skb);
	p = skb_put_data(skb, t->esp, t->esp_len);
	if (icv_len && kat_icv(t->esp, t->esp_len, skb_put(skb, icv_len))) {
		kfree_skb(skb);
		goto nomem;
	}
	if (flip >= 0)
		p[flip / 8] ^= 1 << (flip % 8);

	init_completion(&kat_res.done);
	kat_res.t = t;
	ksad_esp_input_to(sa, skb, KAT_IP_HLEN, t->seq, kat_done);
	if (!wait_for_completion_timeout(&kat_res.done, 10 * HZ)) {
		/* the request still holds the SA and its namespace: wait */
		KUNIT_FAIL(test, "%s: no completion in 10 s", t->name);
		wait_for_completion(&kat_res.done);
	}
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &c.key, NULL));
	return kat_res.err;
nomem:
	KUNIT_FAIL(test, "%s: no memory for the packet or its ICV", t->name);
	ksad_sa_put(sa);
	KUNIT_EXPECT_EQ(test, 0, ksad_sad_delete(kn, &c.key, NULL));
	return -ENOMEM;
}

static void esp_kat_decrypts(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(esp_kats); i++) {
		const struct esp_kat *t = &esp_kats[i];

		KUNIT_EXPECT_EQ_MSG(test, 0, kat_run(test, kn, t, 0x5000 + i, -1),
				    "%s", t->name);
		KUNIT_EXPECT_TRUE_MSG(test, kat_res.plain_ok,
				      "%s: not the published plaintext", t->name);
	}
}

/*
 * A bit changed in the ICV, in the payload (just after the IV), or in the
 * high sequence bits: the ICV check fails.
 */
static void esp_kat_tampered(struct kunit *test)
{
	struct ksad_net *kn = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(esp_kats); i++) {
		const struct esp_kat *t = &esp_kats[i];
		struct esp_kat wrong = *t;

		unsigned int payload = 8 + (t->encr == KSAD_ENCR_AES_CBC ? 16 : 8);

		KUNIT_EXPECT_EQ_MSG(test, -EBADMSG,
				    kat_run(test, kn, t, 0x6000 + i,
					    8 * (t->esp_len - 1)),
				    "%s: last byte changed", t->name);
		KUNIT_EXPECT_EQ_MSG(test, -EBADMSG,
				    kat_run(test, kn, t, 0x6800 + i, 8 * payload + 3),
				    "%s: first payload byte changed", t->name);
		if (!t->esn)
			continue;
		/* the high 32 bits are not on the wire, only in the ICV */
		wrong.seq ^= 1ULL << 32;
		KUNIT_EXPECT_EQ_MSG(test, -EBADMSG,
				    kat_run(test, kn, &wrong, 0x7000 + i, -1),
				    "%s: other high sequence bits", t->name);
	}
}

static int esp_kat_init(struct kunit *test)
{
	struct ksad_net *kn = kunit_kzalloc(test, sizeof(*kn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kn);
	KUNIT_ASSERT_EQ(test, 0, ksad_net_setup(kn, &init_net));
	test->priv = kn;
	return 0;
}

static void esp_kat_exit(struct kunit *test)
{
	struct ksad_net *kn = test->priv;

	ksad_inflight_drain(kn);	/* as a namespace's exit does */
	ksad_net_teardown(kn);
}

static struct workqueue_struct *esp_kat_saved_wq;

static int esp_kat_suite_init(struct kunit_suite *suite)
{
	return ksad_kunit_wq_get(&esp_kat_saved_wq, "ksad-kat");
}

static void esp_kat_suite_exit(struct kunit_suite *suite)
{
	ksad_kunit_wq_put(esp_kat_saved_wq);
}

static struct kunit_case esp_kat_cases[] = {
	KUNIT_CASE(esp_kat_decrypts),
	KUNIT_CASE(esp_kat_tampered),
	{}
};

static struct kunit_suite esp_kat_suite = {
	.name = "ksad_esp_kat",
	.suite_init = esp_kat_suite_init,
	.suite_exit = esp_kat_suite_exit,
	.init = esp_kat_init,
	.exit = esp_kat_exit,
	.test_cases = esp_kat_cases,
};

kunit_test_suite(esp_kat_suite);
