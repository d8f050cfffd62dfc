// SPDX-License-Identifier: GPL-2.0
/*
 * The policies charon installs, counted per selector.
 *
 * charon adds the same policy (direction and traffic selectors) once per
 * CHILD_SA that uses it: a trap and the CHILD_SA it triggered, the old and
 * the new CHILD_SA of a rekey.  ksad holds one policy per selector: the
 * one of the user with the best priority (newest first at equal
 * priority), replaced (new one in, then the old one out) when that user
 * changes, removed when the last user is gone.
 *
 * A protect policy is a template (ksad picks, per packet, the newest
 * outbound SA of its protocol, mode and reqid to the packet's destination
 * or tunnel end), so a rekey changes nothing here: the new SA has the same
 * reqid.  Priorities are XFRM's as kernel-netlink computes them: lower
 * first, more specific selectors first.
 */
#include <errno.h>
#include <arpa/inet.h>

#include "kernel_ksad_private.h"

#define PRIO_BASE 200000

typedef struct {
	uint8_t dir;		/* policy_dir_t */
	uint8_t sprefix, dprefix, proto;
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
} policy_key_t;

typedef struct {
	policy_type_t type;
	uint32_t prio;		/* ksad's: lower first */
	uint32_t reqid;
	ipsec_mode_t mode;
	uint8_t proto;		/* ESP or AH */
	host_t *src, *dst;	/* the SAs' ends (tunnel mode) */
} policy_user_t;

typedef struct {
	policy_key_t key;
	traffic_selector_t *src_ts, *dst_ts;
	linked_list_t *users;	/* policy_user_t, best first */
	uint32_t id;		/* ksad's policy id; 0: not installed */
	policy_user_t installed;	/* what ksad has (its own hosts) */
} policy_entry_t;

static u_int policy_hash(const void *key)
{
	return chunk_hash(chunk_create((u_char *)key, sizeof(policy_key_t)));
}

static bool policy_equals(const void *a, const void *b)
{
	return memeq(a, b, sizeof(policy_key_t));
}

static void user_destroy(policy_user_t *u)
{
	DESTROY_IF(u->src);
	DESTROY_IF(u->dst);
	free(u);
}

/* Remember what ksad was given for @e */
static void installed_set(policy_entry_t *e, policy_user_t *u)
{
	DESTROY_IF(e->installed.src);
	DESTROY_IF(e->installed.dst);
	memset(&e->installed, 0, sizeof(e->installed));
	if (!u)
		return;
	e->installed = *u;
	e->installed.src = u->src ? u->src->clone(u->src) : NULL;
	e->installed.dst = u->dst ? u->dst->clone(u->dst) : NULL;
}

static void entry_destroy(policy_entry_t *e)
{
	installed_set(e, NULL);
	e->src_ts->destroy(e->src_ts);
	e->dst_ts->destroy(e->dst_ts);
	e->users->destroy_function(e->users, (void *)user_destroy);
	free(e);
}

static uint16_t one_port(traffic_selector_t *ts)
{
	uint16_t from = ts->get_from_port(ts);

	return from == ts->get_to_port(ts) ? from : 0;
}

/* FALSE if the selectors are not of one family */
static bool policy_key(policy_key_t *k, kernel_ipsec_policy_id_t *id)
{
	host_t *s, *d;
	chunk_t a;

	memset(k, 0, sizeof(*k));
	if (id->src_ts->get_type(id->src_ts) != id->dst_ts->get_type(id->dst_ts))
		return FALSE;
	id->src_ts->to_subnet(id->src_ts, &s, &k->sprefix);
	id->dst_ts->to_subnet(id->dst_ts, &d, &k->dprefix);
	if (!s || !d) {
		DESTROY_IF(s);
		DESTROY_IF(d);
		return FALSE;
	}
	k->dir = id->dir;
	k->family = s->get_family(s);
	a = s->get_address(s);
	memcpy(k->src, a.ptr, min(a.len, sizeof(k->src)));
	a = d->get_address(d);
	memcpy(k->dst, a.ptr, min(a.len, sizeof(k->dst)));
	k->proto = id->src_ts->get_protocol(id->src_ts);
	if (k->proto != IPPROTO_ICMP && k->proto != IPPROTO_ICMPV6) {
		k->sport = one_port(id->src_ts);
		k->dport = one_port(id->dst_ts);
	}
	s->destroy(s);
	d->destroy(d);
	return TRUE;
}

