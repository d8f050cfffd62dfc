// SPDX-License-Identifier: GPL-2.0
/*
 * kernel_ipsec_t on ksad: SPIs, SAs and sockets.
 *
 * charon calls these from many threads; one mutex guards the request
 * socket and the tables.  SPIs are ksad's: get_spi is ksad's GETSPI, and
 * the inbound SA it reserved is completed by UPDATE when charon installs
 * it, the keying order of the seed.
 *
 * An outbound SA with UDP encapsulation is named by its ports as well
 * (two peers behind one NAT may share SPI and address), so the SAs charon
 * installed are remembered here with what names them: this->sas, by
 * protocol, SPI, destination and, for such SAs, the peer's port.
 */
#include <errno.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include <processing/jobs/callback_job.h>

#include "kernel_ksad_private.h"
#include "../lib/alg.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

typedef struct {
	uint8_t proto;
	uint32_t spi;		/* host order */
	int family;
	uint8_t dst[16];
	uint16_t port;		/* the peer's, outbound ESP in UDP; else 0 */
} sa_key_t;

typedef struct {
	sa_key_t key;
	bool out;
	bool encap;
	bool sel;		/* has a host-to-host selector (transport mode) */
	uint16_t sport, dport;	/* as in the SA's packets, host order */
} sa_entry_t;

static u_int sa_hash(const void *key)
{
	return chunk_hash(chunk_create((u_char *)key, sizeof(sa_key_t)));
}

static bool sa_equals(const void *a, const void *b)
{
	return memeq(a, b, sizeof(sa_key_t));
}

static void sa_key(sa_key_t *k, uint8_t proto, uint32_t spi, host_t *dst,
		   uint16_t port)
{
	chunk_t a = dst->get_address(dst);

	memset(k, 0, sizeof(*k));
	k->proto = proto;
	k->spi = spi;
	k->family = dst->get_family(dst);
	memcpy(k->dst, a.ptr, min(a.len, sizeof(k->dst)));
	k->port = port;
}

/* The entry of the SA @id names; this->mutex held */
static sa_entry_t *sa_find(private_kernel_ksad_ipsec_t *this,
			   kernel_ipsec_sa_id_t *id)
{
	sa_entry_t *e;
	sa_key_t k;

	sa_key(&k, id->proto, KSAD_SPI(id->spi), id->dst, id->dst->get_port(id->dst));
	e = this->sas->get(this->sas, &k);
	if (!e) {
		k.port = 0;
		e = this->sas->get(this->sas, &k);
	}
	return e;
}

/* An SA ksad lost, for charon to expire */
typedef struct {
	uint8_t proto;
	uint32_t spi;		/* network order, as charon has it */
	host_t *dst;
} lost_sa_t;

static void lost_destroy(lost_sa_t *l)
{
	l->dst->destroy(l->dst);
	free(l);
}

/* charon's job: a hard expire for each SA ksad lost (no lock held) */
static job_requeue_t expire_lost(linked_list_t *list)
{
	lost_sa_t *l;

	while (list->remove_first(list, (void **)&l) == SUCCESS) {
		charon->kernel->expire(charon->kernel, l->proto, l->spi, l->dst, TRUE);
		lost_destroy(l);
	}
	return JOB_REQUEUE_NONE;
}

static void lost_list_destroy(linked_list_t *list)
{
	list->destroy_function(list, (void *)lost_destroy);
}

void ksad_sas_forget(private_kernel_ksad_ipsec_t *this, bool expire)
{
	enumerator_t *en = this->sas->create_enumerator(this->sas);
	linked_list_t *lost = linked_list_create();
	sa_entry_t *e;
	lost_sa_t *l;
	chunk_t a;

	while (en->enumerate(en, NULL, &e)) {
		this->sas->remove_at(this->sas, en);
		a = chunk_create(e->key.dst, e->key.family == AF_INET ? 4 : 16);
		if (expire && e->key.family) {
			INIT(l,
				.proto = e->key.proto,
				.spi = htonl(e->key.spi),
				.dst = host_create_from_chunk(e->key.family, a, 0),
			);
			if (l->dst)
				lost->insert_last(lost, l);
			else
				free(l);
		}
		free(e);
	}
	en->destroy(en);
	if (lost->get_count(lost))
		lib->processor->queue_job(lib->processor, (job_t *)callback_job_create(
			(callback_job_cb_t)expire_lost, lost,
			(callback_job_cleanup_t)lost_list_destroy, NULL));
	else
		lost->destroy(lost);
}

/* --- the request socket ---------------------------------------------------- */

