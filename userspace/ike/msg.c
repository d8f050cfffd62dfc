// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 message codec (RFC 7296 section 3).  See msg.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "msg.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void set32(uint8_t *p, uint32_t v)
{
	set16(p, (uint16_t)(v >> 16));
	set16(p + 2, (uint16_t)v);
}

static void set64(uint8_t *p, uint64_t v)
{
	set32(p, (uint32_t)(v >> 32));
	set32(p + 4, (uint32_t)v);
}

static bool known_payload(uint8_t type)
{
	return type >= IKE_PL_SA && type <= IKE_PL_EAP;
}

/**
 * ike_chain_parse() - a chain of payloads
 * @first: type of the first payload (a header's or SK's next payload)
 * @buf: the chain
 * @len: its length; the chain must fill it exactly
 * @m: gets the payloads (m->n, m->p, m->sk_first)
 *
 * An SK payload ends the chain: its body is the encrypted rest.
 * Return: IKE_OK or an enum ike_parse_err.
 */
int ike_chain_parse(uint8_t first, const uint8_t *buf, size_t len,
		    struct ike_msg *m)
{
	uint8_t type = first;
	size_t off = 0;

	m->n = 0;
	m->sk_first = 0;
	while (type != IKE_PL_NONE) {
		struct ike_payload *p;
		size_t plen;
		uint8_t next;

		if (len - off < IKE_PAYLOAD_HDR_LEN)
			return IKE_ERR_TRUNCATED;
		plen = get16(buf + off + 2);
		if (plen < IKE_PAYLOAD_HDR_LEN || plen > len - off)
			return IKE_ERR_LENGTH;
		if (m->n == IKE_MAX_PAYLOADS)
			return IKE_ERR_TOO_MANY;
		p = &m->p[m->n++];
		p->type = type;
		p->critical = buf[off + 1] & 0x80;
		p->body = buf + off + IKE_PAYLOAD_HDR_LEN;
		p->len = plen - IKE_PAYLOAD_HDR_LEN;
		next = buf[off];
		off += plen;
		if (type == IKE_PL_SK) {
			if (off != len)
				return IKE_ERR_LENGTH;
			m->sk_first = next;
			return IKE_OK;
		}
		if (!known_payload(type) && p->critical) {
			m->bad_type = type;
			return IKE_ERR_CRITICAL;
		}
		type = next;
	}
	return off == len ? IKE_OK : IKE_ERR_LENGTH;
}

/* A whole datagram (without the non-ESP marker). */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < IKE_HDR_LEN)
		return IKE_ERR_TRUNCATED;
	m->hdr.spi_i = get64(buf);
	m->hdr.spi_r = get64(buf + 8);
	m->hdr.next = buf[16];
	m->hdr.version = buf[17];
	m->hdr.exchange = buf[18];
	m->hdr.flags = buf[19];
	m->hdr.msg_id = get32(buf + 20);
	m->hdr.length = get32(buf + 24);
	if (m->hdr.version >> 4 != 2)
		return IKE_ERR_VERSION;
	if (m->hdr.length != len)
		return m->hdr.length > len ? IKE_ERR_TRUNCATED : IKE_ERR_LENGTH;
	return ike_chain_parse(m->hdr.next, buf + IKE_HDR_LEN, len - IKE_HDR_LEN, m);
}

/* The next payload of @type at or after index *@from (updated), or NULL. */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
				       size_t *from)
{
	size_t i;

	for (i = from ? *from : 0; i < m->n; i++) {
		if (m->p[i].type == type) {
			if (from)
				*from = i + 1;
			return &m->p[i];
		}
	}
	return NULL;
}

