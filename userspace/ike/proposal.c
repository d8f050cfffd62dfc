// SPDX-License-Identifier: GPL-2.0
/*
 * SA payload proposals (RFC 7296 2.7, 3.3): ours, built from the
 * configured suites, and the peer's, checked against them.  IKE and ESP
 * alike; the ESP one carries our inbound SPI.
 */
#include <stdbool.h>
#include <string.h>

#include "../lib/alg.h"
#include "exchange.h"

static struct ike_transform tf(uint8_t type, uint16_t id, uint16_t bits)
{
	struct ike_transform t = { .type = type, .id = id, .key_len = bits };

	return t;
}

/* @spi: the new IKE SA's SPI when rekeying (3.3.1), else 0 */
void ike_ike_proposal(const struct ike_suite *s, uint8_t num, uint64_t spi,
		      struct ike_proposal *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = 1;
	if (spi) {
		p->spi_size = 8;
		for (i = 0; i < 8; i++)
			p->spi[i] = (uint8_t)(spi >> (56 - 8 * i));
	}
	p->t[p->n++] = tf(1, s->encr, alg_encr_keylen_choice(s->encr) ? s->bits : 0);
	if (s->integ)
		p->t[p->n++] = tf(3, s->integ, 0);
	p->t[p->n++] = tf(2, s->prf, 0);
	p->t[p->n++] = tf(4, s->dh, 0);
}

/* @pfs: with the suite's key exchange group (CREATE_CHILD_SA) */
void ike_esp_proposal(const struct esp_suite *s, uint8_t num, uint32_t spi,
		      bool pfs, struct ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = 3;
	p->spi_size = 4;
	p->spi[0] = (uint8_t)(spi >> 24);
	p->spi[1] = (uint8_t)(spi >> 16);
	p->spi[2] = (uint8_t)(spi >> 8);
	p->spi[3] = (uint8_t)spi;
	p->t[p->n++] = tf(1, s->encr, alg_encr_keylen_choice(s->encr) ? s->bits : 0);
	if (s->integ)
		p->t[p->n++] = tf(3, s->integ, 0);
	if (pfs && s->dh)
		p->t[p->n++] = tf(4, s->dh, 0);
	p->t[p->n++] = tf(5, 0, 0);	/* no extended sequence numbers */
}

static bool has(const struct ike_proposal *p, uint8_t type, uint16_t id,
		uint16_t bits)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->t[i].type == type && p->t[i].id == id &&
		    p->t[i].key_len == bits)
			return true;
	return false;
}

static bool has_type(const struct ike_proposal *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->t[i].type == type)
			return true;
	return false;
}

/* Does proposal @p offer IKE suite @s?  With @dh_any, any group of ours. */
bool ike_offers(const struct ike_proposal *p, const struct ike_suite *s)
{
	return p->proto == 1 &&
	       has(p, 1, s->encr, alg_encr_keylen_choice(s->encr) ? s->bits : 0) &&
	       (s->integ ? has(p, 3, s->integ, 0) : !has_type(p, 3) || has(p, 3, 0, 0)) &&
	       has(p, 2, s->prf, 0) && has(p, 4, s->dh, 0);
}

/*
 * Does @p offer ESP suite @s?  In IKE_AUTH (!@pfs) there is no key
 * exchange, so a group in @p does not matter (as strongSwan); in
 * CREATE_CHILD_SA (@pfs) @p must offer the suite's group, or none if the
 * suite has none.
 */
bool ike_esp_offers(const struct ike_proposal *p, const struct esp_suite *s,
		    bool pfs)
{
	return p->proto == 3 && p->spi_size == 4 &&
	       has(p, 1, s->encr, alg_encr_keylen_choice(s->encr) ? s->bits : 0) &&
	       (s->integ ? has(p, 3, s->integ, 0) : !has_type(p, 3) || has(p, 3, 0, 0)) &&
	       (!pfs || (s->dh ? has(p, 4, s->dh, 0) : !has_type(p, 4) || has(p, 4, 0, 0))) &&
	       (!has_type(p, 5) || has(p, 5, 0, 0));
}

uint32_t ike_proposal_spi(const struct ike_proposal *p)
{
	return (uint32_t)p->spi[0] << 24 | (uint32_t)p->spi[1] << 16 |
	       (uint32_t)p->spi[2] << 8 | p->spi[3];
}