struct nlmsghdr *ksad_request(private_kernel_ksad_ipsec_t *this, void *buf,
			      uint8_t cmd, uint16_t flags)
{
	/* the family id is set when it is sent (ksad_talk); libmnl zeroes
	 * the headers and the attributes' padding it writes */
	return knl_request(&this->nl, buf, 0, cmd, NLM_F_ACK | flags);
}

int ksad_open(private_kernel_ksad_ipsec_t *this)
{
	int err;

	if (this->nl_open)
		return 0;
	err = knl_open(&this->nl);
	if (err) {
		DBG1(DBG_KNL, "kernel-ksad: ksad is not there: %s", strerror(-err));
		return err;
	}
	this->nl_open = TRUE;
	return 0;
}

void ksad_lost(private_kernel_ksad_ipsec_t *this)
{
	ksad_sas_forget(this, TRUE);
	ksad_policies_forget(this);
	knl_close(&this->nl);
	this->nl_open = FALSE;
}

static int sock_request(private_kernel_ksad_ipsec_t *this, uint64_t cookie,
			bool remove)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = ksad_request(this, buf, KSAD_CMD_SOCKET_BYPASS, 0);
	mnl_attr_put_u64(nlh, KSAD_SOCK_COOKIE, cookie);
	if (remove)
		mnl_attr_put(nlh, KSAD_SOCK_REMOVE, 0, NULL);
	return ksad_talk(this, nlh, NULL, NULL);
}

/* The larval timeout: charon may take long between GETSPI and UPDATE */
static void set_larval_timeout(private_kernel_ksad_ipsec_t *this)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	if (!this->larval_timeout)
		return;
	nlh = ksad_request(this, buf, KSAD_CMD_SET_CONFIG, 0);
	mnl_attr_put_u32(nlh, KSAD_CONFIG_LARVAL_TIMEOUT, this->larval_timeout);
	err = ksad_talk(this, nlh, NULL, NULL);
	if (err)
		DBG1(DBG_KNL, "kernel-ksad: larval timeout %u s not set: %s%s%s",
		     this->larval_timeout, strerror(-err),
		     this->nl.errmsg[0] ? ": " : "", this->nl.errmsg);
}

void ksad_resync(private_kernel_ksad_ipsec_t *this)
{
	unsigned int i;
	int err;

	if (this->resyncing || !this->nl_open)
		return;
	this->resyncing = TRUE;
	set_larval_timeout(this);
	for (i = 0; i < this->ncookies; i++) {
		err = sock_request(this, this->cookies[i], FALSE);
		if (err && err != -EEXIST)
			DBG1(DBG_KNL, "kernel-ksad: SOCKET_BYPASS of cookie %llu failed: %s",
			     (unsigned long long)this->cookies[i], strerror(-err));
	}
	ksad_policies_resync(this);
	this->resyncing = FALSE;
	DBG1(DBG_KNL, "kernel-ksad: ksad is back (family %u): %u socket exemptions "
	     "and the policies installed again", this->nl.family, this->ncookies);
}

int ksad_talk(private_kernel_ksad_ipsec_t *this, struct nlmsghdr *nlh,
	      mnl_cb_t cb, void *data)
{
	struct knl k;
	uint16_t now = 0;
	int err, ret;

	if (!this->nl_open) {
		/*
		 * ksad went away since: it is back (a request may even load it
		 * again, by its module alias), so what charon holds goes in
		 * again before anything else.
		 */
		err = ksad_open(this);
		if (err)
			return err;
		if (!this->resyncing) {
			ksad_resync(this);
			if (!this->nl_open)
				return -EAGAIN;
		}
	}
	nlh->nlmsg_type = this->nl.family;
	nlh->nlmsg_seq = ++this->nl.seq;
	err = knl_talk(&this->nl, nlh, cb, data);
	if (err != -ENOENT || this->resyncing)
		return err;
	/* ksad's own ENOENT, or is its family gone (or new)? */
	ret = knl_open(&k);
	if (!ret) {
		now = k.family;
		knl_close(&k);
	} else if (ret != -ENOENT) {
		return err;	/* cannot tell (no memory, no socket): ksad's */
	}
	if (now == this->nl.family)
		return err;
	DBG1(DBG_KNL, "kernel-ksad: ksad was unloaded: its SAs and policies are gone");
	ksad_lost(this);
	if (now && !ksad_open(this))
		ksad_resync(this);
	return -EAGAIN;
}

/* "failed: REASON[: the kernel's extended ACK]" */
#define KSAD_ERR(this, err) strerror(-(err)), (this)->nl.errmsg[0] ? ": " : "", \
	(this)->nl.errmsg