/* One transform substructure (3.3.2) at @p, @len bytes long. */
static int parse_transform(const uint8_t *p, size_t len, struct ike_transform *t)
{
	size_t off = 8;

	t->type = p[4];
	t->id = get16(p + 6);
	t->key_len = 0;
	while (off < len) {
		uint16_t at;

		if (len - off < 4)
			return IKE_ERR_SYNTAX;
		at = get16(p + off);
		if (at & 0x8000) {		/* TV: two bytes of value */
			if ((at & 0x7fff) == 14)
				t->key_len = get16(p + off + 2);
			else
				t->key_len = 0xffff;	/* unknown: unusable */
			off += 4;
		} else {			/* TLV */
			size_t vlen = get16(p + off + 2);

			if (vlen > len - off - 4)
				return IKE_ERR_SYNTAX;
			t->key_len = 0xffff;
			off += 4 + vlen;
		}
	}
	return IKE_OK;
}

/**
 * ike_sa_parse() - the proposals of an SA payload (3.3)
 * @pl: the payload
 * @props: where the proposals go
 * @max: room in @props
 * @n: how many were parsed
 *
 * Return: IKE_OK, IKE_ERR_SYNTAX or IKE_ERR_TOO_MANY.
 */
int ike_sa_parse(const struct ike_payload *pl, struct ike_proposal *props,
		 size_t max, size_t *n)
{
	const uint8_t *b = pl->body;
	size_t off = 0;
	uint8_t last = 2;

	*n = 0;
	while (last == 2) {
		struct ike_proposal *pr;
		size_t plen, toff, i;
		uint8_t nt;

		if (pl->len - off < 8)
			return IKE_ERR_SYNTAX;
		last = b[off];
		plen = get16(b + off + 2);
		if ((last != 0 && last != 2) || plen < 8 || plen > pl->len - off)
			return IKE_ERR_SYNTAX;
		if (*n == max)
			return IKE_ERR_TOO_MANY;
		pr = &props[(*n)++];
		memset(pr, 0, sizeof(*pr));
		pr->num = b[off + 4];
		pr->proto = b[off + 5];
		pr->spi_size = b[off + 6];
		nt = b[off + 7];
		if (pr->spi_size > sizeof(pr->spi) || 8u + pr->spi_size > plen ||
		    nt > IKE_MAX_TRANSFORMS)
			return IKE_ERR_SYNTAX;
		memcpy(pr->spi, b + off + 8, pr->spi_size);
		toff = off + 8 + pr->spi_size;
		for (i = 0; i < nt; i++) {
			size_t tlen;
			uint8_t tlast;

			if (off + plen - toff < 8)
				return IKE_ERR_SYNTAX;
			tlast = b[toff];
			tlen = get16(b + toff + 2);
			if (tlen < 8 || tlen > off + plen - toff ||
			    tlast != (i + 1 == nt ? 0 : 3))
				return IKE_ERR_SYNTAX;
			if (parse_transform(b + toff, tlen, &pr->t[i]))
				return IKE_ERR_SYNTAX;
			toff += tlen;
		}
		pr->n = nt;
		if (toff != off + plen)
			return IKE_ERR_SYNTAX;
		off += plen;
	}
	return off == pl->len ? IKE_OK : IKE_ERR_SYNTAX;
}

/* Traffic selectors of a TSi or TSr payload (3.13); unknown types skipped. */
int ike_ts_parse(const struct ike_payload *pl, struct ike_ts *ts, size_t max,
		 size_t *n)
{
	const uint8_t *b = pl->body;
	size_t off = 4, i, count;

	*n = 0;
	if (pl->len < 4 || !b[0])
		return IKE_ERR_SYNTAX;
	count = b[0];
	for (i = 0; i < count; i++) {
		size_t slen, alen;
		uint8_t type;

		if (pl->len - off < 8)
			return IKE_ERR_SYNTAX;
		type = b[off];
		slen = get16(b + off + 2);
		if (slen < 8 || slen > pl->len - off)
			return IKE_ERR_SYNTAX;
		alen = type == 7 ? 4 : type == 8 ? 16 : 0;
		if (alen) {
			struct ike_ts *t;

			if (slen != 8 + 2 * alen)
				return IKE_ERR_SYNTAX;
			if (*n == max)
				return IKE_ERR_TOO_MANY;
			t = &ts[(*n)++];
			memset(t, 0, sizeof(*t));
			t->type = type;
			t->proto = b[off + 1];
			t->start_port = get16(b + off + 4);
			t->end_port = get16(b + off + 6);
			memcpy(t->start, b + off + 8, alen);
			memcpy(t->end, b + off + 8 + alen, alen);
		}
		off += slen;
	}
	return off == pl->len ? IKE_OK : IKE_ERR_SYNTAX;
}

