// SPDX-License-Identifier: GPL-2.0
/*
 * roam ports: the kernel UDP sockets roam sends from and receives on, one
 * per port and namespace, shared by every roam socket on that port.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ip6_tunnel.h>
#include <net/ip_tunnels.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "compat.h"
#include "netns.h"
#include "port.h"
#include "receive.h"
#include "sock.h"

static int roam_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct roam_port *port = rcu_dereference_sk_user_data(sk);

	if (unlikely(!port)) {
		kfree_skb(skb);
		return 0;
	}
	roam_rcv(port, skb);
	return 0;
}

/*
 * An ICMP error about a packet we sent.  @err is a positive errno and
 * @offset the offset of our payload (after the quoted UDP header).
 */
static void roam_udp_err(struct sock *sk, struct sk_buff *skb, int err,
			 u32 info, int offset)
{
	struct roam_port *port = rcu_dereference_sk_user_data(sk);

	if (port)
		roam_icmp_rcv(port, skb, err, info, offset);
}

#ifdef ROAM_HAVE_ENCAP_ERR_RCV_ERR
static void roam_udp_err_rcv(struct sock *sk, struct sk_buff *skb, int err,
			     __be16 port, u32 info, u8 *payload)
{
	roam_udp_err(sk, skb, err, info, payload - skb->data);
}
#else
/* Older kernels pass the UDP offset only; work the errno out as they do. */
static void roam_udp_err_rcv(struct sock *sk, struct sk_buff *skb,
			     unsigned int udp_offset)
{
	int offset = udp_offset + sizeof(struct udphdr);
	int err = EHOSTUNREACH;
	u32 info = 0;

	if (ip_hdr(skb)->version == 4) {
		const struct icmphdr *ih = icmp_hdr(skb);

		if (ih->type == ICMP_DEST_UNREACH) {
			if (ih->code == ICMP_FRAG_NEEDED) {
				err = EMSGSIZE;
				info = ntohs(ih->un.frag.mtu);
			} else if (ih->code <= NR_ICMP_UNREACH) {
				err = icmp_err_convert[ih->code].errno;
			}
		} else if (ih->type == ICMP_PARAMETERPROB) {
			err = EPROTO;
		}
	} else {
		const struct icmp6hdr *ih = icmp6_hdr(skb);

		icmpv6_err_convert(ih->icmp6_type, ih->icmp6_code, &err);
		if (ih->icmp6_type == ICMPV6_PKT_TOOBIG)
			info = ntohl(ih->icmp6_mtu);
	}
	roam_udp_err(sk, skb, err, info, offset);
}
#endif

/*
 * Path MTU discovery is roam's own (PLPMTUD, pmtu.c): the UDP socket
 * sends up to the device's MTU whatever the route cache says, and takes
 * no ICMP "fragmentation needed" or "packet too big" into it, so that a
 * forged one, which needs only a quoted UDP header of one of our flows,
 * can neither shrink nor black-hole our packets nor, through our port,
 * the host's other traffic to that peer (IP_PMTUDISC_INTERFACE).
 */
static void roam_udp_no_pmtu(struct socket *sock)
{
	int val = IPV6_PMTUDISC_INTERFACE;

	ip_sock_set_mtu_discover(sock->sk, IP_PMTUDISC_INTERFACE);
	if (sock->sk->sk_family == AF_INET6)
		sock->ops->setsockopt(sock, SOL_IPV6, IPV6_MTU_DISCOVER,
				      KERNEL_SOCKPTR(&val), sizeof(val));
}

/*
 * Opens @port's UDP socket into port->sock.  Packets reach roam from the
 * moment setup_udp_tunnel_sock() publishes the port, and roam may answer
 * at once through port->sock: everything is in place before, and the
 * publication orders it (rcu_assign_sk_user_data()).
 */
static int roam_udp_open(struct roam_port *port)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = port,
		.encap_type = 1,
		.encap_rcv = roam_udp_rcv,
		.encap_err_rcv = roam_udp_err_rcv,
	};
	struct udp_port_cfg cfg = {
		.family = AF_INET6,
		.local_ip6 = IN6ADDR_ANY_INIT,
		.local_udp_port = htons(port->num),
		.use_udp_checksums = 1,
		.use_udp6_tx_checksums = 1,
		.use_udp6_rx_checksums = 1,
		.ipv6_v6only = 0,
	};
	struct net *net = port->rn->net;
	struct socket *sock;
	int err;

	err = udp_sock_create(net, &cfg, &sock);
	if (err == -EAFNOSUPPORT) {
		/* No IPv6 in this kernel: IPv4 only. */
		memset(&cfg, 0, sizeof(cfg));
		cfg.family = AF_INET;
		cfg.local_udp_port = htons(port->num);
		cfg.use_udp_checksums = 1;
		err = udp_sock_create(net, &cfg, &sock);
	}
	if (err)
		return err;
	roam_udp_no_pmtu(sock);
	port->sock = sock;
	setup_udp_tunnel_sock(net, sock, &tcfg);
	/*
	 * A tunnel socket asks for checksums made CHECKSUM_COMPLETE, for the
	 * packets it will hand up again.  roam hands up none: each arrival
	 * is still checked before roam_udp_rcv() sees it, but the GSO
	 * buffers a local sender makes are split without summing each part.
	 * (It follows the setup, which turns the conversion on.)
	 */
	inet_dec_convert_csum(sock->sk);
	return 0;
}

