// SPDX-License-Identifier: GPL-2.0
/*
 * Algorithms of an SA, named by their IKEv2 transform IDs (uapi ksad.h has
 * the table), checked and instantiated when the SA is added or completed:
 * a transform that cannot be allocated or keyed is an error of ADD/UPDATE,
 * never a packet drop later.  ESP runs one AEAD: a combined-mode algorithm
 * as it is, or authenc(integrity, cipher) (authencesn with ESN); AH one
 * hash.
 */
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "ksad.h"
#include "sa.h"

/*
 * Tests exercise the asynchronous completion path on any machine by having
 * the transforms of new SAs run in cryptd, as AES-NI's do on x86.
 */
static bool force_cryptd;
module_param(force_cryptd, bool, 0644);
MODULE_PARM_DESC(force_cryptd,
		 "run the ESP/AH transforms of new SAs asynchronously, through cryptd (testing)");

/*
 * The same through pcrypt (ESP only): it always completes later, on another
 * CPU, around the best driver there is (AES-NI on x86).  For kernels whose
 * crypto self-tests refuse cryptd AEAD instances (Debian's 6.1).
 */
static bool force_pcrypt;
module_param(force_pcrypt, bool, 0644);
MODULE_PARM_DESC(force_pcrypt,
		 "run the ESP transforms of new SAs asynchronously, through pcrypt (testing)");

/*
 * An encryption transform (IKEv2 Transform Type 1) as ESP runs it.
 */
struct ksad_encr_desc {
	u16 id;
	/*
	 * The crypto API's name: a combined-mode AEAD's whole, or (@combined
	 * false) the cipher that authenc() pairs with the integrity algorithm.
	 */
	const char *alg;
	u8 salt;		/* bytes after the key proper */
	u8 icv;			/* combined mode: ICV bytes */
	bool combined;
	bool aes;		/* key of 128, 192 or 256 bits */
	bool random_iv;		/* CBC; the others take the sequence number */
};

static const struct ksad_encr_desc ksad_encrs[] = {
	{ KSAD_ENCR_NULL, "ecb(cipher_null)" },
	{ KSAD_ENCR_AES_CBC, "cbc(aes)", .aes = true, .random_iv = true },
	{ KSAD_ENCR_AES_CTR, "rfc3686(ctr(aes))", 4, .aes = true },
	{ KSAD_ENCR_AES_CCM_8, "rfc4309(ccm(aes))", 3, 8, true, true },
	{ KSAD_ENCR_AES_CCM_12, "rfc4309(ccm(aes))", 3, 12, true, true },
	{ KSAD_ENCR_AES_CCM_16, "rfc4309(ccm(aes))", 3, 16, true, true },
	{ KSAD_ENCR_AES_GCM_8, "rfc4106(gcm(aes))", 4, 8, true, true },
	{ KSAD_ENCR_AES_GCM_12, "rfc4106(gcm(aes))", 4, 12, true, true },
	{ KSAD_ENCR_AES_GCM_16, "rfc4106(gcm(aes))", 4, 16, true, true },
	{ KSAD_ENCR_NULL_AUTH_AES_GMAC, "rfc4543(gcm(aes))", 4, 16, true, true },
	{ KSAD_ENCR_CHACHA20_POLY1305, "rfc7539esp(chacha20,poly1305)", 4, 16,
	  true },
};

/* An integrity transform (IKEv2 Transform Type 3), for ESP and AH. */
struct ksad_integ_desc {
	u16 id;
	const char *alg;	/* the crypto API's hash */
	u8 key;			/* key bytes */
	u8 icv;			/* ICV bytes: the hash truncated */
};

static const struct ksad_integ_desc ksad_integs[] = {
	{ KSAD_AUTH_HMAC_SHA1_96, "hmac(sha1)", 20, 12 },
	{ KSAD_AUTH_AES_XCBC_96, "xcbc(aes)", 16, 12 },
	{ KSAD_AUTH_AES_CMAC_96, "cmac(aes)", 16, 12 },
	{ KSAD_AUTH_HMAC_SHA2_256_128, "hmac(sha256)", 32, 16 },
	{ KSAD_AUTH_HMAC_SHA2_384_192, "hmac(sha384)", 48, 24 },
	{ KSAD_AUTH_HMAC_SHA2_512_256, "hmac(sha512)", 64, 32 },
};

