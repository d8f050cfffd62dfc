// SPDX-License-Identifier: GPL-2.0
/*
 * The AH transform (RFC 4302): authenticates the whole IP packet, header
 * included, without encrypting anything.
 *
 *   | IP header | next | len | reserved | SPI | seq | ICV (+ pad) | payload |
 *
 * The ICV covers the IP header with its mutable fields (those routers may
 * change: TOS/traffic class, flow label, TTL/hop limit, IPv4 flags, fragment
 * offset, checksum, mutable IPv4 options and IPv6 hop-by-hop/destination
 * options) set to zero, the AH header with the ICV
 * field zeroed, and the payload; with ESN the high 32 bits of the sequence
 * number follow the packet (RFC 4302 3.3.3.3.1).  Header fields are saved,
 * zeroed for the hash, and put back, as Linux's ah4.c/ah6.c do.
 *
 * The ICV is the integrity algorithm's, truncated: 12 bytes (HMAC-SHA1-96,
 * AES-XCBC-96, AES-CMAC-96), 16, 24 or 32 (HMAC-SHA2-256-128, -384-192,
 * -512-256).  IPv6 needs AH to be a multiple of 8 bytes (RFC 4302 2.2); for
 * IPv4 Linux pads to 8 too unless its state has the align4 flag, so ksad
 * sends a multiple of 8 and accepts a multiple of 4 for IPv4 (with
 * HMAC-SHA2-256-128: 32 bytes sent, 28 or 32 accepted).
 * The padding is authenticated as it is on the wire: ksad sends zeros.
 *
 * The hash may complete asynchronously (cryptd); ksad_ah_done() carries on
 * in the callback, and the *_finish() function of the hook owns the packet
 * and the SA reference afterwards, as for ESP.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "datapath.h"

#define KSAD_AH_FIXED	12	/* next header, length, reserved, SPI, seq */
#define KSAD_AH_ICV_MAX	32	/* HMAC-SHA2-512-256 */
#define KSAD_AH_SAVED	256	/* IPv4 header, or IPv6 with extension headers */

struct ksad_ah_req {
	struct ksad_sa *sa;
	struct ksad_net *kn;		/* counted in kn->inflight */
	struct sk_buff *skb;
	u64 seq;
	unsigned int off;		/* the AH header, from skb->data */
	bool out;
	__be32 seqhi;
	u8 saved[KSAD_AH_SAVED];	/* the IP header as it was */
	u8 rx_icv[KSAD_AH_ICV_MAX];	/* input: the ICV received */
	u8 icv[SHA512_DIGEST_SIZE];	/* the digest, the ICV its start */
	struct scatterlist sg[2];
	struct ahash_request req;	/* last: its context follows */
};

/* The AH header of @sa, ICV and padding included. */
unsigned int ksad_ah_hlen(const struct ksad_sa *sa)
{
	return ALIGN(KSAD_AH_FIXED + sa->crypto.icv_len, 8);
}

/*
 * Zero the mutable IPv4 options (RFC 4302 appendix A.1).  With a source
 * route the ICV covers the final destination: a sender (@out) puts it in
 * the destination address for the hash; a receiver has it there already.
 */
int ksad_ah_mute_options(struct iphdr *iph, bool out)
{
	u8 *opt = (u8 *)(iph + 1);
	int left = iph->ihl * 4 - sizeof(*iph), len;

	while (left > 0) {
		if (opt[0] == IPOPT_END)
			return 0;
		if (opt[0] == IPOPT_NOOP) {
			opt++;
			left--;
			continue;
		}
		if (left < 2)
			return -EINVAL;
		len = opt[1];
		if (len < 2 || len > left)
			return -EINVAL;
		switch (opt[0]) {
		case IPOPT_SEC:
		case 0x85:		/* extended security */
		case IPOPT_CIPSO:
		case IPOPT_RA:
		case 0x80 | 21:		/* RFC 1770 */
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			if (len < 7)
				return -EINVAL;
			if (out)
				memcpy(&iph->daddr, opt + len - 4, 4);
			fallthrough;
		default:
			memset(opt, 0, len);
		}
		opt += len;
		left -= len;
	}
	return 0;
}

/*
 * Zero the options of IPv6 hop-by-hop and destination options headers that
 * may change en route (RFC 8200 4.2: the third-highest bit of the type) in
 * the @hlen bytes of header at @nh.  Routing headers are not supported.
 */