static struct roam_port *roam_port_find(struct roam_net *rn, u16 num)
{
	struct roam_port *p;

	lockdep_assert_held(&rn->port_mutex);
	hlist_for_each_entry(p, &rn->ports[hash_32(num, ROAM_PORT_HASH_BITS)], node)
		if (p->num == num && !p->released)
			return p;
	return NULL;
}

static void roam_port_release_locked(struct roam_port *p)
{
	lockdep_assert_held(&p->rn->port_mutex);
	hlist_del(&p->node);
	p->released = true;
	udp_tunnel_sock_release(p->sock);
}

/*
 * The last reference went.  Releasing a UDP tunnel socket waits for an
 * RCU grace period, so it happens outside the mutex: many ports closing
 * at once then share grace periods and hold up no bind() or connect().
 * The port stays in the table, closing, until its number is free.
 */
static void roam_port_release_work(struct work_struct *work)
{
	struct roam_port *p = container_of(work, struct roam_port, release_work);
	struct roam_net *rn = p->rn;
	bool mine;

	mutex_lock(&rn->port_mutex);
	mine = !p->released;
	p->closing = mine;
	mutex_unlock(&rn->port_mutex);
	if (mine) {
		udp_tunnel_sock_release(p->sock);
		mutex_lock(&rn->port_mutex);
		hlist_del(&p->node);
		p->released = true;
		atomic_inc(&rn->ports_closed);
		mutex_unlock(&rn->port_mutex);
		wake_up_all(&rn->port_wq);
	}
	kfree_rcu(p, rcu);
}

static int roam_port_create(struct roam_net *rn, u16 num, struct roam_port **out)
{
	struct roam_port *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->rn = rn;
	p->num = num;
	refcount_set(&p->refcnt, 1);
	INIT_LIST_HEAD(&p->binds);
	INIT_WORK(&p->release_work, roam_port_release_work);
	err = roam_udp_open(p);
	if (err) {
		kfree(p);
		return err;
	}
	hlist_add_head(&p->node, &rn->ports[hash_32(num, ROAM_PORT_HASH_BITS)]);
	*out = p;
	return 0;
}

/*
 * A reference to port @num, under rn->port_mutex, opening its UDP socket
 * if need be.  A port whose last reference went is released here if its
 * work has not begun, and waited for (dropping the mutex) if it has.
 */
static int roam_port_get_locked(struct roam_net *rn, u16 num, bool bind,
				struct roam_port **out)
{
	struct roam_port *p;
	int seq, err = 0;

	for (;;) {
		p = roam_port_find(rn, num);
		if (!p) {
			err = roam_port_create(rn, num, &p);
			break;
		}
		if (refcount_inc_not_zero(&p->refcnt))
			break;
		if (!p->closing) {
			roam_port_release_locked(p);
			continue;
		}
		seq = atomic_read(&rn->ports_closed);
		mutex_unlock(&rn->port_mutex);
		wait_event(rn->port_wq, atomic_read(&rn->ports_closed) != seq);
		mutex_lock(&rn->port_mutex);
	}
	if (!err) {
		if (bind)
			p->nbound++;
		*out = p;
	}
	return err;
}

/*
 * A reference to port @num.  @bind counts an explicit bind().
 * -EADDRINUSE if another UDP socket has the port.
 */
int roam_port_get(struct roam_net *rn, u16 num, bool bind,
		  struct roam_port **out)
{
	int err;

	mutex_lock(&rn->port_mutex);
	err = roam_port_get_locked(rn, num, bind, out);
	mutex_unlock(&rn->port_mutex);
	return err;
}

/*
 * A port from the namespace's client range, tried in turn from a random
 * start, as mosh's try_bind does.  bind() wants a port nobody uses.
 * connect() takes one too if there is any; otherwise it shares the least
 * used port that only connections use, because connections are told
 * apart by connection ID, not by port.
 */