void ike_ts_prefix(struct ike_ts *ts, int family, const uint8_t *addr,
		   unsigned int plen)
{
	size_t alen = family == AF_INET ? 4 : 16, i;

	memset(ts, 0, sizeof(*ts));
	ts->type = family == AF_INET ? 7 : 8;	/* 3.13.1 */
	ts->end_port = 65535;
	for (i = 0; i < alen; i++) {
		int bits = (int)plen - 8 * (int)i;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 :
			       (uint8_t)(0xff << (8 - bits));

		ts->start[i] = addr[i] & mask;
		ts->end[i] = (uint8_t)(addr[i] | (uint8_t)~mask);
	}
}

int ike_notify_parse(const struct ike_payload *pl, struct ike_notify *nt)
{
	if (pl->len < 4 || pl->len - 4 < pl->body[1])
		return IKE_ERR_SYNTAX;
	nt->proto = pl->body[0];
	nt->spi_size = pl->body[1];
	nt->type = get16(pl->body + 2);
	nt->spi = pl->body + 4;
	nt->data = pl->body + 4 + nt->spi_size;
	nt->data_len = pl->len - 4 - nt->spi_size;
	return IKE_OK;
}

int ike_ke_parse(const struct ike_payload *pl, uint16_t *group,
		 const uint8_t **data, size_t *len)
{
	if (pl->len < 5)
		return IKE_ERR_SYNTAX;
	*group = get16(pl->body);
	*data = pl->body + 4;
	*len = pl->len - 4;
	return IKE_OK;
}

/* --- building ---------------------------------------------------------- */

static uint8_t *room(struct ike_builder *b, size_t n)
{
	uint8_t *p;

	if (b->err || b->cap - b->len < n) {
		b->err = true;
		return NULL;
	}
	p = b->buf + b->len;
	b->len += n;
	return p;
}

void ike_build_start(struct ike_builder *b, uint8_t *buf, size_t cap,
		     const struct ike_hdr *h)
{
	uint8_t *p;

	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	p = room(b, IKE_HDR_LEN);
	if (!p)
		return;
	set64(p, h->spi_i);
	set64(p + 8, h->spi_r);
	p[16] = IKE_PL_NONE;
	p[17] = 0x20;			/* version 2.0 */
	p[18] = h->exchange;
	p[19] = h->flags;
	set32(p + 20, h->msg_id);
	set32(p + 24, 0);
	b->np_at = 16;
}

void ike_build_bytes(struct ike_builder *b, const void *data, size_t len)
{
	uint8_t *p = room(b, len);

	if (p && len)
		memcpy(p, data, len);
}

/* Start a payload of @type; its body follows with ike_build_bytes(). */
void ike_build_open(struct ike_builder *b, uint8_t type)
{
	size_t at = b->len;
	uint8_t *p = room(b, IKE_PAYLOAD_HDR_LEN);

	if (!p)
		return;
	b->buf[b->np_at] = type;
	memset(p, 0, IKE_PAYLOAD_HDR_LEN);
	b->np_at = at;
	b->open = at;
}

void ike_build_close(struct ike_builder *b)
{
	size_t plen = b->len - b->open;

	if (b->err || !b->open || plen > 0xffff) {
		b->err = true;
		return;
	}
	set16(b->buf + b->open + 2, (uint16_t)plen);
	b->open = 0;
}

void ike_build_payload(struct ike_builder *b, uint8_t type, bool critical,
		       const void *body, size_t len)
{
	ike_build_open(b, type);
	if (!b->err && critical)
		b->buf[b->open + 1] = 0x80;
	ike_build_bytes(b, body, len);
	ike_build_close(b);
}

