// SPDX-License-Identifier: GPL-2.0
/*
 * The ESP transform (RFC 4303): header, IV, padding, trailer and ICV, run
 * through the kernel crypto API.  The hooks (output.c, input.c) decide which
 * SA and where the ESP header goes; this file builds or checks the ESP part.
 *
 *   | IP header | SPI | seq | IV | payload | pad | pad len | next | ICV |
 *                 \_ AAD _/         \____ encrypted __________/
 *
 * Every algorithm is an AEAD here.  The crypto API wants the AAD and the IV in
 * front of the text: a small buffer of the request holds SPI, (high sequence
 * bits with ESN,) low sequence bits and IV, and a scatterlist chains it to the
 * packet's payload.  GCM and ChaCha20-Poly1305 skip the IV in their AAD; for
 * AES-CBC/NULL + HMAC it is authenticated, as ESP wants; authencesn moves the
 * high sequence bits behind the payload (RFC 4303 3.3.2.2).
 *
 * A transform may complete later (-EINPROGRESS: async AES-GCM on x86, or any
 * algorithm behind cryptd): then ksad_esp_done() carries on in the callback,
 * otherwise the caller's thread does.  Either way the *_finish() function of
 * the hook owns the packet and the SA reference afterwards.
 */
#include <crypto/aead.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/ip.h>
#include <net/esp.h>

#include "datapath.h"

#define KSAD_ESP_HLEN	8	/* SPI + sequence number */
#define KSAD_IV_MAX	16

struct ksad_esp_req {
	struct ksad_sa *sa;
	struct ksad_net *kn;		/* counted in kn->inflight */
	struct sk_buff *skb;
	u64 seq;
	unsigned int esp_off;		/* input: ESP header, from skb->data */
	ksad_esp_in_done_t in_done;	/* input: ksad_input_finish() */
	bool out;
	u8 iv[KSAD_IV_MAX];		/* the crypto API may change it */
	u8 aad[12 + KSAD_IV_MAX];	/* SPI, [seq hi,] seq lo, IV */
	struct scatterlist sg[2];
	struct aead_request req;	/* last: its context follows */
};

/* The most an SA adds to a packet, not counting an outer IP header. */
unsigned int ksad_esp_overhead(const struct ksad_sa *sa)
{
	const struct ksad_crypto *c = &sa->crypto;

	return KSAD_ESP_HLEN + c->iv_len + c->align - 1 + 2 + c->icv_len;
}

static struct ksad_esp_req *ksad_esp_req_alloc(struct ksad_sa *sa,
					       struct sk_buff *skb)
{
	struct crypto_aead *aead = sa->crypto.aead;
	struct ksad_esp_req *r;

	if (!ksad_inflight_get(sa->kn))
		return NULL;
	r = kmalloc(sizeof(*r) + crypto_aead_reqsize(aead), GFP_ATOMIC);
	if (!r) {
		ksad_inflight_put(sa->kn);
		return NULL;
	}
	r->sa = sa;
	r->kn = sa->kn;
	r->skb = skb;
	aead_request_set_tfm(&r->req, aead);
	return r;
}

static void ksad_esp_req_free(struct ksad_esp_req *r)
{
	struct ksad_net *kn = r->kn;	/* r->sa may be gone */

	/* IV and AAD are not secret, but the request context may be */
	kfree_sensitive(r);
	ksad_inflight_put(kn);
}

/* AAD (+ IV) in front of @text_len bytes of packet at @text. */
static unsigned int ksad_esp_aad(struct ksad_esp_req *r, __be32 spi, u64 seq,
				 const u8 *iv, u8 *text, unsigned int text_len)
{
	const struct ksad_sa *sa = r->sa;
	unsigned int ivlen = sa->crypto.iv_len, len = 0;
	__be32 *w = (__be32 *)r->aad;

	w[len++] = spi;
	if (sa->esn)
		w[len++] = htonl(upper_32_bits(seq));
	w[len++] = htonl(lower_32_bits(seq));
	len *= 4;
	memcpy(r->aad + len, iv, ivlen);
	memcpy(r->iv, iv, ivlen);
	sg_init_table(r->sg, 2);
	sg_set_buf(&r->sg[0], r->aad, len + ivlen);
	sg_set_buf(&r->sg[1], text, text_len);
	return len + ivlen;
}

static void ksad_esp_complete(struct ksad_esp_req *r, int err)
{
	if (r->out)
		ksad_output_finish(r->sa, r->skb, err);
	else
		r->in_done(r->sa, r->skb, r->esp_off, r->seq, err);
	ksad_esp_req_free(r);
}

static void ksad_esp_done(KSAD_CRYPTO_DONE_PARAM, int err)
{
	struct ksad_esp_req *r = ksad_crypto_done_data(data);

	/* A backlogged request was queued: the real completion follows. */
	if (err == -EINPROGRESS)
		return;
	ksad_count(r->sa->kn, KSAD_STAT_CRYPTO_ASYNC);
	ksad_esp_complete(r, err);
}

/* Run the transform; finish here unless it completes asynchronously. */
static int ksad_esp_run(struct ksad_esp_req *r)
{
	int err;

	aead_request_set_callback(&r->req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  ksad_esp_done, r);
	err = r->out ? crypto_aead_encrypt(&r->req) :
		       crypto_aead_decrypt(&r->req);
	if (err == -EINPROGRESS || err == -EBUSY)
		return -EINPROGRESS;
	ksad_esp_complete(r, err);
	return 0;
}