/* kernel-netlink's get_priority(), for ksad's selectors */
static uint32_t policy_prio(policy_key_t *k, kernel_ipsec_manage_policy_t *data)
{
	uint32_t prio = PRIO_BASE;

	if (data->manual_prio)
		return data->manual_prio;
	switch (data->prio) {
	case POLICY_PRIORITY_FALLBACK:
		prio += PRIO_BASE;
		/* fall-through */
	case POLICY_PRIORITY_ROUTED:
	case POLICY_PRIORITY_DEFAULT:
		prio += PRIO_BASE;
		/* fall-through */
	case POLICY_PRIORITY_PASS:
		break;
	}
	prio -= (k->sprefix + k->dprefix) * 512;
	prio -= k->proto ? 256 : 0;
	prio -= ((k->sport ? 16 : 0) + (k->dport ? 16 : 0)) * 4;
	prio -= data->prio != POLICY_PRIORITY_ROUTED;
	return prio;
}

static policy_user_t *user_create(policy_key_t *k, kernel_ipsec_manage_policy_t *data)
{
	policy_user_t *u;

	INIT(u,
		.type = data->type,
		.prio = policy_prio(k, data),
		.reqid = data->sa ? data->sa->reqid : 0,
		.mode = data->sa ? data->sa->mode : MODE_TRANSPORT,
		.proto = data->sa && data->sa->ah.use && !data->sa->esp.use ?
			 IPPROTO_AH : IPPROTO_ESP,
		.src = data->src ? data->src->clone(data->src) : NULL,
		.dst = data->dst ? data->dst->clone(data->dst) : NULL,
	);
	return u;
}

static bool host_same(host_t *a, host_t *b)
{
	if (!a || !b)
		return a == b;
	return a->ip_equals(a, b);
}

static bool user_same(policy_user_t *a, policy_user_t *b)
{
	if (a->type != b->type || a->prio != b->prio || a->reqid != b->reqid)
		return FALSE;
	if (a->type != POLICY_IPSEC)
		return TRUE;
	if (a->mode != b->mode || a->proto != b->proto)
		return FALSE;
	return a->mode != MODE_TUNNEL ||
	       (host_same(a->src, b->src) && host_same(a->dst, b->dst));
}

static uint8_t dir2ksad(policy_dir_t dir)
{
	switch (dir) {
	case POLICY_IN:
		return KSAD_DIR_IN;
	case POLICY_OUT:
		return KSAD_DIR_OUT;
	case POLICY_FWD:
	default:
		return KSAD_DIR_FWD;
	}
}

static uint8_t type2ksad(policy_type_t type)
{
	switch (type) {
	case POLICY_PASS:
		return KSAD_ACTION_BYPASS;
	case POLICY_DROP:
		return KSAD_ACTION_DISCARD;
	case POLICY_IPSEC:
	default:
		return KSAD_ACTION_PROTECT;
	}
}

static int id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct policy_view v;

	if (!policy_view_parse(nlh, &v) && v.id)
		*(uint32_t *)data = v.id;
	return MNL_CB_OK;
}

static int policy_delete(private_kernel_ksad_ipsec_t *this, uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	int err;

	nlh = ksad_request(this, buf, KSAD_CMD_POLICY_DELETE, 0);
	mnl_attr_put_u32(nlh, KSAD_POLICY_ID, id);
	err = ksad_talk(this, nlh, NULL, NULL);
	/* gone already; -EAGAIN: gone with ksad, and the resync did the rest */
	return err == -ENOENT ? 0 : err;
}

/*
 * Make ksad's policy the one of the entry's best user: the new one in
 * before the old one goes, so that no packet meets neither.  mutex held.
 */