int roam_port_pick(struct roam_net *rn, bool bind, struct roam_port **out)
{
	struct roam_port *p, *best = NULL;
	u32 min, max, n, start, i, closed = 0;
	int err = -EADDRINUSE;

	rcu_read_lock();
	min = rcu_dereference(rn->cfg)->port_min;
	max = rcu_dereference(rn->cfg)->port_max;
	rcu_read_unlock();
	n = max - min + 1;
	start = get_random_u32_below(n);

	mutex_lock(&rn->port_mutex);
	for (i = 0; i < n; i++) {
		u16 num = min + (start + i) % n;

		p = roam_port_find(rn, num);
		if (p && !refcount_inc_not_zero(&p->refcnt)) {
			/* Closing: free only a grace period from now. */
			closed = closed ?: num;
			continue;
		}
		if (p) {
			if (!bind && !p->nbound &&
			    (!best || refcount_read(&p->refcnt) < refcount_read(&best->refcnt))) {
				if (best)
					roam_port_put(best);
				best = p;
			} else {
				roam_port_put(p);
			}
			continue;
		}
		err = roam_port_create(rn, num, &p);
		if (!err) {
			if (bind)
				p->nbound++;
			*out = p;
			break;
		}
		if (err != -EADDRINUSE)
			break;
	}
	if (err == -EADDRINUSE && best) {
		*out = best;
		best = NULL;
		err = 0;
	} else if (err == -EADDRINUSE && closed) {
		err = roam_port_get_locked(rn, closed, bind, out);
	}
	mutex_unlock(&rn->port_mutex);
	if (best)
		roam_port_put(best);
	return err;
}

void roam_port_unbind(struct roam_port *port)
{
	mutex_lock(&port->rn->port_mutex);
	port->nbound--;
	mutex_unlock(&port->rn->port_mutex);
}

/* Any context; the UDP socket is released from process context. */
void roam_port_put(struct roam_port *port)
{
	if (refcount_dec_and_test(&port->refcnt))
		queue_work(roam_wq, &port->release_work);
}

/*
 * Routes @fl and fills in the source address routing chose.  Returns the
 * route, with a reference, or an ERR_PTR.
 */
static struct dst_entry *roam_route4(struct roam_port *port, struct roam_flow *fl)
{
	struct flowi4 fl4 = {
		.daddr = fl->daddr.s6_addr32[3],
		.saddr = fl->saddr.s6_addr32[3],
		.flowi4_oif = fl->oif,
		.flowi4_mark = fl->mark,
		.flowi4_proto = IPPROTO_UDP,
		.fl4_sport = htons(port->num),
		.fl4_dport = fl->dport,
	};
	struct rtable *rt;

	rt = ip_route_output_key(port->rn->net, &fl4);
	if (IS_ERR(rt))
		return ERR_CAST(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return ERR_PTR(-ENETUNREACH);
	}
	ipv6_addr_set_v4mapped(fl4.saddr, &fl->saddr);
	return &rt->dst;
}

static struct dst_entry *roam_route6(struct roam_port *port, struct roam_flow *fl)
{
	struct flowi6 fl6 = {
		.daddr = fl->daddr,
		.saddr = fl->saddr,
		.flowi6_oif = fl->oif,
		.flowi6_mark = fl->mark,
		.flowi6_proto = IPPROTO_UDP,
		.fl6_sport = htons(port->num),
		.fl6_dport = fl->dport,
	};
	struct dst_entry *dst;

