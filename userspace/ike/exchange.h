/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the IKE SA engine: what ikesa.c (IKE_SA_INIT, IKE_AUTH, the
 * message-ID window), create_child.c (CREATE_CHILD_SA) and informational.c
 * (INFORMATIONAL) share.  Not an interface for anything else.
 */
#ifndef KSAD_IKE_EXCHANGE_H
#define KSAD_IKE_EXCHANGE_H

#include "ikesa.h"

/* Notify types (3.10.1) */
enum {
	N_UNSUPPORTED_CRITICAL_PAYLOAD = 1, N_INVALID_SYNTAX = 7,
	N_NO_PROPOSAL_CHOSEN = 14, N_INVALID_KE_PAYLOAD = 17,
	N_AUTHENTICATION_FAILED = 24, N_NO_ADDITIONAL_SAS = 35,
	N_TS_UNACCEPTABLE = 38, N_TEMPORARY_FAILURE = 43,
	N_CHILD_SA_NOT_FOUND = 44,
	N_NAT_DETECTION_SOURCE_IP = 16388, N_NAT_DETECTION_DESTINATION_IP = 16389,
	N_COOKIE = 16390, N_USE_TRANSPORT_MODE = 16391, N_REKEY_SA = 16393,
};

#define IKE_PROTO_IKE	1
#define IKE_PROTO_ESP	3

int ike_fail(struct ike_sa *sa, uint16_t notify, const char *why);
struct ike_hdr ike_hdr_of(const struct ike_sa *sa, uint8_t exchange,
			  uint32_t msg_id, bool response);
size_t ike_seal(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id,
		bool response, const uint8_t *inner, size_t inner_len,
		uint8_t *out, size_t cap);
void ike_put_notify(struct ike_builder *b, uint16_t type, const void *data,
		    size_t len);
uint16_t ike_find_notify(const struct ike_msg *m, uint16_t type,
			 struct ike_notify *out);
uint16_t ike_error_notify(const struct ike_msg *m);

void ike_ike_proposal(const struct ike_suite *s, uint8_t num, uint64_t spi,
		      struct ike_proposal *p);
void ike_esp_proposal(const struct esp_suite *s, uint8_t num, uint32_t spi,
		      bool pfs, struct ike_proposal *p);
bool ike_offers(const struct ike_proposal *p, const struct ike_suite *s);
bool ike_esp_offers(const struct ike_proposal *p, const struct esp_suite *s,
		    bool pfs);
uint32_t ike_proposal_spi(const struct ike_proposal *p);
int ike_first_ts(const struct ike_msg *m, uint8_t type, struct ike_ts *ts);
int ike_narrow_ts(const struct ike_msg *m, uint8_t type, const struct ike_ts *mine,
		  struct ike_ts *out);
uint64_t ike_random_spi(void);

void ike_child_init(const struct ike_sa *sa, struct ike_child *c,
		    const struct esp_suite *s);
int ike_child_keys(const struct ike_sa *sa, struct ike_child *c, bool initiator,
		   const uint8_t *gir, size_t gir_len, const uint8_t *ni,
		   size_t ni_len, const uint8_t *nr, size_t nr_len);
int ike_derive(struct ike_sa *sa, const uint8_t skeyseed[IKE_PRF_LEN],
	       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len);

/* create_child.c */
int ike_ccsa_start(struct ike_sa *sa, enum ike_req what, uint8_t *out,
		   size_t cap, size_t *len);
int ike_ccsa_request(struct ike_sa *sa, const struct ike_msg *im, uint8_t *out,
		     size_t cap, size_t *len);
int ike_ccsa_response(struct ike_sa *sa, enum ike_req what,
		      const struct ike_msg *im, uint8_t *out, size_t cap,
		      size_t *len);

/* informational.c */
int ike_info_start(struct ike_sa *sa, enum ike_req what, uint8_t *out,
		   size_t cap, size_t *len);
int ike_info_request(struct ike_sa *sa, const struct ike_msg *im, uint8_t *out,
		     size_t cap, size_t *len);
int ike_info_response(struct ike_sa *sa, enum ike_req what,
		      const struct ike_msg *im, uint8_t *out, size_t cap,
		      size_t *len);

#endif
