// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel-ksad plugin.  It provides charon's "kernel-ipsec" feature; the
 * first plugin to provide it wins, so kernel-ksad loads before
 * kernel-netlink (strongswan.d/charon/kernel-ksad.conf: load = 10), whose
 * IPsec part then stays unused while its network part (addresses, routes,
 * interfaces) works as always.
 */
#include <daemon.h>

#include "kernel_ksad_plugin.h"
#include "kernel_ksad_ipsec.h"

typedef struct private_kernel_ksad_plugin_t private_kernel_ksad_plugin_t;

struct private_kernel_ksad_plugin_t {
	kernel_ksad_plugin_t public;
};

METHOD(plugin_t, get_name, char *,
	private_kernel_ksad_plugin_t *this)
{
	return "kernel-ksad";
}

METHOD(plugin_t, get_features, int,
	private_kernel_ksad_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK(kernel_ipsec_register, kernel_ksad_ipsec_create),
			PLUGIN_PROVIDE(CUSTOM, "kernel-ipsec"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_kernel_ksad_plugin_t *this)
{
	free(this);
}

plugin_t *kernel_ksad_plugin_create(void)
{
	private_kernel_ksad_plugin_t *this;

	/* kept after charon drops its other capabilities */
	if (!lib->caps->keep(lib->caps, CAP_NET_ADMIN)) {
		DBG1(DBG_KNL, "kernel-ksad plugin requires CAP_NET_ADMIN capability");
		return NULL;
	}
	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);
	return &this->public.plugin;
}
