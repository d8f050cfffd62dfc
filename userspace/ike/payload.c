// SPDX-License-Identifier: GPL-2.0
/*
 * Pieces every exchange builds or reads: the IKE header of this SA, Notify
 * payloads (the error ones among them), NAT detection (RFC 7296 2.23), the
 * identity payloads' bodies, and sealing a message into the SK payload.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/evp.h>

#include "exchange.h"

#define ID_IPV4_ADDR	1
#define ID_FQDN		2
#define ID_RFC822_ADDR	3
#define ID_IPV6_ADDR	5

void ike_put_notify(struct ike_builder *b, uint16_t type, const void *data,
		       size_t len)
{
	uint8_t h[4] = { 0, 0, (uint8_t)(type >> 8), (uint8_t)type };

	ike_build_open(b, IKE_PL_NOTIFY);
	ike_build_bytes(b, h, sizeof(h));
	ike_build_bytes(b, data, len);
	ike_build_close(b);
}

/* NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | address | port). */
static void nat_hash(const struct ike_sa *sa, const struct ike_addr *a,
		     uint8_t out[20])
{
	uint8_t in[8 + 8 + 16 + 2];
	size_t alen = a->family == AF_INET ? 4 : 16, n = 0, i;

	for (i = 0; i < 8; i++) {
		in[i] = (uint8_t)(sa->spi_i >> (56 - 8 * i));
		in[8 + i] = (uint8_t)(sa->spi_r >> (56 - 8 * i));
	}
	memcpy(in + 16, a->a, alen);
	in[16 + alen] = (uint8_t)(a->port >> 8);
	in[17 + alen] = (uint8_t)a->port;
	if (!EVP_Q_digest(NULL, "SHA1", NULL, in, 18 + alen, out, &n))
		memset(out, 0, 20);
}

/*
 * Is there a NAT between us (2.23)?  @src: where the message came from as
 * we see it, @dst: where it went.  Without the notifies: no NAT-T, no NAT.
 * @behind: the peer saw another address than ours: the NAT is on our side
 * (we send the keepalives, RFC 3948 4).
 */
bool ike_nat_between(const struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_addr *src, const struct ike_addr *dst,
		     bool *behind)
{
	const struct ike_payload *pl;
	struct ike_notify nt;
	uint8_t h_src[20], h_dst[20];
	bool seen = false, nat = false, src_ok = false;
	size_t from = 0;

	nat_hash(sa, src, h_src);
	nat_hash(sa, dst, h_dst);
	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, &from))) {
		if (ike_notify_parse(pl, &nt) || nt.data_len != 20)
			continue;
		if (nt.type == N_NAT_DETECTION_SOURCE_IP) {
			seen = true;
			src_ok |= !memcmp(nt.data, h_src, 20);
		} else if (nt.type == N_NAT_DETECTION_DESTINATION_IP) {
			seen = true;
			nat |= !!memcmp(nt.data, h_dst, 20);
		}
	}
	*behind = seen && nat;
	return seen && (nat || !src_ok);
}

void ike_put_nat_detection(struct ike_builder *b, const struct ike_sa *sa)
{
	uint8_t h[20];

	nat_hash(sa, &sa->cfg->local, h);
	ike_put_notify(b, N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	nat_hash(sa, &sa->peer, h);
	ike_put_notify(b, N_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

/* ID payload body: type, 3 reserved bytes, the identity (2.15, 3.5). */
size_t ike_id_body(const char *id, uint8_t *out, size_t cap)
{
	uint8_t a[16];
	size_t len;

	memset(out, 0, 4);
	if (inet_pton(AF_INET, id, a) == 1) {
		out[0] = ID_IPV4_ADDR;
		memcpy(out + 4, a, 4);
		return 8;
	}
	if (inet_pton(AF_INET6, id, a) == 1) {
		out[0] = ID_IPV6_ADDR;
		memcpy(out + 4, a, 16);
		return 20;
	}
	/* strongSwan's reading: @host is a name, user@host an email address */
	out[0] = *id != '@' && strchr(id, '@') ? ID_RFC822_ADDR : ID_FQDN;
	if (*id == '@')
		id++;
	len = strlen(id);
	if (len + 4 > cap)
		len = cap - 4;
	memcpy(out + 4, id, len);
	return len + 4;
}

struct ike_hdr ike_hdr_of(const struct ike_sa *sa, uint8_t exchange,
			  uint32_t msg_id, bool response)
{
	struct ike_hdr h = {
		.spi_i = sa->spi_i, .spi_r = sa->spi_r, .exchange = exchange,
		.msg_id = msg_id,
		.flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) |
			 (response ? IKE_FLAG_RESPONSE : 0),
	};

	return h;
}

uint16_t ike_find_notify(const struct ike_msg *m, uint16_t type,
			    struct ike_notify *out)
{
	const struct ike_payload *pl;
	struct ike_notify nt;
	size_t from = 0;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, &from)))
		if (!ike_notify_parse(pl, &nt) && nt.type == type) {
			if (out)
				*out = nt;
			return type;
		}
	return 0;
}

/* The first error notify (type below 16384), or 0. */
uint16_t ike_error_notify(const struct ike_msg *m)
{
	const struct ike_payload *pl;
	struct ike_notify nt;
	size_t from = 0;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, &from)))
		if (!ike_notify_parse(pl, &nt) && nt.type && nt.type < 16384)
			return nt.type;
	return 0;
}

/* Seal @inner (a builder's output, header included) as the message to send. */
size_t ike_seal(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id,
		   bool response, const uint8_t *inner, size_t inner_len,
		   uint8_t *out, size_t cap)
{
	struct ike_hdr h = ike_hdr_of(sa, exchange, msg_id, response);
	struct ike_builder b;
	size_t len;

	if (inner_len < IKE_HDR_LEN)
		return 0;
	ike_build_start(&b, out, cap, &h);
	len = ike_sk_seal(&b, sa->initiator ? &sa->ki : &sa->kr, inner[16],
			  inner + IKE_HDR_LEN, inner_len - IKE_HDR_LEN);
	return len;
}
