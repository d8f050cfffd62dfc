// SPDX-License-Identifier: GPL-2.0
/*
 * Algorithms of an SA, checked and instantiated when the SA is added or
 * completed: a transform that cannot be allocated or keyed is an error of
 * ADD/UPDATE, never a packet drop later.
 */
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>
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

#define KSAD_SALT_LEN		4
#define KSAD_HMAC_SHA256_KEYLEN	32	/* RFC 4868 */
#define KSAD_ICV_LEN		16	/* all our algorithms: 128-bit ICV */

struct ksad_enc_desc {
	const char *aead;	/* crypto API name */
	const char *aead_esn;	/* the same with 64-bit sequence numbers */
	u8 keylen[2];		/* accepted key lengths, salt included */
	bool combined;		/* AEAD: no separate auth algorithm */
};

static const struct ksad_enc_desc ksad_enc[] = {
	/* AEADs: the high sequence bits are part of the AAD (RFC 4106 5) */
	[KSAD_ENC_AES_GCM_16] = { "rfc4106(gcm(aes))", "rfc4106(gcm(aes))",
				  { 20, 36 }, true },
	[KSAD_ENC_CHACHA20_POLY1305] = { "rfc7539esp(chacha20,poly1305)",
					 "rfc7539esp(chacha20,poly1305)",
					 { 36, 36 }, true },
	/* authencesn puts them after the payload (RFC 4303 3.3.2.2) */
	[KSAD_ENC_AES_CBC] = { "authenc(hmac(sha256),cbc(aes))",
			       "authencesn(hmac(sha256),cbc(aes))", { 16, 32 } },
	[KSAD_ENC_NULL] = { "authenc(hmac(sha256),ecb(cipher_null))",
			    "authencesn(hmac(sha256),ecb(cipher_null))",
			    { 0, 0 } },
};

static void ksad_keylen_error(u32 enc, struct netlink_ext_ack *extack)
{
	switch (enc) {
	case KSAD_ENC_AES_GCM_16:
		NL_SET_ERR_MSG(extack,
			       "AES-GCM-16 takes a 20- or 36-byte key (16 or 32 + 4 bytes salt)");
		break;
	case KSAD_ENC_CHACHA20_POLY1305:
		NL_SET_ERR_MSG(extack, "ChaCha20-Poly1305 takes a 36-byte key (32 + 4 bytes salt)");
		break;
	case KSAD_ENC_AES_CBC:
		NL_SET_ERR_MSG(extack, "AES-CBC takes a 16- or 32-byte key");
		break;
	default:
		NL_SET_ERR_MSG(extack, "NULL encryption takes no key");
	}
}

static u32 cfg_enc(const struct ksad_sa_cfg *cfg)
{
	return ksad_cfg_has(cfg, KSAD_SA_ENC_ALG) ? cfg->enc_alg : KSAD_ENC_NONE;
}

static u32 cfg_auth(const struct ksad_sa_cfg *cfg)
{
	return ksad_cfg_has(cfg, KSAD_SA_AUTH_ALG) ? cfg->auth_alg :
						      KSAD_AUTH_NONE;
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
	u32 enc = cfg_enc(cfg), auth = cfg_auth(cfg);
	const struct ksad_enc_desc *d;

	if (ksad_cfg_has(cfg, KSAD_SA_ENC_KEY) && enc == KSAD_ENC_NONE) {
		NL_SET_ERR_MSG(extack, "encryption key without encryption algorithm");
		return -EINVAL;
	}
	if (ksad_cfg_has(cfg, KSAD_SA_AUTH_KEY) && auth == KSAD_AUTH_NONE) {
		NL_SET_ERR_MSG(extack, "authentication key without authentication algorithm");
		return -EINVAL;
	}
	if (auth == KSAD_AUTH_HMAC_SHA256_128 &&
	    cfg->auth_key_len != KSAD_HMAC_SHA256_KEYLEN) {
		NL_SET_ERR_MSG(extack, "HMAC-SHA-256-128 takes a 32-byte key");
		return -EINVAL;
	}

	if (proto == KSAD_PROTO_AH) {
		if (enc != KSAD_ENC_NONE) {
			NL_SET_ERR_MSG(extack, "AH does not encrypt: no encryption algorithm");
			return -EINVAL;
		}
		if (auth == KSAD_AUTH_NONE) {
			NL_SET_ERR_MSG(extack, "AH needs an authentication algorithm");
			return -EINVAL;
		}
		return 0;
	}

	if (enc == KSAD_ENC_NONE) {
		NL_SET_ERR_MSG(extack,
			       "ESP needs an encryption algorithm (NULL for integrity only)");
		return -EINVAL;
	}
	d = &ksad_enc[enc];
	if (cfg->enc_key_len != d->keylen[0] && cfg->enc_key_len != d->keylen[1]) {
		ksad_keylen_error(enc, extack);
		return -EINVAL;
	}
	if (d->combined && auth != KSAD_AUTH_NONE) {
		NL_SET_ERR_MSG(extack,
			       "an AEAD algorithm takes no separate authentication algorithm");
		return -EINVAL;
	}
	if (!d->combined && auth == KSAD_AUTH_NONE) {
		NL_SET_ERR_MSG(extack,
			       "this encryption algorithm needs an authentication algorithm");
		return -EINVAL;
	}
	return 0;
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
	char wrapped[CRYPTO_MAX_ALG_NAME];
	const char *driver;
	const struct ksad_enc_desc *d;
	int n;
	const char *name;
	int err;

	memset(c, 0, sizeof(*c));
	c->enc_alg = cfg_enc(cfg);
	c->auth_alg = cfg_auth(cfg);
	c->icv_len = KSAD_ICV_LEN;

	if (proto == KSAD_PROTO_AH) {
		name = "hmac(sha256)";
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
		return 0;
	}

	d = &ksad_enc[c->enc_alg];
	name = cfg->esn ? d->aead_esn : d->aead;
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
	if (d->combined)
		err = crypto_aead_setkey(c->aead, cfg->enc_key, cfg->enc_key_len);
	else
		err = ksad_authenc_setkey(c->aead, cfg);
	if (err) {
		NL_SET_ERR_MSG(extack, "the ESP transform refused the key");
		goto fail;
	}
	err = crypto_aead_setauthsize(c->aead, c->icv_len);
	if (err) {
		NL_SET_ERR_MSG(extack, "the ESP transform refused a 16-byte ICV");
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