/* Make @skb linear and writable with @head and @tail bytes to spare. */
static int ksad_skb_make_room(struct sk_buff *skb, unsigned int head,
			      unsigned int tail)
{
	int h, t;

	if (skb_linearize(skb))
		return -ENOMEM;
	h = max_t(int, (int)head - (int)skb_headroom(skb), 0);
	t = max_t(int, (int)tail - (int)skb_tailroom(skb), 0);
	if ((h || t || skb_cloned(skb)) &&
	    pskb_expand_head(skb, h, t, GFP_ATOMIC))
		return -ENOMEM;
	return 0;
}

/**
 * ksad_esp_output() - insert ESP after the first @hlen bytes and encrypt
 * @sa: the SA; the reference passes to ksad_output_finish()
 * @skb: data at an IP header of @hlen bytes followed by the payload
 * @hlen: bytes that stay in front of ESP (the IP header)
 * @nexthdr: protocol of the payload
 * @seq: the sequence number, reserved by the caller
 *
 * ksad_output_finish() is always called, here or later.
 * Return: 0 or -EINPROGRESS.
 */
int ksad_esp_output(struct ksad_sa *sa, struct sk_buff *skb,
		    unsigned int hlen, u8 nexthdr, u64 seq)
{
	const struct ksad_crypto *c = &sa->crypto;
	unsigned int plen = skb->len - hlen, clen, ehlen, i;
	struct ksad_esp_req *r;
	struct ip_esp_hdr *esph;
	u8 iv[KSAD_IV_MAX];
	u8 *tail, padlen;
	int err;

	clen = ALIGN(plen + 2, c->align);
	padlen = clen - plen - 2;
	ehlen = KSAD_ESP_HLEN + c->iv_len;
	err = ksad_skb_make_room(skb, ehlen + LL_MAX_HEADER,
				 clen - plen + c->icv_len);
	if (err)
		goto fail;

	r = ksad_esp_req_alloc(sa, skb);
	if (!r) {
		err = -ENOMEM;
		goto fail;
	}
	r->out = true;
	r->seq = seq;

	/* Header: the IP header moves to the front, ESP goes behind it. */
	skb_push(skb, ehlen);
	memmove(skb->data, skb->data + ehlen, hlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hlen);
	esph = (struct ip_esp_hdr *)(skb->data + hlen);
	esph->spi = htonl(sa->key.spi);
	esph->seq_no = htonl(lower_32_bits(seq));
	/*
	 * IVs never repeat under a key: counter-mode AEADs take the 64-bit
	 * sequence number (RFC 4106 3.1), which never wraps; CBC needs an
	 * unpredictable IV.
	 */
	if (c->random_iv) {
		get_random_bytes(iv, c->iv_len);
	} else {
		__be64 nonce = cpu_to_be64(seq);

		memcpy(iv, &nonce, min_t(unsigned int, c->iv_len, 8));
	}
	memcpy(esph + 1, iv, c->iv_len);

	/* Trailer: padding 1, 2, 3..., its length, next header; ICV room. */
	tail = skb_put(skb, clen - plen + c->icv_len);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;

	aead_request_set_ad(&r->req,
			    ksad_esp_aad(r, esph->spi, seq, iv,
					 skb->data + hlen + ehlen,
					 clen + c->icv_len));
	aead_request_set_crypt(&r->req, r->sg, r->sg, clen, r->iv);
	return ksad_esp_run(r);
fail:
	ksad_output_finish(sa, skb, err);
	return 0;
}

/**
 * ksad_esp_input() - decrypt and check the ESP packet at @esp_off
 * @sa: the SA; the reference passes to ksad_input_finish()
 * @skb: data at the IP header; ESP at @esp_off
 * @esp_off: offset of the ESP header
 * @seq: the full sequence number (replay.c)
 *
 * Leaves the plaintext in place; ksad_input_finish() gets -EBADMSG if the
 * ICV is wrong, and is always called, here or later.
 * Return: 0 or -EINPROGRESS.
 */
int ksad_esp_input(struct ksad_sa *sa, struct sk_buff *skb,
		   unsigned int esp_off, u64 seq)
{
	return ksad_esp_input_to(sa, skb, esp_off, seq, ksad_input_finish);
}

/* The same, finishing in @done (the known-answer tests look there). */
int ksad_esp_input_to(struct ksad_sa *sa, struct sk_buff *skb,
		      unsigned int esp_off, u64 seq, ksad_esp_in_done_t done)
{
	const struct ksad_crypto *c = &sa->crypto;
	unsigned int ehlen = KSAD_ESP_HLEN + c->iv_len, tlen;
	struct ksad_esp_req *r;
	struct ip_esp_hdr *esph;
	int err;

	err = ksad_skb_make_room(skb, 0, 0);
	if (err)
		goto fail;
	err = -EINVAL;
	if (skb->len < esp_off + ehlen + c->icv_len + 2)
		goto fail;
	tlen = skb->len - esp_off - ehlen;	/* ciphertext and ICV */
	if ((tlen - c->icv_len) % c->align)
		goto fail;

	r = ksad_esp_req_alloc(sa, skb);
	if (!r) {
		err = -ENOMEM;
		goto fail;
	}
	r->out = false;
	r->seq = seq;
	r->esp_off = esp_off;
	r->in_done = done;
	esph = (struct ip_esp_hdr *)(skb->data + esp_off);
	aead_request_set_ad(&r->req,
			    ksad_esp_aad(r, esph->spi, seq, (u8 *)(esph + 1),
					 skb->data + esp_off + ehlen, tlen));
	aead_request_set_crypt(&r->req, r->sg, r->sg, tlen, r->iv);
	return ksad_esp_run(r);
fail:
	done(sa, skb, esp_off, seq, err);
	return 0;
}

/* Length of the ESP header and IV of @sa. */
unsigned int ksad_esp_hlen(const struct ksad_sa *sa)
{
	return KSAD_ESP_HLEN + sa->crypto.iv_len;
}