/* --- conversions -------------------------------------------------------------- */

void ksad_put_host(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6, host_t *host)
{
	chunk_t a = host->get_address(host);

	knl_put_addr(nlh, a4, a6, host->get_family(host), a.ptr);
}

host_t *ksad_host(const struct ksad_addr *a, uint16_t port)
{
	chunk_t c = a->family == AF_INET ? chunk_create((u_char *)&a->v4, 4)
					 : chunk_create((u_char *)&a->v6, 16);

	return host_create_from_chunk(a->family, c, port);
}

time_t ksad_monotonic(uint64_t epoch)
{
	time_t now = time(NULL), mono = time_monotonic(NULL);

	if (!epoch)
		return 0;
	if ((uint64_t)now < epoch)
		return mono;
	return mono - (time_t)((uint64_t)now - epoch);
}

static uint16_t ts_port(traffic_selector_t *ts)
{
	uint16_t from = ts->get_from_port(ts), to = ts->get_to_port(ts);

	if (from == to)
		return from;
	if (from != 0 || to != 0xffff)
		DBG1(DBG_KNL, "kernel-ksad: port range %u-%u of %R widened to all ports",
		     from, to, ts);
	return 0;
}

bool ksad_put_sel(struct nlmsghdr *nlh, uint16_t type, traffic_selector_t *src,
		  traffic_selector_t *dst)
{
	host_t *snet, *dnet;
	uint8_t sp, dp, proto;
	struct nlattr *nest;
	bool ok = FALSE;

	if (src->get_type(src) != dst->get_type(dst))
		return FALSE;
	/* a range that is not one prefix becomes the prefix that covers it */
	if (!src->to_subnet(src, &snet, &sp))
		DBG1(DBG_KNL, "kernel-ksad: %R is not a subnet, using %H/%u", src, snet, sp);
	if (!dst->to_subnet(dst, &dnet, &dp))
		DBG1(DBG_KNL, "kernel-ksad: %R is not a subnet, using %H/%u", dst, dnet, dp);
	if (snet && dnet) {
		proto = src->get_protocol(src) ? src->get_protocol(src) : dst->get_protocol(dst);
		nest = mnl_attr_nest_start(nlh, type);
		ksad_put_host(nlh, KSAD_SEL_SRC_IPV4, KSAD_SEL_SRC_IPV6, snet);
		ksad_put_host(nlh, KSAD_SEL_DST_IPV4, KSAD_SEL_DST_IPV6, dnet);
		mnl_attr_put_u8(nlh, KSAD_SEL_SRC_PREFIXLEN, sp);
		mnl_attr_put_u8(nlh, KSAD_SEL_DST_PREFIXLEN, dp);
		mnl_attr_put_u8(nlh, KSAD_SEL_PROTO, proto);
		/* ICMP's "ports" are type and code: ksad matches no such thing */
		if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6) {
			mnl_attr_put_u16(nlh, KSAD_SEL_SRC_PORT, htons(ts_port(src)));
			mnl_attr_put_u16(nlh, KSAD_SEL_DST_PORT, htons(ts_port(dst)));
		}
		mnl_attr_nest_end(nlh, nest);
		ok = TRUE;
	}
	DESTROY_IF(snet);
	DESTROY_IF(dnet);
	return ok;
}

traffic_selector_t *ksad_sel_ts(const struct sa_sel *sel, bool src)
{
	const struct ksad_addr *a = src ? &sel->src : &sel->dst;
	uint16_t port = src ? sel->sport : sel->dport;
	host_t *net = ksad_host(a, 0);

	if (!net)
		return NULL;
	return traffic_selector_create_from_subnet(net, src ? sel->sprefix : sel->dprefix,
						   sel->proto, port ? port : 0,
						   port ? port : 0xffff);
}

/* --- SPIs --------------------------------------------------------------------- */

static int spi_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_view v;

	if (!sa_view_parse(nlh, &v) && v.has[KSAD_SA_SPI])
		*(uint32_t *)data = v.spi;
	return MNL_CB_OK;
}

METHOD(kernel_ipsec_t, get_features, kernel_feature_t,
	private_kernel_ksad_ipsec_t *this)
{
	/* no TFC padding, policies follow SAs that move (MOBIKE) */
	return 0;
}

