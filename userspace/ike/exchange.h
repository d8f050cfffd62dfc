/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the IKE SA engine: what its files share.  ikesa.c (the entry
 * points, the message-ID window, the SA's bookkeeping), one file per
 * exchange (ike_sa_init.c, ike_auth.c, create_child.c, informational.c),
 * and the pieces they are made of: proposal.c, selector.c, payload.c,
 * sa_keys.c.  Not an interface for anything else.
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

/* ikesa.c */
int ike_fail(struct ike_sa *sa, uint16_t notify, const char *why);
void ike_keep(struct ike_sa *sa, const uint8_t *out, size_t len);
uint64_t ike_random_spi(void);

/* payload.c */
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
bool ike_nat_between(const struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_addr *src, const struct ike_addr *dst,
		     bool *behind);
void ike_put_nat_detection(struct ike_builder *b, const struct ike_sa *sa);
size_t ike_id_body(const char *id, uint8_t *out, size_t cap);

/* proposal.c */

void ike_ike_proposal(const struct ike_suite *s, uint8_t num, uint64_t spi,
		      struct ike_proposal *p);
void ike_esp_proposal(const struct esp_suite *s, uint8_t num, uint32_t spi,
		      bool pfs, struct ike_proposal *p);
bool ike_offers(const struct ike_proposal *p, const struct ike_suite *s);
bool ike_esp_offers(const struct ike_proposal *p, const struct esp_suite *s,
		    bool pfs);
uint32_t ike_proposal_spi(const struct ike_proposal *p);

/* selector.c */
int ike_first_ts(const struct ike_msg *m, uint8_t type, struct ike_ts *ts);
int ike_narrow_ts(const struct ike_msg *m, uint8_t type, const struct ike_ts *mine,
		  struct ike_ts *out);

/* sa_keys.c */
void ike_child_init(const struct ike_sa *sa, struct ike_child *c,
		    const struct esp_suite *s);
int ike_child_keys(const struct ike_sa *sa, struct ike_child *c, bool initiator,
		   const uint8_t *gir, size_t gir_len, const uint8_t *ni,
		   size_t ni_len, const uint8_t *nr, size_t nr_len);
int ike_derive(struct ike_sa *sa, const uint8_t skeyseed[IKE_PRF_LEN],
	       const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len);
int ike_key_exchange(struct ike_sa *sa, const uint8_t *pub, size_t len);

/* ike_sa_init.c */
int ike_init_response(struct ike_sa *sa, const struct ike_msg *m,
		      const uint8_t *in, size_t in_len, uint8_t *out,
		      size_t cap, size_t *len);

/* ike_auth.c */
size_t ike_auth_inner(struct ike_sa *sa, const struct ike_proposal *props,
		      size_t nprops, const struct ike_ts *tsi,
		      const struct ike_ts *tsr, size_t nts, uint8_t *out,
		      size_t cap);
int ike_auth_request(struct ike_sa *sa, const struct ike_msg *m,
		     const uint8_t *in, size_t in_len, uint8_t *out,
		     size_t cap, size_t *len);
int ike_auth_response(struct ike_sa *sa, const struct ike_msg *m,
		      const uint8_t *in, size_t in_len);

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