int ksad_ah_mute_exthdrs(u8 *nh, unsigned int hlen)
{
	unsigned int off = sizeof(struct ipv6hdr), len, i;
	u8 nexthdr = ((struct ipv6hdr *)nh)->nexthdr, *h;

	while (off < hlen) {
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_DEST)
			return -EINVAL;
		if (off + 2 > hlen)
			return -EINVAL;
		h = nh + off;
		len = ipv6_optlen((struct ipv6_opt_hdr *)h);
		if (off + len > hlen)
			return -EINVAL;
		for (i = 2; i < len; ) {
			if (h[i] == IPV6_TLV_PAD1) {
				i++;
				continue;
			}
			if (i + 2 > len || i + 2 + h[i + 1] > len)
				return -EINVAL;
			if (h[i] & 0x20)
				memset(h + i + 2, 0, h[i + 1]);
			i += 2 + h[i + 1];
		}
		nexthdr = h[0];
		off += len;
	}
	return 0;
}

/* Save the IP header of @hlen bytes and zero what may change in transit. */
static int ksad_ah_mute(struct ksad_ah_req *r, u8 family, unsigned int hlen)
{
	u8 *nh = r->skb->data;

	memcpy(r->saved, nh, hlen);
	if (family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)nh;

		iph->tos = 0;
		iph->frag_off = 0;
		iph->ttl = 0;
		iph->check = 0;
		if (hlen > sizeof(*iph))
			return ksad_ah_mute_options(iph, r->out);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)nh;

		ip6h->priority = 0;
		memset(ip6h->flow_lbl, 0, sizeof(ip6h->flow_lbl));
		ip6h->hop_limit = 0;
		if (hlen > sizeof(*ip6h))
			return ksad_ah_mute_exthdrs(nh, hlen);
	}
	return 0;
}

static void ksad_ah_restore(struct ksad_ah_req *r)
{
	memcpy(r->skb->data, r->saved, r->off);
}

static void ksad_ah_req_free(struct ksad_ah_req *r)
{
	struct ksad_net *kn = r->kn;	/* r->sa may be gone */

	kfree_sensitive(r);
	ksad_inflight_put(kn);
}

static void ksad_ah_complete(struct ksad_ah_req *r, int err)
{
	struct ip_auth_hdr *ah = (struct ip_auth_hdr *)(r->skb->data + r->off);
	unsigned int icv_len = r->sa->crypto.icv_len;

	ksad_ah_restore(r);
	if (r->out) {
		if (!err)
			memcpy(ah->auth_data, r->icv, icv_len);
		ksad_output_finish(r->sa, r->skb, err);
	} else {
		if (!err && crypto_memneq(r->icv, r->rx_icv, icv_len))
			err = -EBADMSG;
		ksad_input_finish(r->sa, r->skb, r->off, r->seq, err);
	}
	ksad_ah_req_free(r);
}

static void ksad_ah_done(KSAD_CRYPTO_DONE_PARAM, int err)
{
	struct ksad_ah_req *r = ksad_crypto_done_data(data);

	if (err == -EINPROGRESS)
		return;
	ksad_count(r->sa->kn, KSAD_STAT_CRYPTO_ASYNC);
	ksad_ah_complete(r, err);
}

/*
 * Hash the whole packet (mutable fields already zeroed), plus the high
 * sequence bits with ESN; finish here unless it completes asynchronously.
 */
static int ksad_ah_run(struct ksad_ah_req *r)
{
	struct sk_buff *skb = r->skb;
	unsigned int len = skb->len;
	int err;

	sg_init_table(r->sg, r->sa->esn ? 2 : 1);
	sg_set_buf(&r->sg[0], skb->data, skb->len);
	if (r->sa->esn) {
		r->seqhi = htonl(upper_32_bits(r->seq));
		sg_set_buf(&r->sg[1], &r->seqhi, sizeof(r->seqhi));
		len += sizeof(r->seqhi);
	}
	ahash_request_set_callback(&r->req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				   ksad_ah_done, r);
	ahash_request_set_crypt(&r->req, r->sg, r->icv, len);
	err = crypto_ahash_digest(&r->req);
	if (err == -EINPROGRESS || err == -EBUSY)
		return -EINPROGRESS;
	ksad_ah_complete(r, err);
	return 0;
}

/*
 * Zero the mutable fields and hash: 0 or -EINPROGRESS, the finish function
 * takes over.  -EINVAL: malformed IPv4 options, the request is undone and
 * the caller still owns the packet.
 */
static int ksad_ah_start(struct ksad_ah_req *r, u8 family)
{
	int err = ksad_ah_mute(r, family, r->off);

	if (!err)
		return ksad_ah_run(r);
	ksad_ah_restore(r);
	ksad_ah_req_free(r);
	return err;
}

static struct ksad_ah_req *ksad_ah_req_alloc(struct ksad_sa *sa,
					     struct sk_buff *skb, u64 seq,
					     unsigned int off, bool out)
{
	struct crypto_ahash *ahash = sa->crypto.ahash;
	struct ksad_ah_req *r;

	if (!ksad_inflight_get(sa->kn))
		return NULL;
	r = kmalloc(sizeof(*r) + crypto_ahash_reqsize(ahash), GFP_ATOMIC);
	if (!r) {
		ksad_inflight_put(sa->kn);
		return NULL;
	}
	r->sa = sa;
	r->kn = sa->kn;
	r->skb = skb;
	r->seq = seq;
	r->off = off;
	r->out = out;
	ahash_request_set_tfm(&r->req, ahash);
	return r;
}