	dst = ipv6_stub->ipv6_dst_lookup_flow(port->rn->net, port->sock->sk,
					      &fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	/*
	 * A host left with only its link-local address gets it as the
	 * source even for a global peer behind a router, which must drop it
	 * (RFC 4291 2.5.6): that is no route, and a client tries its
	 * server's other addresses at once (addrs.c).
	 */
	if ((ipv6_addr_type(&fl6.saddr) & IPV6_ADDR_LINKLOCAL) &&
	    !(ipv6_addr_type(&fl6.daddr) & IPV6_ADDR_LINKLOCAL) &&
	    (((struct rt6_info *)dst)->rt6i_flags & RTF_GATEWAY)) {
		dst_release(dst);
		return ERR_PTR(-ENETUNREACH);
	}
	fl->saddr = fl6.saddr;
	return dst;
}

struct dst_entry *roam_port_route(struct roam_port *port, struct roam_flow *fl)
{
	if (ipv6_addr_v4mapped(&fl->daddr))
		return roam_route4(port, fl);
	return roam_route6(port, fl);
}

/*
 * UDP payload bytes a route takes in one packet: over IPv4 the device's
 * MTU, which is what our socket sends up to (roam_udp_no_pmtu()); over
 * IPv6, where tunnel sends go by the route's MTU, the route's, which no
 * ICMP quoting our flows can lower and no forged one below 1280.
 */
unsigned int roam_route_mtu(const struct dst_entry *dst, const struct roam_flow *fl)
{
	bool v4 = ipv6_addr_v4mapped(&fl->daddr);
	unsigned int hdr = sizeof(struct udphdr) + (v4 ? sizeof(struct iphdr) :
							 sizeof(struct ipv6hdr));
	unsigned int mtu = v4 ? READ_ONCE(dst->dev->mtu) : dst_mtu(dst);

	return mtu > hdr ? mtu - hdr : 0;
}

/*
 * Sends @skb, whose data is one roam packet or, with @gso_size, several of
 * @gso_size bytes (the last may be shorter), from @port along @fl over
 * @dst, with DF.  Consumes @skb and the reference on @dst.
 */
void roam_port_send(struct roam_port *port, struct sk_buff *skb,
		    const struct roam_flow *fl, struct dst_entry *dst,
		    unsigned int gso_size)
{
	struct sock *sk = port->sock->sk;
	unsigned int len = skb->len + sizeof(struct udphdr);
	struct udphdr *uh;

	skb->mark = fl->mark;
	skb->priority = fl->priority;
	__skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh = udp_hdr(skb);
	uh->source = htons(port->num);
	uh->dest = fl->dport;
	uh->len = htons(len);
	if (gso_size && len - sizeof(*uh) > gso_size) {
		skb_shinfo(skb)->gso_size = gso_size;
		skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(len - sizeof(*uh), gso_size);
	}
	/* The checksum is the device's, or the stack's when it cannot. */
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct udphdr, check);

	/*
	 * The tunnel transmit helpers count their nesting per CPU
	 * (dev_xmit_recursion), so they must not migrate: from process
	 * context, run them with bottom halves off, as WireGuard does.
	 */
	local_bh_disable();
	if (ipv6_addr_v4mapped(&fl->daddr)) {
		__be32 saddr = fl->saddr.s6_addr32[3], daddr = fl->daddr.s6_addr32[3];

		uh->check = ~csum_tcpudp_magic(saddr, daddr, len, IPPROTO_UDP, 0);
		iptunnel_xmit(sk, (struct rtable *)dst, skb, saddr, daddr, IPPROTO_UDP,
			      fl->tos, ip4_dst_hoplimit(dst), htons(IP_DF), false);
	} else {
		struct ipv6hdr *ip6h;

		uh->check = ~csum_ipv6_magic(&fl->saddr, &fl->daddr, len, IPPROTO_UDP, 0);
		skb_dst_set(skb, dst);
		__skb_push(skb, sizeof(*ip6h));
		skb_reset_network_header(skb);
		ip6h = ipv6_hdr(skb);
		ip6_flow_hdr(ip6h, fl->tos, 0);
		ip6h->payload_len = htons(len);
		ip6h->nexthdr = IPPROTO_UDP;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = fl->saddr;
		ip6h->daddr = fl->daddr;
		/* No tunnel device: no tunnel stats to count. */
		ip6tunnel_xmit(sk, skb, NULL);
	}
	local_bh_enable();
}

/*
 * Routes and sends one packet (stateless answers, the handshake).
 * Consumes @skb.  Returns 0 or a negative errno from routing.
 */
int roam_port_xmit(struct roam_port *port, struct sk_buff *skb,
		   struct roam_flow *fl)
{
	struct dst_entry *dst;

	dst = roam_port_route(port, fl);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		roam_stat_inc(port->rn, ROAM_A_STAT_TX_ERRORS);
		return PTR_ERR(dst);
	}
	roam_port_send(port, skb, fl, dst, 0);
	return 0;
}

int roam_port_net_init(struct roam_net *rn)
{
	unsigned int i;

	mutex_init(&rn->port_mutex);
	init_waitqueue_head(&rn->port_wq);
	atomic_set(&rn->ports_closed, 0);
	for (i = 0; i < ARRAY_SIZE(rn->ports); i++)
		INIT_HLIST_HEAD(&rn->ports[i]);
	return 0;
}

void roam_port_net_exit(struct roam_net *rn)
{
	unsigned int i;

	/* Sockets pin the namespace, so every port has been put by now. */
	flush_workqueue(roam_wq);
	for (i = 0; i < ARRAY_SIZE(rn->ports); i++)
		WARN_ON_ONCE(!hlist_empty(&rn->ports[i]));
}