static status_t policy_sync(private_kernel_ksad_ipsec_t *this, policy_entry_t *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	policy_user_t *u;
	uint32_t id = 0;
	int err;

	if (e->users->get_first(e->users, (void **)&u) != SUCCESS) {
		if (e->id && (err = policy_delete(this, e->id)) && err != -EAGAIN)
			DBG1(DBG_KNL, "kernel-ksad: POLICY_DELETE %u failed: %s%s%s",
			     e->id, strerror(-err), this->nl.errmsg[0] ? ": " : "",
			     this->nl.errmsg);
		e->id = 0;
		installed_set(e, NULL);
		return SUCCESS;
	}
	if (e->id && user_same(u, &e->installed))
		return SUCCESS;

	nlh = ksad_request(this, buf, KSAD_CMD_POLICY_ADD, 0);
	mnl_attr_put_u8(nlh, KSAD_POLICY_DIR, dir2ksad(e->key.dir));
	mnl_attr_put_u8(nlh, KSAD_POLICY_ACTION, type2ksad(u->type));
	mnl_attr_put_u32(nlh, KSAD_POLICY_PRIORITY, u->prio);
	/* in and fwd policies: the packets come from the remote selector */
	ksad_put_sel(nlh, KSAD_POLICY_SELECTOR, e->src_ts, e->dst_ts);
	if (u->type == POLICY_IPSEC) {
		mnl_attr_put_u8(nlh, KSAD_POLICY_PROTO, u->proto);
		mnl_attr_put_u8(nlh, KSAD_POLICY_MODE, u->mode == MODE_TUNNEL ?
				KSAD_MODE_TUNNEL : KSAD_MODE_TRANSPORT);
		mnl_attr_put_u32(nlh, KSAD_POLICY_REQID, u->reqid);
		if (u->mode == MODE_TUNNEL && u->src && u->dst) {
			ksad_put_host(nlh, KSAD_POLICY_TUN_SRC_IPV4,
				      KSAD_POLICY_TUN_SRC_IPV6, u->src);
			ksad_put_host(nlh, KSAD_POLICY_TUN_DST_IPV4,
				      KSAD_POLICY_TUN_DST_IPV6, u->dst);
		}
	}
	err = ksad_talk(this, nlh, id_cb, &id);
	if (err == -EAGAIN)	/* ksad reloaded: its resync installed @e, or not */
		return e->id ? SUCCESS : FAILED;
	if (err || !id) {
		DBG1(DBG_KNL, "kernel-ksad: POLICY_ADD %R === %R %N failed: %s%s%s",
		     e->src_ts, e->dst_ts, policy_dir_names, e->key.dir,
		     strerror(err ? -err : EPROTO), this->nl.errmsg[0] ? ": " : "",
		     this->nl.errmsg);
		return FAILED;
	}
	if (e->id && (err = policy_delete(this, e->id))) {
		/*
		 * ksad went away after the POLICY_ADD: @id is the old ksad's,
		 * and the resync has installed @e again (or will, when ksad is
		 * back): @e stays as the resync left it.
		 */
		if (err == -EAGAIN)
			return SUCCESS;
		DBG1(DBG_KNL, "kernel-ksad: POLICY_DELETE %u (replaced) failed: %s",
		     e->id, strerror(-err));
	}
	e->id = id;
	installed_set(e, u);
	DBG2(DBG_KNL, "kernel-ksad: policy %u: %R === %R %N", id, e->src_ts,
	     e->dst_ts, policy_dir_names, e->key.dir);
	return SUCCESS;
}

static const char *policy_unsupported(kernel_ipsec_policy_id_t *id)
{
	if (id->mark.value || id->mark.mask)
		return "marks";
	if (id->if_id)
		return "interface IDs (XFRM interfaces)";
	if (id->interface)
		return "policies restricted to an interface";
	if (id->label)
		return "security labels";
	return NULL;
}

status_t ksad_add_policy(private_kernel_ksad_ipsec_t *this,
			 kernel_ipsec_policy_id_t *id,
			 kernel_ipsec_manage_policy_t *data)
{
	const char *no = policy_unsupported(id);
	policy_entry_t *e;
	policy_user_t *u, *cur = NULL;
	enumerator_t *en;
	policy_key_t k;
	status_t st;

	if (no) {
		DBG1(DBG_KNL, "kernel-ksad: policy %R === %R %N: ksad does not support %s",
		     id->src_ts, id->dst_ts, policy_dir_names, id->dir, no);
		return NOT_SUPPORTED;
	}
	if (!policy_key(&k, id))
		return FAILED;
	u = user_create(&k, data);

	this->mutex->lock(this->mutex);
	e = this->policies->get(this->policies, &k);
	if (!e) {
		INIT(e,
			.key = k,
			.src_ts = id->src_ts->clone(id->src_ts),
			.dst_ts = id->dst_ts->clone(id->dst_ts),
			.users = linked_list_create(),
		);
		this->policies->put(this->policies, &e->key, e);
	}
	/* best (lowest) priority first; a new user before its equals */
	en = e->users->create_enumerator(e->users);
	while (en->enumerate(en, &cur))
		if (u->prio <= cur->prio)
			break;
	if (cur && u->prio <= cur->prio)
		e->users->insert_before(e->users, en, u);
	else
		e->users->insert_last(e->users, u);
	en->destroy(en);

	st = policy_sync(this, e);
	if (st != SUCCESS) {
		e->users->remove(e->users, u, NULL);
		user_destroy(u);
		if (!e->users->get_count(e->users)) {
			this->policies->remove(this->policies, &e->key);
			entry_destroy(e);
		}
	}
	this->mutex->unlock(this->mutex);
	return st;
}