/* What the key of @e is (6.1's extack takes no formatted message). */
static void ksad_encr_key_error(const struct ksad_encr_desc *e,
				struct netlink_ext_ack *extack)
{
	switch (e->id) {
	case KSAD_ENCR_NULL:
		NL_SET_ERR_MSG(extack, "NULL encryption takes no key and no key length");
		break;
	case KSAD_ENCR_AES_CBC:
		NL_SET_ERR_MSG(extack,
			       "AES-CBC takes enc-key-bits 128, 192 or 256 and a key of that length: 16, 24 or 32 bytes");
		break;
	case KSAD_ENCR_AES_CTR:
		NL_SET_ERR_MSG(extack,
			       "AES-CTR takes enc-key-bits 128, 192 or 256 and a key of that length plus a 4-byte nonce: 20, 28 or 36 bytes");
		break;
	case KSAD_ENCR_AES_CCM_8 ... KSAD_ENCR_AES_CCM_16:
		NL_SET_ERR_MSG(extack,
			       "AES-CCM takes enc-key-bits 128, 192 or 256 and a key of that length plus 3 bytes of salt: 19, 27 or 35 bytes");
		break;
	case KSAD_ENCR_AES_GCM_8 ... KSAD_ENCR_AES_GCM_16:
		NL_SET_ERR_MSG(extack,
			       "AES-GCM takes enc-key-bits 128, 192 or 256 and a key of that length plus 4 bytes of salt: 20, 28 or 36 bytes");
		break;
	case KSAD_ENCR_NULL_AUTH_AES_GMAC:
		NL_SET_ERR_MSG(extack,
			       "AES-GMAC takes enc-key-bits 128, 192 or 256 and a key of that length plus 4 bytes of salt: 20, 28 or 36 bytes");
		break;
	default:
		NL_SET_ERR_MSG(extack,
			       "ChaCha20-Poly1305 takes a 36-byte key (32 + 4 bytes of salt) and enc-key-bits 256 or none");
	}
}

static void ksad_integ_key_error(const struct ksad_integ_desc *i,
				 struct netlink_ext_ack *extack)
{
	switch (i->id) {
	case KSAD_AUTH_HMAC_SHA1_96:
		NL_SET_ERR_MSG(extack, "HMAC-SHA1-96 takes a 20-byte key");
		break;
	case KSAD_AUTH_AES_XCBC_96:
		NL_SET_ERR_MSG(extack, "AES-XCBC-96 takes a 16-byte key");
		break;
	case KSAD_AUTH_AES_CMAC_96:
		NL_SET_ERR_MSG(extack, "AES-CMAC-96 takes a 16-byte key");
		break;
	case KSAD_AUTH_HMAC_SHA2_256_128:
		NL_SET_ERR_MSG(extack, "HMAC-SHA2-256-128 takes a 32-byte key");
		break;
	case KSAD_AUTH_HMAC_SHA2_384_192:
		NL_SET_ERR_MSG(extack, "HMAC-SHA2-384-192 takes a 48-byte key");
		break;
	default:
		NL_SET_ERR_MSG(extack, "HMAC-SHA2-512-256 takes a 64-byte key");
	}
}

static const struct ksad_encr_desc *ksad_encr_find(u16 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ksad_encrs); i++)
		if (ksad_encrs[i].id == id)
			return &ksad_encrs[i];
	return NULL;
}

static const struct ksad_integ_desc *ksad_integ_find(u16 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ksad_integs); i++)
		if (ksad_integs[i].id == id)
			return &ksad_integs[i];
	return NULL;
}

/* Why an encryption ID ksad does not have is refused. */
static void ksad_encr_unknown(u16 id, struct netlink_ext_ack *extack)
{
	if (id >= 1 && id <= 9)
		NL_SET_ERR_MSG(extack,
			       "legacy encryption (DES, 3DES, RC5, IDEA, CAST, Blowfish) is not offered (RFC 8221): use AES-GCM, AES-CBC or ChaCha20-Poly1305");
	else if (id >= 23 && id <= 27)
		NL_SET_ERR_MSG(extack,
			       "Camellia is not supported: use AES-GCM, AES-CBC or ChaCha20-Poly1305");
	else
		NL_SET_ERR_MSG(extack,
			       "unknown encryption transform: ksad has NULL (11), AES-CBC (12), AES-CTR (13), AES-CCM (14-16), AES-GCM (18-20), AES-GMAC (21), ChaCha20-Poly1305 (28)");
}

