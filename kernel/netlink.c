// SPDX-License-Identifier: GPL-2.0
/*
 * The "ksad" generic-netlink family: registration and multicast groups.
 * Operation handlers live with the objects they act on.
 */
#include <net/genetlink.h>
#include <uapi/linux/ksad.h>

#include "ksad.h"

static const struct genl_multicast_group ksad_mcgrps[] = {
	{ .name = KSAD_MCGRP_SA, },
	{ .name = KSAD_MCGRP_EXPIRE, },
	{ .name = KSAD_MCGRP_ACQUIRE, },
};

static struct genl_family ksad_genl_family __ro_after_init = {
	.name = KSAD_GENL_NAME,
	.version = KSAD_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.mcgrps = ksad_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ksad_mcgrps),
};

int __init ksad_genl_init(void)
{
	return genl_register_family(&ksad_genl_family);
}

void ksad_genl_uninit(void)
{
	genl_unregister_family(&ksad_genl_family);
}
