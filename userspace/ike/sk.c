// SPDX-License-Identifier: GPL-2.0
/*
 * SK payload protection through OpenSSL 3:
 *
 *   | IKE header | SK header | IV | E(inner payloads | pad | pad len) | ICV |
 *
 * AES-GCM-16 (RFC 5282): 8-byte explicit IV, nonce = salt | IV, the
 * associated data is everything before the IV (IKE header and SK header),
 * 16-byte ICV.  AES-CBC + HMAC-SHA2-256-128: random 16-byte IV, blocks of
 * 16, ICV = HMAC over the whole message up to the ICV, cut to 16 bytes.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "keys.h"
#include "sk.h"

#define ICV_LEN 16

static size_t iv_len(const struct ike_sk_keys *k)
{
	return k->encr == IKE_ENCR_AES_GCM_16 ? 8 : 16;
}

static const EVP_CIPHER *cipher(const struct ike_sk_keys *k)
{
	bool gcm = k->encr == IKE_ENCR_AES_GCM_16;
	size_t klen = gcm ? k->ekey_len - 4 : k->ekey_len;

	if (gcm)
		return klen == 16 ? EVP_aes_128_gcm() : klen == 32 ? EVP_aes_256_gcm() : NULL;
	return klen == 16 ? EVP_aes_128_cbc() : klen == 32 ? EVP_aes_256_cbc() : NULL;
}

/* What SK adds around the inner payloads, padding aside. */
size_t ike_sk_overhead(const struct ike_sk_keys *k)
{
	return IKE_PAYLOAD_HDR_LEN + iv_len(k) + 1 + ICV_LEN;
}

static int hmac_icv(const struct ike_sk_keys *k, const uint8_t *data,
		    size_t len, uint8_t icv[ICV_LEN])
{
	uint8_t full[IKE_PRF_LEN];

	if (ike_prf(k->akey, k->akey_len, data, len, full))
		return -1;
	memcpy(icv, full, ICV_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return 0;
}

/*
 * AES-GCM or AES-CBC over @in (@len bytes) to @out; @aad for GCM; @tag in
 * (decrypt) or out (encrypt).
 */
static int run(const struct ike_sk_keys *k, bool enc, const uint8_t *iv,
	       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
	       uint8_t *out, uint8_t *tag)
{
	bool gcm = k->encr == IKE_ENCR_AES_GCM_16;
	const EVP_CIPHER *c = cipher(k);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int n, ok = 0;

	if (!ctx || !c || len > INT32_MAX || aad_len > INT32_MAX)
		goto out;
	if (gcm) {
		memcpy(nonce, k->ekey + k->ekey_len - 4, 4);
		memcpy(nonce + 4, iv, 8);
	}
	if (!EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) ||
	    (gcm && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL)) ||
	    !EVP_CipherInit_ex(ctx, NULL, NULL, k->ekey, gcm ? nonce : iv, enc))
		goto out;
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	if (gcm && aad_len && !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len))
		goto out;
	if (gcm && !enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, ICV_LEN, tag))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, out + n, &n))
		goto out;
	if (gcm && enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, ICV_LEN, tag))
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/**
 * ike_sk_seal() - finish a message with an SK payload around @inner
 * @b: the message so far (header and any unencrypted payloads)
 * @k: this direction's keys
 * @first: type of the first inner payload
 * @inner: the inner payload chain, as a builder made it (after a header)
 * @inner_len: its length
 *
 * Return: the message's length, 0 on failure.
 */
size_t ike_sk_seal(struct ike_builder *b, const struct ike_sk_keys *k,
		   uint8_t first, const uint8_t *inner, size_t inner_len)
{
	size_t ivl = iv_len(k), plen = inner_len + 1, len;
	uint8_t plain[65536], *iv, *ct, *icv;

	if (k->encr != IKE_ENCR_AES_GCM_16)
		plen = (plen + 15) / 16 * 16;
	if (plen > sizeof(plain) || !cipher(k))
		return 0;
	memcpy(plain, inner, inner_len);
	memset(plain + inner_len, 0, plen - inner_len - 1);
	plain[plen - 1] = (uint8_t)(plen - inner_len - 1);

	ike_build_open(b, IKE_PL_SK);
	if (b->err || b->cap - b->len < ivl + plen + ICV_LEN) {
		b->err = true;
		return 0;
	}
	b->buf[b->open] = first;	/* SK names the first inner payload */
	iv = b->buf + b->len;
	b->len += ivl + plen + ICV_LEN;
	ike_build_close(b);
	len = ike_build_end(b);
	if (!len)
		return 0;
	ct = iv + ivl;
	icv = ct + plen;
	if (k->encr == IKE_ENCR_AES_GCM_16) {
		/* counter-mode IVs must never repeat under a key: random 64 bits */
		if (RAND_bytes(iv, (int)ivl) != 1 ||
		    run(k, true, iv, b->buf, (size_t)(iv - b->buf), plain, plen, ct, icv))
			len = 0;
	} else if (RAND_bytes(iv, (int)ivl) != 1 ||
		   run(k, true, iv, NULL, 0, plain, plen, ct, NULL) ||
		   hmac_icv(k, b->buf, (size_t)(icv - b->buf), icv)) {
		len = 0;
	}
	OPENSSL_cleanse(plain, plen);
	return len;
}

/**
 * ike_sk_open() - check and decrypt the SK payload of a parsed message
 * @k: the peer's direction's keys
 * @msg: the datagram @m was parsed from
 * @len: its length
 * @m: the parsed message; its last payload is SK
 * @plain: where the inner payload chain goes
 * @cap: room there
 * @plain_len: its length (padding removed)
 *
 * Return: 0; -1 if the ICV is wrong or the payload malformed.
 */
int ike_sk_open(const struct ike_sk_keys *k, const uint8_t *msg, size_t len,
		const struct ike_msg *m, uint8_t *plain, size_t cap,
		size_t *plain_len)
{
	const struct ike_payload *sk;
	size_t ivl = iv_len(k), clen;
	const uint8_t *iv, *ct, *icv;
	uint8_t want[ICV_LEN], tag[ICV_LEN];
	uint8_t padlen;

	if (!m->n || m->p[m->n - 1].type != IKE_PL_SK)
		return -1;
	sk = &m->p[m->n - 1];
	if (sk->len < ivl + 1 + ICV_LEN || sk->body + sk->len != msg + len)
		return -1;
	iv = sk->body;
	ct = iv + ivl;
	clen = sk->len - ivl - ICV_LEN;
	icv = ct + clen;
	if (clen > cap || (k->encr != IKE_ENCR_AES_GCM_16 && clen % 16))
		return -1;
	if (k->encr == IKE_ENCR_AES_GCM_16) {
		memcpy(tag, icv, ICV_LEN);
		if (run(k, false, iv, msg, (size_t)(iv - msg), ct, clen, plain, tag))
			return -1;
	} else {
		if (hmac_icv(k, msg, (size_t)(icv - msg), want) ||
		    CRYPTO_memcmp(want, icv, ICV_LEN) ||
		    run(k, false, iv, NULL, 0, ct, clen, plain, NULL))
			return -1;
	}
	padlen = plain[clen - 1];
	if (padlen + 1u > clen)
		return -1;
	*plain_len = clen - 1 - padlen;
	return 0;
}