static void ksad_integ_unknown(u16 id, struct netlink_ext_ack *extack)
{
	if (id >= KSAD_AUTH_AES_128_GMAC && id <= KSAD_AUTH_AES_256_GMAC)
		NL_SET_ERR_MSG(extack,
			       "AES-GMAC as an integrity transform (AH with GMAC) is not supported, as in Linux XFRM: use ESP with NULL_AUTH_AES_GMAC (21)");
	else if (id == 1 || id == 3 || id == 4 || id == 6 || id == 7)
		NL_SET_ERR_MSG(extack,
			       "MD5, DES-MAC and HMAC-SHA1-160 are not offered (RFC 8221): use HMAC-SHA2-256-128");
	else
		NL_SET_ERR_MSG(extack,
			       "unknown integrity transform: ksad has HMAC-SHA1-96 (2), AES-XCBC-96 (5), AES-CMAC-96 (8), HMAC-SHA2-256-128 (12), HMAC-SHA2-384-192 (13), HMAC-SHA2-512-256 (14)");
}

static u16 cfg_integ(const struct ksad_sa_cfg *cfg)
{
	return ksad_cfg_has(cfg, KSAD_SA_AUTH_ALG) ? cfg->auth_alg :
						      KSAD_AUTH_NONE;
}

static int ksad_integ_validate(const struct ksad_sa_cfg *cfg,
			       struct netlink_ext_ack *extack)
{
	const struct ksad_integ_desc *i = ksad_integ_find(cfg->auth_alg);

	if (!i) {
		ksad_integ_unknown(cfg->auth_alg, extack);
		return -EINVAL;
	}
	if (cfg->auth_key_len != i->key) {
		ksad_integ_key_error(i, extack);
		return -EINVAL;
	}
	return 0;
}

static int ksad_encr_validate(const struct ksad_sa_cfg *cfg,
			      struct netlink_ext_ack *extack)
{
	const struct ksad_encr_desc *e = ksad_encr_find(cfg->enc_alg);
	bool has_bits = ksad_cfg_has(cfg, KSAD_SA_ENC_KEY_BITS);
	unsigned int bits = cfg->enc_key_bits;

	if (!e) {
		ksad_encr_unknown(cfg->enc_alg, extack);
		return -EINVAL;
	}
	if (e->aes) {
		if (!has_bits || (bits != 128 && bits != 192 && bits != 256)) {
			ksad_encr_key_error(e, extack);
			return -EINVAL;
		}
	} else {
		unsigned int fixed = e->id == KSAD_ENCR_NULL ? 0 : 256;

		if (has_bits && bits != fixed) {
			ksad_encr_key_error(e, extack);
			return -EINVAL;
		}
		bits = fixed;
	}
	if (cfg->enc_key_len != bits / 8 + e->salt) {
		ksad_encr_key_error(e, extack);
		return -EINVAL;
	}
	if (e->combined && cfg_integ(cfg) != KSAD_AUTH_NONE) {
		NL_SET_ERR_MSG(extack,
			       "a combined-mode algorithm (AES-GCM, AES-CCM, AES-GMAC, ChaCha20-Poly1305) takes no integrity algorithm");
		return -EINVAL;
	}
	if (!e->combined && cfg_integ(cfg) == KSAD_AUTH_NONE) {
		NL_SET_ERR_MSG(extack,
			       "this encryption algorithm needs an integrity algorithm (ESP without integrity is not offered, RFC 8221)");
		return -EINVAL;
	}
	return 0;
}

/**
 * ksad_crypto_validate() - check algorithms and exact key lengths
 * @proto: KSAD_PROTO_ESP or KSAD_PROTO_AH
 * @cfg: the request
 * @extack: where to say what is wrong
 *
 * Return: 0 or -EINVAL.
 */
