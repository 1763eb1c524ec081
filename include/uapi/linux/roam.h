/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * roam: connection-oriented sockets over UDP that survive address and
 * port changes.  This header is the user-space API: the address type,
 * socket options and the generic netlink family "roam".
 */
#ifndef _UAPI_LINUX_ROAM_H
#define _UAPI_LINUX_ROAM_H

/*
 * User space: include <netinet/in.h> first, or <linux/in6.h> defines
 * struct in6_addr a second time.
 */
#include <linux/types.h>
#include <linux/socket.h>
#include <linux/in6.h>

/*
 * The address family number.  It is a module parameter: user space reads
 * the number in use from /sys/module/roam/parameters/family or from the
 * ROAM_A_CFG_FAMILY attribute, and never hard-codes it.  This is only the
 * default, a number no in-tree kernel code registers (once AF_WANPIPE).
 */
#define ROAM_FAMILY_DEFAULT	25
#define ROAM_FAMILY_SYSFS	"/sys/module/roam/parameters/family"

/*
 * An endpoint.  IPv4 addresses are written v4-mapped (::ffff:a.b.c.d);
 * the wildcard is in6addr_any.  sroam_scope_id is an interface index and
 * only allowed with link-local IPv6 addresses.
 */
struct sockaddr_roam {
	__kernel_sa_family_t	sroam_family;
	__be16			sroam_port;
	__u32			sroam_scope_id;
	struct in6_addr		sroam_addr;
};

/*
 * Socket option level, and the options at that level.  ROAM_REUSEPORT is
 * SO_REUSEPORT under another name: kernels without SOCK_CUSTOM_SOCKOPT
 * (Debian's 6.1 among them) refuse SO_REUSEPORT for any family but IP.
 */
#define SOL_ROAM		290

#define ROAM_BINDX_ADD		1	/* struct sockaddr_roam[], add addresses */
#define ROAM_BINDX_REM		2	/* struct sockaddr_roam[], remove addresses */
#define ROAM_NODELAY		3	/* int, as TCP_NODELAY */
#define ROAM_CORK		4	/* int, as TCP_CORK */
#define ROAM_INFO		5	/* struct roam_info, read only */
#define ROAM_PSK		6	/* __u32 key id from the netns key table, 0 = off */
#define ROAM_MIGRATE		7	/* int (ignored), write only: hop now */
#define ROAM_IDLE_TIMEOUT	8	/* __u32 ms, 0 = the netns default */
#define ROAM_KEEPALIVE_INTVL	9	/* __u32 ms, 0 = the netns default */
#define ROAM_FREEBIND		10	/* int, as IP_FREEBIND */
#define ROAM_CONN_ID		11	/* struct roam_conn_id, read only */
#define ROAM_REUSEPORT		12	/* int, the same as SO_REUSEPORT */
#define ROAM_ADVERTISE		13	/* int: send ADDRESSES; default: the netns config */

/* Connection states, as reported by ROAM_INFO and the netlink dumps. */
enum roam_state {
	ROAM_STATE_CLOSED = 0,
	ROAM_STATE_LISTEN,
	ROAM_STATE_CONNECTING,
	ROAM_STATE_ESTABLISHED,
	ROAM_STATE_FIN_WAIT,		/* we have closed our side */
	ROAM_STATE_CLOSE_WAIT,		/* the peer has closed its side */
	ROAM_STATE_CLOSING,		/* both closed, waiting for the last ack */
	ROAM_STATE_DRAINING,		/* done, absorbing late packets */
};

struct roam_conn_id {
	__u64	local;			/* the connection ID we receive on */
	__u64	remote;			/* the connection ID the peer receives on */
};

/*
 * ROAM_INFO.  Versioned like tcp_info: the kernel fills at most the
 * length the caller passes and returns the length it filled; new fields
 * are only ever appended.
 */
#define ROAM_INFO_VERSION	1