METHOD(kernel_ipsec_t, get_spi, status_t,
	private_kernel_ksad_ipsec_t *this, host_t *src, host_t *dst,
	uint8_t protocol, uint32_t *spi)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t got = 0;
	int err, tries = 2;

	this->mutex->lock(this->mutex);
	do {
		nlh = ksad_request(this, buf, KSAD_CMD_GETSPI, 0);
		mnl_attr_put_u8(nlh, KSAD_SA_PROTO, protocol);
		ksad_put_host(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, dst);
		ksad_put_host(nlh, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6, src);
		mnl_attr_put_u32(nlh, KSAD_SA_SPI_MIN, this->spi_min);
		mnl_attr_put_u32(nlh, KSAD_SA_SPI_MAX, this->spi_max);
		err = ksad_talk(this, nlh, spi_cb, &got);
	} while (err == -EAGAIN && --tries);
	if (err || !got) {
		DBG1(DBG_KNL, "kernel-ksad: GETSPI for %H failed: %s%s%s", dst,
		     KSAD_ERR(this, err ? err : -EPROTO));
		this->mutex->unlock(this->mutex);
		return FAILED;
	}
	this->mutex->unlock(this->mutex);
	*spi = htonl(got);
	DBG2(DBG_KNL, "kernel-ksad: GETSPI %.8x for %H", got, dst);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, get_cpi, status_t,
	private_kernel_ksad_ipsec_t *this, host_t *src, host_t *dst,
	uint16_t *cpi)
{
	DBG1(DBG_KNL, "kernel-ksad: IPComp is not supported by ksad");
	return NOT_SUPPORTED;
}

/* --- SAs ---------------------------------------------------------------------- */

/* An encapsulation nest (ENCAP or NEW_ENCAP): ESP in UDP, ports host order */
static void put_encap(struct nlmsghdr *nlh, uint16_t type, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u8(nlh, KSAD_ENCAP_TYPE, KSAD_ENCAP_ESPINUDP);
	mnl_attr_put_u16(nlh, KSAD_ENCAP_SPORT, htons(sport));
	mnl_attr_put_u16(nlh, KSAD_ENCAP_DPORT, htons(dport));
	mnl_attr_nest_end(nlh, nest);
}

/* SPI, protocol, destination and, where they name it, the ports */
static void put_sa_name(struct nlmsghdr *nlh, kernel_ipsec_sa_id_t *id,
			sa_entry_t *e)
{

	mnl_attr_put_u32(nlh, KSAD_SA_SPI, KSAD_SPI(id->spi));
	mnl_attr_put_u8(nlh, KSAD_SA_PROTO, id->proto);
	ksad_put_host(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, id->dst);
	if (e && e->out && e->encap)
		put_encap(nlh, KSAD_SA_ENCAP, e->sport, e->dport);
}

static void put_lifetime(struct nlmsghdr *nlh, uint16_t type, uint64_t bytes,
			 uint64_t packets, uint64_t seconds)
{
	struct nlattr *nest;

	if (!bytes && !packets && !seconds)
		return;
	nest = mnl_attr_nest_start(nlh, type);
	if (bytes)
		mnl_attr_put_u64(nlh, KSAD_LIFETIME_BYTES, bytes);
	if (packets)
		mnl_attr_put_u64(nlh, KSAD_LIFETIME_PACKETS, packets);
	if (seconds)
		mnl_attr_put_u64(nlh, KSAD_LIFETIME_ADD_SECONDS, seconds);
	mnl_attr_nest_end(nlh, nest);
}

/* What ksad cannot do, said before asking it; NULL if nothing */
static const char *sa_unsupported(kernel_ipsec_sa_id_t *id,
				  kernel_ipsec_add_sa_t *data)
{
	if (data->ipcomp != IPCOMP_NONE)
		return "IPComp";
	if (data->tfc)
		return "TFC padding";
	if (id->mark.value || id->mark.mask || data->mark.value || data->mark.mask)
		return "marks";
	if (id->if_id)
		return "interface IDs (XFRM interfaces)";
	if (data->label)
		return "security labels";
	if (data->hw_offload == HW_OFFLOAD_YES)
		return "hardware offload";
	if (data->mode != MODE_TRANSPORT && data->mode != MODE_TUNNEL)
		return "modes other than tunnel and transport";
	if (data->enc_alg != ENCR_UNDEFINED && data->enc_alg > KSAD_TRANSFORM_ID_MAX)
		return "this encryption algorithm (strongSwan's private ID)";
	if (data->int_alg != AUTH_UNDEFINED && data->int_alg > KSAD_TRANSFORM_ID_MAX)
		return "this integrity algorithm (strongSwan's private ID)";
	return NULL;
}

