// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl policy add|delete|get|list|flush: the Security Policy Database.
 * ksadctl stats: the namespace's datapath counters.
 *
 *   ksadctl policy add dir out action protect sel src 10.0.1.0/24 dst 10.0.2.0/24 \
 *           mode tunnel tunnel src 192.0.2.1 dst 192.0.2.2 reqid 7
 */
#include <inttypes.h>
#include <string.h>
#include <linux/genetlink.h>

#include "ksadctl.h"

static int lookup(const char *const *names, int n, const char *s, uint8_t *out)
{
	for (int i = 1; i < n; i++)
		if (names[i] && !strcmp(names[i], s)) {
			*out = (uint8_t)i;
			return 0;
		}
	return -1;
}

static const char *const dir_names[] = { NULL, "in", "out", "fwd" };
static const char *const action_names[] = { NULL, "protect", "bypass", "discard" };
static const char *const mode_names[] = { NULL, "transport", "tunnel" };

static int parse_add(struct nlmsghdr *nlh, int argc, char **argv)
{
	struct ksad_addr tsrc = { 0 }, tdst = { 0 };
	bool dir = false, action = false;
	uint32_t v;
	uint8_t u;
	int i, n;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "sel")) {
			n = parse_sel(nlh, KSAD_POLICY_SELECTOR, argc, argv, i);
			if (n < 0)
				return n;
			i += n;
			continue;
		}
		if (!strcmp(w, "tunnel")) {
			/* tunnel [src ADDR] dst ADDR */
			while (i + 2 < argc && (!strcmp(argv[i + 1], "src") ||
						!strcmp(argv[i + 1], "dst"))) {
				struct ksad_addr *a = argv[i + 1][0] == 's' ? &tsrc : &tdst;

				if (parse_addr(argv[i + 2], a))
					return usage_error("bad tunnel address \"%s\"", argv[i + 2]);
				i += 2;
			}
			if (!tdst.family)
				return usage_error("'tunnel' needs 'dst ADDR' (and may take 'src ADDR')");
			continue;
		}
		if (need(argc, argv, i, 1))
			return -EXIT_USAGE;
		const char *val = argv[++i];

		if (!strcmp(w, "dir")) {
			if (lookup(dir_names, 4, val, &u))
				return usage_error("bad dir \"%s\" (in, out, fwd)", val);
			mnl_attr_put_u8(nlh, KSAD_POLICY_DIR, u);
			dir = true;
		} else if (!strcmp(w, "action")) {
			if (lookup(action_names, 4, val, &u))
				return usage_error("bad action \"%s\" (protect, bypass, discard)", val);
			mnl_attr_put_u8(nlh, KSAD_POLICY_ACTION, u);
			action = true;
		} else if (!strcmp(w, "mode")) {
			if (lookup(mode_names, 3, val, &u))
				return usage_error("bad mode \"%s\" (transport, tunnel)", val);
			mnl_attr_put_u8(nlh, KSAD_POLICY_MODE, u);
		} else if (!strcmp(w, "proto")) {
			if (!strcmp(val, "esp"))
				mnl_attr_put_u8(nlh, KSAD_POLICY_PROTO, KSAD_PROTO_ESP);
			else if (!strcmp(val, "ah"))
				mnl_attr_put_u8(nlh, KSAD_POLICY_PROTO, KSAD_PROTO_AH);
			else
				return usage_error("bad proto \"%s\" (esp, ah)", val);
		} else if (!strcmp(w, "priority") || !strcmp(w, "reqid")) {
			if (parse_u32(val, &v))
				return usage_error("bad %s \"%s\"", w, val);
			mnl_attr_put_u32(nlh, w[0] == 'p' ? KSAD_POLICY_PRIORITY :
					 KSAD_POLICY_REQID, v);
		} else {
			return usage_error("unknown policy keyword \"%s\"", w);
		}
	}
	if (!dir || !action)
		return usage_error("a policy needs 'dir in|out|fwd' and 'action protect|bypass|discard'");
	if (tsrc.family)
		put_addr(nlh, KSAD_POLICY_TUN_SRC_IPV4, KSAD_POLICY_TUN_SRC_IPV6, &tsrc);
	if (tdst.family)
		put_addr(nlh, KSAD_POLICY_TUN_DST_IPV4, KSAD_POLICY_TUN_DST_IPV6, &tdst);
	return 0;
}