struct roam_info {
	__u32	ri_version;
	__u32	ri_state;		/* enum roam_state */
	__u32	ri_srtt_us;
	__u32	ri_rttvar_us;
	__u32	ri_rto_us;
	__u32	ri_cwnd;		/* bytes */
	__u32	ri_bytes_in_flight;
	__u32	ri_pmtu;		/* UDP payload bytes */
	__u64	ri_bytes_sent;		/* stream bytes, first transmissions */
	__u64	ri_bytes_acked;
	__u64	ri_bytes_received;	/* stream bytes delivered in order */
	__u64	ri_packets_sent;
	__u64	ri_packets_received;
	__u64	ri_packets_lost;
	__u64	ri_retransmits;		/* stream bytes sent again */
	__u64	ri_local_cid;
	__u64	ri_remote_cid;
	struct sockaddr_roam ri_local;	/* the current path */
	struct sockaddr_roam ri_remote;
	__u32	ri_path_moves;		/* peer address changes accepted */
	__u32	ri_port_hops;		/* local port changes */
	__u32	ri_path_validations;	/* paths validated */
	__u32	ri_path_failures;	/* validations that failed */
	__u32	ri_flags;		/* ROAM_INFO_F_* */
	__u32	ri_ecn_ce;		/* CE marks reported by the peer */
	__u32	ri_reordering;		/* packet threshold for loss, as tcpi_reordering */
	__u32	ri_spurious;		/* packets declared lost, then acknowledged */
};

#define ROAM_INFO_F_PSK		(1U << 0)	/* AEAD encryption with a PSK */
#define ROAM_INFO_F_VALIDATING	(1U << 1)	/* the current path is unvalidated */
#define ROAM_INFO_F_ECN		(1U << 2)	/* ECN works on the path */

/* ------------------------------------------------------------------ */
/* Generic netlink family "roam", version 1. */

#define ROAM_GENL_NAME		"roam"
#define ROAM_GENL_VERSION	1
#define ROAM_GENL_MCGRP_EVENTS	"events"

enum roam_cmd {
	ROAM_CMD_UNSPEC,
	ROAM_CMD_CONFIG_GET,	/* do: the netns config */
	ROAM_CMD_CONFIG_SET,	/* do, CAP_NET_ADMIN: change the netns config */
	ROAM_CMD_STATS_GET,	/* do: the netns counters */
	ROAM_CMD_LISTENER_GET,	/* dump: listeners */
	ROAM_CMD_CONN_GET,	/* dump: connections */
	ROAM_CMD_CONN_MIGRATE,	/* do, CAP_NET_ADMIN: make a connection hop */
	ROAM_CMD_KEY_ADD,	/* do, CAP_NET_ADMIN: add a PSK */
	ROAM_CMD_KEY_DEL,	/* do, CAP_NET_ADMIN: delete a PSK */
	ROAM_CMD_KEY_GET,	/* dump: key ids, never key bytes */
	ROAM_CMD_EVENT,		/* multicast on "events" */

	__ROAM_CMD_MAX,
	ROAM_CMD_MAX = __ROAM_CMD_MAX - 1
};

enum roam_attr {
	ROAM_A_UNSPEC,
	ROAM_A_CONFIG,		/* nest: ROAM_A_CFG_* */
	ROAM_A_STATS,		/* nest: ROAM_A_STAT_* (u64 each) */
	ROAM_A_LISTENER,	/* nest: ROAM_A_LSN_* */
	ROAM_A_CONN,		/* nest: ROAM_A_CONN_* */
	ROAM_A_KEY,		/* nest: ROAM_A_KEY_* */
	ROAM_A_EVENT,		/* nest: ROAM_A_EV_* */
	ROAM_A_PAD,

	__ROAM_A_MAX,
	ROAM_A_MAX = __ROAM_A_MAX - 1
};