static void put_keys(struct nlmsghdr *nlh, kernel_ipsec_add_sa_t *data)
{
	uint16_t enc = data->enc_alg;

	if (enc != ENCR_UNDEFINED) {
		mnl_attr_put_u16(nlh, KSAD_SA_ENC_ALG, enc);
		if (alg_encr_keylen_choice(enc) &&
		    data->enc_key.len >= alg_encr_salt(enc))
			mnl_attr_put_u16(nlh, KSAD_SA_ENC_KEY_BITS,
					 (data->enc_key.len - alg_encr_salt(enc)) * 8);
		if (data->enc_key.len)
			mnl_attr_put(nlh, KSAD_SA_ENC_KEY, data->enc_key.len,
				     data->enc_key.ptr);
	}
	if (data->int_alg != AUTH_UNDEFINED && data->int_alg != AUTH_NONE) {
		mnl_attr_put_u16(nlh, KSAD_SA_AUTH_ALG, data->int_alg);
		mnl_attr_put(nlh, KSAD_SA_AUTH_KEY, data->int_key.len, data->int_key.ptr);
	}
}

/* One selector pair in transport mode, as XFRM has it; else none */
static bool put_sa_sel(struct nlmsghdr *nlh, kernel_ipsec_add_sa_t *data)
{
	traffic_selector_t *src, *dst;

	if (data->mode != MODE_TRANSPORT || !data->src_ts || !data->dst_ts ||
	    data->src_ts->get_count(data->src_ts) != 1 ||
	    data->dst_ts->get_count(data->dst_ts) != 1)
		return FALSE;
	return data->src_ts->get_first(data->src_ts, (void **)&src) == SUCCESS &&
	       data->dst_ts->get_first(data->dst_ts, (void **)&dst) == SUCCESS &&
	       ksad_put_sel(nlh, KSAD_SA_SELECTOR, src, dst);
}

METHOD(kernel_ipsec_t, add_sa, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_add_sa_t *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *no = sa_unsupported(id, data);
	bool update = data->inbound && data->update, sel;
	struct nlmsghdr *nlh;
	sa_entry_t *e;
	lifetime_cfg_t *lt = data->lifetime;
	int err, tries = 2;

	if (no) {
		DBG1(DBG_KNL, "kernel-ksad: SA %.8x (%N/%N): ksad does not support %s",
		     ntohl(id->spi), encryption_algorithm_names, data->enc_alg,
		     integrity_algorithm_names, data->int_alg, no);
		return NOT_SUPPORTED;
	}
	this->mutex->lock(this->mutex);
	do {
		nlh = ksad_request(this, buf, update ? KSAD_CMD_UPDATE : KSAD_CMD_ADD, 0);
		mnl_attr_put_u32(nlh, KSAD_SA_SPI, KSAD_SPI(id->spi));
		mnl_attr_put_u8(nlh, KSAD_SA_PROTO, id->proto);
		ksad_put_host(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, id->dst);
		ksad_put_host(nlh, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6, id->src);
		mnl_attr_put_u8(nlh, KSAD_SA_DIR, data->inbound ? KSAD_DIR_IN : KSAD_DIR_OUT);
		mnl_attr_put_u8(nlh, KSAD_SA_MODE, data->mode == MODE_TUNNEL ?
				KSAD_MODE_TUNNEL : KSAD_MODE_TRANSPORT);
		mnl_attr_put_u32(nlh, KSAD_SA_REQID, data->reqid);
		if (data->inbound)
			mnl_attr_put_u32(nlh, KSAD_SA_REPLAY_WINDOW, data->replay_window);
		if (data->esn)
			mnl_attr_put(nlh, KSAD_SA_ESN, 0, NULL);
		put_keys(nlh, data);
		sel = put_sa_sel(nlh, data);
		put_lifetime(nlh, KSAD_SA_SOFT, lt->bytes.rekey, lt->packets.rekey, lt->time.rekey);
		put_lifetime(nlh, KSAD_SA_HARD, lt->bytes.life, lt->packets.life, lt->time.life);
		if (data->encap)
			put_encap(nlh, KSAD_SA_ENCAP, id->src->get_port(id->src),
				  id->dst->get_port(id->dst));
		/* a larval SA does not survive ksad's reload: that fails below */
		err = ksad_talk(this, nlh, NULL, NULL);
	} while (err == -EAGAIN && --tries);
	if (err) {
		DBG1(DBG_KNL, "kernel-ksad: %s of SA %.8x (%N%s%N) for %H failed: %s%s%s",
		     update ? "UPDATE" : "ADD", ntohl(id->spi),
		     encryption_algorithm_names, data->enc_alg,
		     data->int_alg != AUTH_UNDEFINED ? "/" : "",
		     integrity_algorithm_names, data->int_alg, id->dst,
		     KSAD_ERR(this, err));
		this->mutex->unlock(this->mutex);
		return FAILED;
	}
	INIT(e,
		.out = !data->inbound,
		.encap = data->encap,
		.sel = sel,
		.sport = id->src->get_port(id->src),
		.dport = id->dst->get_port(id->dst),
	);
	sa_key(&e->key, id->proto, KSAD_SPI(id->spi), id->dst,
	       e->out && e->encap ? e->dport : 0);
	free(this->sas->put(this->sas, &e->key, e));
	this->mutex->unlock(this->mutex);
	DBG2(DBG_KNL, "kernel-ksad: %s SA %.8x %s %H", update ? "UPDATE" : "ADD",
	     ntohl(id->spi), data->inbound ? "from" : "to",
	     data->inbound ? id->src : id->dst);
	return SUCCESS;
}