status_t ksad_del_policy(private_kernel_ksad_ipsec_t *this,
			 kernel_ipsec_policy_id_t *id,
			 kernel_ipsec_manage_policy_t *data)
{
	policy_user_t *u, *cur, *found = NULL;
	policy_entry_t *e;
	enumerator_t *en;
	policy_key_t k;
	status_t st;

	if (policy_unsupported(id) || !policy_key(&k, id))
		return NOT_FOUND;
	u = user_create(&k, data);
	this->mutex->lock(this->mutex);
	e = this->policies->get(this->policies, &k);
	if (!e) {
		this->mutex->unlock(this->mutex);
		user_destroy(u);
		DBG2(DBG_KNL, "kernel-ksad: policy %R === %R %N not found", id->src_ts,
		     id->dst_ts, policy_dir_names, id->dir);
		return NOT_FOUND;
	}
	/* the user that is the same (as kernel-netlink: nothing else) */
	en = e->users->create_enumerator(e->users);
	while (en->enumerate(en, &cur)) {
		if (user_same(cur, u)) {
			found = cur;
			break;
		}
	}
	en->destroy(en);
	user_destroy(u);
	if (!found) {
		this->mutex->unlock(this->mutex);
		return NOT_FOUND;
	}
	e->users->remove(e->users, found, NULL);
	st = policy_sync(this, e);
	user_destroy(found);
	if (!e->users->get_count(e->users)) {
		this->policies->remove(this->policies, &e->key);
		entry_destroy(e);
	}
	this->mutex->unlock(this->mutex);
	return st;
}

static int last_use_cb(const struct nlmsghdr *nlh, void *data)
{
	struct policy_view v;

	if (!policy_view_parse(nlh, &v))
		*(uint64_t *)data = v.last_use;
	return MNL_CB_OK;
}

status_t ksad_query_policy(private_kernel_ksad_ipsec_t *this,
			   kernel_ipsec_policy_id_t *id, time_t *use_time)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	policy_entry_t *e;
	uint64_t last = 0;
	policy_key_t k;
	int err;

	if (!policy_key(&k, id))
		return NOT_FOUND;
	this->mutex->lock(this->mutex);
	e = this->policies->get(this->policies, &k);
	if (!e || !e->id) {
		this->mutex->unlock(this->mutex);
		return NOT_FOUND;
	}
	nlh = ksad_request(this, buf, KSAD_CMD_POLICY_GET, 0);
	mnl_attr_put_u32(nlh, KSAD_POLICY_ID, e->id);
	err = ksad_talk(this, nlh, last_use_cb, &last);
	if (err && err != -EAGAIN)
		DBG1(DBG_KNL, "kernel-ksad: POLICY_GET failed: %s", strerror(-err));
	this->mutex->unlock(this->mutex);
	if (err)
		return err == -EAGAIN ? NOT_FOUND : FAILED;
	*use_time = ksad_monotonic(last);
	return SUCCESS;
}

status_t ksad_flush_policies(private_kernel_ksad_ipsec_t *this)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	this->mutex->lock(this->mutex);
	nlh = ksad_request(this, buf, KSAD_CMD_POLICY_FLUSH, 0);
	err = ksad_talk(this, nlh, NULL, NULL);
	if (err == -EAGAIN) {	/* a new ksad, resynced: flush that one */
		nlh = ksad_request(this, buf, KSAD_CMD_POLICY_FLUSH, 0);
		err = ksad_talk(this, nlh, NULL, NULL);
	}
	ksad_policies_forget(this);
	if (err && err != -EAGAIN)
		DBG1(DBG_KNL, "kernel-ksad: POLICY_FLUSH failed: %s", strerror(-err));
	this->mutex->unlock(this->mutex);
	return err && err != -EAGAIN ? FAILED : SUCCESS;
}

void ksad_policies_forget(private_kernel_ksad_ipsec_t *this)
{
	enumerator_t *en = this->policies->create_enumerator(this->policies);
	policy_entry_t *e;

	while (en->enumerate(en, NULL, &e)) {
		e->id = 0;
		installed_set(e, NULL);
	}
	en->destroy(en);
}

void ksad_policies_resync(private_kernel_ksad_ipsec_t *this)
{
	enumerator_t *en = this->policies->create_enumerator(this->policies);
	policy_entry_t *e;

	while (en->enumerate(en, NULL, &e))
		if (!e->id)
			policy_sync(this, e);
	en->destroy(en);
}

void ksad_policies_init(private_kernel_ksad_ipsec_t *this)
{
	this->policies = hashtable_create(policy_hash, policy_equals, 64);
}

void ksad_policies_destroy(private_kernel_ksad_ipsec_t *this)
{
	enumerator_t *en;
	policy_entry_t *e;

	if (!this->policies)
		return;
	en = this->policies->create_enumerator(this->policies);
	while (en->enumerate(en, NULL, &e)) {
		this->policies->remove_at(this->policies, en);
		entry_destroy(e);
	}
	en->destroy(en);
	this->policies->destroy(this->policies);
}