/* Per-netns config.  Times are milliseconds. */
enum roam_cfg_attr {
	ROAM_A_CFG_UNSPEC,
	ROAM_A_CFG_FAMILY,		/* u32, read only */
	ROAM_A_CFG_PORT_MIN,		/* u16: client port range */
	ROAM_A_CFG_PORT_MAX,		/* u16 */
	ROAM_A_CFG_BACKLOG_MAX,		/* u32: listen() backlog clamp */
	ROAM_A_CFG_HS_TIMEOUT,		/* u32: first handshake retransmit */
	ROAM_A_CFG_HS_RETRIES,		/* u32: handshake retransmits */
	ROAM_A_CFG_IDLE_TIMEOUT,	/* u32: peer silence before ETIMEDOUT */
	ROAM_A_CFG_KEEPALIVE,		/* u32: keepalive interval */
	ROAM_A_CFG_ASSOC_TIMEOUT,	/* u32: server stops sending to a silent peer */
	ROAM_A_CFG_HOP_INTERVAL,	/* u32: client hops after no round trip */
	ROAM_A_CFG_COOKIE_LIFETIME,	/* u32: handshake cookie lifetime */
	ROAM_A_CFG_PROBE_MAX,		/* u32: longest probe interval in an outage */
	ROAM_A_CFG_ADVERTISE,		/* u32 0 or 1: servers advertise their addresses */

	__ROAM_A_CFG_MAX,
	ROAM_A_CFG_MAX = __ROAM_A_CFG_MAX - 1
};

/* Per-netns counters, all u64. */
enum roam_stat_attr {
	ROAM_A_STAT_UNSPEC,
	ROAM_A_STAT_PAD,
	ROAM_A_STAT_RX_PACKETS,		/* UDP datagrams taken by roam */
	ROAM_A_STAT_RX_MALFORMED,	/* too short or unknown type */
	ROAM_A_STAT_RX_NO_CONN,		/* unknown connection ID, or not its packet */
	ROAM_A_STAT_NEWCONN,		/* INITIAL; COOKIE_ECHO for no connection */
	ROAM_A_STAT_COOKIES_SENT,
	ROAM_A_STAT_COOKIES_BAD,	/* MAC did not verify */
	ROAM_A_STAT_COOKIES_EXPIRED,
	ROAM_A_STAT_COOKIES_WRONG_ADDR,	/* echoed from another address */
	ROAM_A_STAT_LISTEN_OVERFLOWS,	/* accept queue full: dropped */
	ROAM_A_STAT_REFUSED,		/* rejects sent: no listener */
	ROAM_A_STAT_HS_TIMEOUTS,	/* connects that timed out */
	ROAM_A_STAT_ESTABLISHED,	/* connections established */
	ROAM_A_STAT_AUTH_FAILURES,	/* tag did not verify */
	ROAM_A_STAT_REPLAYS,		/* packet number already seen */
	ROAM_A_STAT_PATH_MOVES,
	ROAM_A_STAT_PATH_VALIDATIONS,
	ROAM_A_STAT_PATH_FAILURES,
	ROAM_A_STAT_PORT_HOPS,
	ROAM_A_STAT_KEY_REJECTS,	/* handshakes failed on the PSK */
	ROAM_A_STAT_TX_ERRORS,		/* sends that failed in the IP layer */
	ROAM_A_STAT_RETRANSMITS,	/* packets declared lost */
	ROAM_A_STAT_PATHS_GONE,		/* PATH_GONE frames: a peer's address went */
	ROAM_A_STAT_RX_DROPS,		/* a connection's queue or backlog full */
	ROAM_A_STAT_COOKIES_SPENT,	/* COOKIE_ECHO of a cookie that built a connection */

	__ROAM_A_STAT_MAX,
	ROAM_A_STAT_MAX = __ROAM_A_STAT_MAX - 1
};

enum roam_lsn_attr {
	ROAM_A_LSN_UNSPEC,
	ROAM_A_LSN_PORT,		/* u16 */
	ROAM_A_LSN_ADDRS,		/* nest of ROAM_A_LSN_ADDR; none = wildcard
					 * of both families, :: = IPv6's alone
					 * (IPV6_V6ONLY), ::ffff:0.0.0.0 = IPv4's
					 */
	ROAM_A_LSN_ADDR,		/* binary struct in6_addr */
	ROAM_A_LSN_BACKLOG,		/* u32 */
	ROAM_A_LSN_QLEN,		/* u32 */
	ROAM_A_LSN_OVERFLOWS,		/* u64 */
	ROAM_A_LSN_GROUP,		/* u32: reuseport group id, 0 = none */
	ROAM_A_LSN_UID,			/* u32 */
	ROAM_A_LSN_INODE,		/* u64 */
	ROAM_A_LSN_IFINDEX,		/* u32: bound device */
	ROAM_A_LSN_PAD,