/* GET's answer; a broken one is noted, not an error (the ACK must be read) */
static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_view *v = data;

	if (sa_view_parse(nlh, v))
		v->stats.set = false;
	return MNL_CB_OK;
}

METHOD(kernel_ipsec_t, query_sa, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_query_sa_t *data, uint64_t *bytes, uint64_t *packets,
	time_t *time)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct sa_view v;
	int err;

	memset(&v, 0, sizeof(v));
	this->mutex->lock(this->mutex);
	nlh = ksad_request(this, buf, KSAD_CMD_GET, 0);
	put_sa_name(nlh, id, sa_find(this, id));
	err = ksad_talk(this, nlh, stats_cb, &v);
	if (err || !v.stats.set) {
		if (err != -ESRCH && err != -EAGAIN)
			DBG1(DBG_KNL, "kernel-ksad: GET of SA %.8x failed: %s%s%s",
			     ntohl(id->spi), KSAD_ERR(this, err ? err : -EPROTO));
		this->mutex->unlock(this->mutex);
		return err == -ESRCH || err == -EAGAIN ? NOT_FOUND : FAILED;
	}
	this->mutex->unlock(this->mutex);
	if (bytes)
		*bytes = v.stats.bytes;
	if (packets)
		*packets = v.stats.packets;
	if (time)
		*time = ksad_monotonic(v.stats.last_use);
	return SUCCESS;
}

/* The entry of @key removed from the table and freed (if still there) */
static void sa_drop(private_kernel_ksad_ipsec_t *this, sa_key_t *key)
{
	free(this->sas->remove(this->sas, key));
}

METHOD(kernel_ipsec_t, del_sa, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_del_sa_t *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	sa_entry_t *e;
	sa_key_t key;
	int err;

	this->mutex->lock(this->mutex);
	e = sa_find(this, id);
	if (e)
		key = e->key;
	nlh = ksad_request(this, buf, KSAD_CMD_DELETE, 0);
	put_sa_name(nlh, id, e);
	/* (ksad_talk may forget every entry, @e's too: only its key is used) */
	err = ksad_talk(this, nlh, NULL, NULL);
	if (e)
		sa_drop(this, &key);
	if (err && err != -ESRCH && err != -EAGAIN)
		DBG1(DBG_KNL, "kernel-ksad: DELETE of SA %.8x failed: %s%s%s",
		     ntohl(id->spi), KSAD_ERR(this, err));
	this->mutex->unlock(this->mutex);
	if (err == -ESRCH || err == -EAGAIN) {
		/* a hard lifetime, a larval timeout or an unload removed it */
		DBG2(DBG_KNL, "kernel-ksad: SA %.8x was gone", ntohl(id->spi));
		return NOT_FOUND;
	}
	if (err)
		return FAILED;
	DBG2(DBG_KNL, "kernel-ksad: DELETE SA %.8x", ntohl(id->spi));
	return SUCCESS;
}

/*
 * New addresses or UDP encapsulation (MOBIKE, a NAT's new mapping): ksad's
 * SA_MIGRATE moves the SA and keeps its keys, sequence numbers and replay
 * window.  Policies are moved by charon (del_policy, add_policy).  An SA
 * with a host-to-host selector (transport mode) keeps its selector in a
 * move, so new addresses are refused: charon rekeys the CHILD SA instead.
 */