/**
 * ksad_ah_output() - insert AH after the first @hlen bytes and sign
 * @sa: the SA; the reference passes to ksad_output_finish()
 * @skb: data at an IP header of @hlen bytes, its protocol already AH
 * @hlen: bytes in front of AH (the IP header)
 * @nexthdr: protocol of the payload
 * @seq: the sequence number, reserved by the caller
 *
 * ksad_output_finish() is always called, here or later.
 * Return: 0 or -EINPROGRESS.
 */
int ksad_ah_output(struct ksad_sa *sa, struct sk_buff *skb,
		   unsigned int hlen, u8 nexthdr, u64 seq)
{
	unsigned int ahlen = ksad_ah_hlen(sa);
	struct ksad_ah_req *r;
	struct ip_auth_hdr *ah;
	u8 family = ksad_skb_family(skb);	/* the SA may move meanwhile */
	int err = -ENOMEM;

	if (hlen > sizeof(r->saved))
		goto fail;
	if (skb_linearize(skb) ||
	    skb_cow_head(skb, ahlen + LL_MAX_HEADER))
		goto fail;
	r = ksad_ah_req_alloc(sa, skb, seq, hlen, true);
	if (!r)
		goto fail;

	skb_push(skb, ahlen);
	memmove(skb->data, skb->data + ahlen, hlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hlen);
	ah = (struct ip_auth_hdr *)(skb->data + hlen);
	memset(ah, 0, ahlen);
	ah->nexthdr = nexthdr;
	ah->hdrlen = ahlen / 4 - 2;
	ah->spi = htonl(sa->key.spi);
	ah->seq_no = htonl(lower_32_bits(seq));
	/* lengths are immutable: what the receiver sees is what is signed */
	if (family == AF_INET)
		ip_hdr(skb)->tot_len = htons(skb->len);
	else
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));

	err = ksad_ah_start(r, family);
	if (err != -EINVAL)
		return err;
fail:
	ksad_output_finish(sa, skb, err);
	return 0;
}

/**
 * ksad_ah_input() - check the ICV of the AH packet at @off
 * @sa: the SA; the reference passes to ksad_input_finish()
 * @skb: data at the IP header, which is @off bytes long; AH follows
 * @off: offset of the AH header
 * @seq: the full sequence number (replay.c)
 *
 * The IP header is left as it came, the ICV field zeroed.
 * ksad_input_finish() gets -EBADMSG if the ICV is wrong, -EINVAL if the
 * packet is malformed, and is always called, here or later.
 * Return: 0 or -EINPROGRESS.
 */
int ksad_ah_input(struct ksad_sa *sa, struct sk_buff *skb, unsigned int off,
		  u64 seq)
{
	unsigned int icv_len = sa->crypto.icv_len, ahlen;
	struct ksad_ah_req *r;
	struct ip_auth_hdr *ah;
	int err = -ENOMEM;

	if (skb_linearize(skb) || skb_unclone(skb, GFP_ATOMIC))
		goto fail;
	err = -EINVAL;
	if (off > sizeof(r->saved) || skb->len < off + KSAD_AH_FIXED)
		goto fail;
	ah = (struct ip_auth_hdr *)(skb->data + off);
	ahlen = (ah->hdrlen + 2) * 4;
	if ((ahlen != ksad_ah_hlen(sa) &&
	     (ksad_skb_family(skb) != AF_INET ||
	      ahlen != ALIGN(KSAD_AH_FIXED + icv_len, 4))) ||
	    skb->len < off + ahlen)
		goto fail;

	err = -ENOMEM;
	r = ksad_ah_req_alloc(sa, skb, seq, off, false);
	if (!r)
		goto fail;
	memcpy(r->rx_icv, ah->auth_data, icv_len);
	memset(ah->auth_data, 0, icv_len);
	err = ksad_ah_start(r, ksad_skb_family(skb));
	if (err != -EINVAL)
		return err;
fail:
	ksad_input_finish(sa, skb, off, seq, err);
	return 0;
}

/*
 * After the ICV matched: remove AH; the IP header moves up over it.
 * Returns the protocol that follows AH (ksad_ah_input() checked the length).
 */
int ksad_ah_strip(struct ksad_sa *sa, struct sk_buff *skb, unsigned int off)
{
	const struct ip_auth_hdr *ah = (void *)(skb->data + off);
	unsigned int ahlen = (ah->hdrlen + 2) * 4;
	u8 nexthdr = ah->nexthdr;

	memmove(skb->data + ahlen, skb->data, off);
	__skb_pull(skb, ahlen);
	skb_reset_network_header(skb);
	return nexthdr;
}