	__ROAM_A_LSN_MAX,
	ROAM_A_LSN_MAX = __ROAM_A_LSN_MAX - 1
};

enum roam_conn_attr {
	ROAM_A_CONN_UNSPEC,
	ROAM_A_CONN_LOCAL_ID,		/* u64 */
	ROAM_A_CONN_REMOTE_ID,		/* u64 */
	ROAM_A_CONN_STATE,		/* u8: enum roam_state */
	ROAM_A_CONN_LOCAL,		/* binary struct sockaddr_roam */
	ROAM_A_CONN_REMOTE,		/* binary struct sockaddr_roam */
	ROAM_A_CONN_UID,		/* u32 */
	ROAM_A_CONN_INODE,		/* u64 */
	ROAM_A_CONN_SERVER,		/* flag: accepted, not connected */
	ROAM_A_CONN_PSK,		/* u32 key id */
	ROAM_A_CONN_PATH_MOVES,		/* u32 */
	ROAM_A_CONN_PORT_HOPS,		/* u32 */
	ROAM_A_CONN_PAD,
	ROAM_A_CONN_RMEM,		/* u32: receive memory held (in order and out of order) */
	ROAM_A_CONN_RCVBUF,		/* u32: SO_RCVBUF, its bound */
	ROAM_A_CONN_PEER_ADDRS,		/* nest of ROAM_A_CONN_PEER_ADDR: the server's advertised */
	ROAM_A_CONN_PEER_ADDR,		/* binary struct in6_addr */
	ROAM_A_CONN_UNACKED,		/* u32: ack-eliciting packets sent, not yet acked or lost */

	__ROAM_A_CONN_MAX,
	ROAM_A_CONN_MAX = __ROAM_A_CONN_MAX - 1
};

enum roam_key_attr {
	ROAM_A_KEY_UNSPEC,
	ROAM_A_KEY_ID,			/* u32, not 0 */
	ROAM_A_KEY_SECRET,		/* binary, 32 bytes; write only */
	ROAM_A_KEY_USERS,		/* u32: sockets naming it (listeners, connections) */
	ROAM_A_KEY_OWNER,		/* u32: the uid that may use it (default: who adds it) */

	__ROAM_A_KEY_MAX,
	ROAM_A_KEY_MAX = __ROAM_A_KEY_MAX - 1
};

#define ROAM_KEY_LEN		32

enum roam_event_type {
	ROAM_EV_UNSPEC,
	ROAM_EV_ESTABLISHED,
	ROAM_EV_CLOSED,
	ROAM_EV_PATH_CHANGED,
	ROAM_EV_PATH_FAILED,
	ROAM_EV_LISTEN_OVERFLOW,
};

enum roam_ev_attr {
	ROAM_A_EV_UNSPEC,
	ROAM_A_EV_TYPE,			/* u8: enum roam_event_type */
	ROAM_A_EV_LOCAL_ID,		/* u64 */
	ROAM_A_EV_REMOTE_ID,		/* u64 */
	ROAM_A_EV_OLD,			/* binary struct sockaddr_roam */
	ROAM_A_EV_NEW,			/* binary struct sockaddr_roam */
	ROAM_A_EV_LOCAL,		/* binary struct sockaddr_roam */
	ROAM_A_EV_ERROR,		/* u32: errno the connection closed with */
	ROAM_A_EV_PAD,

	__ROAM_A_EV_MAX,
	ROAM_A_EV_MAX = __ROAM_A_EV_MAX - 1
};

#endif /* _UAPI_LINUX_ROAM_H */
