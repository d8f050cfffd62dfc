/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 messages (RFC 7296 section 3): the header, the chain of payloads,
 * and the bodies ksad-ike needs.  Parsing is of untrusted input: every
 * length is checked before use (fuzzed: ike/tests/fuzz_ike_msg.c).  Parsed
 * payloads point into the caller's buffer; nothing is allocated.
 */
#ifndef KSAD_IKE_MSG_H
#define KSAD_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_HDR_LEN		28
#define IKE_PAYLOAD_HDR_LEN	4
#define IKE_MAX_PAYLOADS	32
#define IKE_MAX_PROPOSALS	8
#define IKE_MAX_TRANSFORMS	16
#define IKE_MAX_TS		8

/* Exchange types (3.1) */
enum { IKE_SA_INIT = 34, IKE_AUTH = 35, IKE_CREATE_CHILD_SA = 36, IKE_INFORMATIONAL = 37 };

/* Header flags (3.1) */
#define IKE_FLAG_INITIATOR	0x08
#define IKE_FLAG_VERSION	0x10
#define IKE_FLAG_RESPONSE	0x20

/* Payload types (3.2) */
enum {
	IKE_PL_NONE = 0, IKE_PL_SA = 33, IKE_PL_KE = 34, IKE_PL_IDI = 35,
	IKE_PL_IDR = 36, IKE_PL_CERT = 37, IKE_PL_CERTREQ = 38, IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40, IKE_PL_NOTIFY = 41, IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43, IKE_PL_TSI = 44, IKE_PL_TSR = 45, IKE_PL_SK = 46,
	IKE_PL_CP = 47, IKE_PL_EAP = 48,
};

/* Why a message was refused (the Notify a responder would answer with). */
enum ike_parse_err {
	IKE_OK = 0,
	IKE_ERR_TRUNCATED = -1,		/* shorter than a header or its length */
	IKE_ERR_LENGTH = -2,		/* a length field does not add up */
	IKE_ERR_VERSION = -3,		/* major version not 2: INVALID_MAJOR_VERSION */
	IKE_ERR_CRITICAL = -4,		/* unknown critical payload: UNSUPPORTED_CRITICAL_PAYLOAD */
	IKE_ERR_TOO_MANY = -5,		/* more payloads than we keep */
	IKE_ERR_SYNTAX = -6,		/* INVALID_SYNTAX */
};

struct ike_payload {
	uint8_t type;
	bool critical;
	const uint8_t *body;		/* after the generic payload header */
	size_t len;			/* of the body */
};

struct ike_hdr {
	uint64_t spi_i, spi_r;		/* host order */
	uint8_t next;			/* first payload */
	uint8_t version;		/* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

struct ike_msg {
	struct ike_hdr hdr;
	size_t n;
	struct ike_payload p[IKE_MAX_PAYLOADS];
	/* the last payload is SK: the type of the first payload inside it */
	uint8_t sk_first;
	uint8_t bad_type;		/* IKE_ERR_CRITICAL: which payload */
};

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m);
int ike_chain_parse(uint8_t first, const uint8_t *buf, size_t len,
		    struct ike_msg *m);
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
				       size_t *from);

/* SA payload (3.3) */
struct ike_transform {
	uint8_t type;			/* 1 ENCR, 2 PRF, 3 INTEG, 4 DH, 5 ESN */
	uint16_t id;
	uint16_t key_len;		/* Key Length attribute, bits; 0 if none */
};

struct ike_proposal {
	uint8_t num;
	uint8_t proto;			/* 1 IKE, 2 AH, 3 ESP */
	uint8_t spi_size;
	uint8_t spi[8];
	size_t n;
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

int ike_sa_parse(const struct ike_payload *pl, struct ike_proposal *props,
		 size_t max, size_t *n);

/* Traffic selectors (3.13) */
struct ike_ts {
	uint8_t type;			/* 7 IPv4 range, 8 IPv6 range */
	uint8_t proto;
	uint16_t start_port, end_port;
	uint8_t start[16], end[16];
};

int ike_ts_parse(const struct ike_payload *pl, struct ike_ts *ts, size_t max,
		 size_t *n);
/* ADDR/PLEN as a range selector, all protocols and ports. */
void ike_ts_prefix(struct ike_ts *ts, int family, const uint8_t *addr,
		   unsigned int plen);
/* "10.1.0.0/24", "10.1.0.1/32[1]", "10.1.0.0/24[6/80]" or "A-B" if no prefix */
const char *ike_ts_str(const struct ike_ts *ts, char *buf, size_t cap);

/* Notify (3.10) and KE (3.4) */
struct ike_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

int ike_notify_parse(const struct ike_payload *pl, struct ike_notify *nt);
int ike_ke_parse(const struct ike_payload *pl, uint16_t *group,
		 const uint8_t **data, size_t *len);

/* Building a message in a caller's buffer; @err is set on overflow. */
struct ike_builder {
	uint8_t *buf;
	size_t cap, len;
	size_t np_at;			/* offset of the last "next payload" byte */
	size_t open;			/* offset of the payload being built, 0: none */
	bool err;
};

void ike_build_start(struct ike_builder *b, uint8_t *buf, size_t cap,
		     const struct ike_hdr *h);
void ike_build_payload(struct ike_builder *b, uint8_t type, bool critical,
		       const void *body, size_t len);
void ike_build_open(struct ike_builder *b, uint8_t type);
void ike_build_bytes(struct ike_builder *b, const void *data, size_t len);
void ike_build_close(struct ike_builder *b);
void ike_build_sa(struct ike_builder *b, const struct ike_proposal *props,
		  size_t n);
void ike_build_ts(struct ike_builder *b, uint8_t type, const struct ike_ts *ts,
		  size_t n);
size_t ike_build_end(struct ike_builder *b);

#endif