METHOD(kernel_ipsec_t, update_sa, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_update_sa_t *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	host_t *nsrc = data->new_src, *ndst = data->new_dst;
	bool moved = !id->src->ip_equals(id->src, nsrc) || !id->dst->ip_equals(id->dst, ndst);
	struct nlmsghdr *nlh;
	sa_entry_t *e;
	sa_key_t key;
	int err;

	if (data->new_reqid) {
		DBG1(DBG_KNL, "kernel-ksad: an SA's reqid cannot change, charon rekeys it");
		return NOT_SUPPORTED;
	}
	if (!moved && data->encap == data->new_encap &&
	    (!data->encap || (id->src->get_port(id->src) == nsrc->get_port(nsrc) &&
			      id->dst->get_port(id->dst) == ndst->get_port(ndst))))
		return SUCCESS;

	this->mutex->lock(this->mutex);
	e = sa_find(this, id);
	if (e && e->sel && moved) {
		this->mutex->unlock(this->mutex);
		DBG1(DBG_KNL, "kernel-ksad: SA %.8x has a host-to-host selector, it cannot "
		     "move to new addresses: charon rekeys it", ntohl(id->spi));
		return NOT_SUPPORTED;
	}
	if (e)
		key = e->key;
	nlh = ksad_request(this, buf, KSAD_CMD_SA_MIGRATE, 0);
	put_sa_name(nlh, id, e);
	ksad_put_host(nlh, KSAD_SA_NEW_DST_IPV4, KSAD_SA_NEW_DST_IPV6, ndst);
	ksad_put_host(nlh, KSAD_SA_NEW_SRC_IPV4, KSAD_SA_NEW_SRC_IPV6, nsrc);
	if (data->new_encap)
		put_encap(nlh, KSAD_SA_NEW_ENCAP, nsrc->get_port(nsrc), ndst->get_port(ndst));
	else if (data->encap)
		mnl_attr_put(nlh, KSAD_SA_NEW_ENCAP_NONE, 0, NULL);
	err = ksad_talk(this, nlh, NULL, NULL);
	if (err) {
		DBG1(DBG_KNL, "kernel-ksad: SA_MIGRATE of SA %.8x to %H failed: %s%s%s",
		     ntohl(id->spi), ndst, KSAD_ERR(this, err));
		this->mutex->unlock(this->mutex);
		return FAILED;
	}
	e = e ? this->sas->remove(this->sas, &key) : NULL;
	if (e) {
		e->encap = data->new_encap;
		e->sport = nsrc->get_port(nsrc);
		e->dport = ndst->get_port(ndst);
		sa_key(&e->key, id->proto, KSAD_SPI(id->spi), ndst,
		       e->out && e->encap ? e->dport : 0);
		free(this->sas->put(this->sas, &e->key, e));
	}
	this->mutex->unlock(this->mutex);
	DBG1(DBG_KNL, "kernel-ksad: SA %.8x moved to %#H -> %#H%s", ntohl(id->spi),
	     nsrc, ndst, data->new_encap ? " (ESP in UDP)" : "");
	return SUCCESS;
}

METHOD(kernel_ipsec_t, flush_sas, status_t,
	private_kernel_ksad_ipsec_t *this)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	this->mutex->lock(this->mutex);
	nlh = ksad_request(this, buf, KSAD_CMD_FLUSH, 0);
	err = ksad_talk(this, nlh, NULL, NULL);
	ksad_sas_forget(this, FALSE);
	if (err && err != -EAGAIN)
		DBG1(DBG_KNL, "kernel-ksad: FLUSH failed: %s%s%s", KSAD_ERR(this, err));
	this->mutex->unlock(this->mutex);
	return err && err != -EAGAIN ? FAILED : SUCCESS;
}

/* --- sockets ---------------------------------------------------------------- */

/*
 * charon's IKE sockets meet no policy: ksad's SOCKET_BYPASS by cookie.  The
 * cookies are kept, to exempt them again if ksad is reloaded and to remove
 * them when charon stops.
 */
