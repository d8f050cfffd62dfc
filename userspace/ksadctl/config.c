// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl config [larval-timeout SECONDS] [max-sas N] [max-larval N]
 *                [max-policies N]: this namespace's settings, its limits and
 * what it holds.  The limits can be changed only by CAP_NET_ADMIN in the
 * initial user namespace.
 */
#include <string.h>
#include <linux/genetlink.h>

#include "ksadctl.h"

/* the settings in the order printed; sa-count last (scripts anchor on it) */
static const struct {
	const char *name, *json;
	uint16_t attr;
	bool settable;
} fields[] = {
	{ "larval-timeout", "larval_timeout", KSAD_CONFIG_LARVAL_TIMEOUT, true },
	{ "max-sas", "max_sas", KSAD_CONFIG_MAX_SAS, true },
	{ "max-larval", "max_larval", KSAD_CONFIG_MAX_LARVAL, true },
	{ "max-policies", "max_policies", KSAD_CONFIG_MAX_POLICIES, true },
	{ "policy-count", "policy_count", KSAD_CONFIG_POLICY_COUNT, false },
	{ "larval-count", "larval_count", KSAD_CONFIG_LARVAL_COUNT, false },
	{ "sa-count", "sa_count", KSAD_CONFIG_SA_COUNT, false },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	uint32_t v[NFIELDS] = { 0 };
	const struct nlattr *attr;
	size_t i;

	(void)data;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			continue;
		for (i = 0; i < NFIELDS; i++)
			if (mnl_attr_get_type(attr) == fields[i].attr)
				v[i] = mnl_attr_get_u32(attr);
	}
	for (i = 0; i < NFIELDS; i++) {
		if (opt_json)
			printf("%s\"%s\":%u", i ? "," : "{", fields[i].json, v[i]);
		else
			printf("%s%s %u", i ? " " : "", fields[i].name, v[i]);
	}
	printf(opt_json ? "}\n" : "\n");
	return MNL_CB_OK;
}

int cmd_config(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct knl k;
	uint32_t v;
	int err, i;
	size_t f;

	if (argc % 2)
		return usage_error("usage: ksadctl config [larval-timeout SECONDS] [max-sas N] [max-larval N] [max-policies N]");
	err = open_or_explain(&k);
	if (err)
		return err;
	if (!argc) {
		nlh = knl_request(&k, buf, 0, KSAD_CMD_GET_CONFIG, NLM_F_ACK);
		err = knl_talk(&k, nlh, config_cb, NULL);
		goto out;
	}
	nlh = knl_request(&k, buf, 0, KSAD_CMD_SET_CONFIG, NLM_F_ACK);
	for (i = 0; i < argc; i += 2) {
		for (f = 0; f < NFIELDS; f++)
			if (fields[f].settable && !strcmp(argv[i], fields[f].name))
				break;
		if (f == NFIELDS || parse_u32(argv[i + 1], &v)) {
			knl_close(&k);
			return usage_error("config: \"%s %s\"? (larval-timeout, max-sas, max-larval, max-policies and a number)",
					   argv[i], argv[i + 1]);
		}
		mnl_attr_put_u32(nlh, fields[f].attr, v);
	}
	err = knl_talk(&k, nlh, NULL, NULL);
out:
	err = err ? report_error(&k, err, "config") : 0;
	knl_close(&k);
	return err;
}