static int print_policy(const struct nlmsghdr *nlh, const char *sep)
{
	struct policy_view v;

	if (policy_view_parse(nlh, &v))
		return -1;
	fputs(sep, stdout);
	policy_print(stdout, &v);
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	const char *what;
	uint8_t cmd;
	uint16_t flags = NLM_F_ACK;
	struct knl k;
	uint32_t id;
	int err;

	if (argc < 1)
		return usage_error("policy needs a command: add delete get list flush");
	what = argv[0];
	if (!strcmp(what, "add"))
		cmd = KSAD_CMD_POLICY_ADD;
	else if (!strcmp(what, "delete"))
		cmd = KSAD_CMD_POLICY_DELETE;
	else if (!strcmp(what, "get"))
		cmd = KSAD_CMD_POLICY_GET;
	else if (!strcmp(what, "list"))
		cmd = KSAD_CMD_POLICY_GET, flags = NLM_F_DUMP;
	else if (!strcmp(what, "flush"))
		cmd = KSAD_CMD_POLICY_FLUSH;
	else
		return usage_error("unknown policy command \"%s\"", what);

	memset(&k, 0, sizeof(k));
	nlh = knl_request(&k, buf, 0, cmd, flags);
	if (cmd == KSAD_CMD_POLICY_ADD) {
		err = parse_add(nlh, argc - 1, argv + 1);
		if (err)
			return err;
	} else if (cmd == KSAD_CMD_POLICY_DELETE || cmd == KSAD_CMD_POLICY_GET) {
		if (flags == NLM_F_ACK) {
			if (argc != 3 || strcmp(argv[1], "id") || parse_u32(argv[2], &id))
				return usage_error("usage: ksadctl policy %s id ID", what);
			mnl_attr_put_u32(nlh, KSAD_POLICY_ID, id);
		} else if (argc != 1) {
			return usage_error("usage: ksadctl policy list");
		}
	} else if (argc != 1) {
		return usage_error("usage: ksadctl policy flush");
	}
	err = open_or_explain(&k);
	if (err)
		return err;
	nlh->nlmsg_type = k.family;
	nlh->nlmsg_seq = ++k.seq;
	err = talk_print(&k, nlh, flags & NLM_F_DUMP, print_policy);
	err = err ? report_error(&k, err, what) : 0;
	knl_close(&k);
	return err;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	uint64_t c[KSAD_STAT_MAX + 1];
	bool first = true;

	(void)data;
	if (stats_view_parse(nlh, c))
		return MNL_CB_ERROR;
	if (opt_json)
		fputs("{", stdout);
	for (int i = 1; i <= KSAD_STAT_MAX; i++) {
		const char *name = stat_name(i);

		if (!name)
			continue;
		if (opt_json)
			printf("%s\"%s\":%" PRIu64, first ? "" : ",", name, c[i]);
		else
			printf("%-22s %" PRIu64 "\n", name, c[i]);
		first = false;
	}
	if (opt_json)
		fputs("}\n", stdout);
	return MNL_CB_OK;
}

int cmd_stats(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct knl k;
	int err;

	(void)argv;
	if (argc)
		return usage_error("usage: ksadctl stats");
	err = open_or_explain(&k);
	if (err)
		return err;
	nlh = knl_request(&k, buf, 0, KSAD_CMD_GET_STATS, NLM_F_ACK);
	err = knl_talk(&k, nlh, stats_cb, NULL);
	err = err ? report_error(&k, err, "stats") : 0;
	knl_close(&k);
	return err;
}
