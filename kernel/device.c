// SPDX-License-Identifier: GPL-2.0
/*
 * ksad0: one device per namespace on which decrypted packets enter the
 * stack, like the inner side of an XFRM interface.  It makes the packets
 * visible (`tcpdump -i ksad0`, counters in `ip -s link`), lets routing and
 * netfilter treat them as received, and tells the hooks that a packet was
 * already checked.  Nothing is sent through it: transmit drops.
 *
 * The device is made with the namespace's hooks by pernet_device operations,
 * so that when a namespace goes away both are gone before its SAD (netns.c).
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "datapath.h"

static netdev_tx_t ksad_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int ksad_dev_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void ksad_dev_uninit(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static const struct net_device_ops ksad_dev_ops = {
	.ndo_init = ksad_dev_init,
	.ndo_uninit = ksad_dev_uninit,
	.ndo_start_xmit = ksad_dev_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void ksad_dev_setup(struct net_device *dev)
{
	dev->netdev_ops = &ksad_dev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = 0;
	dev->max_mtu = IP_MAX_MTU;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->tx_queue_len = 0;
	ksad_dev_set_lltx_netns_local(dev);
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->needs_free_netdev = true;
}

/* Is @dev this namespace's ksad0? */
bool ksad_device_is(struct ksad_net *kn, const struct net_device *dev)
{
	return dev && dev == rcu_access_pointer(kn->dev);
}

/*
 * Hand a decrypted packet (data at its IP header) to the stack.  @csum_ok:
 * its transport checksum is not to be checked (transport mode through a
 * NAT: it covers the addresses before translation, RFC 3948 3.1.2).
 */
void ksad_device_rx(struct ksad_net *kn, struct sk_buff *skb, bool csum_ok)
{
	struct net_device *dev;

	rcu_read_lock();
	dev = rcu_dereference(kn->dev);
	if (!dev) {
		rcu_read_unlock();
		kfree_skb(skb);
		return;
	}
	skb_scrub_packet(skb, false);	/* route, conntrack, ... of the outer */
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = csum_ok ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	dev_sw_netstats_rx_add(dev, skb->len);
	netif_rx(skb);
	rcu_read_unlock();
}

static int __net_init ksad_device_net_init(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "ksad%d", NET_NAME_ENUM, ksad_dev_setup);
	if (!dev)
		return -ENOMEM;
	dev_net_set(dev, net);
	rtnl_lock();
	err = register_netdevice(dev);
	if (err) {
		rtnl_unlock();
		free_netdev(dev);
		return err;
	}
	err = dev_change_flags(dev, dev->flags | IFF_UP, NULL);
	if (err) {
		unregister_netdevice(dev);
		rtnl_unlock();
		return err;
	}
	rtnl_unlock();
	rcu_assign_pointer(kn->dev, dev);

	err = ksad_hooks_register(net);
	if (err) {
		RCU_INIT_POINTER(kn->dev, NULL);
		synchronize_net();
		unregister_netdev(dev);
	}
	return err;
}

static void __net_exit ksad_device_net_exit(struct net *net)
{
	struct ksad_net *kn = ksad_net(net);
	struct net_device *dev;

	/* no new packets; then wait for this namespace's in the crypto API */
	ksad_hooks_unregister(net);
	ksad_inflight_drain(kn);
	dev = rcu_dereference_protected(kn->dev, true);
	RCU_INIT_POINTER(kn->dev, NULL);
	synchronize_net();
	unregister_netdev(dev);
}

static struct pernet_operations ksad_device_net_ops = {
	.init = ksad_device_net_init,
	.exit = ksad_device_net_exit,
};

int ksad_device_init(void)
{
	return register_pernet_device(&ksad_device_net_ops);
}

void ksad_device_uninit(void)
{
	unregister_pernet_device(&ksad_device_net_ops);
}