int ksad_crypto_validate(u8 proto, const struct ksad_sa_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	bool encr = ksad_cfg_has(cfg, KSAD_SA_ENC_ALG);
	u16 integ = cfg_integ(cfg);
	int err;

	if (ksad_cfg_has(cfg, KSAD_SA_ENC_KEY) && !encr) {
		NL_SET_ERR_MSG(extack, "encryption key without encryption algorithm");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_ENC_KEY_BITS) && !encr) {
		NL_SET_ERR_MSG(extack, "key length without encryption algorithm");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_AUTH_KEY) && integ == KSAD_AUTH_NONE) {
		NL_SET_ERR_MSG(extack, "integrity key without integrity algorithm");
		return -EINVAL;
	}
	if (integ != KSAD_AUTH_NONE) {
		err = ksad_integ_validate(cfg, extack);
		if (err)
			return err;
	}

	if (proto == KSAD_PROTO_AH) {
		if (encr) {
			NL_SET_ERR_MSG(extack, "AH does not encrypt: no encryption algorithm");
			return -EINVAL;
		}
		if (integ == KSAD_AUTH_NONE) {
			NL_SET_ERR_MSG(extack, "AH needs an integrity algorithm");
			return -EINVAL;
		}
		return 0;
	}
	if (!encr) {
		NL_SET_ERR_MSG(extack,
			       "ESP needs an encryption algorithm (NULL, 11, for integrity only)");
		return -EINVAL;
	}
	return ksad_encr_validate(cfg, extack);
}

/* authenc() wants one key: an rtattr with the cipher key length, the
 * authentication key, then the cipher key.
 */