void ike_build_sa(struct ike_builder *b, const struct ike_proposal *props,
		  size_t n)
{
	size_t i, j;

	ike_build_open(b, IKE_PL_SA);
	for (i = 0; i < n && !b->err; i++) {
		const struct ike_proposal *pr = &props[i];
		size_t at = b->len;
		uint8_t h[8] = { i + 1 == n ? 0 : 2, 0, 0, 0, pr->num, pr->proto,
				 pr->spi_size, (uint8_t)pr->n };

		ike_build_bytes(b, h, sizeof(h));
		ike_build_bytes(b, pr->spi, pr->spi_size);
		for (j = 0; j < pr->n; j++) {
			const struct ike_transform *t = &pr->t[j];
			uint8_t th[12] = { j + 1 == pr->n ? 0 : 3, 0, 0,
					   t->key_len ? 12 : 8, t->type, 0,
					   (uint8_t)(t->id >> 8), (uint8_t)t->id,
					   0x80, 14, (uint8_t)(t->key_len >> 8),
					   (uint8_t)t->key_len };

			ike_build_bytes(b, th, t->key_len ? 12 : 8);
		}
		if (!b->err)
			set16(b->buf + at + 2, (uint16_t)(b->len - at));
	}
	ike_build_close(b);
}

void ike_build_ts(struct ike_builder *b, uint8_t type, const struct ike_ts *ts,
		  size_t n)
{
	uint8_t h[4] = { (uint8_t)n, 0, 0, 0 };
	size_t i;

	ike_build_open(b, type);
	ike_build_bytes(b, h, sizeof(h));
	for (i = 0; i < n; i++) {
		size_t alen = ts[i].type == 7 ? 4 : 16;
		uint8_t th[8] = { ts[i].type, ts[i].proto, 0, (uint8_t)(8 + 2 * alen),
				  (uint8_t)(ts[i].start_port >> 8), (uint8_t)ts[i].start_port,
				  (uint8_t)(ts[i].end_port >> 8), (uint8_t)ts[i].end_port };

		ike_build_bytes(b, th, sizeof(th));
		ike_build_bytes(b, ts[i].start, alen);
		ike_build_bytes(b, ts[i].end, alen);
	}
	ike_build_close(b);
}

/* The message's length: 0 if it did not fit. */
size_t ike_build_end(struct ike_builder *b)
{
	if (b->err || b->open || b->len > UINT32_MAX)
		return 0;
	set32(b->buf + 24, (uint32_t)b->len);
	return b->len;
}

/* The prefix length of start..end, or -1 if the range is not one prefix. */
static int ts_plen(const struct ike_ts *ts, size_t alen)
{
	int bits = (int)alen * 8, plen = 0, b;

	while (plen < bits && !((ts->start[plen / 8] ^ ts->end[plen / 8]) &
				(0x80 >> (plen % 8))))
		plen++;
	for (b = plen; b < bits; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		if ((ts->start[b / 8] & m) || !(ts->end[b / 8] & m))
			return -1;
	}
	return plen;
}

const char *ike_ts_str(const struct ike_ts *ts, char *buf, size_t cap)
{
	int af = ts->type == 7 ? AF_INET : AF_INET6;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], sel[32] = "";
	int plen = ts_plen(ts, af == AF_INET ? 4 : 16);

	inet_ntop(af, ts->start, a, sizeof(a));
	inet_ntop(af, ts->end, b, sizeof(b));
	if (ts->start_port == ts->end_port)
		snprintf(sel, sizeof(sel), "[%u/%u]", ts->proto, ts->start_port);
	else if (ts->start_port || ts->end_port != 65535)
		snprintf(sel, sizeof(sel), "[%u/%u-%u]", ts->proto, ts->start_port,
			 ts->end_port);
	else if (ts->proto)
		snprintf(sel, sizeof(sel), "[%u]", ts->proto);
	if (plen >= 0)
		snprintf(buf, cap, "%s/%d%s", a, plen, sel);
	else
		snprintf(buf, cap, "%s-%s%s", a, b, sel);
	return buf;
}