METHOD(kernel_ipsec_t, bypass_socket, bool,
	private_kernel_ksad_ipsec_t *this, int fd, int family)
{
	uint64_t cookie, *more;
	socklen_t len = sizeof(cookie);
	int err;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0) {
		DBG1(DBG_KNL, "kernel-ksad: no SO_COOKIE for socket %d: %s", fd,
		     strerror(errno));
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	more = realloc(this->cookies, (this->ncookies + 1) * sizeof(*more));
	if (!more) {
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	this->cookies = more;
	this->cookies[this->ncookies++] = cookie;
	err = sock_request(this, cookie, FALSE);
	if (err && err != -EEXIST && err != -EAGAIN) {
		DBG1(DBG_KNL, "kernel-ksad: SOCKET_BYPASS of socket %d failed: %s%s%s",
		     fd, KSAD_ERR(this, err));
		this->ncookies--;
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	this->mutex->unlock(this->mutex);
	DBG2(DBG_KNL, "kernel-ksad: socket %d (cookie %llu) bypasses the SPD", fd,
	     (unsigned long long)cookie);
	return TRUE;
}

/*
 * ksad takes ESP in UDP on the ports of its inbound SAs, in its hook, before
 * any socket; charon strips the non-ESP marker of IKE itself.  Nothing to
 * do on the socket (XFRM's UDP_ENCAP option is not needed, and a kernel
 * without XFRM would refuse it).
 */
METHOD(kernel_ipsec_t, enable_udp_decap, bool,
	private_kernel_ksad_ipsec_t *this, int fd, int family, uint16_t port)
{
	return TRUE;
}

/* --- policies: kernel_ksad_policy.c ------------------------------------------- */

METHOD(kernel_ipsec_t, add_policy, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_manage_policy_t *data)
{
	return ksad_add_policy(this, id, data);
}

METHOD(kernel_ipsec_t, query_policy, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_query_policy_t *data, time_t *use_time)
{
	return ksad_query_policy(this, id, use_time);
}

METHOD(kernel_ipsec_t, del_policy, status_t,
	private_kernel_ksad_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_manage_policy_t *data)
{
	return ksad_del_policy(this, id, data);
}

METHOD(kernel_ipsec_t, flush_policies, status_t,
	private_kernel_ksad_ipsec_t *this)
{
	return ksad_flush_policies(this);
}

METHOD(kernel_ipsec_t, destroy, void,
	private_kernel_ksad_ipsec_t *this)
{
	unsigned int i;

	ksad_events_destroy(this);
	/* charon's sockets close with it: their exemptions go (and nothing
	 * is installed again here, should ksad have been reloaded) */
	this->mutex->lock(this->mutex);
	this->resyncing = TRUE;
	for (i = 0; this->nl_open && i < this->ncookies; i++)
		sock_request(this, this->cookies[i], TRUE);
	this->mutex->unlock(this->mutex);
	free(this->cookies);
	ksad_policies_destroy(this);
	ksad_sas_forget(this, FALSE);
	this->sas->destroy(this->sas);
	knl_close(&this->nl);
	this->mutex->destroy(this->mutex);
	free(this);
}

kernel_ksad_ipsec_t *kernel_ksad_ipsec_create(void)
{
	private_kernel_ksad_ipsec_t *this;

	INIT(this,
		.public = {
			.interface = {
				.get_features = _get_features,
				.get_spi = _get_spi,
				.get_cpi = _get_cpi,
				.add_sa = _add_sa,
				.update_sa = _update_sa,
				.query_sa = _query_sa,
				.del_sa = _del_sa,
				.flush_sas = _flush_sas,
				.add_policy = _add_policy,
				.query_policy = _query_policy,
				.del_policy = _del_policy,
				.flush_policies = _flush_policies,
				.bypass_socket = _bypass_socket,
				.enable_udp_decap = _enable_udp_decap,
				.destroy = _destroy,
			},
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.sas = hashtable_create(sa_hash, sa_equals, 64),
		.spi_min = lib->settings->get_int(lib->settings, "%s.spi_min",
						  KERNEL_SPI_MIN, lib->ns),
		.spi_max = lib->settings->get_int(lib->settings, "%s.spi_max",
						  KERNEL_SPI_MAX, lib->ns),
		/* kernel-netlink gives XFRM's acquire states 165 s, too */
		.larval_timeout = lib->settings->get_int(lib->settings,
				"%s.plugins.kernel-ksad.larval_timeout", 165, lib->ns),
	);
	if (this->spi_min > this->spi_max) {
		uint32_t t = this->spi_min;

		this->spi_min = this->spi_max;
		this->spi_max = t;
	}
	if (this->spi_min < KSAD_SPI_MIN)
		this->spi_min = KSAD_SPI_MIN;
	ksad_policies_init(this);
	/* ksad must be there when charon starts: say so now, not at the first SA */
	if (ksad_open(this) || !ksad_events_init(this)) {
		DBG1(DBG_KNL, "kernel-ksad: is the ksad module loaded?");
		destroy(this);
		return NULL;
	}
	this->mutex->lock(this->mutex);
	set_larval_timeout(this);
	this->mutex->unlock(this->mutex);
	DBG1(DBG_KNL, "kernel-ksad: keying ksad (generic netlink family %u)",
	     this->nl.family);
	return &this->public;
}