static int ksad_authenc_setkey(struct crypto_aead *aead,
			       const struct ksad_sa_cfg *cfg)
{
	unsigned int len = RTA_SPACE(sizeof(struct crypto_authenc_key_param)) +
			   cfg->auth_key_len + cfg->enc_key_len;
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	u8 *key, *p;
	int err;

	key = kmalloc(len, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(cfg->enc_key_len);
	p = key + RTA_SPACE(sizeof(*param));
	memcpy(p, cfg->auth_key, cfg->auth_key_len);
	if (cfg->enc_key_len)
		memcpy(p + cfg->auth_key_len, cfg->enc_key, cfg->enc_key_len);
	err = crypto_aead_setkey(aead, key, len);
	kfree_sensitive(key);
	return err;
}

/**
 * ksad_crypto_init() - allocate and key the transforms of an SA
 * @c: filled on success; left empty on failure
 * @proto: KSAD_PROTO_ESP or KSAD_PROTO_AH
 * @cfg: a request that passed ksad_crypto_validate()
 * @extack: where to say what failed
 *
 * May sleep.
 *
 * Return: 0 or a negative errno.
 */
int ksad_crypto_init(struct ksad_crypto *c, u8 proto,
		     const struct ksad_sa_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	char wrapped[CRYPTO_MAX_ALG_NAME], authenc[CRYPTO_MAX_ALG_NAME];
	const struct ksad_integ_desc *i = NULL;
	const struct ksad_encr_desc *e;
	const char *driver;
	const char *name;
	int n, err;

	memset(c, 0, sizeof(*c));
	c->auth_alg = cfg_integ(cfg);
	if (c->auth_alg != KSAD_AUTH_NONE) {
		i = ksad_integ_find(c->auth_alg);
		c->icv_len = i->icv;
	}

	if (proto == KSAD_PROTO_AH) {
		name = i->alg;
		if (READ_ONCE(force_cryptd)) {
			c->ahash = crypto_alloc_ahash(name, 0, CRYPTO_ALG_ASYNC);
			if (IS_ERR(c->ahash)) {
				err = PTR_ERR(c->ahash);
				c->ahash = NULL;
				NL_SET_ERR_MSG(extack,
					       "no synchronous AH transform to run in cryptd");
				return err;
			}
			n = snprintf(wrapped, sizeof(wrapped), "cryptd(%s)",
				     crypto_tfm_alg_driver_name(crypto_ahash_tfm(c->ahash)));
			crypto_free_ahash(c->ahash);
			c->ahash = NULL;
			if (n < 0 || n >= sizeof(wrapped)) {
				NL_SET_ERR_MSG(extack,
					       "the AH driver's name is too long to wrap in cryptd");
				return -ENAMETOOLONG;
			}
			name = wrapped;
		}
		c->ahash = crypto_alloc_ahash(name, 0, 0);
		if (IS_ERR(c->ahash)) {
			err = PTR_ERR(c->ahash);
			c->ahash = NULL;
			NL_SET_ERR_MSG(extack, "cannot allocate the AH transform");
			return err;
		}
		err = crypto_ahash_setkey(c->ahash, cfg->auth_key,
					  cfg->auth_key_len);
		if (err) {
			NL_SET_ERR_MSG(extack, "the AH transform refused the key");
			goto fail;
		}
		/* ah.c has room for a SHA-512 digest */
		if (crypto_ahash_digestsize(c->ahash) < c->icv_len ||
		    crypto_ahash_digestsize(c->ahash) > SHA512_DIGEST_SIZE) {
			NL_SET_ERR_MSG(extack, "the AH transform's digest has an unexpected size");
			err = -EINVAL;
			goto fail;
		}
		return 0;
	}

	e = ksad_encr_find(cfg->enc_alg);
	c->enc_alg = e->id;
	c->enc_key_bits = e->aes ? cfg->enc_key_bits :
			  e->id == KSAD_ENCR_NULL ? 0 : 256;
	c->random_iv = e->random_iv;
	if (e->combined) {
		/* the high sequence bits are part of the AAD (RFC 4106 5) */
		name = e->alg;
		c->icv_len = e->icv;
	} else {
		/* authencesn puts them after the payload (RFC 4303 3.3.2.2) */
		n = snprintf(authenc, sizeof(authenc), "%s(%s,%s)",
			     cfg->esn ? "authencesn" : "authenc", i->alg, e->alg);
		if (n < 0 || n >= sizeof(authenc))
			return -ENAMETOOLONG;	/* (our names are short) */
		name = authenc;
	}
	if (READ_ONCE(force_cryptd) || READ_ONCE(force_pcrypt)) {
		bool cryptd = READ_ONCE(force_cryptd);

		/*
		 * Instances are found by the driver they wrap; cryptd wants a
		 * synchronous one, pcrypt takes the best there is.
		 */
		c->aead = crypto_alloc_aead(name, 0, cryptd ? CRYPTO_ALG_ASYNC : 0);
		if (IS_ERR(c->aead)) {
			err = PTR_ERR(c->aead);
			c->aead = NULL;
			NL_SET_ERR_MSG(extack, "no ESP transform to wrap for testing");
			return err;
		}
		driver = crypto_tfm_alg_driver_name(crypto_aead_tfm(c->aead));
		/* a pcrypt instance of an earlier SA is the best there is */
		if (!cryptd && !strncmp(driver, "pcrypt(", 7))
			n = strscpy(wrapped, driver, sizeof(wrapped));
		else
			n = snprintf(wrapped, sizeof(wrapped), "%s(%s)",
				     cryptd ? "cryptd" : "pcrypt", driver);
		crypto_free_aead(c->aead);
		c->aead = NULL;
		if (n < 0 || n >= sizeof(wrapped)) {
			NL_SET_ERR_MSG(extack,
				       "the ESP driver's name is too long to wrap for testing");
			return -ENAMETOOLONG;
		}
		name = wrapped;
	}
	c->aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(c->aead)) {
		err = PTR_ERR(c->aead);
		c->aead = NULL;
		if (name == wrapped)
			pr_info_ratelimited("ksad: cannot allocate %s: %d\n",
					    name, err);
		NL_SET_ERR_MSG(extack, "cannot allocate the ESP transform");
		return err;
	}
	if (e->combined)
		err = crypto_aead_setkey(c->aead, cfg->enc_key, cfg->enc_key_len);
	else
		err = ksad_authenc_setkey(c->aead, cfg);
	if (err) {
		NL_SET_ERR_MSG(extack, "the ESP transform refused the key");
		goto fail;
	}
	err = crypto_aead_setauthsize(c->aead, c->icv_len);
	if (err) {
		NL_SET_ERR_MSG(extack, "the ESP transform refused the ICV length");
		goto fail;
	}
	/* sizes kept in a byte; every ESP transform's fit (RFC 4303 2.3-2.4) */
	if (crypto_aead_ivsize(c->aead) > 16 ||
	    crypto_aead_blocksize(c->aead) > 16) {
		NL_SET_ERR_MSG(extack, "the ESP transform's IV or block is too large");
		err = -EINVAL;
		goto fail;
	}
	c->iv_len = crypto_aead_ivsize(c->aead);
	c->align = max_t(unsigned int, crypto_aead_blocksize(c->aead), 4);
	return 0;
fail:
	ksad_crypto_destroy(c);
	return err;
}

/* Frees the transforms; the crypto API zeroes their key schedules. */
void ksad_crypto_destroy(struct ksad_crypto *c)
{
	crypto_free_aead(c->aead);
	crypto_free_ahash(c->ahash);
	c->aead = NULL;
	c->ahash = NULL;
}
